"""Train: pick a preset or edit every setting; start, pause, step one epoch, stop; live loss.

Also: resume an unfinished run (stopped, or killed mid-training) from its checkpoint; say plainly
when a run diverged; keep a trained model whose folder could not be written until it is saved
elsewhere.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from geoae_core.config import DEVICES, DIRAC_KINDS, KINDS, POSITION_TARGETS, REGULARISERS, SHAPES, Config, ConfigError
from geoae_core.files import RunError, writer_of
from geoae_core.loop import UnsavedRunError
from geoae_core.presets import describe, preset, preset_names
from geoae_core.runs import Run, load_run
from geoae_core.store import save_failure, save_run

from ..widgets.plots import make_plot, pen
from ..widgets.run_browser import UNFINISHED
from ..worker import TrainingWorker, run_task
from .base import Panel, guarded

CUSTOM = "(custom)"
SIZES = [4, 8, 16, 32, 64, 128, 256]


# ----------------------------------------------------------------- editors
class Editor:
    """One setting's widget: get() returns the value as Config wants it, set(value) shows it."""

    widget: QWidget

    def get(self) -> Any: ...

    def set(self, value: Any) -> None: ...

    def changed(self, slot: Callable) -> None: ...


class ChoiceEditor(Editor):
    def __init__(self, options: list[str]):
        self.widget = QComboBox()
        self.widget.addItems(options)

    def get(self) -> str:
        return self.widget.currentText()

    def set(self, value: Any) -> None:
        index = self.widget.findText(str(value))
        if index < 0:
            self.widget.addItem(str(value))
            index = self.widget.count() - 1
        self.widget.setCurrentIndex(index)

    def changed(self, slot: Callable) -> None:
        self.widget.currentTextChanged.connect(slot)


class SizeEditor(ChoiceEditor):
    def __init__(self):
        super().__init__([str(s) for s in SIZES])

    def get(self) -> int:
        return int(self.widget.currentText())


class IntEditor(Editor):
    def __init__(self, low: int, high: int):
        self.widget = QSpinBox()
        self.widget.setRange(low, high)
        self.widget.setKeyboardTracking(False)

    def get(self) -> int:
        return self.widget.value()

    def set(self, value: Any) -> None:
        self.widget.setValue(int(value))

    def changed(self, slot: Callable) -> None:
        self.widget.valueChanged.connect(slot)


class FloatEditor(Editor):
    def __init__(self, low: float, high: float, decimals: int = 3, step: float = 0.1):
        self.widget = QDoubleSpinBox()
        self.widget.setRange(low, high)
        self.widget.setDecimals(decimals)
        self.widget.setSingleStep(step)
        self.widget.setKeyboardTracking(False)

    def get(self) -> float:
        return self.widget.value()

    def set(self, value: Any) -> None:
        self.widget.setValue(float(value))

    def changed(self, slot: Callable) -> None:
        self.widget.valueChanged.connect(slot)


class BoolEditor(Editor):
    def __init__(self, text: str = ""):
        self.widget = QCheckBox(text)

    def get(self) -> bool:
        return self.widget.isChecked()

    def set(self, value: Any) -> None:
        self.widget.setChecked(bool(value))

    def changed(self, slot: Callable) -> None:
        self.widget.toggled.connect(slot)


class TextEditor(Editor):
    """JSON-ish text: blank is None (the default); `list_of_ints` accepts '8, 4, 4, 3, 2'."""

    def __init__(self, placeholder: str = "", list_of_ints: bool = False):
        self.widget = QLineEdit()
        self.widget.setPlaceholderText(placeholder)
        self.list_of_ints = list_of_ints

    def get(self) -> Any:
        text = self.widget.text().strip()
        if not text:
            return None
        if self.list_of_ints and not text.startswith("["):
            text = f"[{text}]"
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # Config.from_dict names the setting and says what it wants

    def set(self, value: Any) -> None:
        if value is None:
            self.widget.setText("")
        elif self.list_of_ints and isinstance(value, list):
            self.widget.setText(", ".join(str(v) for v in value))
        else:
            self.widget.setText(json.dumps(value))

    def changed(self, slot: Callable) -> None:
        self.widget.textChanged.connect(slot)


def device_options() -> list[str]:
    return [d for d in DEVICES if d != "cuda" or torch.cuda.is_available()]


