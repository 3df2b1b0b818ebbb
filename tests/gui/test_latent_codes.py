"""The Latent explorer for codes of size d >= 2: a slider per axis decoding exactly run.decode(z),
the latent map (a grid of decoded images, the test inputs on it, a click decodes), the traversal
and the interpolation, exports, and switching runs without leaving anything of the last one."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from geoae_core import analysis
from geoae_core.runs import load_run
from geoae_gui.panels.latent import LatentPanel
from geoae_gui.widgets.latent_map import BRUSHES, mosaic
from geoae_gui.widgets.plots import tile


@pytest.fixture
def panel(qtbot):
    panel = LatentPanel()
    qtbot.addWidget(panel)
    panel.resize(1300, 850)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture(scope="module")
def d3(codes_folder):
    return load_run(codes_folder / "d3")


def shown(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)


def grid_codes(held, axes, values_a, values_b) -> np.ndarray:
    """The codes of a map's grid, row by row (b), column by column (a): built here, not by the app."""
    codes = []
    for b in values_b:
        for a in values_a:
            z = np.array(held, np.float32)
            z[axes[0]], z[axes[1]] = a, b
            codes.append(z)
    return np.array(codes)


def test_one_slider_per_axis_decodes_exactly_the_code(panel, d3, qtbot):
    panel.set_run(d3)
    view = panel.codes_view
    assert panel.views.currentWidget() is view and not panel.message.isVisible()
    assert len(view.sliders.sliders) == 3 and len(view.sliders.spins) == 3
    # each slider runs over its axis's test codes with a margin each way
    lo, hi = view.codes.min(axis=0), view.codes.max(axis=0)
    assert (view.sliders.lo < lo).all() and (view.sliders.hi > hi).all()
    # it starts at the code of a test input (the median of its first attribute), not between the data
    np.testing.assert_array_equal(view.sliders.point(), view.codes[view.middle_input()])
    before = view.decoded_image().copy()
    for axis, value in ((0, 900), (2, 100), (1, 650)):
        view.sliders.sliders[axis].setValue(value)
    shown(qtbot, panel)
    z = view.sliders.point()
    assert z[2] == pytest.approx(view.sliders.slider_to_value(2, 100))
    assert view.sliders.spins[0].value() == pytest.approx(z[0], abs=1e-4)
    expected = d3.decode(z[None].astype(np.float32))[0]
    np.testing.assert_array_equal(view.decoded_image(), expected)
    assert not np.array_equal(expected, before)
    # a spin box drives its slider and the image too
    view.sliders.spins[1].setValue(float(lo[1]))
    shown(qtbot, panel)
    assert view.sliders.point()[1] == pytest.approx(lo[1], abs=1e-4)
    assert view.sliders.sliders[1].value() < 100
    np.testing.assert_array_equal(view.decoded_image(), d3.decode(view.sliders.point()[None].astype(np.float32))[0])


def test_the_map_is_a_grid_of_the_decoded_images(panel, d3, qtbot):
    panel.set_run(d3)
    view = panel.codes_view
    values_a, values_b = view.grid_values()
    assert len(values_a) == len(values_b) == 8
    expected = d3.decode(grid_codes(view.sliders.point(), (0, 1), values_a, values_b)).reshape(8, 8, 16, 16)
    np.testing.assert_allclose(view.map.images, expected, atol=1e-6)
    np.testing.assert_allclose(view.map.image.image, mosaic(expected), atol=1e-6)
    assert view.map.image.image.shape == (8 * 16, 8 * 16)
    # the grid's bottom-left image is the code (a0, b0): row 0 of the grid sits at the bottom, upright
    np.testing.assert_allclose(view.map.image.image[:16, :16], expected[0, 0][::-1], atol=1e-6)
    # the test inputs are scattered at their codes on the two axes
    x, y = view.map.points.getData()
    np.testing.assert_allclose(x, view.codes[:, 0])
    np.testing.assert_allclose(y, view.codes[:, 1])
    # moving a held axis redraws the grid; moving a shown axis moves the marker only
    drawn = len(view.map_ms)
    view.sliders.sliders[0].setValue(200)
    shown(qtbot, panel)
    assert len(view.map_ms) == drawn
    assert view.map.marker.getData()[0][0] == pytest.approx(view.sliders.point()[0])
    view.sliders.sliders[2].setValue(50)
    shown(qtbot, panel)
    assert len(view.map_ms) == drawn + 1
    held = view.sliders.point()
    np.testing.assert_allclose(
        view.map.images, d3.decode(grid_codes(held, (0, 1), values_a, values_b)).reshape(8, 8, 16, 16), atol=1e-6
    )
    # another grid size, other axes
    view.grid_box.setCurrentIndex(view.grid_box.findData(12))
    view.axis_b.setCurrentIndex(2)
    shown(qtbot, panel)
    values_a, values_b = view.grid_values()
    assert view.map.images.shape == (12, 12, 16, 16)
    expected = d3.decode(grid_codes(held, (0, 2), values_a, values_b)).reshape(12, 12, 16, 16)
    np.testing.assert_allclose(view.map.images, expected, atol=1e-6)
    np.testing.assert_allclose(view.map.points.getData()[1], view.codes[:, 2])
    assert view.map.getPlotItem().getAxis("left").labelText == "z₃"
    # the same axis twice is not a map: the other combo takes the old axis
    view.axis_a.setCurrentIndex(2)
    assert (view.axis_a.currentIndex(), view.axis_b.currentIndex()) == (2, 0)


