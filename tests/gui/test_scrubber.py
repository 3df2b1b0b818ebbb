"""The scrubber: an epoch slider over a run's snapshots that sets the explorer model's epoch, which
every panel that shows weights follows (Latent, Filters, Profile, Position); hidden for runs
without snapshots; following a run that trains."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from geoae_core import analysis, load_run
from geoae_core.examples import EXAMPLES_FOLDER
from geoae_core.files import STATUS_FILE, hold
from geoae_core.store import read_json, snapshot_path
from geoae_gui import app, engine
from geoae_gui.window import wait_idle


@pytest.fixture
def window_on_disk(make_window, runs_folder):
    """A window on the shared no-bias disk run (40 epochs: snapshots 0 to 32, then every other)."""
    window = make_window(runs_folder)
    assert window.set_run(runs_folder / "disk")
    return window, load_run(runs_folder / "disk")


def assert_kernels(panel, run):
    expected = run.filters("encoder")
    assert len(panel.shown_kernels) == len(expected)
    for shown, weights in zip(panel.shown_kernels, expected):
        np.testing.assert_array_equal(shown, weights)


def test_the_scrubber_starts_at_the_last_epoch_and_shows_on_the_panels_it_drives(window_on_disk):
    window, run = window_on_disk
    scrubber = window.scrubber
    assert scrubber.epochs == run.snapshot_epochs() and scrubber.epochs[-1] == 40
    assert scrubber.shown_epoch == 40 and scrubber.slider.value() == scrubber.slider.maximum()
    assert f"epoch 40 of 40 · loss {run.history[-1]['loss']:.4g}" in scrubber.label.text()
    tabs = ("train", False), ("latent", True), ("filters", True), ("profile", True), ("position", True)
    for name, shown in (*tabs, ("experiments", False)):
        window.show_panel(name)
        assert scrubber.isVisible() is shown, name


def test_moving_the_scrubber_changes_the_filters_the_panel_shows(window_on_disk, qtbot):
    window, run = window_on_disk
    panel = window.show_panel("filters")
    assert_kernels(panel, run)
    assert window.scrubber.show_epoch(3) == 3
    assert_kernels(panel, run.at_epoch(3))
    assert any(not np.array_equal(a, b) for a, b in zip(panel.shown_kernels, run.filters("encoder")))
    assert f"epoch 3 of 40 · loss {run.history[2]['loss']:.4g}" in window.scrubber.label.text()
    # the slider itself: the first move shows at once, a quick second one when the interval ends
    window.scrubber.slider.setValue(0)
    assert window.scrubber.shown_epoch == 0 and "initial weights" in window.scrubber.label.text()
    assert_kernels(panel, run.at_epoch(0))
    window.scrubber.slider.setValue(window.scrubber.epochs.index(20))
    qtbot.waitUntil(lambda: window.scrubber.shown_epoch == 20, timeout=5000)
    assert_kernels(panel, run.at_epoch(20))
    window.scrubber.slider.setValue(window.scrubber.slider.maximum())  # back to the end: the run itself
    qtbot.waitUntil(lambda: panel.run is window.run, timeout=5000)
    assert_kernels(panel, run)


def test_moving_the_scrubber_changes_the_latent_curve(window_on_disk):
    window, run = window_on_disk
    panel = window.show_panel("latent")
    shown_final = np.array(panel.z_curve.getData()[1])
    window.scrubber.show_epoch(2)
    radii, z = engine.z_curve(run.at_epoch(2))
    np.testing.assert_allclose(panel.z_curve.getData()[0], radii)
    np.testing.assert_allclose(panel.z_curve.getData()[1], z, rtol=1e-6)
    assert not np.allclose(panel.z_curve.getData()[1], shown_final)


def test_moving_the_scrubber_changes_the_learned_profile(window_on_disk):
    window, run = window_on_disk
    panel = window.show_panel("profile")
    wait_idle()
    window.scrubber.show_epoch(1)
    wait_idle()
    t, profile = analysis.learned_profile(run.at_epoch(1))
    np.testing.assert_allclose(panel.result["learned"][0], t)
    np.testing.assert_allclose(panel.result["learned"][1], profile, rtol=1e-6)
    final = analysis.learned_profile(run)[1]
    assert not np.allclose(profile, final, atol=1e-3)


def without_snapshots(run: Path, folder: Path) -> Path:
    """A copy of a run as run folders were written before snapshots."""
    shutil.copytree(run, folder)
    shutil.rmtree(folder / "snapshots")
    return folder


def test_another_run_resets_the_scrubber_and_a_run_without_snapshots_hides_it(window_on_disk, runs_folder, tmp_path):
    window, _run = window_on_disk
    window.show_panel("filters")
    window.scrubber.show_epoch(5)
    assert window.set_run(runs_folder / "pos-enc")
    other = load_run(runs_folder / "pos-enc")
    assert (
        window.scrubber.epochs == other.snapshot_epochs() and window.scrubber.shown_epoch == other.history[-1]["epoch"]
    )
    assert window.filters_panel.run is window.run  # the final weights, not a snapshot
    assert window.set_run(without_snapshots(EXAMPLES_FOLDER / "disks", tmp_path / "old"))
    assert window.scrubber.epochs == [] and not window.scrubber.isVisible()


def test_the_scrubber_follows_a_run_that_trains(make_window, runs_folder, tmp_path):
    """A run whose folder a training holds: new snapshots extend the slider, the end follows them."""
    folder = tmp_path / "training"
    shutil.copytree(runs_folder / "disk", folder)
    later = {epoch: snapshot_path(folder, epoch).read_bytes() for epoch in (12, 13, 14)}
    for epoch in [*later, *load_run(folder).snapshot_epochs()[15:]]:
        snapshot_path(folder, epoch).unlink()
    status = read_json(folder / STATUS_FILE)
    (folder / STATUS_FILE).write_text(json.dumps({**status, "status": "running", "epochs_done": 11}), encoding="utf-8")
    window = make_window(tmp_path)
    panel = window.show_panel("filters")
    with hold(folder):  # as a training thread does
        assert window.set_run(folder)
        scrubber = window.scrubber
        assert scrubber._poll.isActive() and "follows new epochs" in scrubber.label.text()
        assert scrubber.epochs == list(range(12)) and scrubber.shown_epoch == 11
        for epoch, data in later.items():
            snapshot_path(folder, epoch).write_bytes(data)
        scrubber.follow_training()
        assert scrubber.epochs == list(range(15)) and scrubber.shown_epoch == 14
        assert_kernels(panel, load_run(runs_folder / "disk").at_epoch(14))
    scrubber.follow_training()  # nobody holds the folder: the training ended
    assert not scrubber._poll.isActive()


def test_geoae_gui_epoch_option(runs_folder, tmp_path, capsys):
    out = tmp_path / "filters-epoch-2.png"
    code = app.main(
        ["--run", str(runs_folder / "disk"), "--panel", "filters", "--epoch", "2", "--screenshot", str(out)]
    )
    assert code == 0 and out.stat().st_size > 10_000
    old = without_snapshots(EXAMPLES_FOLDER / "disks", tmp_path / "old")
    code = app.main(["--run", str(old), "--epoch", "2", "--screenshot", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [f"geoae-gui: {old}: no snapshots of the weights during training to show"]
