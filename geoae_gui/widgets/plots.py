"""Plain pyqtgraph plots, image views, and their export to PNG, SVG, PDF and CSV."""

from __future__ import annotations

import base64
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.dom import minidom

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QAction, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QGraphicsItem

from .fit import fit_texts, keep_legend_clear

pg.setConfigOptions(background="w", foreground="k", antialias=True, imageAxisOrder="row-major")

FORMATS = ("png", "svg", "pdf", "csv")
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
        keep_legend_clear(widget)
    widget.setMinimumSize(160, 120)
    fit_texts(item)  # a long title or label is elided: it never widens the plot past its widget
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
        fit_texts(item)
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


PNG_SCALE = 2  # a sharper picture than the screen


def export_png(widget, path: Path) -> Path:
    """The plot at twice the screen's resolution, drawn as a high-DPI screen would: everything, the
    legend and the labels that keep their size on screen (ItemIgnoresTransformations) included,
    scales alike (pyqtgraph's ImageExporter scales the painter, which such items ignore)."""
    target = _graphics_target(widget)
    exporter = pg_exporters.ImageExporter(target)
    source = exporter.getSourceRect()
    size = exporter.getTargetRect()
    image = QImage(
        max(1, round(size.width() * PNG_SCALE)), max(1, round(size.height() * PNG_SCALE)), QImage.Format.Format_ARGB32
    )
    image.setDevicePixelRatio(PNG_SCALE)
    image.fill(exporter.parameters()["background"])
    painter = QPainter(image)
    try:
        with uncached(widget):
            exporter.setExportMode(
                True,
                {
                    "antialias": True,
                    "background": exporter.parameters()["background"],
                    "painter": painter,
                    "resolutionScale": 1.0,
                },
            )
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            exporter.getScene().render(painter, QRectF(0, 0, size.width(), size.height()), QRectF(source))
    finally:
        exporter.setExportMode(False)
        painter.end()
    image.setDevicePixelRatio(1)
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def export_svg(widget, path: Path) -> Path:
    """pyqtgraph's SVGExporter: it maps every item into page coordinates and clips each plot to
    its axes (Qt's QSvgGenerator alone does neither: curves would run off their axes)."""
    path.write_bytes(svg_bytes(widget))
    return path


def svg_bytes(widget) -> bytes:
    with uncached(widget):
        text = bytes(pg_exporters.SVGExporter(_graphics_target(widget)).export(toBytes=True))
    return portable_svg(text)


def portable_svg(text: bytes) -> bytes:
    """The same picture in any renderer: each embedded image upscaled, nearest-neighbour, so that
    a renderer that smooths images (most ignore `image-rendering: pixelated`) blends only the
    thin seams between image pixels; no shape with neither stroke nor fill (Qt's renderer strokes
    them in a PDF: a frame around every plot); clip paths in <defs>, where SVG has them."""
    document = minidom.parseString(text)
    root = document.documentElement
    defs = next(iter(root.getElementsByTagName("defs")), None)
    if defs is None:
        defs = document.createElement("defs")
        root.insertBefore(defs, root.firstChild)
    for clip in list(root.getElementsByTagName("clipPath")):
        if clip.parentNode is not defs:
            clip.parentNode.removeChild(clip)
            defs.appendChild(clip)
    for element in list(root.getElementsByTagName("*")):
        invisible = _inherited(element, "stroke") == _inherited(element, "fill") == "none"
        if element.tagName in SHAPES and invisible and element.parentNode.tagName != "clipPath":
            element.parentNode.removeChild(element)  # but Qt strokes it in a PDF: a frame
    for element in root.getElementsByTagName("image"):
        href = element.getAttribute("xlink:href") or element.getAttribute("href")
        if href.startswith(PNG_DATA):
            upscaled = upscale_png(base64.b64decode(href[len(PNG_DATA) :]))
            element.setAttribute("xlink:href" if element.hasAttribute("xlink:href") else "href", upscaled)
    return document.toxml(encoding="UTF-8")


SHAPES = frozenset({"path", "rect", "polyline", "polygon", "line", "circle", "ellipse"})


def _inherited(element, name: str) -> str:
    """A presentation attribute of an SVG element, its own or inherited (Qt writes stroke and
    fill on the group around each shape)."""
    node = element
    while node is not None and node.nodeType == node.ELEMENT_NODE:
        if node.hasAttribute(name):
            return node.getAttribute(name)
        node = node.parentNode
    return ""


PNG_DATA = "data:image/png;base64,"
IMAGE_SIDE = 2048  # an embedded image's pixels on its longer side, at least (with at most 32 x 32 per pixel)