def test_a_click_on_the_map_decodes_the_code_under_it(panel, d3, qtbot):
    panel.set_run(d3)
    view = panel.codes_view
    qtbot.wait(50)  # laid out and painted
    lo, hi = view.sliders.lo, view.sliders.hi
    target = (lo[:2] + 0.3 * (hi[:2] - lo[:2]), lo[:2] + 0.8 * (hi[:2] - lo[:2]))
    held_z3 = view.sliders.point()[2]
    for a, b in ((target[0][0], target[1][1]), (target[1][0], target[0][1])):
        viewbox = view.map.getPlotItem().getViewBox()
        at = view.map.mapFromScene(viewbox.mapViewToScene(QPointF(a, b)))
        qtbot.mouseClick(view.map.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(at.x(), at.y()))
        shown(qtbot, panel)
        z = view.sliders.point()
        # within a pixel of the map of the clicked code
        pixel = viewbox.viewPixelSize()
        assert abs(z[0] - a) <= 1.5 * pixel[0] and abs(z[1] - b) <= 1.5 * pixel[1]
        assert z[2] == held_z3
        assert view.sliders.spins[0].value() == pytest.approx(z[0], abs=1e-4)
        np.testing.assert_array_equal(view.decoded_image(), d3.decode(z[None].astype(np.float32))[0])
        assert view.map.marker.getData()[0][0] == pytest.approx(z[0])


def test_traversal_and_interpolation_decode_their_codes(panel, d3, qtbot):
    panel.set_run(d3)
    view = panel.codes_view
    view.traverse_axis.setCurrentIndex(1)
    view.traverse_steps.setValue(5)
    shown(qtbot, panel)
    held = view.sliders.point()
    values = np.linspace(view.sliders.lo[1], view.sliders.hi[1], 5)
    codes = np.repeat(held[None], 5, axis=0).astype(np.float32)
    codes[:, 1] = values
    np.testing.assert_allclose(view.traversal_plot.data, tile(list(d3.decode(codes)), 5, gap=2, fill=1.0), atol=1e-6)
    # two test inputs picked on the map (their points clicked), the straight line between their codes
    view.pick_end(7)
    view.pick_end(42)
    view.interp_steps.setValue(4)
    shown(qtbot, panel)
    start, end = view.codes[7], view.codes[42]
    s = np.linspace(0, 1, 4)[:, None]
    images = d3.decode(((1 - s) * start + s * end).astype(np.float32))
    np.testing.assert_allclose(view.interp_plot.data, tile(list(images), 4, gap=2, fill=1.0), atol=1e-5)
    assert view.interp_info.text().startswith("x₁ = #7 (r ")
    np.testing.assert_allclose(view.map.path.getData()[0], [start[0], end[0]])


def test_the_colour_follows_the_attribute_chosen(panel, codes_folder):
    xy = load_run(codes_folder / "xy")
    panel.set_run(xy)
    view = panel.codes_view
    names = [view.colour_box.itemText(i) for i in range(view.colour_box.count())]
    assert names == list(view.attributes) == ["r", "cx", "cy"]
    shades = {}
    for name in names:
        view.colour_box.setCurrentText(name)
        values = view.attributes[name]
        colours = [brush.color().getRgb() for brush in view.map.points.data["brush"]]
        # the point of the smallest value takes the colour map's first colour, the largest its last
        assert colours[int(np.argmin(values))] == BRUSHES[0].color().getRgb()
        assert colours[int(np.argmax(values))] == BRUSHES[-1].color().getRgb()
        assert view.map.colour_bar.levels() == pytest.approx((values.min(), values.max()))
        assert view.map.colour_bar.axis.labelText == name
        shades[name] = colours
    assert shades["r"] != shades["cx"] and shades["cx"] != shades["cy"]


def test_the_readout_shows_the_engines_numbers(panel, codes_folder):
    xy = load_run(codes_folder / "xy")
    panel.set_run(xy)
    view = panel.codes_view
    readout = analysis.attribute_readout(xy)
    np.testing.assert_allclose(view.readout.heat_image.image, np.abs(readout["correlation"]))
    assert view.readout.heat_image.image.shape == (3, 3)
    table = view.readout.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["r", "cx", "cy"]
    for r, name in enumerate(readout["names"]):
        row = readout["attributes"][name]
        assert table.item(r, 1).text() == f"{row['r2_linear']:.3f}"
        assert table.item(r, 2).text() == f"{row['r2_quadratic']:.3f}"
        assert table.item(r, 4).text().startswith(row["follows"] + " (")
    assert len(view.readout.cell_texts) == 9


