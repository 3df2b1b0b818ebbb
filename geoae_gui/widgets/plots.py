"""Plain pyqtgraph plots, image views, and their export to PNG, SVG and CSV."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QAction, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

pg.setConfigOptions(background="w", foreground="k", antialias=True, imageAxisOrder="row-major")

FORMATS = ("png", "svg", "csv")
GREY = pg.colormap.get("CET-L1")  # black to white
DIVERGING = pg.colormap.get("CET-D1")  # blue, white, red: signed weights
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]


def pen(index: int = 0, width: float = 2.0, style=None) -> pg.QtGui.QPen:
    kwargs = {"color": PALETTE[index % len(PALETTE)], "width": width}
    if style is not None:
        kwargs["style"] = style
    return pg.mkPen(**kwargs)


def make_plot(title: str = "", x: str = "", y: str = "", legend: bool = False) -> pg.PlotWidget:
    """A PlotWidget with a title, axis labels, a light grid and (optionally) a legend."""
    widget = pg.PlotWidget(title=title)
    item = widget.getPlotItem()
    if x:
        item.setLabel("bottom", x)
    if y:
        item.setLabel("left", y)
    item.showGrid(x=True, y=True, alpha=0.2)
    for side in ("left", "bottom"):
        item.getAxis(side).enableAutoSIPrefix(False)
    if legend:
        item.addLegend(offset=(-10, 10))
    widget.setMinimumSize(160, 120)
    return widget


class ImagePlot(pg.PlotWidget):
    """One image, drawn as an array (row 0 at the top), square pixels, fixed or automatic levels."""

    def __init__(self, title: str = "", cmap: pg.ColorMap = GREY):
        super().__init__(title=title)
        item = self.getPlotItem()
        item.setAspectLocked(True)
        item.invertY(True)
        item.hideAxis("left")
        item.hideAxis("bottom")
        self.image = pg.ImageItem()
        self.image.setColorMap(cmap)
        item.addItem(self.image)
        self.setMinimumSize(120, 120)
        self.data: np.ndarray | None = None

    def set_image(self, array: np.ndarray, levels: tuple[float, float] | None = (0.0, 1.0)) -> None:
        """Show an array; the view is fitted only when its shape changes (a new frame of the same
        shape repaints the image alone)."""
        previous = self.data
        self.data = np.asarray(array, float)
        if levels is None:
            self.image.setImage(self.data, autoLevels=True)
        else:
            self.image.setImage(self.data, autoLevels=False, levels=levels)
        if previous is None or previous.shape != self.data.shape:
            self.getPlotItem().getViewBox().autoRange(padding=0.02)

    def clear_image(self) -> None:
        self.data = None
        self.image.clear()


def tile(blocks: list[np.ndarray], columns: int, gap: int = 1, fill: float = np.nan) -> np.ndarray:
    """Lay equally-shaped 2-D blocks out on a grid, `gap` pixels of `fill` between them (display only)."""
    if not blocks:
        return np.zeros((1, 1))
    h, w = blocks[0].shape
    rows = -(-len(blocks) // columns)
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), fill)
    for i, block in enumerate(blocks):
        r, c = divmod(i, columns)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = block
    return out


# ------------------------------------------------------------------ export
def _graphics_target(widget):
    """What pyqtgraph's image and SVG exporters should draw for this widget."""
    if isinstance(widget, pg.PlotWidget):
        return widget.getPlotItem()
    return widget.scene()


def _plot_items(widget) -> list[pg.PlotItem]:
    if isinstance(widget, pg.PlotWidget):
        return [widget.getPlotItem()]
    if isinstance(widget, pg.GraphicsLayoutWidget):
        return [item for item in widget.ci.items if isinstance(item, pg.PlotItem)]
    return []


@contextlib.contextmanager
def uncached(widget) -> Iterator[None]:
    """Draw every item afresh while exporting: items the screen draws from a pixmap cache (see
    widgets.live.keep_static) would otherwise land in the SVG as bitmaps, blurred in the PNG."""
    no_cache = QGraphicsItem.CacheMode.NoCache
    scene = widget.scene() if hasattr(widget, "scene") else None
    items = scene.items() if scene is not None else []
    cached = [(item, item.cacheMode()) for item in items if item.cacheMode() != no_cache]
    for item, _mode in cached:
        item.setCacheMode(no_cache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


def export_png(widget, path: Path) -> Path:
    exporter = pg_exporters.ImageExporter(_graphics_target(widget))
    width = max(int(widget.width()), 200)
    exporter.parameters()["width"] = width * 2  # a sharper picture than the screen
    with uncached(widget):
        exporter.export(str(path))
    return path


def export_svg(widget, path: Path) -> Path:
    """pyqtgraph's SVGExporter; when it fails (its path parser predates Qt 6.12's output), Qt's own SVG."""
    try:
        with uncached(widget):
            pg_exporters.SVGExporter(_graphics_target(widget)).export(str(path))
        return path
    except Exception:
        pass
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    size = widget.size()
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(widget.objectName() or "geoae plot")
    painter = QPainter(generator)
    try:
        with uncached(widget):
            widget.render(painter, target=QRectF(0, 0, size.width(), size.height()))
    finally:
        painter.end()
    return path


def export_csv(widget, path: Path) -> list[Path]:
    """Curves through pyqtgraph's CSVExporter; images as their array (one CSV per plot with data)."""
    tables: list[tuple[str, object]] = []
    for item in _plot_items(widget):
        if item.listDataItems():
            tables.append(("curves", item))
        tables.extend(("image", obj) for obj in item.items if isinstance(obj, pg.ImageItem) and obj.image is not None)
    written = []
    for i, (kind, obj) in enumerate(tables):
        target = path if len(tables) == 1 else path.with_name(f"{path.stem}-{i + 1}{path.suffix}")
        if kind == "curves":
            pg_exporters.CSVExporter(obj).export(str(target))
        else:
            np.savetxt(target, np.asarray(obj.image, float), delimiter=",", fmt="%.6g")
        written.append(target)
    return written


def export_widget(widget, base: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write `base`.png / .svg / .csv for one plot widget; returns the files written."""
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        if fmt == "png":
            written.append(export_png(widget, target))
        elif fmt == "svg":
            written.append(export_svg(widget, target))
        elif fmt == "csv":
            written.extend(export_csv(widget, target))
        else:
            raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    return written


def add_export_action(widget, name: str, on_error=None) -> QAction:
    """Right-click menu entry "Save as PNG, SVG and CSV…" on a plot (beside pyqtgraph's Export…)."""
    from PySide6.QtWidgets import QFileDialog

    action = QAction("Save as PNG, SVG and CSV…", widget)

    def save() -> None:
        path, _ = QFileDialog.getSaveFileName(widget, "Save plot as (PNG, SVG and CSV)", name)
        if not path:
            return
        try:
            export_widget(widget, Path(path).with_suffix(""))
        except Exception as exc:
            if on_error is None:
                raise
            on_error(f"export failed: {type(exc).__name__}: {exc}")

    action.triggered.connect(save)
    widget.scene().contextMenu.append(action)
    return action
