"""Helpers for views that follow a slider at display rate: coalesced updates, steady ranges,
static items drawn once, a label whose text changes without a re-layout."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QSizePolicy, QWidget

_NOTHING = object()


class Coalescer(QObject):
    """Calls `apply(value)` once per pass of the event loop, with the last value pushed.

    A drag sends more values than a frame can show; each push replaces the one waiting, so the
    work runs once per displayed frame and the final value is always the one shown. The call is
    a posted event of high priority: it runs after the input events already queued (a burst of
    mouse moves gives one call) and before Qt paints, so each move is painted once, new values
    and all. `views` are the plots `apply` changes: their scenes' repaint requests are sent at
    once, so that they too are painted in that pass, not in a second one."""

    _event_type = QEvent.Type(QEvent.registerEventType())

    def __init__(
        self, apply: Callable[[Any], None], parent: QObject | None = None, views: Sequence[QGraphicsView] = ()
    ):
        super().__init__(parent)
        self._apply = apply
        self._views = list(views)
        self._value: Any = _NOTHING
        self._posted = False

    def push(self, value: Any) -> None:
        self._value = value
        if not self._posted:
            self._posted = True
            QCoreApplication.postEvent(self, QEvent(self._event_type), Qt.EventPriority.HighEventPriority.value)

    @property
    def pending(self) -> bool:
        return self._value is not _NOTHING

    def cancel(self) -> None:
        self._value = _NOTHING

    def flush(self) -> None:
        """Apply the waiting value now, if any."""
        if self._value is _NOTHING:
            return
        value, self._value = self._value, _NOTHING
        self._apply(value)

    def event(self, event: QEvent) -> bool:
        if event.type() == self._event_type:
            self._posted = False
            self.flush()
            for view in self._views:
                QCoreApplication.sendPostedEvents(view.scene(), QEvent.Type.MetaCall.value)
            return True
        return super().event(event)


class SteadyRange:
    """Axis ranges that stay put while the data moves inside them.

    An axis is refitted only when the data leaves its range or shrinks to less than `shrink` of
    it, and then with `headroom` to spare on both sides, so that data that keeps growing (a kernel
    edited step by step) rescales every few steps, not at every one. A slider move then repaints
    the curve, not the axes and grid."""

    def __init__(self, plot: pg.PlotWidget, margin: float = 0.05, headroom: float = 0.25, shrink: float = 0.25):
        self.view = plot.getPlotItem().getViewBox()
        self.view.disableAutoRange()
        self.margin = margin
        self.headroom = headroom
        self.shrink = shrink
        self.x: tuple[float, float] | None = None
        self.y: tuple[float, float] | None = None

    def reset(self) -> None:
        self.x = self.y = None

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        x_range, y_range = self._steady(self.x, x), self._steady(self.y, y)
        changes = {}
        if x_range != self.x:
            changes["xRange"] = self.x = x_range
        if y_range != self.y:
            changes["yRange"] = self.y = y_range
        if changes:
            self.view.setRange(**changes, padding=0)

    def _steady(self, current: tuple[float, float] | None, values: np.ndarray) -> tuple[float, float] | None:
        values = np.asarray(values, float)
        values = values[np.isfinite(values)]
        if values.size == 0:
            return current
        lo, hi = float(values.min()), float(values.max())
        spare = self.margin
        if current is not None:
            width = current[1] - current[0]
            if current[0] <= lo and hi <= current[1] and hi - lo >= self.shrink * width:
                return current
            spare = self.headroom
        span = max(hi - lo, 1e-9 + 1e-6 * max(abs(lo), abs(hi)))
        return lo - spare * span, hi + spare * span


def keep_static(items: Iterable[QGraphicsItem]) -> None:
    """Draw these items once into a pixmap and reuse it while other items move over them.

    For curves, scatters and axes (with their grid) that change only with the run."""
    for item in items:
        parts = [item.curve, item.scatter] if isinstance(item, pg.PlotDataItem) else [item]
        for part in parts:
            part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def keep_axes_static(plot: pg.PlotWidget) -> None:
    """Draw the axes, their grid and the legend once (again only when the range changes): a moving
    curve then repaints over a copy of them instead of redrawing every tick, label and grid line."""
    item = plot.getPlotItem()
    parts = [item.getAxis(side) for side in ("left", "bottom")]
    keep_static(parts + ([item.legend] if item.legend is not None else []))


class ValueLabel(QWidget):
    """A line (or `lines` wrapped lines) of plain text that changes on every slider move.

    Unlike a QLabel, a new text never asks the window to lay itself out again (which repaints
    every control of the panel): the widget's size does not depend on its text, and only the
    label itself is repainted."""

    def __init__(self, text: str = "", lines: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = text
        self._colour: QColor | None = None
        self._lines = lines
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 4)

    def text(self) -> str:
        return self._text

    def setText(self, text: str, colour: str | None = None) -> None:
        colour_changed = (self._colour.name() if self._colour else None) != colour
        if text == self._text and not colour_changed:
            return
        self._text = text
        self._colour = QColor(colour) if colour else None
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        if self._colour is not None:
            painter.setPen(self._colour)
        else:
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        rect = self.rect().adjusted(0, 2, 0, -2)
        if self._lines == 1:
            text = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        else:
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            painter.drawText(rect, flags, self._text)
        painter.end()
