"""Slider moves in the explorer against a bare pyqtgraph ImageItem given a new 64x64 frame (issue 18).

A move is: set the control's value, then process events until Qt has nothing left to do for it
(the panel's update ran and every widget it marked dirty is painted), which is what a display
shows. The reference is the same measure for an ImageItem alone in a GraphicsLayoutWidget of the
window's size, 1400x900, given a new frame. Each control's moves are timed in batches of 25,
alternating with batches of reference frames, so both see the same load on a shared machine;
each ratio is against the reference frames timed beside it. Python's cyclic gc is off while
timing and collects between batches, on this thread. Prints the median and p90 of each.

Usage: python bench/bench_slider.py [--runs FOLDER] [--moves 200] [--repaint]
FOLDER holds (or receives) a `disks` run `disk` and a position decoder `pos-dec`. With
--repaint each move also repaints the whole window (and each reference frame its whole widget).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

BATCH = 25
BUSY_EVENTS = {"Paint", "UpdateRequest", "MetaCall", "Timer", "LayoutRequest"}
WINDOW = (1400, 900)


def ensure_runs(folder: Path) -> Path:
    """Train the two small runs the bench drives, unless the folder has them already."""
    import torch

    from geoae_core import train

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        if not (folder / "disk" / "config.json").exists():
            # trained enough that the decoded disk grows along z (about 12 s on one thread)
            train("disks", out=folder / "disk", size=64, n_train=1000, epochs=40, lr=0.01, device="cpu", seed=1)
        if not (folder / "pos-dec" / "config.json").exists():
            train("position-decoder", out=folder / "pos-dec", size=32, n_train=300, epochs=40, device="cpu", seed=1)
    finally:
        torch.set_num_threads(threads)
    return folder


class EventCounter:
    """Counts the events that mean Qt still has work for a move (paints, queued calls, timers)."""

    def __init__(self, app):
        from PySide6.QtCore import QEvent, QObject

        busy = {getattr(QEvent.Type, name) for name in BUSY_EVENTS}
        counter = self

        class Filter(QObject):
            def eventFilter(self, _obj, event):
                if event.type() in busy:
                    counter.busy += 1
                return False

        self.busy = 0
        self.filter = Filter()
        app.installEventFilter(self.filter)


class Mover:
    """Applies moves and times each until Qt has shown it."""

    def __init__(self, app, counter: EventCounter, repaint: bool):
        self.app = app
        self.counter = counter
        self.repaint = repaint

    def settle(self, waiting: Callable[[], bool] = lambda: False, passes: int = 100) -> None:
        """Process events until the panel shows the last value and a whole pass finds nothing
        more to paint, call or time out."""
        for _ in range(passes):
            self.counter.busy = 0
            self.app.processEvents()
            if self.counter.busy == 0 and not waiting():
                return

    def time_batch(self, values: Sequence, apply: Callable, widget, panel=None) -> list[float]:
        """Milliseconds per move; gc off while timing, one collection before the batch."""
        waiting = getattr(panel, "update_pending", lambda: False)  # panels that update at once never wait
        times = []
        gc.collect()
        gc.disable()
        try:
            for value in values:
                tick = time.perf_counter()
                apply(value)
                self.settle(waiting)
                if self.repaint:
                    widget.repaint()
                times.append((time.perf_counter() - tick) * 1000)
        finally:
            gc.enable()
        return times


class BareImage:
    """The reference: an ImageItem alone in a GraphicsLayoutWidget, given new 64x64 frames."""

    def __init__(self, size: tuple[int, int]):
        import pyqtgraph as pg

        self.widget = pg.GraphicsLayoutWidget()
        self.widget.resize(*size)
        item = self.widget.addPlot()
        item.setAspectLocked(True)
        item.hideAxis("left")
        item.hideAxis("bottom")
        self.image = pg.ImageItem()
        item.addItem(self.image)
        self.widget.show()
        self.rng = np.random.default_rng(0)
        self.show(0)

    def show(self, _index) -> None:
        self.image.setImage(self.rng.random((64, 64)), autoLevels=False, levels=(0.0, 1.0))


def sweep(n: int, lo: int, hi: int, step: int) -> list[int]:
    """`n` slider values as a drag back and forth: every value differs from the one before."""
    values, v, direction = [], lo, 1
    while len(values) < n:
        v += direction * step
        if not lo <= v <= hi:
            direction = -direction
            v += 2 * direction * step
        values.append(v)
    return values


def panel_cases(window, n: int):
    """(name, run, panel, setter, values) for every control the bench drags."""
    latent = window.latent_panel  # the disk run is shown: the controls have its ranges
    yield "latent: z slider", "disk", latent, latent.z_slider.setValue, sweep(n, 0, 1000, 7)
    r_range = latent.r_slider.minimum(), latent.r_slider.maximum()
    yield "latent: r slider", "disk", latent, latent.r_slider.setValue, sweep(n, *r_range, 3)
    strip = [v / 10 for v in sweep(n, 10, int(10 * latent.ra_spin.maximum()), 3)]
    yield "latent: strip, r1 edit", "disk", latent, latent.ra_spin.setValue, strip
    position = window.position_panel
    kernel = [v / 4 for v in sweep(n, -8, 16, 1)]
    yield "position: kernel edit", "pos-dec", position, position.kernel_spins[1].setValue, kernel
    yield "position: z slider", "pos-dec", position, position.z_slider.setValue, sweep(n, 0, 1000, 7)


def interleaved(mover: Mover, bare: BareImage, values: list, apply, window, panel) -> tuple[list, list]:
    """Batches of the control's moves alternating with batches of reference frames."""
    moves, frames = [], []
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        frames += mover.time_batch(range(len(batch)), bare.show, bare.widget)
        moves += mover.time_batch(batch, apply, window, panel)
    return moves, frames


def report(name: str, times: list, reference: list) -> None:
    median, p90 = np.median(times), np.percentile(times, 90)
    ref_median, ref_p90 = np.median(reference), np.percentile(reference, 90)
    print(
        f"{name:<24} median {median:6.2f} ms  p90 {p90:6.2f} ms | reference {ref_median:5.2f}, {ref_p90:5.2f} ms"
        f" | ratio {median / ref_median:5.2f}x, p90 {p90 / ref_p90:5.2f}x",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=Path, help="folder with (or to receive) the runs `disk` and `pos-dec`")
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--repaint", action="store_true", help="also repaint the whole window after each move")
    args = parser.parse_args()
    folder = ensure_runs(args.runs or Path(tempfile.mkdtemp(prefix="geoae-bench-slider-")))

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from geoae_gui.window import MainWindow

    mover = Mover(app, EventCounter(app), args.repaint)
    window = MainWindow(runs_folder=folder, persist=False)
    window.resize(*WINDOW)
    window.show()
    window.set_run(folder / "disk")
    window.show_panel("latent")
    bare = BareImage(WINDOW)
    mover.settle()
    decoded = window.latent_panel.decoded_plot
    print(
        f"{args.moves} moves each, {QApplication.platformName()}; window {WINDOW[0]}x{WINDOW[1]}, decoded image "
        f"view {decoded.width()}x{decoded.height()}{', whole window repainted each move' if args.repaint else ''}; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for name, run, panel, setter, values in panel_cases(window, args.moves):
        if window.run is None or window.run.path.name != run:
            window.set_run(folder / run)
        window.show_panel(panel.name)
        mover.settle(getattr(panel, "update_pending", lambda: False))
        report(name, *interleaved(mover, bare, values, setter, window, panel))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    bare.widget.close()
    window.close()


if __name__ == "__main__":
    main()
