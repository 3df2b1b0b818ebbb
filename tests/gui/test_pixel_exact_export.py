"""Image plots come out pixel-exact, in the same colours, as PNG, SVG (rendered by Qt, which
smooths images as most renderers do) and PDF (rendered by pdftoppm, skipped where it is absent);
legends as large as the tick labels."""

import base64
import re
import shutil
import subprocess

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from geoae_gui.widgets.plots import DIVERGING, ImagePlot, export_widget, make_plot

ROWS, COLUMNS = 6, 8


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    height, width = image.height(), image.width()
    data = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * height).reshape(height, -1)
    return data[:, : width * 4].reshape(height, width, 4)[..., 2::-1].astype(int)


def render_svg(path, width: int, height: int) -> np.ndarray:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    QSvgRenderer(str(path)).render(painter, QRectF(0, 0, width, height))
    painter.end()
    return pixels(image)


@pytest.fixture
def heatmap(qtbot):
    """A checkerboard-like heatmap of four values (four colours far apart), 6 x 8 pixels."""
    plot = ImagePlot("heatmap", cmap=DIVERGING)
    qtbot.addWidget(plot)
    plot.resize(360, 300)
    plot.show()
    qtbot.waitExposed(plot)
    values = (np.add.outer(np.arange(ROWS), 2 * np.arange(COLUMNS)) % 4) / 3.0
    plot.set_image(values, levels=(0.0, 1.0))
    return plot, values


def cell_centres(plot: ImagePlot, scale: float) -> tuple[np.ndarray, float]:
    """Each image pixel's centre in the exported picture (rows, columns, xy), and a pixel's side."""
    page = plot.getPlotItem().sceneBoundingRect()
    box = plot.image.sceneBoundingRect()
    side = box.width() / COLUMNS * scale
    ys = (box.top() - page.top()) * scale + (np.arange(ROWS) + 0.5) * side
    xs = (box.left() - page.left()) * scale + (np.arange(COLUMNS) + 0.5) * side
    return np.stack(np.meshgrid(xs, ys), axis=-1), side


def colours_at(picture: np.ndarray, centres: np.ndarray) -> np.ndarray:
    xy = np.round(centres).astype(int)
    return picture[xy[..., 1], xy[..., 0]]


def unblended(picture: np.ndarray, centres: np.ndarray, side: float, palette: np.ndarray) -> float:
    """The share of the picture's points inside the image (off the pixels' seams) whose colour
    is one of the image's own colours: 1 when nothing is smoothed."""
    offsets = np.linspace(-0.4, 0.4, 5) * side
    hits = total = 0
    for centre in centres.reshape(-1, 2):
        for dx in offsets:
            for dy in offsets:
                x, y = round(float(centre[0] + dx)), round(float(centre[1] + dy))
                distance = np.abs(palette - picture[y, x]).max(axis=1).min()
                hits += distance <= 3
                total += 1
    return hits / total


def test_svg_and_pdf_images_are_pixel_exact_in_the_png_colours(heatmap, tmp_path):
    plot, values = heatmap
    export_widget(plot, tmp_path / "heat", ("png", "svg", "pdf"))
    png = pixels(QImage(str(tmp_path / "heat.png")))
    height, width = png.shape[:2]
    scale = width / plot.getPlotItem().sceneBoundingRect().width()
    centres, side = cell_centres(plot, scale)
    assert side > 20  # room to look inside each pixel

    expected = DIVERGING.map(values.ravel(), mode="byte")[:, :3].astype(int).reshape(ROWS, COLUMNS, 3)
    palette = np.unique(expected.reshape(-1, 3), axis=0)
    assert np.abs(colours_at(png, centres) - expected).max() <= 2
    assert unblended(png, centres, side, palette) == 1.0

    # the SVG: its embedded image is upscaled nearest-neighbour, so that a smoothing renderer
    # leaves each pixel's inside alone (the 6 x 8 image itself would be a blur of colours)
    svg_text = (tmp_path / "heat.svg").read_text()
    embedded = re.search(r'href="data:image/png;base64,([^"]+)"', svg_text).group(1)
    inner = QImage.fromData(base64.b64decode(embedded), "PNG")
    assert inner.width() >= 8 * COLUMNS and inner.height() >= 8 * ROWS
    svg = render_svg(tmp_path / "heat.svg", width, height)
    assert np.abs(colours_at(svg, centres) - expected).max() <= 2
    assert unblended(svg, centres, side, palette) >= 0.97

    # the PDF, as a PDF viewer draws it: lossless colours (no JPEG), no frame around the plot
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF is not rendered")
    subprocess.run(
        [pdftoppm, "-png", "-r", str(72 * scale), "-singlefile", tmp_path / "heat.pdf", tmp_path / "pdf"], check=True
    )
    pdf = pixels(QImage(str(tmp_path / "pdf.png")))[:height, :width]
    assert np.abs(colours_at(pdf, centres) - expected).max() <= 2
    assert unblended(pdf, centres, side, palette) >= 0.97
    assert (pdf[:, :3] > 250).all() and (pdf[:3] > 250).all()  # white margins: no frame


def test_png_legend_text_as_large_as_the_tick_labels(qtbot, tmp_path):
    """The PNG is the screen at twice its resolution: the legend grows with the tick labels
    (pyqtgraph's exporter left it at the screen's size, half theirs)."""
    plot = make_plot("curves", "x", "y", legend=True)
    qtbot.addWidget(plot)
    plot.resize(500, 400)
    plot.show()
    qtbot.waitExposed(plot)
    plot.plot([0, 1, 2], [0, 1, 0], pen="#1f77b4", name="MMMMMMMM")
    export_widget(plot, tmp_path / "legend", ("png",))
    png = pixels(QImage(str(tmp_path / "legend.png")))
    screen = pixels(plot.grab().toImage())
    item = plot.getPlotItem()
    scale = png.shape[1] / item.sceneBoundingRect().width()

    def ink_height(picture: np.ndarray, rect, factor: float) -> int:
        top, bottom = int(rect.top() * factor), int(rect.bottom() * factor)
        left, right = int(rect.left() * factor), int(rect.right() * factor)
        rows = np.nonzero((picture[top:bottom, left:right] < 100).all(axis=2).any(axis=1))[0]
        return rows.max() - rows.min() + 1

    label = item.legend.items[0][1].sceneBoundingRect()  # the legend's text
    on_screen = ink_height(screen, label, 1.0)
    exported = ink_height(png, label, scale)
    assert on_screen > 4
    assert abs(exported / on_screen - scale) < 0.25 * scale, (exported, on_screen, scale)


def test_an_image_of_gaps_alone_writes_no_file(qtbot, tmp_path):
    plot = ImagePlot("nothing")
    qtbot.addWidget(plot)
    plot.set_image(np.full((3, 3), np.nan))
    assert export_widget(plot, tmp_path / "gaps") == []
    assert list(tmp_path.iterdir()) == []
