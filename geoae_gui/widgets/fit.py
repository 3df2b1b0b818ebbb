"""Plots that fit a small window: a title or axis label too long for its plot is elided (whole
in its tooltip) instead of widening the plot past its widget, and a legend goes to the corner
of the plot where it covers the fewest data points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer

ELLIPSIS = "…"
TITLE_MIN_WIDTH = 40.0  # the least room a title asks of its plot's layout
SMALL_TITLE = "8pt"  # a title too long for its plot tries this size before it is elided
CORNERS = ((1, 0), (0, 0), (1, 1), (0, 1))  # top right first (pyqtgraph's place), then the others
LEGEND_MARGIN = 10.0


def _rich(text: object) -> bool:
    return not isinstance(text, str) or "<" in text or not text.strip()


def _shortest_fit(full: str, width_of, room: float) -> str:
    """The longest `full[:n]…` whose width (as `width_of` measures it) fits in `room`."""
    low, high = 0, len(full) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if width_of(full[:middle].rstrip() + ELLIPSIS) <= room:
            low = middle
        else:
            high = middle - 1
    return full[:low].rstrip() + ELLIPSIS


class FittedLabel:
    """Installed on a plot's title (a pg.LabelItem; its Python methods are replaced on the
    instance: changing a Qt object's class is not safe): it never asks for more room than
    TITLE_MIN_WIDTH, and shows its text whole if its width holds it, else in a smaller font
    (SMALL_TITLE), else elided, whole in its tooltip. Rich text is left as it is."""

    def __init__(self, label: pg.LabelItem):
        self.label = label
        self.full_text = label.text
        self.own_size = label.opts.get("size")  # the size it was given (None: the default)
        self.set_text = label.setText  # pyqtgraph's own
        self.update_min = label.updateMin
        label.setText = self.setText
        label.updateMin = self.updateMin
        label.fitted = self
        label.geometryChanged.connect(self.fit)
        self.updateMin()
        self.fit()

    def setText(self, text, **args) -> None:
        self.full_text = text
        if "size" in args:
            self.own_size = args["size"]
        self.set_text(text, **args)
        self.fit()

    def updateMin(self) -> None:
        self.update_min()
        label = self.label
        bounds = label.itemRect()
        width = min(bounds.width(), TITLE_MIN_WIDTH)
        label.setMinimumWidth(width)
        for hint in (Qt.SizeHint.MinimumSize, Qt.SizeHint.PreferredSize):
            label._sizeHint[hint] = (width, bounds.height())
        label.updateGeometry()

    def _size(self, size: str | None) -> None:
        if size is None:
            self.label.opts.pop("size", None)
        else:
            self.label.opts["size"] = size

    def _width_of(self, text: str) -> float:
        self.set_text(text)
        return self.label.itemRect().width()

    def fit(self) -> None:
        full, label = self.full_text, self.label
        room = label.width() - 4
        if _rich(full) or room <= 0:
            return
        shown = full
        self._size(self.own_size)
        if self._width_of(full) > room:
            self._size(SMALL_TITLE)
            if self._width_of(full) > room:
                shown = _shortest_fit(full, self._width_of, room)
                self.set_text(shown)
        label.setToolTip(full if shown != full or label.opts.get("size") != self.own_size else "")


class FittedAxis:
    """Installed on a plot's axis: its label is elided to the axis' length (whole in its tooltip)."""

    def __init__(self, axis: pg.AxisItem):
        self.axis = axis
        self.update_label = axis._updateLabel  # pyqtgraph's own
        axis._updateLabel = self.updateLabel
        axis.fitted = self
        self.length = 0.0
        axis.geometryChanged.connect(self._resized)
        if axis.labelText:
            self.updateLabel()

    def _room(self) -> float:
        axis = self.axis
        return axis.width() if axis.orientation in ("top", "bottom") else axis.height()

    def _resized(self) -> None:
        try:
            room = self._room()
        except RuntimeError:  # an axis replaced (setAxisItems) and deleted
            return
        if room != self.length and self.axis.label is not None and self.axis.labelText:
            self.updateLabel()
            self.axis.resizeEvent(None)  # the label placed again

    def updateLabel(self) -> None:
        axis = self.axis
        full = axis.labelText
        room = self.length = self._room()
        if _rich(full) or axis.labelUnits or room <= 0 or axis.label is None:
            self.update_label()
            return

        def width_of(text: str) -> float:
            axis.labelText = text
            axis.label.setHtml(axis.labelString())
            return axis.label.boundingRect().width()

        try:
            shown = full if width_of(full) <= room - 4 else _shortest_fit(full, width_of, room - 4)
            axis.labelText = shown
            self.update_label()
        finally:
            axis.labelText = full
        axis.label.setToolTip(full if shown != full else "")


def fit_texts(item: pg.PlotItem) -> pg.PlotItem:
    """Make the title and the axis labels of `item` (a PlotItem or PlotWidget) fit their room."""
    if isinstance(item, pg.PlotWidget):
        item = item.getPlotItem()
    if getattr(item.titleLabel, "fitted", None) is None:
        FittedLabel(item.titleLabel)
    for side in ("left", "bottom", "right", "top"):
        axis = item.getAxis(side)
        if getattr(axis, "fitted", None) is None:
            FittedAxis(axis)
    return item


# ------------------------------------------------------------------ legends
def _points_in(item: pg.PlotItem, rect: QRectF) -> int:
    """How many data points of the plot's curves and scatters fall in `rect` (scene coordinates)."""
    view = item.getViewBox()
    corners = [
        view.mapSceneToView(QPointF(x, y)) for x, y in ((rect.left(), rect.top()), (rect.right(), rect.bottom()))
    ]
    x0, x1 = sorted((corners[0].x(), corners[1].x()))
    y0, y1 = sorted((corners[0].y(), corners[1].y()))
    count = 0
    for data in item.listDataItems():
        if not data.isVisible():
            continue
        try:
            x, y = data.getData() if hasattr(data, "getData") else (None, None)
        except Exception:
            continue
        if x is None or y is None or len(x) == 0:
            continue
        x, y = np.asarray(x, float), np.asarray(y, float)
        count += int(np.count_nonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)))
    return count


