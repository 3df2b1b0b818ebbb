"""A run of every kind opens in every panel without an error: each shows what applies to the
kind or says in an info line why not."""

import pytest

from geoae_core import train
from geoae_core.kinds import KINDS
from geoae_gui import app
from geoae_gui.window import wait_idle

PANELS = ("train", "latent", "filters", "profile", "position", "experiments")


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gan-runs")
    train("gan-hole", out=folder / "gan", size=16, n_train=64, epochs=1, holes=[[3.0, 5.0]], device="cpu")
    return folder / "gan"


@pytest.fixture(scope="module")
def runs_of_every_kind(runs_folder, gan_run, codes_folder):
    """kind -> a small trained run of it (runs_folder's disk and position runs, a GAN, and
    codes_folder's disks-xy run for the shapes with several attributes)."""
    runs = {name: runs_folder / folder for name, folder in (("disk", "disk"), ("position-encoder", "pos-enc"))}
    runs.update({"position-decoder": runs_folder / "pos-dec", "gan": gan_run, "attributes": codes_folder / "xy"})
    assert set(runs) == set(KINDS)  # a new kind gets a run here too
    return runs


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", PANELS)
def test_every_panel_opens_a_run_of_every_kind_without_an_error(make_window, runs_of_every_kind, kind, name):
    run = runs_of_every_kind[kind]
    window = make_window(run.parent)
    assert window.set_run(run)
    panel = window.show_panel(name)
    wait_idle()
    panel.ensure_current()
    wait_idle()
    assert window.message.kind != "error", window.message.text()
    assert panel.message.kind != "error", panel.message.text()
    assert window.run.kind.name == kind


def test_the_filters_panel_shows_the_generator(make_window, gan_run):
    window = make_window(gan_run.parent)
    window.set_run(gan_run)
    panel = window.show_panel("filters")
    wait_idle()
    assert [panel.side_box.itemText(i) for i in range(panel.side_box.count())] == ["decoder"]
    assert len(panel.shown_kernels) == len(window.run.model.decoder.layers)
    assert "generator" in panel.message.text()


def test_the_screenshot_mode_renders_a_gan_run(gan_run, tmp_path, capsys):
    out = tmp_path / "filters.png"
    assert app.main(["--run", str(gan_run), "--panel", "filters", "--screenshot", str(out)]) == 0
    assert out.stat().st_size > 10_000
