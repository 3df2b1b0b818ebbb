"""Launch to a visible window: geoae-gui against a bare PySide6 window with one pyqtgraph plot.

Needs an X server (`Xvfb :79 &` then `DISPLAY=:79 python bench/bench_startup.py`) and xdotool.
Each program is started as a fresh process, alternating, `--repeats` times; the time is from
the start of the process to xdotool seeing its window mapped. Prints the medians and the ratio.
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


def seconds_to_window(command: list[str], title: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", title],
            env=env,
            stdout=subprocess.DEVNULL,
            timeout=120,
            check=True,
        )
        return time.perf_counter() - started
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
        times: dict[str, list[float]] = {"bare window": [], "geoae-gui": []}
        for _ in range(args.repeats):
            times["bare window"].append(seconds_to_window(bare, "bare-window-bench", env))
            times["geoae-gui"].append(seconds_to_window(geoae, "geoae", env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:<12} median {medians[name]:.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"ratio        {medians['geoae-gui'] / medians['bare window']:.2f}x  (load {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