def legend_rect_at(item: pg.PlotItem, corner: tuple[int, int]) -> QRectF:
    """Where the plot's legend would lie, in scene coordinates, anchored at `corner` of the view."""
    view = item.getViewBox().sceneBoundingRect()
    size = item.legend.sceneBoundingRect().size()
    x = view.right() - LEGEND_MARGIN - size.width() if corner[0] else view.left() + LEGEND_MARGIN
    y = view.bottom() - LEGEND_MARGIN - size.height() if corner[1] else view.top() + LEGEND_MARGIN
    return QRectF(x, y, size.width(), size.height())


class LegendPlacer(QObject):
    """Keeps a plot's legend in the corner of its view that covers the fewest data points: again
    after a resize, a new range or new data (coalesced: once per turn of the event loop); it stays
    where it is while no other corner covers fewer."""

    def __init__(self, widget: pg.PlotWidget):
        super().__init__(widget)
        self.item = widget.getPlotItem()
        self.corner = CORNERS[0]
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self.place)
        self.item.getViewBox().sigRangeChanged.connect(self.later)
        self.item.getViewBox().sigResized.connect(self.later)
        self.item.getViewBox().sigStateChanged.connect(self.later)

        self.watched: set[int] = set()

    def later(self, *_args) -> None:
        self.timer.start()

    def place(self) -> None:
        for data in self.item.listDataItems():  # new data: placed again
            if id(data) not in self.watched and hasattr(data, "sigPlotChanged"):
                self.watched.add(id(data))
                data.sigPlotChanged.connect(self.later)
        legend = self.item.legend
        if legend is None or not legend.isVisible() or not legend.items:
            return
        counts = {corner: _points_in(self.item, legend_rect_at(self.item, corner)) for corner in CORNERS}
        best = min(CORNERS, key=lambda corner: counts[corner])
        if counts[self.corner] > counts[best]:
            self.corner = best
        x, y = self.corner
        offset = (-LEGEND_MARGIN if x else LEGEND_MARGIN, -LEGEND_MARGIN if y else LEGEND_MARGIN)
        legend.anchor(itemPos=(x, y), parentPos=(x, y), offset=offset)


def keep_legend_clear(widget: pg.PlotWidget) -> LegendPlacer:
    """Place the plot's legend (made with addLegend) off its data, from now on."""
    placer = getattr(widget, "_legend_placer", None)
    if placer is None:
        placer = LegendPlacer(widget)
        widget._legend_placer = placer
    return placer
