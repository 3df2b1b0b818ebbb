"""Drawing the latent map of a d = 3 run against a bare pyqtgraph ImageItem given a new 64x64 frame.

A map draw is what the explorer does when a held axis moves: decode the grid in one batch, lay
the images out as one mosaic, give it to the map's ImageItem, then process events until Qt has
painted it (bench_slider.py's measure of "shown"). The reference is bench_slider.py's: an
ImageItem alone in a GraphicsLayoutWidget of the window's size given a new frame. Map draws and
reference frames alternate in batches of 25, so both see the same load on a shared machine.
Also timed: the decode of the grid alone, and a whole move of the held axis's slider (the
decoded image, the map and the traversal strip all redrawn). Prints the median and p90 of each.

Usage: python bench/bench_latent_map.py [--runs FOLDER] [--draws 200] [--grid 8]
FOLDER holds (or receives) a 64x64 `disks` run `d3` with a code of size 3.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_slider import BATCH, WINDOW, BareImage, EventCounter, Mover, report, sweep


def ensure_run(folder: Path) -> Path:
    """Train the d = 3 run the bench draws, unless the folder has it already (about 5 s)."""
    import torch

    from geoae_core import train

    if not (folder / "d3" / "config.json").exists():
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            train("disks", out=folder / "d3", size=64, n_train=1000, epochs=20, lr=0.005, code_size=3, device="cpu")
        finally:
            torch.set_num_threads(threads)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=Path, help="folder with (or to receive) the run `d3`")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--grid", type=int, default=8, choices=(6, 8, 12))
    args = parser.parse_args()
    folder = ensure_run(args.runs or Path(tempfile.mkdtemp(prefix="geoae-bench-map-")))

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from geoae_gui import engine
    from geoae_gui.window import MainWindow

    mover = Mover(app, EventCounter(app), repaint=False)
    window = MainWindow(runs_folder=folder, persist=False)
    window.resize(*WINDOW)
    window.show()
    window.set_run(folder / "d3")
    panel = window.show_panel("latent")
    view = panel.codes_view
    view.grid_box.setCurrentIndex(view.grid_box.findData(args.grid))
    bare = BareImage(WINDOW)
    mover.settle(panel.update_pending)
    run, axes = view.run, view._axes
    held_axis = next(axis for axis in range(run.config.code_size) if axis not in axes)
    lo, hi = view.sliders.lo[held_axis], view.sliders.hi[held_axis]
    held_values = [lo + (hi - lo) * v / 1000 for v in sweep(args.draws, 0, 1000, 7)]

    def draw(value: float) -> None:
        """A new held code, then the map drawn (decode, mosaic, setImage; `settle` paints it)."""
        z = view.sliders.point()
        z[held_axis] = value
        view.sliders.set_point(z)
        view.draw_map()

    def decode_only(value: float) -> None:
        z = view.sliders.point()
        z[held_axis] = value
        values_a, values_b = view.grid_values()
        engine.decode_grid(run, axes, values_a, values_b, z)

    m = run.config.size
    print(
        f"{args.draws} draws each, {QApplication.platformName()}; window {WINDOW[0]}x{WINDOW[1]}, map view "
        f"{view.map.width()}x{view.map.height()}, {args.grid}x{args.grid} grid of {m}x{m} images (d = "
        f"{run.config.code_size}); load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    cases = (
        (f"map {args.grid}x{args.grid}: draw", draw, held_values, view.map),
        (f"map {args.grid}x{args.grid}: decode", decode_only, held_values, view.map),
        (
            f"z{held_axis + 1} slider move",
            view.sliders.sliders[held_axis].setValue,
            sweep(args.draws, 0, 1000, 7),
            window,
        ),
    )
    for name, apply, values, widget in cases:
        moves, frames = [], []
        for start in range(0, len(values), BATCH):
            batch = values[start : start + BATCH]
            frames += mover.time_batch(range(len(batch)), bare.show, bare.widget)
            moves += mover.time_batch(batch, apply, widget, panel)
        report(name, moves, frames)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    bare.widget.close()
    window.close()


if __name__ == "__main__":
    main()
