"""Train: pick a preset or edit every setting; start, pause, step one epoch, stop; live loss."""

from __future__ import annotations

import json
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
from geoae_core.presets import describe, preset, preset_names

from ..widgets.plots import make_plot, pen
from ..worker import TrainingWorker
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

    def __init__(self, runs_folder: Callable[[], Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.runs_folder = runs_folder
        self.worker = TrainingWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.losses: list[float] = []
        self.out: Path | None = None
        self._started = 0.0
        self._first_epoch = 0

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
        for button in (self.start_button, self.pause_button, self.step_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
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
        config = self.form.config()
        folder = Path(self.runs_folder())
        folder.mkdir(parents=True, exist_ok=True)
        self.out = self._free_folder(folder, self.name_edit.text().strip() or self._default_name())
        self.losses = []
        self._first_epoch = 0
        self.loss_curve.setData([], [])
        self.loss_plot.getPlotItem().setTitle(f"Training loss: {self.out.name}")
        self.progress.setRange(0, max(config.epochs, 1))
        self.progress.setValue(0)
        self._started = time.perf_counter()
        self.clear_message()
        self.worker.start(config, self.out)
        self.status_label.setText(f"starting {self.out.name}…")
        self._set_buttons()

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
        self.losses.extend(report["losses"])
        if report["losses"]:
            epochs = np.arange(1, len(self.losses) + 1) + self._first_epoch
            self.loss_curve.setData(epochs, np.maximum(np.asarray(self.losses), 1e-30))
        epoch, epochs = report["epoch"], report["epochs"]
        self.progress.setRange(0, max(epochs, 1))
        self.progress.setValue(epoch)
        elapsed = report["time"] - self._started
        rate = len(self.losses) / elapsed if elapsed > 0 else 0.0
        left = (epochs - epoch) / rate if rate > 0 else float("nan")
        state = "paused" if report["paused"] else "training"
        loss = f"loss {self.losses[-1]:.4g} · " if self.losses else ""
        self.status_label.setText(
            f"{state} on {report['device']} · epoch {epoch}/{epochs} · {loss}"
            f"{rate:.1f} epochs/s · {format_seconds(left)} left"
        )
        self._set_buttons()

    def _on_finished(self, result: dict) -> None:
        self._set_buttons()
        elapsed = time.perf_counter() - self._started
        if result.get("error"):
            self.show_error(f"training failed: {result['error']}")
            self.status_label.setText("failed")
            return
        status = result["status"]
        self.status_label.setText(f"{status} after {len(self.losses)} epochs ({elapsed:.1f} s): {result['path']}")
        kind = "info" if status == "finished" else "warning"
        self.message.show_message(f"run {status}, saved to {result['path']}", kind)
        self.run_saved.emit(Path(result["path"]))

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
        self.pause_button.setText("Resume" if running and self.worker.paused else "Pause")

    def _default_name(self) -> str:
        preset_name = self.form.preset_name()
        stem = preset_name if preset_name != "(custom)" else "custom"
        return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"

    @staticmethod
    def _free_folder(folder: Path, name: str) -> Path:
        if "/" in name or "\\" in name or name in (".", ".."):
            raise ConfigError(f"run name: {name!r} must be a plain folder name")
        candidate, n = folder / name, 2
        while candidate.exists() and any(candidate.iterdir()):
            candidate, n = folder / f"{name}-{n}", n + 1
        return candidate


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
