"""A GAN run opens in every panel without an error: each shows what applies or says why not."""

import pytest

from geoae_core import train
from geoae_gui import app
from geoae_gui.window import wait_idle

PANELS = ("train", "latent", "filters", "profile", "position", "experiments")


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gan-runs")
    train("gan-hole", out=folder / "gan", size=16, n_train=64, epochs=1, holes=[[3.0, 5.0]], device="cpu")
    return folder / "gan"


@pytest.mark.parametrize("name", PANELS)
def test_every_panel_opens_a_gan_run_without_an_error(make_window, gan_run, name):
    window = make_window(gan_run.parent)
    assert window.set_run(gan_run)
    panel = window.show_panel(name)
    wait_idle()
    panel.ensure_current()
    wait_idle()
    assert window.message.kind != "error", window.message.text()
    assert panel.message.kind != "error", panel.message.text()


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
