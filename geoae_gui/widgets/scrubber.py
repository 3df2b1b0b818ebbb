"""The scrubber: an epoch slider over the open run's snapshots. Moving it sets the explorer
model's epoch: every panel that shows weights follows (Latent, Filters, Profile, Position), and
the slider shows the loss of that epoch.

Hidden for a run without snapshots (and on tabs of panels that show no weights). A run that is
training (another thread or process holds its folder) is followed: new snapshots extend the
slider every POLL_MS, and a handle at the right end stays there, showing the latest one. Moves
reach the model at most every THROTTLE_MS (the last move always): the Profile panel starts a
background computation on each run it is given.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QTabWidget, QWidget

from geoae_core.files import writer_of
from geoae_core.runs import Run
from geoae_core.store import read_history

from ..model import Explorer, final_epoch

POLL_MS = 1000
THROTTLE_MS = 80

__all__ = ["POLL_MS", "THROTTLE_MS", "Scrubber", "final_epoch"]


class Scrubber(QWidget):
    """An epoch slider on the explorer model: a run opened offers its snapshots (the handle at
    the epoch the model shows), a move sets the model's epoch, `show_epoch(e)` the nearest one."""

    def __init__(self, model: Explorer, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scrubber")
        self.model = model
        self.epochs: list[int] = []
        self.losses: dict[int, float] = {}
        self._applies = True  # whether the current tab shows weights
        self.title = QLabel("<b>Training epoch</b>")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("the panels that show weights show them as they were at this epoch")
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
        model.on("run", self._run_changed)
        model.on("epoch", self._epoch_changed)
        self._run_changed(model.run)

    @property
    def run(self) -> Run | None:
        return self.model.run

    @property
    def shown_epoch(self) -> int | None:
        """The epoch whose weights the panels show (None: no snapshots to choose from)."""
        return self.model.shown_epoch if self.epochs else None

    # ---------------------------------------------------------------- the model
    def _run_changed(self, run: Run | None) -> None:
        """A run was opened: its snapshots, the handle at the epoch the model shows."""
        self._poll.stop()
        self._throttle.stop()
        self._pending = None
        self.epochs = self.model.epochs()
        self.losses = {int(row["epoch"]): float(row["loss"]) for row in run.history} if run is not None else {}
        self._set_range(len(self.epochs) - 1)
        self._place_handle()
        self._update_visibility()
        if run is not None and run.path is not None and writer_of(run.path) is not None:
            self._poll.start()
        self._describe()

    def _epoch_changed(self, _epoch: int | None) -> None:
        self._place_handle()
        self._describe()

    def _place_handle(self) -> None:
        epoch = self.model.shown_epoch
        if epoch in self.epochs:
            self.slider.blockSignals(True)
            self.slider.setValue(self.epochs.index(epoch))
            self.slider.blockSignals(False)

    def show_epoch(self, epoch: int) -> int | None:
        """Show the snapshot nearest to `epoch` now; the epoch shown (None: no snapshots)."""
        nearest = self.model.nearest_epoch(epoch)
        if nearest is None:
            return None
        self._throttle.stop()
        self._pending = None
        self.model.set_epoch(nearest)
        return self.shown_epoch

    def follow_training(self) -> None:
        """New snapshots of a training run extend the slider; a handle at the end moves on with them."""
        run = self.model.run
        if run is None or run.path is None:
            self._poll.stop()
            return
        if writer_of(run.path) is None:
            self._poll.stop()  # this is the last look: the training ended (or was killed)
        epochs = self.model.epochs()
        if epochs == self.epochs:
            self._describe()
            return
        at_end = self.slider.value() == self.slider.maximum()
        self.epochs = epochs
        self.losses = {int(row["epoch"]): float(row["loss"]) for row in read_history(run.path)}
        self._set_range(len(epochs) - 1, keep=not at_end)
        self._update_visibility()
        if at_end and epochs:
            self._apply(len(epochs) - 1)
        else:
            self._describe()

    # ------------------------------------------------------------- the tabs
    def watch(self, tabs: QTabWidget) -> None:
        """Show the scrubber only on the tabs of panels that show weights."""

        def changed(_index: int) -> None:
            self._applies = bool(getattr(tabs.currentWidget(), "follows_epoch", False))
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
        if self.model.run is None or not 0 <= index < len(self.epochs):
            return
        self.model.set_epoch(self.epochs[index])  # the model emits "epoch": panels and this label follow
        self._describe()

    def _describe(self) -> None:
        run, epoch = self.model.run, self.shown_epoch
        if run is None or epoch is None:
            self.label.setText("")
            return
        loss = self.losses.get(epoch)
        what = "initial weights" if epoch == 0 else f"loss {loss:.4g}" if loss is not None else "loss not yet saved"
        following = " · training: follows new epochs" if self._poll.isActive() else ""
        self.label.setText(f"epoch {epoch} of {run.config.epochs} · {what}{following}")
