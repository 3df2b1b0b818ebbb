"""Filters and Profile panels on trained runs."""

import numpy as np
import pyqtgraph as pg

from geoae_core import load_run


def test_position_run_shows_its_kernels_beside_121(make_window, runs_folder):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-enc")
    panel = window.show_panel("filters")
    run = load_run(runs_folder / "pos-enc")
    expected = run.filters("encoder")
    assert len(panel.shown_kernels) == len(expected) == 4  # size 16: four layers
    for shown, weights in zip(panel.shown_kernels, expected):
        np.testing.assert_array_equal(shown, weights)
    plots = [item for item in panel.kernels.ci.items if isinstance(item, pg.PlotItem)]
    assert len(plots) == 4
    for plot, weights in zip(plots, expected):
        curves = [c for c in plot.listDataItems() if isinstance(c, pg.PlotDataItem)]
        assert len(curves) == 2  # the learned taps and [1, 2, 1] scaled to them
        np.testing.assert_allclose(curves[0].getData()[1], weights.reshape(-1), rtol=1e-6)
        scaled = curves[1].getData()[1]
        np.testing.assert_allclose(scaled / scaled[1], [0.5, 1.0, 0.5], rtol=1e-6)
    assert all(c is not None and 0.0 <= c <= 1.0 + 1e-9 for c in panel.shown_cosines)
    assert "|cos|" in plots[0].titleLabel.text
    assert panel.side_box.count() == 1 and panel.side_box.currentText() == "encoder"
    # activations for a chosen Dirac: one plot per layer, lengths 8, 4, 2, 1
    panel.input_spin.setValue(5)
    lengths = [len(item.listDataItems()[0].getData()[0]) for item in panel.activations.ci.items]
    assert lengths == [8, 4, 2, 1]


def test_disk_run_kernels_share_one_colour_scale(make_window, runs_folder):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("filters")
    assert panel.colorbar is not None
    low, high = panel.colorbar.levels()
    bound = max(float(np.abs(w).max()) for w in load_run(runs_folder / "disk").filters("encoder"))
    assert np.isclose(high, bound) and np.isclose(low, -bound)
    images = [i for item in panel.kernels.ci.items if isinstance(item, pg.PlotItem) for i in item.items]
    images = [i for i in images if isinstance(i, pg.ImageItem)]
    assert len(images) == 5 and all(tuple(i.getLevels()) == (-bound, bound) for i in images)
    panel.side_box.setCurrentText("decoder")
    assert [w.shape for w in panel.shown_kernels] == [
        w.shape for w in load_run(runs_folder / "disk").filters("decoder")
    ]
    panel.input_spin.setValue(3.0)
    assert "decoder" in panel.activations_title.text()


def test_profile_panel_against_the_theory(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("profile")
    qtbot.waitUntil(lambda: panel.result is not None or panel.message.kind == "error", timeout=60_000)
    assert panel.result is not None, panel.message.label.text()
    text = panel.facts.text()
    assert "R = 16 px" in text and "k = " in text and "correlation" in text
    names = [item.name() for item in panel.profile_plot.getPlotItem().listDataItems()]
    assert names == ["Airy closed form", "max J numerically", "leading singular vector", "learned (network)"]
    assert panel.r_line.value() == 16.0
    assert len(panel.h_plot.getPlotItem().listDataItems()) == 2


def test_profile_panel_explains_a_position_run(make_window, runs_folder):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-dec")
    panel = window.show_panel("profile")
    assert "disk runs" in panel.message.label.text()


def fed_to(run, side: str) -> list[np.ndarray]:
    """Every batch `run`'s `side` gets through its activations from now on."""
    fed: list[np.ndarray] = []
    activations = run.activations

    def spied(x, which="encoder"):
        if which == side:
            fed.append(np.asarray(x, float))
        return activations(x, which)

    run.activations = spied
    return fed


def test_the_decoder_side_of_a_disk_run_takes_codes_in_its_range(make_window, runs_folder):
    """Issue 23: the decoder was fed the radius control's value (0.1 .. 15.9) as a code, while the
    run's codes lie far from there; the label still said "input disk radius r"."""
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("filters")
    run = panel.run
    low, high = (float(v[0]) for v in run.kind.code_range(run))
    panel.side_box.setCurrentText("decoder")
    assert "radius" not in panel.input_label.text() and "code" in panel.input_label.text()
    spin = panel.input_spin
    assert low - 1e-3 <= spin.minimum() < spin.maximum() <= high + 1e-3, (spin.minimum(), spin.maximum(), low, high)
    assert low <= spin.value() <= high
    fed = fed_to(run, "decoder")
    spin.setValue(spin.minimum() + 0.25 * (spin.maximum() - spin.minimum()))
    assert len(fed) == 1 and low <= fed[0].min() <= fed[0].max() <= high
    assert "code z" in panel.activations_title.text()
    # the last layer is the decoded disk: not noise, a disk brighter in the middle than at the border
    decoded = run.decode(fed[0])[0]
    assert decoded[16, 16] > decoded[0, 0] + 0.3


def test_an_attributes_run_takes_a_shape_not_a_dirac(make_window, codes_folder):
    """Issue 23: an attributes run fell into the Dirac branch ("input Dirac at position", whole
    numbers only) and was fed a disk of that radius."""
    window = make_window(codes_folder)
    window.set_run(codes_folder / "xy")
    panel = window.show_panel("filters")
    run = panel.run
    probe = run.kind.probe(run, "encoder")
    assert panel.side_box.currentText() == "encoder"
    assert "Dirac" not in panel.input_label.text() and probe.label in panel.input_label.text()
    assert panel.input_spin.decimals() == probe.decimals > 0
    assert (panel.input_spin.minimum(), panel.input_spin.maximum()) == (probe.low, probe.high)
    fed = fed_to(run, "encoder")
    panel.input_spin.setValue(2.25)
    assert len(fed) == 1 and fed[0].shape == (1, 16, 16)
    np.testing.assert_allclose(fed[0], probe.make(np.array([2.25])), atol=1e-6)
