"""Runs compared over seeds: the Experiments panel groups the checked runs by setting and draws
each group's mean z(r) with a band of one standard deviation; the numbers are numpy's."""

import csv

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from geoae_core import analysis, load_run, train
from geoae_core.config import Config
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
    # the individual curves, when asked
    count = len(panel.compare_plot.getPlotItem().listDataItems())
    panel.individual_box.setChecked(True)
    assert len(panel.compare_plot.getPlotItem().listDataItems()) == count + 6
    np.testing.assert_allclose(drawn(panel, "psi3-seed1")[1], expected_curves([seed_runs / "psi3-seed1"])[0], rtol=1e-5)
    # export still writes every format, the band's bounds among the CSV columns
    written = panel.export(tmp_path / "out")
    assert sorted(p.suffix for p in written) == [".csv", ".pdf", ".png", ".svg"]
    header = next(csv.reader((tmp_path / "out" / "experiments-compare_z.csv").open()))
    assert any("mean + sd" in column for column in header)


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
