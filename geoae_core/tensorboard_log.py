"""TensorBoard event files in a run folder: the loss per epoch, the settings as hparams (so the
HParams view compares the runs of a sweep) and each layer's filters as images at the end.

`EventLog` is an observer of the training loop's events (a callback): the loop knows nothing of
it. `tensorboard --logdir RUNS` then shows every run folder below RUNS.

The writer is tensorboardX, chosen over torch.utils.tensorboard: a run writes its events where it
trains (a cluster worker, a headless server), and there tensorboardX needs only protobuf (about
3 MB installed), where torch.utils.tensorboard needs the whole tensorboard package (about 55 MB
with grpcio, werkzeug and its data server) just to write a file. The viewer (`pip install
tensorboard`) is needed only where the folders are looked at.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import Config, ConfigError
from .files import RunError

if TYPE_CHECKING:  # torch is loaded when a run writes events, not when the CLI checks the option
    from .loop import Progress

INSTALL_HINT = 'pip install "geoae[tensorboard]"'
LOSS_TAG = "loss"
FILTER_PIXELS = 12  # each kernel weight drawn as a square this many pixels wide: a 3x3 kernel is visible


def require() -> None:
    """A ConfigError in one line when the writer is not installed."""
    if importlib.util.find_spec("tensorboardX") is None:
        raise ConfigError(f"tensorboard: writing TensorBoard event files needs tensorboardX ({INSTALL_HINT})")


def hparam_values(config: Config) -> dict[str, bool | int | float | str]:
    """Every setting as a value the HParams view takes: lists and None as their JSON text."""
    values: dict[str, bool | int | float | str] = {}
    for name, value in config.to_dict().items():
        values[name] = value if isinstance(value, bool | int | float | str) else json.dumps(value)
    return values


def filter_image(kernels: np.ndarray) -> np.ndarray:
    """One layer's kernels, shape (out, in, k[, k]), as a (1, H, W) image in [0, 1]: a row per
    output channel, a column per input channel, one pixel of padding between kernels."""
    kernels = np.asarray(kernels, np.float32)
    if kernels.ndim == 3:  # 1-D kernels: one row of k weights each
        kernels = kernels[:, :, None, :]
    rows, cols, height, width = kernels.shape
    low, high = float(kernels.min()), float(kernels.max())
    scaled = (kernels - low) / (high - low) if high > low else np.full_like(kernels, 0.5)
    grid = np.ones((rows * (height + 1) + 1, cols * (width + 1) + 1), np.float32)
    for r in range(rows):
        for c in range(cols):
            top, left = 1 + r * (height + 1), 1 + c * (width + 1)
            grid[top : top + height, left : left + width] = scaled[r, c]
    return np.kron(grid, np.ones((FILTER_PIXELS, FILTER_PIXELS), np.float32))[None]


class EventLog:
    """Writes the events of one training into its run folder (a callback of `train`)."""

    def __init__(self, config: Config, folder: str | Path):
        require()
        self.config = config
        self.folder = Path(folder)
        self.writer: Any = None

    def __call__(self, report: Progress) -> None:
        if report.event == "start":
            self._open()
        elif report.event == "epoch" and report.loss is not None and report.status != "diverged":
            self._open().add_scalar(LOSS_TAG, report.loss, report.epoch)
        elif report.event == "end":
            self._finish(report.loss)

    def _open(self) -> Any:
        if self.writer is None:
            from tensorboardX import SummaryWriter

            self.writer = SummaryWriter(logdir=str(self.folder), flush_secs=10)
        return self.writer

    def _finish(self, final_loss: float | None) -> None:
        from tensorboardX.summary import hparams

        writer = self._open()
        experiment, start, end = hparams(hparam_values(self.config), {LOSS_TAG: final_loss or 0.0})
        for summary in (experiment, start, end):
            writer._get_file_writer().add_summary(summary)
        self._write_filters(writer)
        self.close()

    def _write_filters(self, writer: Any) -> None:
        from .runs import load_run

        try:
            run = load_run(self.folder)  # the final weights, saved before the loop's "end" event
        except RunError:  # the folder could not be written: no filters to show
            return
        epoch = len(run.history)
        for side in ("encoder", "decoder"):  # a side the run lacks has no filters
            for index, kernels in enumerate(run.filters(side)):
                writer.add_image(f"filters/{side}/layer{index}", filter_image(kernels), epoch, dataformats="CHW")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def event_log(config: Config, folder: str | Path | None) -> list[EventLog]:
    """The callbacks `train` adds for a config: an EventLog when it asks for one and has a folder."""
    if not config.tensorboard or folder is None:
        return []
    return [EventLog(config, folder)]


def log_finished_run(folder: str | Path) -> None:
    """The events of a run trained without the callback (a member of a grouped family, batched.py),
    written afterwards from its folder: the same scalars, hparams and filters."""
    from .loop import Progress
    from .runs import load_run

    run = load_run(folder)
    log = EventLog(run.config, folder)
    for row in run.history:
        log(Progress("epoch", int(row["epoch"]), run.config.epochs, 0, 0, float(row["loss"]), 0.0))
    log(
        Progress(
            "end", len(run.history), run.config.epochs, 0, 0, run.history[-1]["loss"] if run.history else None, 0.0
        )
    )
