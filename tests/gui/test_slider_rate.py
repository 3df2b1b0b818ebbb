"""Slider moves at display rate (issue 18): a burst of moves is drawn once, with the last value;
a move repaints only the views it changes; static items are drawn from a cache, never in exports."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsItem

from geoae_core.theory import handcrafted_table, radial_profile
from geoae_gui import engine
from geoae_gui.widgets.plots import export_widget, tile

CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache


def shown(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)


class PaintCounter(QObject):
    """Counts the paint events each watched widget receives."""

    def __init__(self, widgets: dict):
        super().__init__()
        self.counts = dict.fromkeys(widgets, 0)
        self._names = {}
        for name, widget in widgets.items():
            self._names[widget] = name
            widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.counts[self._names[obj]] += 1
        return False

    def painted(self) -> set[str]:
        return {name for name, count in self.counts.items() if count}


@pytest.fixture
def latent(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("latent")
    qtbot.wait(50)  # the first paint
    return panel


def test_a_burst_of_z_moves_is_decoded_once_with_the_last_value(latent, qtbot):
    panel = latent
    panel.decode_ms.clear()
    for value in (100, 250, 400, 730):
        panel.z_slider.setValue(value)
    assert panel.update_pending()
    shown(qtbot, panel)
    assert len(panel.decode_ms) == 1  # one decode for the whole burst
    z = panel.slider_to_z(730)
    expected = panel.run.decode(np.array([[z]], np.float32))[0]
    np.testing.assert_allclose(panel.decoded_plot.data, expected)
    np.testing.assert_allclose(panel.decoded_plot.image.image, expected)
    _t, f = radial_profile(expected)
    np.testing.assert_allclose(panel.profile_curve.getData()[1], f)
    assert panel.z_line.value() == pytest.approx(z)
    assert panel.z_spin.value() == pytest.approx(z, abs=1e-4)
    assert panel.z_slider.value() == 730
    assert panel.z_info.text().startswith(f"z = {z:.4g} ")


def test_the_spin_box_wins_when_it_moves_last(latent, qtbot):
    panel = latent
    panel.z_slider.setValue(900)
    z = panel.slider_to_z(120)
    panel.z_spin.setValue(z)
    shown(qtbot, panel)
    expected = panel.run.decode(np.array([[panel.z_spin.value()]], np.float32))[0]
    np.testing.assert_allclose(panel.decoded_image(), expected)
    assert abs(panel.z_slider.value() - 120) <= 1


def test_a_burst_of_r_moves_and_strip_edits_shows_the_last_values(latent, qtbot):
    panel = latent
    for value in (40, 90, 120):
        panel.r_slider.setValue(value)
    panel.ra_spin.setValue(3.0)
    panel.rb_spin.setValue(12.0)
    panel.steps_spin.setValue(4)
    shown(qtbot, panel)
    x = engine.disk_inputs(panel.run, np.array([12.0]))
    z = panel.run.encode(x)
    np.testing.assert_allclose(panel.input_plot.data, x[0])
    np.testing.assert_allclose(panel.recon_plot.data, panel.run.decode(z)[0])
    assert list(panel.marker.getData()[0]) == [12.0]
    assert panel.r_info.text().startswith("r = 12.00 → z =")
    za, zb = panel.run.encode(engine.disk_inputs(panel.run, np.array([3.0, 12.0])))[:, 0]
    images = panel.run.decode(np.linspace(za, zb, 4, dtype=np.float32)[:, None])
    np.testing.assert_allclose(panel.strip_plot.data, tile(list(images), columns=4, gap=2, fill=1.0))


def test_a_z_move_repaints_only_what_it_changes(latent, qtbot):
    panel = latent
    z_view = panel.z_plot.getPlotItem().getViewBox()
    range_before = z_view.viewRange()
    views = {name: widget.viewport() for name, widget in panel.plots().items()}
    counter = PaintCounter({**views, "r spin box": panel.r_spin, "r info": panel.r_info})
    for value in (300, 310, 320, 330):
        panel.z_slider.setValue(value)
        shown(qtbot, panel)
        qtbot.wait(20)
    assert counter.painted() == {"decoded", "profile", "z_of_r"}
    # the encoder curve keeps its axes: no autoscale per move, its static items come from a cache
    assert z_view.viewRange() == range_before
    assert z_view.autoRangeEnabled() == [False, False]
    assert panel.z_curve.curve.cacheMode() == CACHED and panel.train_points.cacheMode() == CACHED
    assert panel.z_plot.getPlotItem().getAxis("left").cacheMode() == CACHED


def test_export_draws_cached_items_afresh(latent, tmp_path):
    panel = latent
    scene = panel.z_plot.scene()
    cached = [item for item in scene.items() if item.cacheMode() == CACHED]
    assert cached
    export_widget(panel.z_plot, tmp_path / "cached", ("svg",))
    assert all(item.cacheMode() == CACHED for item in cached)  # restored after the export
    for item in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    export_widget(panel.z_plot, tmp_path / "plain", ("svg",))
    with_cache = (tmp_path / "cached.svg").read_text()
    without = (tmp_path / "plain.svg").read_text()
    for tag in ("<text", "<image", "<path", "<polyline"):
        assert with_cache.count(tag) == without.count(tag), tag


def test_kernel_edits_and_decoder_moves_show_the_last_values(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-dec")
    panel = window.show_panel("position")
    for value in (3.0, 0.5, 2.5):
        panel.kernel_spins[1].setValue(value)
    panel.kernel_spins[0].setValue(0.5)
    for value in (100, 600, 350):
        panel.z_slider.setValue(value)
    assert panel.update_pending()
    shown(qtbot, panel)
    rows = handcrafted_table(8, (0.5, 2.5, 1.0))
    outputs = [float(row["layers"][-1][0]) for row in rows]
    last = panel.table.columnCount() - 1
    assert [float(panel.table.item(a, last).text()) for a in range(8)] == pytest.approx(outputs)
    np.testing.assert_allclose(panel.hand_curve.getData()[1], outputs)
    z = (panel.decoder.config.size - 1) * 350 / 1000
    expected = panel.decoder.decode(np.array([[z]], np.float32))[0]
    np.testing.assert_allclose(panel.dec_curve.getData()[1], expected)
    assert panel.dec_info.text().startswith(f"pos-dec: z = {z:.3f}")
