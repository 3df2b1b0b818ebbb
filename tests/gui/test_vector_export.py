"""SVG and PDF exports put every item where the PNG has it: the curve inside its axes, on its data."""

import numpy as np
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from geoae_gui.widgets.plots import export_widget

CURVE_BLUE = (0x1F, 0x77, 0xB4)


def blue_pixels(image: QImage) -> np.ndarray:
    """(x, y) of the pixels drawn in the curve's blue, give or take antialiasing."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    height, width = image.height(), image.width()
    data = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * height).reshape(height, -1)
    rgb = data[:, : width * 4].reshape(height, width, 4)[..., 2::-1].astype(int)
    close = np.abs(rgb - np.array(CURVE_BLUE)).max(axis=2) < 40
    ys, xs = np.nonzero(close)
    return np.column_stack([xs, ys])


def render_svg(path, width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    QSvgRenderer(str(path)).render(painter, QRectF(0, 0, width, height))
    painter.end()
    return image


def test_svg_curve_lies_inside_its_axes_and_on_its_data(make_window, runs_folder, tmp_path):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("latent")
    written = export_widget(panel.z_plot, tmp_path / "z", ("png", "svg", "pdf"))
    assert [p.name for p in written] == ["z.png", "z.svg", "z.pdf"]
    assert (tmp_path / "z.pdf").read_bytes().startswith(b"%PDF")
    png = QImage(str(tmp_path / "z.png"))
    svg = render_svg(tmp_path / "z.svg", png.width(), png.height())

    # where the axes and the data are, as fractions of the exported plot
    plot = panel.z_plot.getPlotItem()
    page = plot.sceneBoundingRect()
    scale = np.array([png.width() / page.width(), png.height() / page.height()])
    box = plot.getViewBox().sceneBoundingRect()
    left, top = (box.left() - page.left()) * scale[0], (box.top() - page.top()) * scale[1]
    right, bottom = (box.right() - page.left()) * scale[0], (box.bottom() - page.top()) * scale[1]

    legend = plot.legend.sceneBoundingRect()
    legend_left = (legend.left() - page.left()) * scale[0] - 2
    legend_bottom = (legend.bottom() - page.top()) * scale[1] + 2

    def curve_pixels(image: QImage) -> np.ndarray:
        drawn = blue_pixels(image)
        return drawn[~((drawn[:, 0] >= legend_left) & (drawn[:, 1] <= legend_bottom))]

    curve = curve_pixels(svg)
    assert len(curve) > 200
    margin = 3
    assert curve[:, 0].min() >= left - margin and curve[:, 0].max() <= right + margin
    assert curve[:, 1].min() >= top - margin and curve[:, 1].max() <= bottom + margin

    radii, z = panel.z_curve.getData()
    for r, value in zip(radii[:: max(1, len(radii) // 8)], z[:: max(1, len(z) // 8)], strict=True):
        point = plot.getViewBox().mapViewToScene(QPointF(float(r), float(value)))
        expected = np.array([(point.x() - page.left()) * scale[0], (point.y() - page.top()) * scale[1]])
        nearest = np.linalg.norm(curve - expected, axis=1).min()
        assert nearest < 0.01 * png.width(), (r, value, nearest)

    # the same picture as the PNG: the blue ink covers the same region
    reference = curve_pixels(png)
    assert np.allclose(curve.min(axis=0), reference.min(axis=0), atol=0.02 * png.width())
    assert np.allclose(curve.max(axis=0), reference.max(axis=0), atol=0.02 * png.width())


def test_pyqtgraph_menu_svg_export_works(make_window, runs_folder, tmp_path):
    """The "Export... > SVG" entry of pyqtgraph's own menu, which failed under Qt 6.11."""
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("profile")
    pg_exporters.SVGExporter(panel.profile_plot.getPlotItem()).export(str(tmp_path / "menu.svg"))
    assert QSvgRenderer(str(tmp_path / "menu.svg")).isValid()


def test_a_plot_without_data_writes_nothing(make_window, runs_folder, tmp_path):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-dec")
    panel = window.show_panel("profile")
    assert panel.export(tmp_path) == []
    assert list(tmp_path.glob("profile-*")) == []
