"""One slider and one spin box per axis of a code z of any size: the point the explorer decodes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QSlider, QWidget

SLIDER_STEPS = 1000


def axis_name(axis: int) -> str:
    """z₁, z₂, … : the code axes as the explorer names them (numbered from 1)."""
    digits = str(axis + 1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    return f"z{digits}"


class CodeSliders(QWidget):
    """d rows of (name, slider, spin box). `moved(axis)` is emitted when the user moves one axis;
    `point()` is the code they show, exactly (the spin boxes round it only for display)."""

    moved = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.sliders: list[QSlider] = []
        self.spins: list[QDoubleSpinBox] = []
        self._labels: list[QLabel] = []
        self.lo = np.zeros(0)
        self.hi = np.zeros(0)
        self._point = np.zeros(0)
        self._syncing = False

    # ------------------------------------------------------------- set up
    def set_ranges(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """One row per axis, each from lo to hi; the point moves inside the new ranges."""
        lo, hi = np.asarray(lo, float), np.asarray(hi, float)
        self._rows(len(lo))
        self.lo, self.hi = lo, hi
        self._syncing = True
        try:
            for spin, a, b in zip(self.spins, lo, hi):
                spin.setRange(a, b)
                spin.setSingleStep((b - a) / 100)
        finally:
            self._syncing = False
        self.set_point(np.clip(self._point, lo, hi) if len(self._point) == len(lo) else (lo + hi) / 2)

    def _rows(self, count: int) -> None:
        while len(self.sliders) > count:
            for widget in (self._labels.pop(), self.sliders.pop(), self.spins.pop()):
                self.grid.removeWidget(widget)
                widget.deleteLater()
        while len(self.sliders) < count:
            axis = len(self.sliders)
            label = QLabel(axis_name(axis))
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, SLIDER_STEPS)
            slider.setToolTip("from below the smallest code of the test inputs on this axis to above the largest")
            spin = QDoubleSpinBox()
            spin.setDecimals(4)
            spin.setKeyboardTracking(False)
            slider.valueChanged.connect(lambda value, axis=axis: self._slider_moved(axis, value))
            spin.valueChanged.connect(lambda value, axis=axis: self._spin_changed(axis, value))
            for column, widget in enumerate((label, slider, spin)):
                self.grid.addWidget(widget, axis, column)
            self._labels.append(label)
            self.sliders.append(slider)
            self.spins.append(spin)
        if len(self._point) != count:
            self._point = np.zeros(count)

    def clear(self) -> None:
        self._rows(0)
        self.lo = self.hi = self._point = np.zeros(0)

    # -------------------------------------------------------------- point
    def point(self) -> np.ndarray:
        return self._point.copy()

    def set_point(self, z: np.ndarray, axes: list[int] | None = None) -> None:
        """Show code z (only the given axes of it, if named) without emitting `moved`."""
        z = np.asarray(z, float)
        for axis in range(len(self._point)) if axes is None else axes:
            self._point[axis] = z[axis]
        self._show()

    def slider_to_value(self, axis: int, value: int) -> float:
        return float(self.lo[axis] + (self.hi[axis] - self.lo[axis]) * value / SLIDER_STEPS)

    def _value_to_slider(self, axis: int, z: float) -> int:
        span = self.hi[axis] - self.lo[axis]
        return 0 if span <= 0 else round(np.clip((z - self.lo[axis]) / span, 0.0, 1.0) * SLIDER_STEPS)

    def _show(self) -> None:
        self._syncing = True
        try:
            for axis, (slider, spin) in enumerate(zip(self.sliders, self.spins)):
                spin.setValue(self._point[axis])
                slider.setValue(self._value_to_slider(axis, self._point[axis]))
        finally:
            self._syncing = False

    def _slider_moved(self, axis: int, value: int) -> None:
        if self._syncing:
            return
        self._point[axis] = self.slider_to_value(axis, value)
        self._syncing = True
        try:
            self.spins[axis].setValue(self._point[axis])
        finally:
            self._syncing = False
        self.moved.emit(axis)

    def _spin_changed(self, axis: int, value: float) -> None:
        if self._syncing:
            return
        self._point[axis] = value
        self._syncing = True
        try:
            self.sliders[axis].setValue(self._value_to_slider(axis, value))
        finally:
            self._syncing = False
        self.moved.emit(axis)
