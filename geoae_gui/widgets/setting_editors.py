"""The settings form's editors: one widget per declared setting (geoae_core.config.SETTINGS), its
kind from the declaration: a choice box, a number typed as text (never clamped), a check box, or
JSON-ish text. `make_editor(setting)` picks it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from geoae_core.config import DEVICES, Setting

INT_CEILING = 2_147_483_647  # stepping an unbounded integer stops here
FLOAT_CEILING = 1e6  # stepping an unbounded number stops here


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


class NumberField(QLineEdit):
    """A number typed as text, kept as typed: an out-of-range value is refused by the form's check with
    a message at the field, never clamped the way a spin box clamps. Up and Down step within the range."""

    stepped = Signal(int)  # +1 for Up, -1 for Down

    def __init__(self, low: float, high: float, step: float):
        super().__init__()
        self._low, self._high, self.step_size = low, high, step

    def minimum(self) -> float:
        return self._low

    def maximum(self) -> float:
        return self._high

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(event.key())
        if steps is None:
            super().keyPressEvent(event)
            return
        self.stepped.emit(steps)


class NumberEditor(Editor):
    """An int or float setting; get() returns the text as typed when it is not a number, so the
    validation names the setting and what it wants."""

    def __init__(self, low: float, high: float, step: float, decimals: int = 0, default: Any = None):
        self.widget = NumberField(low, high, step)
        self.integer = decimals == 0
        self.decimals = decimals
        self.default = default
        if default is not None:  # blank is the default: the field says so
            self.widget.setPlaceholderText(blank_text(self.text_of(default)))
        self.widget.stepped.connect(self._step)

    def get(self) -> Any:
        text = self.widget.text().strip()
        if not text:
            return None
        for parse in (int, float) if self.integer else (float,):
            try:
                return parse(text)
            except ValueError:
                continue
        return text

    def set(self, value: Any) -> None:
        self.widget.setText(self.text_of(value))

    def text_of(self, value: Any) -> str:
        return str(int(value)) if self.integer else repr(float(value))

    def changed(self, slot: Callable) -> None:
        self.widget.textChanged.connect(slot)

    def _step(self, steps: int) -> None:
        value = self.default if not self.widget.text().strip() else self.get()  # blank: from the default
        if isinstance(value, int | float):
            field = self.widget
            stepped = round(value + steps * field.step_size, self.decimals)  # 0.91, not 0.9100000000000001
            self.set(min(max(stepped, field.minimum()), field.maximum()))


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
        if value is None or value == []:  # blank: what the setting's `blank` says
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
    """A number field's range for a declared one: strict ends move in by one step of its decimals."""
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
        return NumberEditor(int(low), int(high), max(1, int(declared.step)), default=declared.default)
    if declared.type == "float":
        low, high = spin_range(declared, declared.decimals)
        return NumberEditor(low, high, declared.step, declared.decimals, default=declared.default)
    if declared.type.startswith("list[int]"):
        return TextEditor("", list_of_ints=True)  # the placeholder shows the default depths
    example = declared.help.partition("e.g.")[2]
    meaning = declared.blank or json.dumps(declared.default)  # what blank means: said, or the default itself
    return TextEditor(blank_text(meaning) + (f", e.g.{example}" if example else ""))


def blank_text(meaning: str) -> str:
    """A placeholder that cannot pass for a value, even greyed out in a disabled form."""
    return f"blank: {meaning}"
