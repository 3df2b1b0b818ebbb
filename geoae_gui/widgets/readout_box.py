"""The codes view's attribute read-out: what the code reads of each attribute (|correlation|
heatmap and R² table), drawn now or, while the epochs of one run change, once they stop."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from .live import ValueLabel
from .readout_view import ReadoutView


class ReadoutBox(QGroupBox):
    """`view` shows a read-out, `info` says of what; `timer` (single shot) is the owner's delay."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Attribute read-out", parent)
        self.view = ReadoutView()
        self.info = ValueLabel(lines=2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.info)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)

    def show_readout(self, readout: dict, epoch: int | None) -> None:
        self.timer.stop()
        self.view.show_readout(readout)
        self.info.setText(
            f"{readout['n']} fresh test inputs{'' if epoch is None else f', epoch {epoch}'}. R²: the attribute fitted"
            " from z (affine; with every zᵢzⱼ). Follows: figure 3's best candidate, R² of each."
        )

    def clear(self) -> None:
        self.timer.stop()
        self.view.clear_readout()
        self.info.setText("")