def test_exports_write_the_codes_plots_only_for_a_code_of_size_d(panel, codes_folder, d3, tmp_path):
    panel.set_run(d3)
    written = {path.name for path in panel.export(tmp_path / "d3", ("png", "csv"))}
    for name in ("map", "code-decoded", "traversal", "code-interpolation"):
        assert f"latent-{name}.png" in written
    assert not any(name.startswith("latent-z_of_r") for name in written)
    panel.set_run(load_run(codes_folder / "d1"))
    written = {path.name for path in panel.export(tmp_path / "d1", ("png",))}
    assert "latent-z_of_r.png" in written and "latent-map.png" not in written


def test_switching_d3_d1_d3_leaves_nothing_stale(panel, codes_folder, d3, qtbot):
    view = panel.codes_view
    panel.set_run(d3)
    view.grid_box.setCurrentIndex(view.grid_box.findData(6))
    shown(qtbot, panel)
    d1 = load_run(codes_folder / "d1")
    panel.set_run(d1)
    assert panel.views.currentWidget() is panel.scalar_view
    assert panel.z_slider.isEnabled() and not panel.message.isVisible()
    assert view.sliders.sliders == [] and view.run is None
    assert view.map.images is None and view.map.image.image is None
    assert len(view.map.points.getData()[0]) == 0 and len(view.map.marker.getData()[0]) == 0
    assert view.decoded_plot.data is None and view.traversal_plot.data is None and view.interp_plot.data is None
    assert view.axis_a.count() == 0 and view.colour_box.count() == 0 and view.z_info.text() == ""
    panel.set_run(d3)
    shown(qtbot, panel)
    assert panel.views.currentWidget() is view
    assert panel.decoded_plot.data is None  # the scalar view is cleared
    assert panel.z_curve.getData()[0] is None or len(panel.z_curve.getData()[0]) == 0
    assert len(view.sliders.sliders) == 3 and view.map.images.shape == (6, 6, 16, 16)
    np.testing.assert_array_equal(view.decoded_image(), d3.decode(view.sliders.point()[None].astype(np.float32))[0])


def test_a_new_epoch_of_the_same_run_keeps_the_choices_and_redraws(panel, codes_folder, d3, qtbot):
    """What the training scrubber does: set_run(run.at_epoch(e)), another model of the same run."""
    view = panel.codes_view
    panel.set_run(d3)
    view.axis_b.setCurrentIndex(2)
    view.grid_box.setCurrentIndex(view.grid_box.findData(6))
    shown(qtbot, panel)
    other = d3.at_epoch(2)
    assert other.info["snapshot_epoch"] == 2
    point = view.sliders.point()
    panel.set_run(other)
    assert view.readout_timer.isActive() and panel.update_pending()  # the read-out waits for the epochs to stop
    assert (view.axis_a.currentIndex(), view.axis_b.currentIndex(), view.grid_size()) == (0, 2, 6)
    inside = np.clip(point, view.sliders.lo, view.sliders.hi)
    np.testing.assert_array_equal(view.sliders.point(), inside)  # the same code, decoded by the new weights
    values_a, values_b = view.grid_values()
    expected = other.decode(grid_codes(view.sliders.point(), (0, 2), values_a, values_b)).reshape(6, 6, 16, 16)
    np.testing.assert_allclose(view.map.images, expected, atol=1e-6)
    np.testing.assert_array_equal(view.decoded_image(), other.decode(view.sliders.point()[None].astype(np.float32))[0])
    shown(qtbot, panel)
    correlation = np.abs(analysis.attribute_readout(other)["correlation"])
    np.testing.assert_allclose(view.readout.heat_image.image, correlation)
    assert not np.allclose(correlation, np.abs(analysis.attribute_readout(d3)["correlation"]))
    assert ", epoch 2." in view.readout_info.text()


def test_codes_that_are_not_numbers_are_an_error_line_and_nothing_stale(panel, d3, monkeypatch):
    from geoae_gui import engine

    panel.set_run(d3)
    assert panel.codes_view.map.images is not None
    z, attributes = engine.encoded_test_set(d3)
    z[3, 1] = np.nan
    monkeypatch.setattr(engine, "encoded_test_set", lambda run, n=400: (z, attributes))
    panel.set_run(d3.at_epoch(1))
    assert panel.message.kind == "error" and "not finite numbers" in panel.message.text()
    view = panel.codes_view
    assert view.run is None and view.map.images is None and view.sliders.sliders == []
