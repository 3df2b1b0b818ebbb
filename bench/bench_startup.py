"""Launch to a usable explorer: geoae-gui against a bare PySide6 window with one pyqtgraph plot.

Needs an X server with a window manager (`Xvfb :79 & DISPLAY=:79 openbox &`, then
`DISPLAY=:79 python bench/bench_startup.py`) and xdotool. Each program is started as a fresh
process, alternating, `--repeats` times (median of 3 by default). Measured from the start of the
process (wall clock):
- bare window: until xdotool sees it mapped;
- first window: until xdotool sees geoae-gui's first window mapped (the loading window);
- explorer usable: until the explorer is on screen with the disks example decoded on the Latent
  explorer and Qt's event loop answering (a probe timer inside the process, started before
  geoae_gui.app.main, reports it);
- longest block: the longest the event loop did not answer from "usable" to Ctrl+Q, while the
  bench switches through every tab with Ctrl+1..6 (each switch must reach the window: input
  accepted), per tab first shown;
- Ctrl+Q to exit: from Ctrl+Q in the explorer (or in the loading window, a separate launch) to
  the end of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("bare-window-bench")
window.setCentralWidget(pg.PlotWidget())
QShortcut(QKeySequence("Ctrl+Q"), window, window.close)
window.resize(1400, 900)
window.show()
app.exec()
"""

# geoae-gui with a probe: a 5 ms timer on the GUI thread notes when the explorer is usable and
# the longest gap between its ticks after that, per panel on screen; written at quit.
PROBE = """
import json, os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
out = os.environ["BENCH_PROBE_OUT"]
app = QApplication([sys.argv[0]])
state = {"ready": None, "last": None, "gaps": {}, "panels": []}
def explorer():
    for widget in app.topLevelWidgets():
        if type(widget).__name__ == "MainWindow" and widget.isVisible():
            return widget
def tick():
    now = time.time()
    window = explorer()
    if state["ready"] is None:
        latent = getattr(window, "latent_panel", None) if window is not None else None
        if latent is not None and latent.decode_ms:
            state["ready"] = now
            with open(out + ".ready", "w") as f:
                f.write(str(now))
    else:
        panel = window.current_panel().name if window is not None else "(closing)"
        if not state["panels"] or state["panels"][-1] != panel:
            state["panels"].append(panel)
        gap = now - state["last"]
        state["gaps"][panel] = max(state["gaps"].get(panel, 0.0), gap)
    state["last"] = now
def write():
    with open(out, "w") as f:
        json.dump({"ready": state["ready"], "gaps": state["gaps"], "panels": state["panels"]}, f)
timer = QTimer()
timer.timeout.connect(tick)
timer.start(5)
app.aboutToQuit.connect(write)
sys.argv = ["geoae-gui", *sys.argv[1:]]
from geoae_gui.app import main
sys.exit(main())
"""

TABS = ["ctrl+1", "ctrl+3", "ctrl+4", "ctrl+5", "ctrl+6", "ctrl+2"]  # train, filters, ..., back to latent


