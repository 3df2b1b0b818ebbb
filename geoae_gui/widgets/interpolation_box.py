"""The codes view's interpolation: two test inputs picked by number (or by two clicks on the latent
map's points) and the images decoded along the straight line between their codes."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from .live import ValueLabel
from .plots import ImagePlot, tile
from .rows import labelled, spin


class InterpolationBox(QGroupBox):
    """`end_spins` pick the two inputs, `steps` how many images; `show(images, first, second)`
    draws the decoded line with the two inputs described."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Interpolate two test inputs", parent)
        self.setToolTip("pick the two inputs by number, or click two points of the map")
        self.end_spins = (spin(0, 0, 0), spin(0, 0, 0))
        self.steps = spin(2, 16, 8)
        self.info = ValueLabel(lines=2)
        self.plot = ImagePlot("")
        self.plot.setMinimumHeight(90)
        layout = QVBoxLayout(self)
        ends = (("input 1 #", self.end_spins[0]), ("input 2 #", self.end_spins[1]))
        layout.addLayout(labelled(*ends, ("steps", self.steps)))
        layout.addWidget(self.info)
        layout.addWidget(self.plot, 1)
        self._next_end = 0

    def ends(self) -> tuple[int, int]:
        return self.end_spins[0].value(), self.end_spins[1].value()

    def set_inputs(self, count: int, ends: tuple[int, int] | None = None) -> None:
        """`count` inputs to pick from; `ends`: the two picked (else the picks stay, inside the range)."""
        for box in self.end_spins:
            box.setRange(0, count - 1)
        if ends is not None:
            for box, index in zip(self.end_spins, ends):
                box.setValue(index)

    def pick_end(self, index: int) -> None:
        """A click on a test input's point: it becomes the next end (1, 2, 1, …)."""
        self.end_spins[self._next_end].setValue(index)
        self._next_end = 1 - self._next_end

    def show(self, images: np.ndarray, first: str, second: str) -> None:
        self.plot.set_image(tile(list(images), columns=len(images), gap=2, fill=1.0))
        self.plot.getPlotItem().setTitle("D((1 - s) E(x₁) + s E(x₂)), s from 0 to 1")
        self.info.setText(f"x₁ = {first}\nx₂ = {second}")

    def clear(self) -> None:
        self.plot.clear_image()
        self.info.setText("")
