"""Train: pick a preset or edit every setting; start, pause, step one epoch, stop; live loss.

Also: resume an unfinished run (stopped, or killed mid-training) from its checkpoint; say plainly
when a run diverged; keep a trained model whose folder could not be written until it is saved
elsewhere. The state and its rules live in a TrainingSession (geoae_gui/session.py); this panel
presents it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from geoae_core.config import ConfigError
from geoae_core.files import RunError
from geoae_core.runs import Run, load_run

from ..session import Outcome, TrainingSession, pixel_count, resume_problem, shown_status, write_run
from ..widgets.plots import LogAxis, make_plot, pen
from ..widgets.rows import FlowLayout
from ..widgets.settings_form import SettingsForm
from ..widgets.train_controls import TrainControls
from ..worker import TrainingWorker, run_task
from .base import Panel, guarded

FORM_WIDTH = 420  # the settings column's starting width: its rows need no wrapping
NAME_WIDTH = 260  # the run folder name field keeps room for a name; the row wraps before it shrinks


class TrainPanel(Panel):
    """Trains runs; shows the open run's own loss history (not a snapshot's: it follows no epoch)."""

    name = "train"
    title = "Train"
    follows_epoch = False
    run_saved = Signal(Path)
    run_started = Signal(Path)  # its folder is on disk: the browser lists it from the first second

    def __init__(self, runs_folder: Callable[[], Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.runs_folder = runs_folder
        self.session = TrainingSession()
        self.worker = TrainingWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.warning.connect(self._on_warning)
        self.worker.finished.connect(self._on_finished)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        # left: the settings
        self.form = SettingsForm()
        self.form.checked.connect(lambda _problems: self._set_buttons())  # Start waits for valid settings
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        # the form is as wide as its widest row needs (labels wrap above their fields when narrow):
        # it scrolls down, never sideways
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.form.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        splitter.addWidget(scroll)

        # right: controls, progress, loss
        right = QWidget()
        column = QVBoxLayout(right)
        name_row = FlowLayout()  # the label, the name and the button wrap in a narrow window
        self.name_edit = QLineEdit()
        self.name_edit.setMinimumWidth(NAME_WIDTH)
        self.name_edit.setPlaceholderText("run name (default: the preset and what changed, e.g. disks-lr0.003-seed2)")
        name_row.addWidget(QLabel("Run folder name"))
        name_row.addWidget(self.name_edit)
        column.addLayout(name_row)
        self.from_run_button = QPushButton("Settings of current run")
        self.from_run_button.setToolTip("Copy the selected run's settings into the form")
        name_row.addWidget(self.from_run_button)
        self.controls = TrainControls()
        c = self.controls
        self.start_button, self.pause_button, self.step_button = c.start_button, c.pause_button, c.step_button
        self.stop_button, self.resume_button = c.stop_button, c.resume_button
        self.save_elsewhere_button, self.discard_button = c.save_elsewhere_button, c.discard_button
        column.addWidget(c)
        self.start_button.clicked.connect(self.start)
        self.resume_button.clicked.connect(lambda: self.resume_run())
        self.save_elsewhere_button.clicked.connect(lambda: self.save_elsewhere())
        self.discard_button.clicked.connect(self.discard_unsaved)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.step_button.clicked.connect(self.step_epoch)
        self.stop_button.clicked.connect(self.stop)
        self.from_run_button.clicked.connect(self.settings_from_run)
        self.progress = QProgressBar()
        self.progress.setFormat("epoch %v / %m")
        self.progress.setValue(0)
        column.addWidget(self.progress)
        self.status_label = QLabel("idle")
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("train_status")
        column.addWidget(self.status_label)
        column.addWidget(self.message)  # here, not above the panel: a message moves no control
        self.loss_plot = make_plot("Training loss (per epoch, log scale)", "epoch", "loss")
        self.loss_plot.getPlotItem().setAxisItems({"left": LogAxis("left")})
        self.loss_plot.getPlotItem().setLogMode(y=True)
        self.loss_curve = self.loss_plot.plot([], [], pen=pen(0), name="loss")
        column.addWidget(self.loss_plot, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([FORM_WIDTH, 3 * FORM_WIDTH])
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._set_buttons()

    # ------------------------------------------------ the session's state, as before
    @property
    def losses(self) -> list[float]:
        return self.session.losses

    @property
    def warnings(self) -> list[str]:
        return self.session.warnings

    @property
    def out(self) -> Path | None:
        return self.session.out

    @property
    def unsaved(self) -> Any:
        return self.session.unsaved

    @unsaved.setter
    def unsaved(self, value: Any) -> None:
        self.session.unsaved = value

    @property
    def unsaved_name(self) -> str:
        return self.session.unsaved_name

    @property
    def _saving(self) -> bool:
        return self.session.saving

    # ---------------------------------------------------- for the window
    def state(self) -> dict[str, Any]:
        """The form's settings and preset, to restore in the next session, and the run being
        trained now (the next session opens it: it is the run the user was watching)."""
        training = str(self.out) if self.worker.running and self.out is not None else ""
        return {"form": self.form.values(), "preset": self.form.preset_name(), "training": training}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Show saved settings and preset (without loading the preset over them)."""
        values = state.get("form")
        if isinstance(values, dict):
            with contextlib.suppress(ValueError, TypeError):  # stored by an older version, or damaged
                self.form.set_values(values)  # the preset box names the preset they equal, if any
        elif state.get("preset"):
            self.form.show_preset(str(state["preset"]))

    def can_close(self) -> str | None:
        """The question to ask before closing, or None if closing loses nothing."""
        return self.session.close_question()

    # ------------------------------------------------------------ actions
    @guarded
    def start(self) -> None:
        if self.worker.running:
            self.show_warning("a training is already running: stop it first")
            return
        if self._holding_unsaved():
            return
        if self.form.check():  # Start is disabled then: a click that still comes is answered in words
            self.show_warning("fix the settings first: " + "; ".join(self.form.problems.values()))
            return
        config = self.form.config()
        folder = Path(self.runs_folder())
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(f"{folder}: cannot create the runs folder ({exc.strerror or exc})") from None
        name = self.name_edit.text().strip() or self.session.default_name(config)
        out = self._free_folder(folder, name)
        self._begin(out, config.epochs, [], pixel_count(config))
        self.worker.start(config, out)
        self.status_label.setText(f"starting {out.name}…")
        self._set_buttons()

    @guarded
    def resume_run(self, path: Path | None = None) -> None:
        """Continue an unfinished run (the selected one by default) in the worker thread."""
        if self.worker.running:
            self.show_warning("a training is already running: stop it, or let it end, before resuming another")
            return
        if self._holding_unsaved():
            return
        if path is None and (self.run is None or self.run.path is None):
            self.show_info("no run selected: pick a stopped run in the run browser")
            return
        path = Path(path) if path is not None else self.run.path
        run = load_run(path)  # a broken or hostile folder is refused here, with the file named
        problem = resume_problem(run)
        if problem:
            self.show_warning(problem)
            return
        self._begin(path, run.config.epochs, [h["loss"] for h in run.history], pixel_count(run.config))
        self.worker.start(None, path, resume=True)
        self.status_label.setText(f"resuming {path.name} from epoch {len(run.history)}…")
        self._set_buttons()

    def _begin(self, out: Path, epochs: int, losses: list[float], loss_ceiling: float) -> None:
        """Reset the live view for a training into `out` that has already done len(losses) epochs."""
        self.session.begin(out, losses, loss_ceiling=loss_ceiling)
        self._draw_losses()
        self.loss_plot.getPlotItem().setTitle(f"Training loss: {out.name}")
        self.progress.setRange(0, max(epochs, 1))
        self.progress.setValue(len(losses))
        self.clear_message()

    def _holding_unsaved(self) -> bool:
        problem = self.session.start_problem()
        if problem:
            self.show_warning(problem)
        return bool(problem)

    def discard_unsaved(self) -> None:
        if not self.session.discard():
            return
        self._show_unsaved_buttons(False)
        self.clear_message()
        self.status_label.setText("unsaved run discarded")

    def save_elsewhere(self, folder: Path | None = None) -> None:
        """Write the run that could not be saved into a new folder inside `folder` (asked for if None)."""
        if self.session.unsaved is None or self.session.saving:
            return
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, "Save the trained run into", str(self.runs_folder()))
            if not chosen:
                return
            folder = Path(chosen)
        unsaved = self.session.unsaved
        try:
            target = self._free_folder(Path(folder), self.session.unsaved_name)
        except (ConfigError, OSError) as exc:
            self.show_error(f"cannot save into {folder}: {exc}")
            return
        self.session.saving = True
        self.save_elsewhere_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.status_label.setText(f"saving to {target}…")
        run_task(write_run, target, unsaved, on_done=lambda _r, error: self._saved_elsewhere(target, error))

    def _saved_elsewhere(self, target: Path, error: str | None) -> None:
        self.save_elsewhere_button.setEnabled(True)
        self.discard_button.setEnabled(True)
        self._present(self.session.saved_elsewhere(target, error))

    def toggle_pause(self) -> None:
        if not self.worker.running:
            return
        if self.worker.paused:
            self.worker.resume()
        else:
            self.worker.pause()
        self._set_buttons()

    def step_epoch(self) -> None:
        if self.worker.running:
            self.worker.step_epoch()
            self._set_buttons()

    def stop(self) -> None:
        if self.worker.running:
            self.worker.stop()
            self.status_label.setText("stopping after the current step…")

    @guarded
    def settings_from_run(self) -> None:
        if self.run is None:
            self.show_info("no run selected: pick one in the run browser")
            return
        self.form.set_values(self.run.config.to_dict())
        source = f"settings of {self.run.path.name if self.run.path else 'the current run'}"
        self.form.show_preset(self.form.matching_preset(), source)

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop a running training and wait for its thread (the window is closing)."""
        if self.worker.running:
            self.worker.stop()
            return self.worker.join(timeout)
        return True

    # ------------------------------------------------------------ reports
    def _on_progress(self, report: dict) -> None:
        started = self.session.announce()
        if started is not None:
            self.run_started.emit(started)
        self.status_label.setText(self.session.progress(report))
        if report["losses"]:
            self._draw_losses()
        self.progress.setRange(0, max(report["epochs"], 1))
        self.progress.setValue(report["epoch"])
        self._set_buttons()

    def _draw_losses(self) -> None:
        epochs = np.arange(1, len(self.losses) + 1)
        self.loss_curve.setData(epochs, np.maximum(np.asarray(self.losses, float), 1e-30))

    def _on_warning(self, text: str) -> None:
        self.show_warning(self.session.warn(text))

    def _on_finished(self, result: dict) -> None:
        self._set_buttons()
        self._present(self.session.finish(result, time.perf_counter() - self.session.started))

    def _present(self, outcome: Outcome) -> None:
        """Show what a finished training or save means; a saved run becomes the window's current one."""
        self._show_unsaved_buttons(outcome.holding_unsaved)
        self.status_label.setText(outcome.status)
        if outcome.saved is not None:
            self.run_saved.emit(outcome.saved)  # the window makes it current (which redraws this panel)
        self._say(outcome.kind, outcome.message)

    def _say(self, kind: str, message: str) -> None:
        show = {"info": self.show_info, "warning": self.show_warning, "error": self.show_error}.get(kind)
        if show is not None:
            show(message)

    def _show_unsaved_buttons(self, shown: bool) -> None:
        self.controls.show_unsaved(shown)

    # ------------------------------------------------------------- redraw
    def refresh(self) -> None:
        """Not training: show the current run's loss history."""
        if self.worker.running:
            return
        if self.run is None:
            self.loss_curve.setData([], [])
            self.loss_plot.getPlotItem().setTitle("Training loss (per epoch, log scale)")
            return
        history = self.run.history
        name = self.run.path.name if self.run.path else "run"
        self.loss_plot.getPlotItem().setTitle(f"Training loss: {name} ({shown_status(self.run.status)})")
        if history:
            self.loss_curve.setData([h["epoch"] for h in history], [max(h["loss"], 1e-30) for h in history])
        else:
            self.loss_curve.setData([], [])
        self.progress.setRange(0, max(self.run.config.epochs, 1))
        self.progress.setValue(len(history))
        line, kind, message = self.session.run_summary(self.run)
        self.status_label.setText(line)
        self._say(kind, message)

    def set_run(self, run: Run | None) -> None:
        super().set_run(run)
        self._set_buttons()

    def plots(self) -> dict[str, QWidget]:
        return {"loss": self.loss_plot}

    # ------------------------------------------------------------- helpers
    def _set_buttons(self) -> None:
        allowed = self.session.controls(self.worker.running, self.worker.paused, self.run)
        self.controls.allow(allowed, list(self.form.problems.values()))
        self.form.setEnabled(allowed.form)

    @staticmethod
    def _free_folder(folder: Path, name: str) -> Path:
        if "/" in name or "\\" in name or name in (".", ".."):
            raise ConfigError(f"run name: {name!r} must be a plain folder name")
        candidate, n = folder / name, 2
        while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
            candidate, n = folder / f"{name}-{n}", n + 1
        return candidate
