"""Small form rows: a spin box that reports only finished edits, labelled widgets in one row."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget


def spin(lo: int, hi: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    box.setKeyboardTracking(False)
    return box


def labelled(*pairs: tuple[str, QWidget]) -> QHBoxLayout:
    row = QHBoxLayout()
    for text, widget in pairs:
        row.addWidget(QLabel(text))
        row.addWidget(widget)
    row.addStretch(1)
    return row
