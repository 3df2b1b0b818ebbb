"""Launch to a visible window: geoae-gui against a bare PySide6 window with one pyqtgraph plot.

Needs an X server (`Xvfb :79 &` then `DISPLAY=:79 python bench/bench_startup.py`) and xdotool.
Each program is started as a fresh process, alternating, `--repeats` times; the time is from
the start of the process to xdotool seeing its window mapped: geoae-gui's first window (it
says the engine is loading) and the explorer itself, ready to use; then from Ctrl+Q to the end of
the process (the bare window quits on Ctrl+Q too). Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

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


def mapped_window(title: str, env: dict[str, str], timeout: float = 120.0) -> str:
    """The id of the first visible window whose name matches, polled every 10 ms (xdotool's own
    --sync polls every half second, too coarse for a launch of half a second)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", title], env=env, capture_output=True, text=True
        )
        if found.returncode == 0 and found.stdout.split():
            return found.stdout.split()[-1]
        time.sleep(0.01)
    raise TimeoutError(f"no window named {title!r} within {timeout:.0f} s")


def seconds_to_windows(command: list[str], titles: list[str], env: dict[str, str]) -> list[float]:
    """Seconds from the launch until each window (a title regex, in order) is mapped, then from
    Ctrl+Q (File > Quit) in the last one to the end of the process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = []
    try:
        for title in titles:
            window = mapped_window(title, env)
            seconds.append(time.perf_counter() - started)
        time.sleep(1.0)  # let the window settle before quitting it
        closing = time.perf_counter()
        subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "ctrl+q"], env=env, check=True, timeout=30)
        try:
            process.wait(30)
            seconds.append(time.perf_counter() - closing)
        except subprocess.TimeoutExpired:
            seconds.append(float("nan"))
        return seconds
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("bench_startup: needs DISPLAY (an X server, e.g. Xvfb)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "GEOAE_GUI_SETTINGS": os.path.join(home, "settings.ini")}
        geoae = [sys.executable, "-m", "geoae_gui.app", "--runs", os.path.join(home, "runs")]
        bare = [sys.executable, "-c", BARE]
        times: dict[str, list[float]] = {"bare window": [], "first window": [], "explorer ready": []}
        closing: dict[str, list[float]] = {"bare window": [], "geoae-gui": []}
        for _ in range(args.repeats):
            shown, closed = seconds_to_windows(bare, ["bare-window-bench"], env)
            times["bare window"].append(shown)
            closing["bare window"].append(closed)
            first, ready, closed = seconds_to_windows(geoae, ["^geoae explorer", "^geoae explorer(: .*)?$"], env)
            times["first window"].append(first)
            times["explorer ready"].append(ready)
            closing["geoae-gui"].append(closed)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        ratio = medians[name] / medians["bare window"]
        print(f"{name:<15} median {medians[name]:.2f} s, {ratio:.2f}x  ({', '.join(f'{v:.2f}' for v in values)})")
    for name, values in closing.items():
        each = ", ".join(f"{v:.2f}" for v in values)
        print(f"Ctrl+Q to exit, {name}: median {statistics.median(values):.2f} s  ({each})")
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
