"""Latent explorer: the z slider decodes live (and fast), the radius grows along it, encoding
a disk marks z(r), the interpolation strip, holes shaded."""

import itertools
import time

import numpy as np
import pytest

from geoae_core import train
from geoae_gui.panels.latent import SLIDER_STEPS


def disk_mass(image: np.ndarray) -> float:
    """Grey mass of a decoded disk, about pi r^2: grows with the radius."""
    return float(np.clip(image, 0.0, 1.0).sum())


def shown(qtbot, panel) -> None:
    """Let the event loop show what the controls asked for (moves are drawn once per frame)."""
    qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)


def test_z_slider_decodes_a_growing_disk(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    assert window.set_run(runs_folder / "disk")
    panel = window.show_panel("latent")
    assert panel.z_slider.isEnabled() and not panel.message.isVisible()
    masses, images = [], []
    for value in (100, 300, 500, 700, 900, SLIDER_STEPS):
        panel.z_slider.setValue(value)
        image = panel.decoded_image().copy()
        assert abs(panel.z_spin.value() - panel.slider_to_z(value)) < 1e-3
        images.append(image)
        masses.append(disk_mass(image))
    # each move decoded a new image, and the disk grows from the left end to the right end
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(images))
    assert all(b >= a for a, b in itertools.pairwise(masses)), masses
    assert masses[-1] > 3 * masses[0] + 20
    # the slider runs from the code of the smallest disk to the code of the largest, so "radius
    # grows with z" holds along the slider whatever sign the encoder chose; along z itself:
    _radii, z = panel.z_curve.getData()
    direction = np.sign(z[-1] - z[0])
    assert direction != 0
    lo, hi = sorted((panel.slider_to_z(100), panel.slider_to_z(900)))
    small, large = (lo, hi) if direction > 0 else (hi, lo)
    panel.set_z(small)
    mass_small = disk_mass(panel.decoded_image())
    panel.set_z(large)
    assert disk_mass(panel.decoded_image()) > mass_small
    # the spin box drives the slider too
    panel.z_spin.setValue(panel.slider_to_z(250))
    shown(qtbot, panel)
    assert abs(panel.z_slider.value() - 250) <= 1
    # the radial profile follows the decoded image
    t, f = panel.profile_curve.getData()
    assert len(t) > 5 and np.isfinite(f).all()


def test_decoding_follows_the_mouse(make_window, runs_folder, qapp):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("latent")
    panel.decode_ms.clear()
    tick = time.perf_counter()
    for value in range(0, SLIDER_STEPS + 1, 20):  # 51 moves, each decoded and redrawn
        panel.z_slider.setValue(value)
        while panel.update_pending():
            qapp.processEvents()
        qapp.processEvents()  # the paint the update asked for
    per_move = (time.perf_counter() - tick) / 51 * 1000
    decode = float(np.median(panel.decode_ms))
    print(f"\nslider: decode {decode:.2f} ms (median), whole move with redraw {per_move:.1f} ms")
    assert len(panel.decode_ms) == 51
    assert decode < 30 and per_move < 60


def test_encode_a_disk_and_interpolate(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("latent")
    panel.r_spin.setValue(6.0)
    shown(qtbot, panel)
    x, y = panel.marker.getData()
    assert list(x) == [6.0]
    radii, z = panel.z_curve.getData()
    assert abs(y[0] - np.interp(6.0, radii, z)) < 0.05 * (np.abs(z).max() + 1e-9)
    assert panel.input_plot.data.shape == (32, 32) and panel.recon_plot.data.shape == (32, 32)
    assert "→ z =" in panel.r_info.text()
    panel.steps_spin.setValue(5)
    shown(qtbot, panel)
    assert panel.strip_plot.data.shape == (32, 5 * 32 + 4 * 2)
    # training radii are marked on the curve
    assert len(panel.train_points.data) > 50


def test_holes_are_shaded_and_marked(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk-hole")
    panel = window.show_panel("latent")
    assert [r.getRegion() for r in panel.hole_regions] == [(5.0, 9.0)]
    panel.r_spin.setValue(7.0)
    shown(qtbot, panel)
    assert "in a hole" in panel.r_info.text()
    train_r = panel.train_points.data["x"]
    assert not ((train_r > 5.0) & (train_r < 9.0)).any()


def test_position_run_is_explained_not_crashed(make_window, runs_folder):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-enc")
    panel = window.show_panel("latent")
    text = panel.message.label.text()
    assert panel.message.isVisible() and "a position encoder" in text.lower() and "this is a" not in text
    assert "Position" in text and not panel.z_slider.isEnabled()


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gan-latent")
    # 30 epochs (about 3 s): a generator that has left its flat start, so its images are not blank
    train("gan-hole", out=folder / "gan", size=16, n_train=64, epochs=30, holes=[[3.0, 5.0]], device="cpu", seed=1)
    return folder / "gan"


def test_a_gan_run_gets_a_z_slider_decoding_its_generator(make_window, gan_run, qtbot):
    """Issue 23: a GAN run's Latent explorer said only "this is a gan run"."""
    window = make_window(gan_run.parent)
    window.set_run(gan_run)
    panel = window.show_panel("latent")
    run = panel.run
    probe = run.kind.probe(run, "decoder")
    assert panel.z_slider.isEnabled() and panel.z_spin.isEnabled()
    assert (panel.z_spin.minimum(), panel.z_spin.maximum()) == pytest.approx((probe.low, probe.high))
    assert "generator" in panel.message.label.text() and "this is a" not in panel.message.label.text()
    # decode only: no radius to encode, no z(r)
    assert not panel.encode_box.isVisible() and not panel.curve_box.isVisible() and not panel.r_spin.isEnabled()
    images = []
    for value in (0, SLIDER_STEPS // 2, SLIDER_STEPS):
        panel.z_slider.setValue(value)
        shown(qtbot, panel)
        images.append(panel.decoded_image().copy())
        assert images[-1].shape == (16, 16) and np.isfinite(images[-1]).all()
        assert images[-1].max() - images[-1].min() > 1e-3
    assert all(not np.allclose(a, b) for a, b in itertools.pairwise(images))
    assert abs(panel.z_spin.value() - probe.high) < 1e-6
    t, f = panel.profile_curve.getData()
    assert len(t) > 3 and np.isfinite(f).all()


def test_a_position_decoder_run_decodes_a_dirac_along_the_slider(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-dec")
    panel = window.show_panel("latent")
    assert panel.z_slider.isEnabled() and (panel.z_spin.minimum(), panel.z_spin.maximum()) == (0.0, 15.0)
    run = panel.run
    signals = []
    for value in (200, 800):
        panel.z_slider.setValue(value)
        shown(qtbot, panel)
        signal = panel.decoded_image()
        assert signal.shape == (1, 16)  # a Dirac, drawn as a strip
        np.testing.assert_allclose(signal[0], run.decode([[panel.slider_to_z(value)]])[0], atol=1e-6)
        _t, f = panel.profile_curve.getData()
        np.testing.assert_allclose(f, signal[0])  # and along its samples
        signals.append(signal.copy())
    assert not np.allclose(*signals)
    assert panel.z_label.text() == run.kind.probe(run, "decoder").label
    assert "sample" in panel.profile_plot.getPlotItem().getAxis("bottom").labelText
