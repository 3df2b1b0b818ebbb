"""The settings form: one row per declared setting (geoae_core.config.SETTINGS), grouped by section.

Labels, editors, ranges and choices come from the declarations, so the form enforces what the
engine validates. A preset box on top loads the named configurations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import torch
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from geoae_core.config import DEVICES, SETTINGS, Config, ConfigError, Setting
from geoae_core.presets import describe, preset, preset_names

CUSTOM = "(custom)"
INT_CEILING = 2_147_483_647  # a QSpinBox holds 32-bit integers
FLOAT_CEILING = 1e6  # an unbounded number's spin box stops here


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


class OfferedIntEditor(ChoiceEditor):
    """An integer picked from a list of offered values (the image size)."""

    def __init__(self, options: list[int]):
        super().__init__([str(v) for v in options])

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
        self.widget.setDecimals(decimals)  # before the range, which is rounded to the decimals
        self.widget.setRange(low, high)
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


def spin_range(declared: Setting, decimals: int = 0) -> tuple[float, float]:
    """The spin box's range for a declared one: strict ends move in by one displayed step."""
    tick = 10.0**-decimals if decimals else 1
    ceiling = FLOAT_CEILING if decimals else INT_CEILING
    low = -ceiling if declared.minimum is None else declared.minimum + (tick if declared.above_minimum else 0)
    high = ceiling if declared.maximum is None else declared.maximum - (tick if declared.below_maximum else 0)
    return low, high


def make_editor(declared: Setting) -> Editor:
    """The editor a declared setting gets, from its type, choices and range."""
    if declared.name == "device":
        return ChoiceEditor(device_options())  # cuda only where torch has it
    if declared.choices:
        return ChoiceEditor(list(declared.choices))
    if declared.offered:
        return OfferedIntEditor(list(declared.offered))
    if declared.type == "bool":
        return BoolEditor("on")
    if declared.type == "int":
        low, high = spin_range(declared)
        return IntEditor(int(low), int(high))
    if declared.type == "float":
        low, high = spin_range(declared, declared.decimals)
        return FloatEditor(low, high, declared.decimals, declared.step)
    if declared.type.startswith("list[int]"):
        return TextEditor("", list_of_ints=True)  # the placeholder shows the default depths
    example = declared.help.partition("e.g.")[2]
    return TextEditor(f"{declared.blank}, e.g.{example}" if example else f"{declared.blank} (blank)")


def tooltip(declared: Setting) -> str:
    parts = [f"Config.{declared.name}: {declared.help}", declared.range_text()]
    if declared.kinds:
        parts.append("only for " + ", ".join(declared.kinds))
    return "\n".join(p for p in parts if p)


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
        for section in dict.fromkeys(s.section for s in SETTINGS):
            layout.addWidget(self._group(section, [s for s in SETTINGS if s.section == section]))
        layout.addStretch(1)
        self._loading = False
        self.set_values(Config().to_dict())
        for name, editor in self.editors.items():
            editor.changed(lambda *_a, n=name: self._on_edit(n))
        self.preset_box.currentTextChanged.connect(self.load_preset)

    def _group(self, title: str, settings: list[Setting]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for declared in settings:
            editor = make_editor(declared)
            editor.widget.setObjectName(f"field_{declared.name}")
            editor.widget.setToolTip(tooltip(declared))
            label = QLabel(declared.label)
            label.setToolTip(tooltip(declared))
            form.addRow(label, editor.widget)
            self.editors[declared.name] = editor
            self.labels[declared.name] = label
        return box

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

    def show_preset(self, name: str, note: str | None = None) -> None:
        """Select `name` in the preset box without loading it (the form already holds its settings)."""
        self.preset_box.blockSignals(True)
        self.preset_box.setCurrentText(name)
        self.preset_box.blockSignals(False)
        if note is not None:
            self.preset_note.setText(note)

    def _on_edit(self, name: str) -> None:
        if self._loading:
            return
        if name in ("kind", "size"):
            self._update_placeholders()
        if self.preset_box.currentText() != CUSTOM:
            # an edited preset is custom settings from here on (the settings stay as they are)
            self.show_preset(CUSTOM, "edited from a preset")
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
