"""Launch to a visible window: geoae-gui against a bare PySide6 window with one pyqtgraph plot.

Needs an X server (`Xvfb :79 &` then `DISPLAY=:79 python bench/bench_startup.py`) and xdotool.
Each program is started as a fresh process, alternating, `--repeats` times; the time is from
the start of the process to xdotool seeing its window mapped: geoae-gui's first window (it
says the engine is loading) and the explorer itself, ready to use. Prints medians and ratios.
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
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("bare-window-bench")
window.setCentralWidget(pg.PlotWidget())
window.resize(1400, 900)
window.show()
app.exec()
"""


def seconds_to_windows(command: list[str], titles: list[str], env: dict[str, str]) -> list[float]:
    """Seconds from the launch until each window (a title regex, in order) is mapped."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = []
    try:
        for title in titles:
            subprocess.run(
                ["xdotool", "search", "--sync", "--onlyvisible", "--name", title],
                env=env,
                stdout=subprocess.DEVNULL,
                timeout=120,
                check=True,
            )
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
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
        for _ in range(args.repeats):
            times["bare window"] += seconds_to_windows(bare, ["bare-window-bench"], env)
            first, ready = seconds_to_windows(geoae, ["^geoae explorer", "^geoae explorer(: .*)?$"], env)
            times["first window"].append(first)
            times["explorer ready"].append(ready)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        ratio = medians[name] / medians["bare window"]
        print(f"{name:<15} median {medians[name]:.2f} s, {ratio:.2f}x  ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
