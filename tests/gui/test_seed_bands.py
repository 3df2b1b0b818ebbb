"""Runs compared over seeds: the Experiments panel groups the checked runs by setting and draws
each group's mean z(r) with a band of one standard deviation; the numbers are numpy's."""

import csv
import json
import shutil

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from geoae_core import analysis, load_run, train
from geoae_core.config import Config
from geoae_core.examples import EXAMPLES_FOLDER
from geoae_core.seeds import group_by_setting, group_labels, oriented, seed_bands
from geoae_gui.window import wait_idle

BASE = Config(size=16, n_train=60, batch_size=30, epochs=3, device="cpu")
SETTINGS = {"psi3": {"regulariser": "psi3", "lam": 1.0}, "plain": {}}
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def seed_runs(tmp_path_factory):
    """Two settings, three seeds each (the device differs too: not part of the setting)."""
    folder = tmp_path_factory.mktemp("seeds")
    for name, changes in SETTINGS.items():
        for seed in SEEDS:
            train(BASE.replace(seed=seed, checkpoint_every=1 + seed, **changes), out=folder / f"{name}-seed{seed}")
    return folder


def expected_curves(paths):
    """z(r) of each run straight from the engine, oriented with numpy to grow with r."""
    curves = []
    for path in paths:
        z = np.asarray(analysis.z_curve(load_run(path))["z"], float)
        curves.append(-z if z[-1] < z[0] else z)
    return np.stack(curves)


def test_runs_group_by_their_config_without_the_seed(seed_runs):
    runs = [load_run(seed_runs / f"{name}-seed{seed}") for seed in SEEDS for name in SETTINGS]
    groups = group_by_setting(runs)
    assert [[run.path.name for run in group] for group in groups] == [
        [f"{name}-seed{seed}" for seed in SEEDS] for name in SETTINGS
    ]
    assert group_labels(groups) == ['lam=1.0, regulariser="psi3"', 'lam=0.0, regulariser="none"']
    assert group_labels(groups[:1]) == ["one setting"]
    z = np.array([3.0, 2.0, 1.0])
    assert oriented(z)[1] and np.array_equal(oriented(z)[0], -z)


def test_the_mean_and_band_match_numpy(seed_runs):
    runs = [load_run(seed_runs / f"psi3-seed{seed}") for seed in SEEDS]
    (band,) = seed_bands(runs)
    curves = expected_curves(run.path for run in runs)
    np.testing.assert_allclose(band.curves, curves, rtol=1e-6)
    np.testing.assert_allclose(band.mean, curves.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(band.std, curves.std(axis=0, ddof=1), rtol=1e-6)
    assert band.seeds == list(SEEDS) and band.std.max() > 0


def drawn(panel, name):
    items = [i for i in panel.compare_plot.getPlotItem().items if isinstance(i, pg.PlotDataItem) and i.name() == name]
    assert len(items) == 1, name
    return items[0].getData()


def test_the_experiments_panel_draws_each_setting_with_its_band(make_window, seed_runs, tmp_path):
    window = make_window(seed_runs)
    panel = window.show_panel("experiments")
    wait_idle()
    assert len(panel.compared_paths()) == 6
    assert window.model.compared == tuple(panel.compared_paths())  # the checked runs, published
    assert [band.label for band in panel.bands] == ['lam=0.0, regulariser="none"', 'lam=1.0, regulariser="psi3"']
    fills = [i for i in panel.compare_plot.getPlotItem().items if isinstance(i, pg.FillBetweenItem)]
    assert len(fills) == 2
    for band in panel.bands:
        name = band.runs[0].path.name.split("-")[0]
        curves = expected_curves(seed_runs / f"{name}-seed{seed}" for seed in SEEDS)
        mean, std = curves.mean(axis=0), curves.std(axis=0, ddof=1)
        _radii, shown = drawn(panel, f"{band.label}: mean ± 1 sd of 3 seeds")
        np.testing.assert_allclose(shown, mean, rtol=1e-5)
        np.testing.assert_allclose(drawn(panel, f"{band.label} mean + sd")[1], mean + std, rtol=1e-5)
        np.testing.assert_allclose(drawn(panel, f"{band.label} mean - sd")[1], mean - std, rtol=1e-5)
    assert legend_names(panel) == [f"{band.label}: mean ± 1 sd of 3 seeds" for band in panel.bands]
    # the individual curves, when asked: unnamed (the legend lists each setting once), thinner, same colour
    count = len(panel.compare_plot.getPlotItem().listDataItems())
    panel.individual_box.setChecked(True)
    assert len(panel.compare_plot.getPlotItem().listDataItems()) == count + 6
    assert legend_names(panel) == [f"{band.label}: mean ± 1 sd of 3 seeds" for band in panel.bands]
    singles = [i for i in panel.compare_plot.getPlotItem().listDataItems() if i.name() is None]
    assert len(singles) == 6
    psi3 = next(band for band in panel.bands if "psi3" in band.label)
    name = f"{psi3.label}: mean ± 1 sd of 3 seeds"
    (mean_pen,) = [i for i in panel.compare_plot.getPlotItem().listDataItems() if i.name() == name]
    expected = expected_curves([seed_runs / "psi3-seed1"])[0]
    (single,) = [i for i in singles if np.allclose(i.getData()[1], expected, rtol=1e-5)]
    assert single.opts["pen"].widthF() < mean_pen.opts["pen"].widthF()
    assert single.opts["pen"].color().rgb() == mean_pen.opts["pen"].color().rgb()
    # export still writes every format, the band's bounds among the CSV columns
    written = panel.export(tmp_path / "out")
    assert sorted(p.suffix for p in written) == [".csv", ".pdf", ".png", ".svg"]
    header = next(csv.reader((tmp_path / "out" / "experiments-compare_z.csv").open()))
    assert any("mean + sd" in column for column in header)


def legend_names(panel):
    return [label.text for _sample, label in panel.compare_plot.getPlotItem().legend.items]


def pixel(image, plot, x, y):
    """The colour drawn at the data point (x, y) of the plot, from a grab of the widget."""
    scene = plot.getPlotItem().vb.mapViewToScene(QPointF(float(x), float(y)))
    point = plot.mapFromScene(scene)
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(point.x() * ratio), round(point.y() * ratio))