def xdotool(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=30)
    if check and done.returncode:
        raise RuntimeError(f"xdotool {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done


def mapped_window(title: str, env: dict[str, str], process: subprocess.Popen, timeout: float = 60.0) -> str:
    """The id of the first visible window whose name matches, polled every 10 ms (xdotool's own
    --sync polls every half second, too coarse for a launch of half a second)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        found = xdotool("search", "--onlyvisible", "--name", title, env=env, check=False)
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[-1]
        if process.poll() is not None:
            raise RuntimeError(f"the program ended (code {process.returncode}) before a window named {title!r}")
        time.sleep(0.01)
    raise TimeoutError(f"no window named {title!r} within {timeout:.0f} s")


def wait_file(path: Path, process: subprocess.Popen, timeout: float = 60.0) -> str:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if path.exists() and path.stat().st_size:
            return path.read_text()
        if process.poll() is not None:
            raise RuntimeError(f"the program ended (code {process.returncode}) before {path.name}")
        time.sleep(0.005)
    raise TimeoutError(f"no {path.name} within {timeout:.0f} s")


def quit_and_wait(window: str, process: subprocess.Popen, env: dict[str, str], timeout: float = 30.0) -> float:
    closing = time.time()
    xdotool("windowfocus", "--sync", window, "key", "ctrl+q", env=env)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        return float("nan")
    return time.time() - closing


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(30)


def bare_window(env: dict[str, str]) -> tuple[float, float]:
    started = time.time()
    process = subprocess.Popen([sys.executable, "-c", BARE], env=env, stdout=subprocess.DEVNULL)
    try:
        window = mapped_window("bare-window-bench", env, process)
        shown = time.time() - started
        time.sleep(1.0)
        return shown, quit_and_wait(window, process, env)
    finally:
        stop(process)


def explorer(env: dict[str, str], runs: str, probe: Path) -> dict:
    """One launch of geoae-gui: first window, usable, longest block per tab, Ctrl+Q to exit."""
    for stale in (probe, probe.with_name(probe.name + ".ready")):
        stale.unlink(missing_ok=True)
    started = time.time()
    process = subprocess.Popen(
        [sys.executable, "-c", PROBE, "--runs", runs],
        env={**env, "BENCH_PROBE_OUT": str(probe)},
        stdout=subprocess.DEVNULL,
    )
    try:
        mapped_window("^geoae explorer", env, process)
        first = time.time() - started
        usable = float(wait_file(probe.with_name(probe.name + ".ready"), process)) - started
        window = mapped_window("^geoae explorer(: .*)?$", env, process)
        time.sleep(0.5)
        for keys in TABS:
            xdotool("windowfocus", "--sync", window, "key", keys, env=env)
            time.sleep(1.0)
        closed = quit_and_wait(window, process, env)
        report = json.loads(wait_file(probe, process) if probe.exists() else "{}")
        return {
            "first": first,
            "usable": usable,
            "gaps": report.get("gaps", {}),
            "panels": report.get("panels", []),
            "exit": closed,
        }
    finally:
        stop(process)


def quit_while_loading(env: dict[str, str], runs: str) -> float:
    """Ctrl+Q in the loading window: seconds to the end of the process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "geoae_gui.app", "--runs", runs], env=env, stdout=subprocess.DEVNULL
    )
    try:
        window = mapped_window(r"^geoae explorer \(loading\)", env, process)
        return quit_and_wait(window, process, env, timeout=10.0)
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print(
            "bench_startup: needs DISPLAY (an X server with a window manager, e.g. Xvfb and openbox)", file=sys.stderr
        )
        return 2
    xdotool("keyup", "ctrl", "keyup", "q", env=dict(os.environ), check=False)  # none held from an earlier run
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "GEOAE_GUI_SETTINGS": os.path.join(home, "settings.ini")}
        runs, probe = os.path.join(home, "runs"), Path(home) / "probe.json"
        times: dict[str, list[float]] = {"bare window": [], "first window": [], "explorer usable": []}
        closing: dict[str, list[float]] = {"bare window": [], "geoae-gui": [], "geoae-gui, loading window": []}
        gaps: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            shown, closed = bare_window(env)
            times["bare window"].append(shown)
            closing["bare window"].append(closed)
            result = explorer(env, runs, probe)
            times["first window"].append(result["first"])
            times["explorer usable"].append(result["usable"])
            closing["geoae-gui"].append(result["exit"])
            for panel, gap in result["gaps"].items():
                gaps.setdefault(panel, []).append(gap * 1000)
            missing = {"train", "latent", "filters", "profile", "position", "experiments"} - set(result["panels"])
            if missing:
                print(f"input not accepted: never showed {', '.join(sorted(missing))}", file=sys.stderr)
            closing["geoae-gui, loading window"].append(quit_while_loading(env, runs))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        ratio = medians[name] / medians["bare window"]
        print(f"{name:<16} median {medians[name]:.2f} s, {ratio:.2f}x  ({', '.join(f'{v:.2f}' for v in values)})")
    for panel, values in gaps.items():
        print(f"longest block, {panel:<12} median {statistics.median(values):4.0f} ms  (max {max(values):.0f} ms)")
    for name, values in closing.items():
        each = ", ".join(f"{v:.2f}" for v in values)
        print(f"Ctrl+Q to exit, {name}: median {statistics.median(values):.2f} s  ({each})")
    print(f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