def upscale_png(data: bytes) -> str:
    """A PNG each of whose pixels becomes k x k identical pixels, as a data: URL."""
    image = QImage.fromData(data, "PNG")
    if image.isNull():
        return PNG_DATA + base64.b64encode(data).decode("ascii")
    k = max(1, min(32, -(-IMAGE_SIDE // max(image.width(), image.height()))))
    if k > 1:
        image = image.scaled(image.width() * k, image.height() * k, mode=Qt.TransformationMode.FastTransformation)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return PNG_DATA + base64.b64encode(bytes(buffer.data())).decode("ascii")


def export_pdf(widget, path: Path) -> Path:
    """The SVG drawn by Qt's SVG renderer onto a PDF page of the same size (vector throughout)."""
    renderer = QSvgRenderer(QByteArray(svg_bytes(widget)))
    box = renderer.viewBoxF()
    writer = QPdfWriter(str(path))
    writer.setResolution(72)  # one SVG unit, one PDF point
    page = QPageSize(QSizeF(box.width(), box.height()), QPageSize.Unit.Point)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF()))
    writer.setTitle(path.stem)
    painter = QPainter(writer)
    # images as they are (Qt's PDF writer would store them as JPEG, shifting their colours)
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering, True)
    try:
        renderer.render(painter, QRectF(0, 0, box.width(), box.height()))
    finally:
        painter.end()
    return path


def _repair_pyqtgraph_svg() -> None:
    """pyqtgraph 0.14 parses the path data Qt writes as "x,y" pairs, but Qt 6 ends a closed
    path with a bare "Z" ("not enough values to unpack"). Write each "Z" as a line back to the
    start of its subpath, the same shape, before pyqtgraph maps the coordinates. This also
    mends the "Export... > SVG" entry of pyqtgraph's own plot menu."""
    module = sys.modules.get("pyqtgraph.exporters.SVGExporter")
    original = getattr(module, "correctCoordinates", None)
    if original is None or getattr(original, "closes_paths", False):
        return  # another pyqtgraph: nothing to mend here (or mended already)

    def correct_coordinates(node, defs, item, options):
        for element in node.getElementsByTagName("path"):
            element.setAttribute("d", _explicit_closes(element.getAttribute("d")))
        return original(node, defs, item, options)

    correct_coordinates.closes_paths = True
    module.correctCoordinates = correct_coordinates


def _explicit_closes(data: str) -> str:
    tokens, start = [], ""
    for token in data.split():
        if token[0] in "Mm":
            start = token[1:]
        tokens.append(f"L{start}" if token in ("Z", "z") and start else token)
    return " ".join(token for token in tokens if token not in ("Z", "z"))


_repair_pyqtgraph_svg()


def has_data(widget) -> bool:
    """Whether the widget shows anything worth a file: a curve, a scatter or an image."""
    for item in _plot_items(widget):
        if any(_has_points(curve) for curve in item.listDataItems()):
            return True
        if any(isinstance(obj, pg.ImageItem) and _has_pixels(obj) for obj in item.items):
            return True
    return False


def _has_pixels(image: pg.ImageItem) -> bool:
    """An image with at least one finite value (a plot of NaN gaps alone shows nothing)."""
    data = image.image
    return data is not None and data.size > 0 and bool(np.isfinite(np.asarray(data, float)).any())


def _has_points(curve) -> bool:
    x, y = curve.getData()
    return x is not None and len(x) > 0 and bool(np.isfinite(np.asarray(y, float)).any())


def export_csv(widget, path: Path) -> list[Path]:
    """Curves through pyqtgraph's CSVExporter; images as their array (one CSV per plot with data)."""
    tables: list[tuple[str, object]] = []
    for item in _plot_items(widget):
        if any(_has_points(curve) for curve in item.listDataItems()):
            tables.append(("curves", item))
        tables.extend(("image", obj) for obj in item.items if isinstance(obj, pg.ImageItem) and _has_pixels(obj))
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
    """Write `base`.png / .svg / .pdf / .csv for one plot widget; returns the files written
    (none for a plot that shows no data)."""
    base = Path(base)
    if not has_data(widget):
        return []
    base.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        if fmt == "png":
            written.append(export_png(widget, target))
        elif fmt == "svg":
            written.append(export_svg(widget, target))
        elif fmt == "pdf":
            written.append(export_pdf(widget, target))
        elif fmt == "csv":
            written.extend(export_csv(widget, target))
        else:
            raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    return written


def add_export_action(widget, name: str, on_error=None) -> QAction:
    """Right-click menu entry "Save as PNG, SVG, PDF and CSV…" on a plot (beside pyqtgraph's Export…)."""
    from PySide6.QtWidgets import QFileDialog

    action = QAction("Save as PNG, SVG, PDF and CSV…", widget)

    def save() -> None:
        path, _ = QFileDialog.getSaveFileName(widget, "Save plot as (PNG, SVG, PDF and CSV)", name)
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


class LogAxis(pg.AxisItem):
    """A log-scale axis that is labelled whatever its range.

    pyqtgraph ticks a log axis at powers of ten and their multiples only, so a loss that stays
    within one decade (most of a training's end) gets no label at all; such a range is ticked as
    a linear one instead, and every label shows the value itself with enough digits."""

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        if sum(len(values) for _spacing, values in ticks) >= 2:
            return ticks
        low, high = 10.0**minVal, 10.0**maxVal
        linear = pg.AxisItem.tickValues(self, low, high, size)  # the linear axis's own choice
        return [(None, [float(np.log10(v)) for v in values if low <= v <= high]) for _spacing, values in linear]

    def logTickStrings(self, values, scale, spacing):
        return [f"{v:.4g}" for v in 10 ** np.asarray(values, float) * scale]