def test_the_band_is_painted_between_its_bounds(make_window, seed_runs):
    """By pixels: inside a band the plot takes its colour, blended over what is behind it; outside
    it, nothing changes. Each band is grabbed alone, with and without its fill."""
    window = make_window(seed_runs)
    panel = window.show_panel("experiments")
    wait_idle()
    plot = panel.compare_plot
    vb = plot.getPlotItem().vb
    fills = [i for i in plot.getPlotItem().items if isinstance(i, pg.FillBetweenItem)]
    per_pixel = abs(vb.mapSceneToView(QPointF(0, 0)).y() - vb.mapSceneToView(QPointF(0, 1)).y())
    lines = [line for band in panel.bands for line in (band.mean, band.mean + band.std, band.mean - band.std)]
    top = vb.viewRange()[1][1]
    for index, band in enumerate(panel.bands):
        for fill in fills:
            fill.hide()
        without = plot.grab().toImage()
        fills[index].show()
        with_band = plot.grab().toImage()
        colour = fills[index].brush().color()
        alpha, checked = colour.alphaF(), 0
        assert band.std.max() > 12 * per_pixel  # a band a few pixels wide at least
        for j, r in enumerate(band.radii[1:-1], start=1):
            for y in band.mean[j] + np.array([-0.6, -0.3, 0.3, 0.6]) * band.std[j]:
                if any(abs(y - line[j]) < 4 * per_pixel for line in lines):
                    continue  # too near a drawn curve: its antialiased edge blends with the fill
                behind, shown = pixel(without, plot, r, y), pixel(with_band, plot, r, y)
                if behind != QColor("white"):
                    continue  # a grid line or the hole's shading, drawn over the fill or under it
                for part in ("red", "green", "blue"):
                    blended = alpha * getattr(colour, part)() + (1 - alpha) * getattr(behind, part)()
                    assert abs(getattr(shown, part)() - blended) <= 8, (band.label, r, y, part)
                checked += 1
            above = band.mean[j] + band.std[j] + 8 * per_pixel  # outside the band: untouched
            if above < top - 2 * per_pixel and not any(abs(above - line[j]) < 4 * per_pixel for line in lines):
                assert pixel(with_band, plot, r, above) == pixel(without, plot, r, above)
        assert checked > 20, band.label
    for fill in fills:
        fill.show()