GROUPS: dict[str, list[tuple[str, str, Callable[[], Editor]]]] = {
    "Data": [
        ("kind", "Run kind", lambda: ChoiceEditor(list(KINDS))),
        ("shape", "Shape", lambda: ChoiceEditor(list(SHAPES))),
        ("size", "Image size m", SizeEditor),
        ("sigma", "Blur σ (px)", lambda: FloatEditor(0.001, 32, 3, 0.1)),
        ("n_train", "Training samples", lambda: IntEditor(1, 1_000_000)),
        ("r_min", "Smallest radius", lambda: FloatEditor(0, 1024, 2, 0.5)),
        ("r_max", "Largest radius R", lambda: TextEditor("m/2 (blank)")),
        ("holes", "Holes [[lo, hi], …]", lambda: TextEditor("none, e.g. [[11, 18]]")),
        ("mc_samples", "Monte Carlo samples", lambda: IntEditor(0, 100_000)),
        ("dirac", "Dirac targets", lambda: ChoiceEditor(list(DIRAC_KINDS))),
        ("position_target", "Position target", lambda: ChoiceEditor(list(POSITION_TARGETS))),
    ],
    "Model": [
        ("encoder_depths", "Encoder depths", lambda: TextEditor("", list_of_ints=True)),
        ("decoder_depths", "Decoder depths", lambda: TextEditor("", list_of_ints=True)),
        ("code_size", "Code size d", lambda: IntEditor(1, 64)),
        ("bias", "Biases", lambda: BoolEditor("on")),
        ("alpha", "Leaky ReLU α", lambda: FloatEditor(0, 10, 3, 0.05)),
    ],
    "Training": [
        ("epochs", "Epochs", lambda: IntEditor(0, 1_000_000)),
        ("batch_size", "Batch size", lambda: IntEditor(1, 1_000_000)),
        ("lr", "Learning rate", lambda: FloatEditor(0.000001, 10, 6, 0.0005)),
        ("beta1", "Adam β1", lambda: FloatEditor(0, 0.999999, 4, 0.01)),
        ("beta2", "Adam β2", lambda: FloatEditor(0, 0.999999, 6, 0.001)),
        ("regulariser", "Regulariser", lambda: ChoiceEditor(list(REGULARISERS))),
        ("lam", "λ", lambda: FloatEditor(0, 1e6, 4, 0.1)),
        ("seed", "Seed", lambda: IntEditor(0, 2_147_483_647)),
        ("device", "Device", lambda: ChoiceEditor(device_options())),
        ("checkpoint_every", "Checkpoint every (epochs)", lambda: IntEditor(1, 1_000_000)),
    ],
}


