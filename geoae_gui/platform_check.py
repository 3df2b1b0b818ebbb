"""Before Qt opens a window on X11: are the system libraries of its xcb plugin there?

Without them Qt aborts with a message that names one package (often one that is installed).
The dynamic loader knows which libraries are really missing: ask it, and say in one line
which packages to install.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# sonames of Qt's xcb plugin -> their Debian/Ubuntu packages
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
README_HINT = "the README lists them for Debian/Ubuntu and Fedora"
_LOADER_MISSING = re.compile(r"(lib[\w.+-]+?\.so(?:\.\d+)*): cannot open shared object file")


def missing_from_loader_message(text: str) -> list[str]:
    """The libraries a loader message (dlopen's, as Qt prints it) says it could not open."""
    return list(dict.fromkeys(_LOADER_MISSING.findall(text)))


def missing_from_ldd(text: str) -> list[str]:
    """The libraries `ldd` lists as `not found`."""
    return list(dict.fromkeys(re.findall(r"^\s*(\S+) => not found", text, re.MULTILINE)))


def debian_package(soname: str) -> str:
    """The package that ships a soname: the table, else Debian's rule (libfoo.so.N -> libfooN)."""
    if soname in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[soname]
    match = re.fullmatch(r"(lib[\w.+-]+?)\.so\.(\d+)", soname)
    if not match:
        return soname
    name, version = match.groups()
    return f"{name.lower()}-{version}" if name[-1].isdigit() else f"{name.lower()}{version}"


def problem_line(missing: list[str]) -> str:
    packages = " ".join(dict.fromkeys(debian_package(m) for m in missing))
    return (
        f"geoae-gui: Qt cannot open a window: missing system libraries {', '.join(missing)}. "
        f"On Debian/Ubuntu: sudo apt-get install {packages} ({README_HINT})"
    )


def xcb_plugin() -> Path | None:
    from PySide6.QtCore import QLibraryInfo

    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def missing_libraries(plugin: Path) -> list[str]:
    """What the loader cannot find for the plugin: all of it through ldd, else its first complaint."""
    try:
        ctypes.CDLL(str(plugin))
        return []
    except OSError as exc:
        message = str(exc)
    if shutil.which("ldd"):
        try:
            listed = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        if missing_from_ldd(listed):
            return missing_from_ldd(listed)
    return missing_from_loader_message(message) or [message]


def window_problem() -> str | None:
    """One line saying why Qt cannot open a window here, or None (Linux and X11 only)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or (platform and not platform.startswith("xcb")):
        return None
    if not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY") and not platform:
            return None  # Qt takes Wayland
        return "geoae-gui: no display to open a window on (DISPLAY is not set); --screenshot OUT.png works without one"
    plugin = xcb_plugin()
    missing = missing_libraries(plugin) if plugin is not None else []
    return problem_line(missing) if missing else None
