"""The one-line diagnosis for a machine that lacks the libraries of Qt's xcb plugin."""

import subprocess
import sys

from geoae_gui import platform_check

# what Qt printed (QT_DEBUG_PLUGINS=1) on this project's machine after `apt-get remove libxcb-icccm4
# libxcb-keysyms1`, paths shortened; without the debug switch Qt names only xcb-cursor0
QT_MESSAGE = (
    'qt.core.library: "/venv/PySide6/Qt/plugins/platforms/libqxcb.so" cannot load: Cannot load library '
    "/venv/PySide6/Qt/plugins/platforms/libqxcb.so: libxcb-icccm.so.4: cannot open shared object file: "
    "No such file or directory\n"
    "qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.\n"
    'qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.\n'
)
LDD_OUTPUT = (
    "\tlinux-vdso.so.1 (0x00007ffd5d9f2000)\n"
    "\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f0b8a000000)\n"
    "\tlibxcb-icccm.so.4 => not found\n"
    "\tlibxcb-keysyms.so.1 => not found\n"
    "\tlibxcb-icccm.so.4 => not found\n"
)


def test_the_loader_message_names_the_missing_library():
    assert platform_check.missing_from_loader_message(QT_MESSAGE) == ["libxcb-icccm.so.4"]


def test_ldd_names_every_missing_library_once():
    assert platform_check.missing_from_ldd(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_the_line_names_the_packages_to_install():
    line = platform_check.problem_line(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert "\n" not in line
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 " in line


def test_debian_package_names_follow_the_rule_beyond_the_table():
    assert platform_check.debian_package("libxcb-xinput.so.0") == "libxcb-xinput0"
    assert platform_check.debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert platform_check.debian_package("libfoo2.so.3") == "libfoo2-3"


def test_without_a_display_the_app_says_so_in_one_line():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-m", "geoae_gui.app"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "geoae-gui: no display to open a window on (DISPLAY is not set); --screenshot OUT.png works without one"
    ]