class SettingsForm(QWidget):
    """Every Config field, grouped; values() -> dict, config() -> validated Config."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QFormLayout()
        self.preset_box = QComboBox()
        self.preset_box.addItems([CUSTOM, *preset_names()])
        self.preset_box.setToolTip("Load a named configuration (one per experiment of the paper)")
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color:#555;")
        top.addRow("Preset", self.preset_box)
        top.addRow(self.preset_note)
        layout.addLayout(top)
        self.editors: dict[str, Editor] = {}
        self.labels: dict[str, QLabel] = {}
        for title, fields in GROUPS.items():
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for name, text, factory in fields:
                editor = factory()
                editor.widget.setObjectName(f"field_{name}")
                editor.widget.setToolTip(f"Config.{name}")
                label = QLabel(text)
                form.addRow(label, editor.widget)
                self.editors[name] = editor
                self.labels[name] = label
            layout.addWidget(box)
        layout.addStretch(1)
        self._loading = False
        self.set_values(Config().to_dict())
        for name, editor in self.editors.items():
            editor.changed(lambda *_a, n=name: self._on_edit(n))
        self.preset_box.currentTextChanged.connect(self.load_preset)

    def values(self) -> dict[str, Any]:
        return {name: editor.get() for name, editor in self.editors.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, value in values.items():
                if name in self.editors:
                    self.editors[name].set(value)
        finally:
            self._loading = False
        self._update_placeholders()

    def config(self) -> Config:
        """The validated config; a ConfigError names the setting, which is outlined in red."""
        self.mark_bad(None)
        try:
            return Config.from_dict(self.values())
        except ConfigError as exc:
            self.mark_bad(str(exc).split(":", 1)[0].strip())
            raise

    def mark_bad(self, name: str | None) -> None:
        for field, editor in self.editors.items():
            editor.widget.setStyleSheet("border:2px solid #d62728;" if field == name else "")

    def load_preset(self, name: str) -> None:
        if name == CUSTOM or not name:
            self.preset_note.setText("")
            return
        self.set_values(preset(name).to_dict())
        self.preset_note.setText(describe(name))
        self.mark_bad(None)

    def preset_name(self) -> str:
        return self.preset_box.currentText()

    def _on_edit(self, name: str) -> None:
        if self._loading:
            return
        if name in ("kind", "size"):
            self._update_placeholders()
        if self.preset_box.currentText() != CUSTOM:
            # an edited preset is custom settings from here on (the settings stay as they are)
            self.preset_box.blockSignals(True)
            self.preset_box.setCurrentText(CUSTOM)
            self.preset_box.blockSignals(False)
            self.preset_note.setText("edited from a preset")
        self.edited.emit()

    def _update_placeholders(self) -> None:
        """Show the default depths (the engine's) for the chosen kind and size when left blank."""
        try:
            base = Config(kind=self.editors["kind"].get(), size=self.editors["size"].get())
            enc, dec = base.hidden_encoder_depths, base.hidden_decoder_depths
        except Exception:
            return
        self.editors["encoder_depths"].widget.setPlaceholderText("default: " + ", ".join(map(str, enc)))
        self.editors["decoder_depths"].widget.setPlaceholderText("default: " + ", ".join(map(str, dec)))


# -------------------------------------------------------------------- panel
class TrainPanel(Panel):
    name = "train"
    title = "Train"
    run_saved = Signal(Path)
    run_started = Signal(Path)  # its folder is on disk: the browser lists it from the first second

    def __init__(self, runs_folder: Callable[[], Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.runs_folder = runs_folder
        self.worker = TrainingWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.warning.connect(self._on_warning)
        self.worker.finished.connect(self._on_finished)
        self.losses: list[float] = []
        self.warnings: list[str] = []  # of the current training: checkpoints not saved, folder deleted
        self.out: Path | None = None
        self.unsaved: UnsavedRunError | None = None  # a trained run whose folder could not be written
        self.unsaved_name = ""  # its folder's name, reused when it is saved elsewhere
        self._saving = False  # a save elsewhere in flight
        self._started = 0.0
        self._epochs_before = 0  # epochs a resumed run had already done

        splitter = QSplitter(Qt.Orientation.Horizontal)
        # left: the settings
        self.form = SettingsForm()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(300)
        splitter.addWidget(scroll)

        # right: controls, progress, loss
        right = QWidget()
        column = QVBoxLayout(right)
        name_row = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("run name (default: preset and time)")
        name_row.addWidget(QLabel("Run folder name"))
        name_row.addWidget(self.name_edit, 1)
        column.addLayout(name_row)
        self.from_run_button = QPushButton("Settings of current run")
        self.from_run_button.setToolTip("Copy the selected run's settings into the form")
        name_row.addWidget(self.from_run_button)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.step_button = QPushButton("Step one epoch")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume run")
        self.resume_button.setToolTip(
            "Continue the selected unfinished run (stopped, or killed mid-training) from its last checkpoint"
        )
        self.save_elsewhere_button = QPushButton("Save elsewhere…")
        self.save_elsewhere_button.setToolTip("Write the trained model, which its own folder could not take, elsewhere")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Forget the trained model that could not be saved")
        for button in (self.save_elsewhere_button, self.discard_button):
            button.hide()
        for button in (self.start_button, self.pause_button, self.step_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        unsaved_row = QHBoxLayout()  # shown only while a trained run could not be saved
        unsaved_row.addWidget(self.save_elsewhere_button)
        unsaved_row.addWidget(self.discard_button)
        unsaved_row.addStretch(1)
        column.addLayout(unsaved_row)
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
        self.loss_plot = make_plot("Training loss (per epoch, log scale)", "epoch", "loss")
        self.loss_plot.getPlotItem().setLogMode(y=True)
        self.loss_curve = self.loss_plot.plot([], [], pen=pen(0), name="loss")
        column.addWidget(self.loss_plot, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._set_buttons()

    # ------------------------------------------------------------ actions
    @guarded
    def start(self) -> None:
        if self.worker.running:
            self.show_warning("a training is already running: stop it first")
            return
        if self._holding_unsaved():
            return
        config = self.form.config()
        folder = Path(self.runs_folder())
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(f"{folder}: cannot create the runs folder ({exc.strerror or exc})") from None
        out = self._free_folder(folder, self.name_edit.text().strip() or self._default_name())
        self._begin(out, config.epochs, [])
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
        self._begin(path, run.config.epochs, [h["loss"] for h in run.history])
        self.worker.start(None, path, resume=True)
        self.status_label.setText(f"resuming {path.name} from epoch {len(run.history)}…")
        self._set_buttons()

    def _begin(self, out: Path, epochs: int, losses: list[float]) -> None:
        """Reset the live view for a training into `out` that has already done len(losses) epochs."""
        self.out = out
        self._announced = False
        self.losses = list(losses)
        self.warnings = []
        self._epochs_before = len(losses)
        self._draw_losses()
        self.loss_plot.getPlotItem().setTitle(f"Training loss: {out.name}")
        self.progress.setRange(0, max(epochs, 1))
        self.progress.setValue(len(losses))
        self._started = time.perf_counter()
        self.clear_message()

    def _holding_unsaved(self) -> bool:
        if self.unsaved is not None:
            self.show_warning(
                f"{self.unsaved_name} is trained but not saved: “Save elsewhere…” or “Discard” it before training again"
            )
        return self.unsaved is not None

    def discard_unsaved(self) -> None:
        if self._saving:
            return
        self.unsaved = None
        self.save_elsewhere_button.hide()
        self.discard_button.hide()
        self.clear_message()
        self.status_label.setText("unsaved run discarded")

    def save_elsewhere(self, folder: Path | None = None) -> None:
        """Write the run that could not be saved into a new folder inside `folder` (asked for if None)."""
        if self.unsaved is None or self._saving:
            return
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, "Save the trained run into", str(self.runs_folder()))
            if not chosen:
                return
            folder = Path(chosen)
        unsaved = self.unsaved
        try:
            target = self._free_folder(Path(folder), self.unsaved_name)
        except (ConfigError, OSError) as exc:
            self.show_error(f"cannot save into {folder}: {exc}")
            return
        self._saving = True
        self.save_elsewhere_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.status_label.setText(f"saving to {target}…")
        run_task(write_run, target, unsaved, on_done=lambda _r, error: self._saved_elsewhere(target, error))

    def _saved_elsewhere(self, target: Path, error: str | None) -> None:
        self._saving = False
        self.save_elsewhere_button.setEnabled(True)
        self.discard_button.setEnabled(True)
        if error:
            self.show_error(f"{error}. The trained model is still in memory: try another folder.")
            self.status_label.setText("not saved")
            return
        self.unsaved = None
        self.save_elsewhere_button.hide()
        self.discard_button.hide()
        self.run_saved.emit(target)
        self.show_info(f"run saved to {target}")
        self.status_label.setText(f"saved to {target}")

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
        self.form.preset_box.setCurrentText(CUSTOM)
        self.form.preset_note.setText(f"settings of {self.run.path.name if self.run.path else 'the current run'}")

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop a running training and wait for its thread (the window is closing)."""
        if self.worker.running:
            self.worker.stop()
            return self.worker.join(timeout)
        return True

    # ------------------------------------------------------------ reports
    def _on_progress(self, report: dict) -> None:
        if not self._announced and self.out is not None:
            self._announced = True
            self.run_started.emit(self.out)
        self.losses.extend(report["losses"])
        if report["losses"]:
            self._draw_losses()
        epoch, epochs = report["epoch"], report["epochs"]
        self.progress.setRange(0, max(epochs, 1))
        self.progress.setValue(epoch)
        elapsed = report["time"] - self._started
        rate = (len(self.losses) - self._epochs_before) / elapsed if elapsed > 0 else 0.0
        left = (epochs - epoch) / rate if rate > 0 else float("nan")
        state = "paused" if report["paused"] else "training"
        loss = f"loss {self.losses[-1]:.4g} · " if self.losses else ""
        self.status_label.setText(
            f"{state} on {report['device']} · epoch {epoch}/{epochs} · {loss}"
            f"{rate:.1f} epochs/s · {format_seconds(left)} left"
        )
        self._set_buttons()

    def _draw_losses(self) -> None:
        epochs = np.arange(1, len(self.losses) + 1)
        self.loss_curve.setData(epochs, np.maximum(np.asarray(self.losses, float), 1e-30))

    def _on_warning(self, text: str) -> None:
        self.warnings.append(text)
        self.show_warning(f"{text}; the training goes on")

    def _on_finished(self, result: dict) -> None:
        self._set_buttons()
        elapsed = time.perf_counter() - self._started
        path = Path(result["path"])
        if result.get("unsaved") is not None:
            self.unsaved, self.unsaved_name = result["unsaved"], path.name
            self.save_elsewhere_button.show()
            self.save_elsewhere_button.setEnabled(True)
            self.discard_button.show()
            self.status_label.setText(f"{result['status']} after {result['epochs_done']} epochs, not saved")
            self.show_error(
                f"{result['error']}. The trained model ({result['status']}, {result['epochs_done']} epochs) is kept "
                "in memory: “Save elsewhere…” writes it to another folder."
            )
            return
        if result.get("error"):
            self.show_error(f"training failed: {result['error']}")
            self.status_label.setText("failed")
            return
        status = result["status"]
        self.status_label.setText(f"{status} after {len(self.losses)} epochs ({elapsed:.1f} s): {path}")
        self.run_saved.emit(path)  # the window makes it current (which redraws this panel)
        if status == "diverged":
            self.show_warning(divergence_text(path, result["epochs_done"]))
        elif status == "finished" and self.warnings:
            self.show_warning(f"run finished, saved to {path}; during the training: {self.warnings[-1]}")
        elif status == "finished":
            self.show_info(f"run finished, saved to {path}")
        else:
            self.show_warning(
                f"run {status} at epoch {result['epochs_done']}, saved to {path}: “Resume run” continues it"
            )

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
        self.loss_plot.getPlotItem().setTitle(f"Training loss: {name} ({self.run.status})")
        if history:
            self.loss_curve.setData([h["epoch"] for h in history], [max(h["loss"], 1e-30) for h in history])
        else:
            self.loss_curve.setData([], [])
        self.progress.setRange(0, max(self.run.config.epochs, 1))
        self.progress.setValue(len(history))
        device = self.run.info.get("device", "?")
        seconds = self.run.info.get("wall_seconds")
        took = f" in {seconds:.1f} s" if isinstance(seconds, int | float) else ""
        self.status_label.setText(f"{name}: {self.run.status}, {len(history)} epochs on {device}{took}")
        if self.run.status == "diverged":
            self.show_warning(divergence_text(self.run.path or Path(name), len(history)))
        elif self.run.status in UNFINISHED:
            problem = resume_problem(self.run)
            self.show_info(
                problem
                or f"{name} is unfinished ({self.run.status}, epoch {len(history)} of "
                f"{self.run.config.epochs}): “Resume run” continues it from its last checkpoint"
            )

    def set_run(self, run: Run | None) -> None:
        super().set_run(run)
        self._set_buttons()

    def plots(self) -> dict[str, QWidget]:
        return {"loss": self.loss_plot}

    # ------------------------------------------------------------- helpers
    def _set_buttons(self) -> None:
        running = self.worker.running
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.step_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.form.setEnabled(not running)
        self.pause_button.setText("Continue" if running and self.worker.paused else "Pause")
        self.resume_button.setEnabled(not running and self.run is not None and not resume_problem(self.run))

    def _default_name(self) -> str:
        preset_name = self.form.preset_name()
        stem = preset_name if preset_name != "(custom)" else "custom"
        return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"

    @staticmethod
    def _free_folder(folder: Path, name: str) -> Path:
        if "/" in name or "\\" in name or name in (".", ".."):
            raise ConfigError(f"run name: {name!r} must be a plain folder name")
        candidate, n = folder / name, 2
        while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
            candidate, n = folder / f"{name}-{n}", n + 1
        return candidate


def resume_problem(run: Run) -> str:
    """Why this run cannot be resumed, or "" if it can."""
    name = run.path.name if run.path is not None else "this run"
    if run.path is None:
        return "this run has no folder to resume in"
    if run.status == "finished":
        return f"{name} is finished: there is nothing to resume"
    if run.status == "diverged":
        return (
            f"{divergence_text(run.path, len(run.history))} Resuming would repeat the same steps: "
            "start a new run with a smaller learning rate or λ instead."
        )
    if run.status not in UNFINISHED:
        return f"{name}: a run with status {run.status!r} cannot be resumed"
    writer = writer_of(run.path)
    if writer is not None:
        who = "in this window" if writer == os.getpid() else f"by pid {writer}"
        return f"{name} is being trained {who}: wait for it or stop it first"
    return ""


def divergence_text(path: Path, epochs_done: int) -> str:
    kept = f"the last finite epoch ({epochs_done}) is kept" if epochs_done else "the initial weights are kept"
    return (
        f"{Path(path).name} diverged: the loss or the weights stopped being finite in epoch {epochs_done + 1}; "
        f"{kept} in {path}."
    )


def write_run(target: Path, unsaved: UnsavedRunError) -> Path:
    """Save a run whose own folder could not be written (in a worker thread) as a resumable run folder."""
    run = unsaved.run
    try:
        save_run(target, run.config, run.model.state_dict(), run.history, run.info, unsaved.checkpoint)
    except OSError as exc:
        raise save_failure(target, exc) from None
    return target


def format_seconds(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "?"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"
