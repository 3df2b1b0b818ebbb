"""The latent map: a grid of decoded images over two code axes, drawn as one mosaic image, with
the encoded test inputs scattered on it, coloured by an attribute; a click names a code."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal

from .fit import fit_texts
from .live import keep_axes_static, keep_static
from .plots import GREY

COLOURS = pg.colormap.get("viridis")
SHADES = 64  # colour steps of the scatter: one brush each, shared by the points
BRUSHES = [pg.mkBrush(colour) for colour in COLOURS.getLookupTable(0.0, 1.0, SHADES, alpha=False)]


def mosaic(images: np.ndarray) -> np.ndarray:
    """(rows, columns, m, m) images as one (rows*m, columns*m) array for a plot whose y axis points
    up: row 0 of the grid at the bottom, each image upright (display only)."""
    rows, columns, height, width = images.shape
    upright = images[:, :, ::-1, :]
    return upright.transpose(0, 2, 1, 3).reshape(rows * height, columns * width)


def grid_rect(values_a: np.ndarray, values_b: np.ndarray) -> QRectF:
    """The map's extent: each image centred on its code, one grid step wide and high."""
    step_a = (values_a[-1] - values_a[0]) / max(len(values_a) - 1, 1) or 1.0
    step_b = (values_b[-1] - values_b[0]) / max(len(values_b) - 1, 1) or 1.0
    return QRectF(values_a[0] - step_a / 2, values_b[0] - step_b / 2, step_a * len(values_a), step_b * len(values_b))


def shade_indices(values: np.ndarray) -> np.ndarray:
    """Each value's colour step from the smallest (0) to the largest (SHADES - 1)."""
    values = np.asarray(values, float)
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        return np.full(len(values), SHADES // 2)
    return np.round((values - lo) / (hi - lo) * (SHADES - 1)).astype(int)


class LatentMap(pg.PlotWidget):
    """The map. `clicked(a, b)`: a left click at code (a, b) of the two axes shown;
    `point_clicked(index)`: a click on the scatter point of test input `index`."""

    clicked = Signal(float, float)
    point_clicked = Signal(int)

    def __init__(self, title: str = "Latent map"):
        super().__init__()
        item = self.getPlotItem()
        item.setTitle(title)
        fit_texts(item)
        item.showGrid(x=False, y=False)
        for side in ("left", "bottom"):
            item.getAxis(side).enableAutoSIPrefix(False)
        self.image = pg.ImageItem()
        self.image.setColorMap(GREY)
        item.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen(255, 255, 255, 170, width=0.8))
        self.points.setZValue(5)
        item.addItem(self.points)
        self.path = pg.PlotCurveItem(pen=pg.mkPen("#ff7f0e", width=2.0, style=Qt.PenStyle.DashLine))
        self.ends = pg.ScatterPlotItem(size=13, symbol="o", pen=pg.mkPen("#ff7f0e", width=2.5), brush=None)
        self.marker = pg.ScatterPlotItem(size=18, symbol="+", pen=pg.mkPen("#d62728", width=3), brush="#d62728")
        for z, extra in enumerate((self.path, self.ends, self.marker)):
            extra.setZValue(6 + z)
            item.addItem(extra)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=COLOURS, interactive=False, width=12)
        item.layout.addItem(self.colour_bar, 2, 3)
        self.colour_bar.setVisible(False)
        keep_static([self.points])
        keep_axes_static(self)
        self.images: np.ndarray | None = None  # the decoded grid shown, (rows = b, columns = a, m, m)
        self.values_a = self.values_b = np.zeros(0)
        self.rect: QRectF | None = None
        self.setMinimumSize(240, 240)
        self.points.sigClicked.connect(self._point_clicked)
        self.scene().sigMouseClicked.connect(self._scene_clicked)

    # -------------------------------------------------------------- show
    def set_axes(self, name_a: str, name_b: str) -> None:
        item = self.getPlotItem()
        item.setLabel("bottom", name_a)
        item.setLabel("left", name_b)

    def set_grid(self, images: np.ndarray, values_a: np.ndarray, values_b: np.ndarray) -> None:
        """Show the decoded grid; the view is fitted only when the grid's extent changes."""
        self.images = images
        self.values_a, self.values_b = np.asarray(values_a, float), np.asarray(values_b, float)
        self.image.setImage(mosaic(images), autoLevels=False, levels=(0.0, 1.0))
        rect = grid_rect(self.values_a, self.values_b)
        self.image.setRect(rect)
        if rect != self.rect:
            self.rect = rect
            self.getPlotItem().getViewBox().setRange(rect, padding=0.0)

    def set_points(self, x: np.ndarray, y: np.ndarray, colour_by: np.ndarray, name: str) -> None:
        """The test inputs at (x, y), coloured by an attribute's values, with its colour bar."""
        self.points.setData(x=np.asarray(x, float), y=np.asarray(y, float), data=np.arange(len(x)))
        self.colour_points(colour_by, name)

    def colour_points(self, values: np.ndarray, name: str) -> None:
        self.points.setBrush([BRUSHES[i] for i in shade_indices(values)])
        lo, hi = float(np.min(values)), float(np.max(values))
        self.colour_bar.setLevels((lo, hi if hi > lo else lo + 1.0))
        self.colour_bar.axis.setLabel(name)
        self.colour_bar.setVisible(True)

    def set_marker(self, a: float, b: float) -> None:
        self.marker.setData([a], [b])

    def set_path(self, start: tuple[float, float] | None, end: tuple[float, float] | None) -> None:
        """The interpolation's straight line, as seen on the two axes shown."""
        ends = [p for p in (start, end) if p is not None]
        self.ends.setData([p[0] for p in ends], [p[1] for p in ends])
        if len(ends) == 2:
            self.path.setData([start[0], end[0]], [start[1], end[1]])
        else:
            self.path.setData([], [])

    def clear_map(self) -> None:
        self.images = None
        self.values_a = self.values_b = np.zeros(0)
        self.rect = None
        self.image.clear()
        for scatter in (self.points, self.ends, self.marker):
            scatter.setData([], [])
        self.path.setData([], [])
        self.colour_bar.setVisible(False)

    # ------------------------------------------------------------ clicks
    def _scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.images is None:
            return
        view = self.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        self.clicked.emit(float(point.x()), float(point.y()))

    def _point_clicked(self, _item, points, _event) -> None:
        if len(points):
            self.point_clicked.emit(int(points[0].data()))
