"""The attribute read-out of a run: |correlation| of each attribute with each code axis as a
heatmap, and a table of how much of each attribute the code determines."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from .code_sliders import axis_name
from .plots import make_plot

HEAT = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (8, 48, 107)])  # white (0) to dark blue (1)
COLUMNS = ("attribute", "R² linear", "R² quadratic", "axis", "follows")


def follows_text(row: dict) -> str:
    """fig3's answer for one attribute: what the code follows, with each candidate's R^2."""
    r2 = row["follows_r2"]
    others = ", ".join(f"{label} {value:.3f}" for label, value in r2.items() if label != row["follows"])
    return f"{row['follows']} ({r2[row['follows']]:.3f} vs {others})"


class ReadoutView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.heatmap = make_plot("|correlation|: attribute × code axis")
        item = self.heatmap.getPlotItem()
        item.showGrid(x=False, y=False)
        item.invertY(True)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        self.heat_image = pg.ImageItem()
        self.heat_image.setColorMap(HEAT)
        item.addItem(self.heat_image)
        self.cell_texts: list[pg.TextItem] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heatmap, 3)
        layout.addWidget(self.table, 2)

    def show_readout(self, readout: dict) -> None:
        """The engine's attribute_readout: its correlation matrix (attributes x axes) as |correlation|,
        its rows as the table."""
        self.clear_readout()
        names = readout["names"]
        correlation = np.abs(np.asarray(readout["correlation"], float))
        self.heat_image.setImage(correlation, autoLevels=False, levels=(0.0, 1.0))
        item = self.heatmap.getPlotItem()
        n_attr, n_axes = correlation.shape
        item.getAxis("bottom").setTicks([[(j + 0.5, axis_name(j)) for j in range(n_axes)]])
        item.getAxis("left").setTicks([[(i + 0.5, name) for i, name in enumerate(names)]])
        for (i, j), value in np.ndenumerate(correlation):
            text = pg.TextItem(f"{value:.2f}", color="w" if value > 0.55 else "k", anchor=(0.5, 0.5))
            text.setPos(j + 0.5, i + 0.5)
            item.addItem(text)
            self.cell_texts.append(text)
        item.getViewBox().setRange(xRange=(0, n_axes), yRange=(0, n_attr), padding=0.0)
        self.table.setRowCount(len(names))
        for r, name in enumerate(names):
            row = readout["attributes"][name]
            cells = (
                name,
                f"{row['r2_linear']:.3f}",
                f"{row['r2_quadratic']:.3f}",
                axis_name(row["axis"]),
                follows_text(row),
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def clear_readout(self) -> None:
        item = self.heatmap.getPlotItem()
        for text in self.cell_texts:
            item.removeItem(text)
        self.cell_texts = []
        self.heat_image.clear()
        for side in ("bottom", "left"):
            item.getAxis(side).setTicks(None)
        self.table.setRowCount(0)
