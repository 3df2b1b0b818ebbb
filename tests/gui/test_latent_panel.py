"""Latent explorer: the z slider decodes live (and fast), the radius grows along it, encoding
a disk marks z(r), the interpolation strip, holes shaded."""

import itertools
import time

import numpy as np

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
    assert panel.message.isVisible() and "disk runs" in panel.message.label.text()
    assert not panel.z_slider.isEnabled()