def test_the_legend_sits_outside_the_curves(make_window, seed_runs):
    window = make_window(seed_runs)
    panel = window.show_panel("experiments")
    panel.individual_box.setChecked(True)
    wait_idle()
    item = panel.compare_plot.getPlotItem()
    legend, vb = item.legend, item.vb
    assert len(legend.items) == 2 and legend.isVisible()
    legend_rect, view_rect = legend.sceneBoundingRect(), vb.sceneBoundingRect()
    assert legend_rect.height() > 10 and not legend_rect.intersects(view_rect)
    assert panel.compare_plot.sceneRect().contains(legend_rect)  # all of it on screen
    for curve in item.listDataItems():  # no drawn point under the legend
        x, y = curve.getData()
        for px, py in zip(x, y):
            assert not legend_rect.contains(vb.mapViewToScene(QPointF(float(px), float(py))))


def test_stopped_runs_and_repeated_seeds_stay_out_of_the_band(make_window, seed_runs, tmp_path):
    """The issue's case: a run stopped at an early epoch, with the seed of a finished run."""
    folder = tmp_path / "runs"
    for seed in SEEDS:
        shutil.copytree(seed_runs / f"plain-seed{seed}", folder / f"plain-seed{seed}")
    stopped = folder / "plain-stopped"
    shutil.copytree(seed_runs / "plain-seed0", stopped)
    status = json.loads((stopped / "run.json").read_text())
    (stopped / "run.json").write_text(json.dumps({**status, "status": "cancelled", "epochs_done": 1}))
    window = make_window(folder)
    panel = window.show_panel("experiments")
    wait_idle()
    texts = [panel.run_list.item(i).text() for i in range(panel.run_list.count())]
    assert "plain-stopped  (stopped at 1/3)" in texts
    assert len(panel.compared_paths()) == 4
    (band,) = panel.bands
    assert sorted(run.path.name for run in band.runs) == [f"plain-seed{seed}" for seed in SEEDS]
    assert legend_names(panel) == ["one setting: mean ± 1 sd of 3 seeds"]
    assert panel.comparison.note.isVisibleTo(panel) and "plain-stopped, unfinished (stopped at 1/3)" in (
        panel.comparison.note.text()
    )
    # asked for: the stopped run is in, but seed 0 counts once, the finished run's
    panel.unfinished_box.setChecked(True)
    (band,) = panel.bands
    assert sorted(run.path.name for run in band.runs) == [f"plain-seed{seed}" for seed in SEEDS]
    assert "plain-stopped, seed 0 again in its setting: plain-seed0 kept (the finished one)" in (
        panel.comparison.note.text()
    )
    # alone with seeds 1 and 2, the stopped run makes the third seed, said so in the legend
    panel.run_list.item(texts.index("plain-seed0")).setCheckState(Qt.CheckState.Unchecked)
    (band,) = panel.bands
    assert sorted(run.path.name for run in band.runs) == ["plain-seed1", "plain-seed2", "plain-stopped"]
    assert legend_names(panel) == ["one setting: mean ± 1 sd of 3 seeds, 1 unfinished"]
    assert "Left out" not in panel.comparison.note.text()


def test_the_comparison_lists_the_folder_on_screen(make_window, seed_runs, tmp_path):
    """The examples on screen: their disk runs are compared, not those of the (empty) runs folder."""
    window = make_window(tmp_path / "empty")
    panel = window.show_panel("experiments")
    wait_idle()
    assert panel.run_list.count() == 0
    window.open_examples()
    window.show_panel("experiments")
    wait_idle()
    names = [panel.run_list.item(i).text() for i in range(panel.run_list.count())]
    assert names == ["disks", "disks-hole", "disks-hole-psi3", "disks-nobias"]
    assert str(EXAMPLES_FOLDER) in panel.comparison.folder_label.text()
    assert panel.bands and all(len(band.runs) == 1 for band in panel.bands)
    window.model.set_folder(seed_runs)  # followed at once while on screen
    assert panel.run_list.count() == 6 and str(seed_runs) in panel.comparison.folder_label.text()


def test_a_single_run_is_drawn_as_itself_without_a_band(make_window, seed_runs):
    window = make_window(seed_runs)
    panel = window.show_panel("experiments")
    wait_idle()
    for i in range(panel.run_list.count()):
        item = panel.run_list.item(i)
        if item.text() != "plain-seed2":
            item.setCheckState(Qt.CheckState.Unchecked)
    assert [len(band.runs) for band in panel.bands] == [1]
    assert not [i for i in panel.compare_plot.getPlotItem().items if isinstance(i, pg.FillBetweenItem)]
    np.testing.assert_allclose(drawn(panel, "plain-seed2")[1], expected_curves([seed_runs / "plain-seed2"])[0])
