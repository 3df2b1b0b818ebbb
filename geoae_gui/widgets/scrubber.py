"""The scrubber: an epoch slider over a run's snapshots. Moving it shows the run as it was at
that epoch in the panels it drives (Latent, Filters, Profile), with the loss of that epoch.

Hidden for a run without snapshots (and on tabs it does not drive). A run that is training
(another thread or process holds its folder) is followed: new snapshots extend the slider every
POLL_MS, and a handle at the right end stays there, showing the latest one. Moves reach the
panels at most every THROTTLE_MS (the last move always): the Profile panel starts a background
computation on each run it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QTabWidget, QWidget

from geoae_core.files import writer_of
from geoae_core.runs import Run
from geoae_core.store import read_history

POLL_MS = 1000
THROTTLE_MS = 80


class RunView(Protocol):
    def set_run(self, run: Run | None) -> None: ...


class Scrubber(QWidget):
    """An epoch slider: `set_run(run)` offers its snapshots (at the last one), `show_epoch(e)`
    moves it; the targets get `run.at_epoch(e)` (the run itself at its own final epoch)."""

    epoch_shown = Signal(int)

    def __init__(self, targets: Sequence[RunView], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scrubber")
        self.targets = list(targets)
        self.run: Run | None = None
        self.epochs: list[int] = []
        self.losses: dict[int, float] = {}
        self.shown_epoch: int | None = None
        self._applies = True  # whether the current tab is one the scrubber drives
        self.title = QLabel("<b>Training epoch</b>")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("the Latent, Filters and Profile panels show the weights as they were at this epoch")
        self.slider.setPageStep(8)
        self.label = QLabel()
        self.label.setMinimumWidth(300)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.slider.valueChanged.connect(self._moved)
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(THROTTLE_MS)
        self._throttle.timeout.connect(self._apply_pending)
        self._pending: int | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.follow_training)
        self.setVisible(False)

    # ---------------------------------------------------------------- the run
    def set_run(self, run: Run | None) -> None:
        """A run was selected: its snapshots, the handle at the last one (what the panels show)."""
        self._poll.stop()
        self._throttle.stop()
        self._pending = None
        self.run = run
        self.epochs = run.snapshot_epochs() if run is not None else []
        self.losses = {int(row["epoch"]): float(row["loss"]) for row in run.history} if run is not None else {}
        self.shown_epoch = self.epochs[-1] if self.epochs else None
        self._set_range(len(self.epochs) - 1)
        self._update_visibility()
        if run is not None and run.path is not None and writer_of(run.path) is not None:
            self._poll.start()
        if self.epochs and self.epochs[-1] != final_epoch(run):
            self._apply(len(self.epochs) - 1)  # a training's latest snapshot is newer than its weights file
        else:
            self._describe()

    def show_epoch(self, epoch: int) -> int | None:
        """Move to the snapshot nearest to `epoch` and show it now; the epoch shown (None: no snapshots)."""
        if not self.epochs:
            return None
        index = min(range(len(self.epochs)), key=lambda i: (abs(self.epochs[i] - epoch), i))
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self._throttle.stop()
        self._pending = None
        self._apply(index)
        return self.shown_epoch

    def follow_training(self) -> None:
        """New snapshots of a training run extend the slider; a handle at the end moves on with them."""
        if self.run is None or self.run.path is None:
            self._poll.stop()
            return
        if writer_of(self.run.path) is None:
            self._poll.stop()  # this is the last look: the training ended (or was killed)
        epochs = self.run.snapshot_epochs()
        if epochs == self.epochs:
            return
        at_end = self.slider.value() == self.slider.maximum()
        self.epochs = epochs
        self.losses = {int(row["epoch"]): float(row["loss"]) for row in read_history(self.run.path)}
        self._set_range(len(epochs) - 1, keep=not at_end)
        self._update_visibility()
        if at_end and epochs:
            self._apply(len(epochs) - 1)
        else:
            self._describe()

    # ------------------------------------------------------------- the tabs
    def watch(self, tabs: QTabWidget) -> None:
        """Show the scrubber only on the tabs it drives."""

        def changed(_index: int) -> None:
            self._applies = tabs.currentWidget() in self.targets
            self._update_visibility()

        tabs.currentChanged.connect(changed)
        changed(tabs.currentIndex())

    def _update_visibility(self) -> None:
        self.setVisible(bool(self.epochs) and self._applies)

    # -------------------------------------------------------------- moving
    def _set_range(self, maximum: int, keep: bool = False) -> None:
        self.slider.blockSignals(True)
        value = self.slider.value()
        self.slider.setRange(0, max(maximum, 0))
        self.slider.setValue(min(value, maximum) if keep else max(maximum, 0))
        self.slider.setEnabled(maximum > 0)
        self.slider.blockSignals(False)

    def _moved(self, index: int) -> None:
        if self._throttle.isActive():
            self._pending = index  # shown when the interval ends
            return
        self._apply(index)
        self._throttle.start()

    def _apply_pending(self) -> None:
        if self._pending is not None:
            index, self._pending = self._pending, None
            self._apply(index)
            self._throttle.start()

    def _apply(self, index: int) -> None:
        if self.run is None or not 0 <= index < len(self.epochs):
            return
        epoch = self.epochs[index]
        shown = self.run if epoch == final_epoch(self.run) else self.run.at_epoch(epoch)
        self.shown_epoch = epoch
        for target in self.targets:
            target.set_run(shown)
        self._describe()
        self.epoch_shown.emit(epoch)

    def _describe(self) -> None:
        if self.run is None or self.shown_epoch is None:
            self.label.setText("")
            return
        epoch = self.shown_epoch
        loss = self.losses.get(epoch)
        what = "initial weights" if epoch == 0 else f"loss {loss:.4g}" if loss is not None else "loss not yet saved"
        following = " · training: follows new epochs" if self._poll.isActive() else ""
        self.label.setText(f"epoch {epoch} of {self.run.config.epochs} · {what}{following}")


def final_epoch(run: Run) -> int | None:
    """The epoch of the run's own weights (weights.safetensors); None while it trains, whose
    weights file lags behind its snapshots."""
    if run.status == "running":
        return None
    return int(run.history[-1]["epoch"]) if run.history else 0
