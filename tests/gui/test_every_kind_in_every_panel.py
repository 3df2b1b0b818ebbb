"""A run of every kind in every panel: no error, and what is drawn fits the kind. The input controls
say what the kind's probe says (label, range, whole numbers or not), a decoder is fed codes inside
the run's code range, and every image and curve on screen holds numbers (not blank, not NaN)."""

import numpy as np
import pyqtgraph as pg
import pytest

from geoae_core import load_run, train
from geoae_core.kinds import KINDS
from geoae_gui import app
from geoae_gui.panels import PANELS
from geoae_gui.window import wait_idle

PANEL_NAMES = [panel.name for panel in PANELS]


@pytest.fixture(scope="module")
def gan_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gan-runs")
    # 30 epochs (about 3 s): a generator that has left its flat start, so its images are not blank
    train("gan-hole", out=folder / "gan", size=16, n_train=64, epochs=30, holes=[[3.0, 5.0]], device="cpu", seed=1)
    return folder / "gan"


@pytest.fixture(scope="module")
def runs_of_every_kind(runs_folder, gan_run, codes_folder):
    """kind -> a small trained run of it (runs_folder's disk and position runs, a GAN, and
    codes_folder's disks-xy run for the shapes with several attributes)."""
    runs = {name: runs_folder / folder for name, folder in (("disk", "disk"), ("position-encoder", "pos-enc"))}
    runs.update({"position-decoder": runs_folder / "pos-dec", "gan": gan_run, "attributes": codes_folder / "xy"})
    assert set(runs) == set(KINDS)  # a new kind gets a run here too
    return runs


# ------------------------------------------------------------------ what is drawn
def drawn(widget) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(images, curves): the data of every ImageItem and every curve's y in the visible plots of `widget`."""
    images, curves = [], []
    views = widget.findChildren(pg.GraphicsView) + ([widget] if isinstance(widget, pg.GraphicsView) else [])
    for view in views:
        if not view.isVisible():
            continue
        for item in view.scene().items():
            if isinstance(item, pg.ImageItem) and item.image is not None:
                images.append(np.asarray(item.image, float))
            elif isinstance(item, pg.PlotCurveItem) and item.getData()[1] is not None:
                curves.append(np.asarray(item.getData()[1], float))
    return images, curves


def assert_numbers(array: np.ndarray, what: str) -> None:
    """Numbers, and not all the same: NaN only as the gaps `tile` leaves between blocks."""
    assert array.size and not np.isinf(array).any(), f"{what}: empty or infinite"
    assert np.isfinite(array).any(), f"{what}: all NaN"


def assert_not_blank(array: np.ndarray, what: str) -> None:
    assert_numbers(array, what)
    assert np.nanmax(array) - np.nanmin(array) > 1e-3, f"{what}: blank (every value {np.nanmax(array):.4g})"


def assert_everything_drawn_is_numbers(panel) -> None:
    images, curves = drawn(panel)
    for index, image in enumerate(images):
        assert_numbers(image, f"{panel.name}: image {index}")
    for index, curve in enumerate(curves):
        if curve.size:
            assert_numbers(curve, f"{panel.name}: curve {index}")


def says_title(panel, run) -> bool:
    """The panel's message names the kind by its title."""
    return run.kind.title(run.config).lower() in panel.message.text().lower()


def code_range(run) -> tuple[float, float]:
    low, high = run.kind.code_range(run)
    return float(low[0]), float(high[0])


def spy_on_decoder(run) -> list[np.ndarray]:
    """Every batch of codes `run`'s decoder gets from now on (decode, or the decoder's activations)."""
    fed: list[np.ndarray] = []
    decode, activations = run.decode, run.activations

    def spied_decode(z):
        fed.append(np.asarray(z, float))
        return decode(z)

    def spied_activations(x, side="encoder"):
        if side == "decoder":
            fed.append(np.asarray(x, float))
        return activations(x, side)

    run.decode, run.activations = spied_decode, spied_activations
    return fed


def assert_inside(codes: list[np.ndarray], run) -> None:
    low, high = run.kind.code_range(run)
    assert codes, "the decoder was fed nothing"
    for batch in codes:
        batch = batch.reshape(len(batch), -1)
        slack = 1e-6 + 1e-6 * np.abs(high - low)
        assert ((batch >= low - slack) & (batch <= high + slack)).all(), (batch.min(0), batch.max(0), low, high)


# ------------------------------------------------------------------ each panel's content
def check_latent(panel, run, qtbot) -> None:
    views = run.kind.views(run.config)
    if "codes" in views:
        assert panel.views.currentWidget() is panel.codes_view
        image = panel.codes_view.decoded_plot.data
        assert image is not None
        assert_not_blank(image, "codes view: decoded image")
        return
    if "decode" not in views:
        assert says_title(panel, run) and not panel.z_slider.isEnabled()
        return
    assert panel.z_slider.isEnabled() and panel.views.currentWidget() is panel.scalar_view
    if "encode_radius" not in views:  # the decoder alone: the slider spans the codes it takes
        low, high = code_range(run)
        assert (panel.z_spin.minimum(), panel.z_spin.maximum()) == pytest.approx((low, high), abs=1e-3)
        assert panel.z_label.text() == run.kind.probe(run, "decoder").label
        assert not panel.encode_box.isVisible() and not panel.curve_box.isVisible()
    fed = spy_on_decoder(panel.run)
    images = []
    for value in (100, 900):
        panel.z_slider.setValue(value)
        qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)
        images.append(panel.decoded_image().copy())
        assert_not_blank(images[-1], f"latent: decoded at slider {value}")
    assert not np.allclose(images[0], images[1]), "the decoded output does not follow the slider"
    if "encode_radius" not in views:
        assert_inside(fed, run)
    t, f = panel.profile_curve.getData()
    assert len(t) > 3
    assert_not_blank(f, "latent: profile of the decoded output")


def check_filters(panel, run, qtbot) -> None:
    probes = {side: run.kind.probe(run, side) for side in ("encoder", "decoder")}
    probes = {side: probe for side, probe in probes.items() if probe is not None}
    assert [panel.side_box.itemText(i) for i in range(panel.side_box.count())] == list(probes)
    for side, probe in probes.items():
        panel.side_box.setCurrentText(side)
        spin = panel.input_spin
        assert probe.label in panel.input_label.text()
        assert (spin.minimum(), spin.maximum()) == pytest.approx((probe.low, probe.high), abs=1e-3)
        assert spin.decimals() == probe.decimals
        if side == "decoder":  # codes, not radii: inside what the run's decoder takes
            low, high = code_range(run)
            assert low - 1e-3 <= spin.minimum() <= spin.maximum() <= high + 1e-3
            fed = spy_on_decoder(panel.run)
            spin.setValue(probe.low + 0.3 * (probe.high - probe.low))
            assert_inside(fed, run)
        else:
            spin.setValue(probe.low + 0.6 * (probe.high - probe.low))
        images, curves = drawn(panel.activations)
        layers = images or curves
        assert layers, f"{side}: no activations drawn"
        for layer in layers:
            assert_numbers(layer, f"{side} activation")
        moving = [layer for layer in layers if np.nanmax(layer) - np.nanmin(layer) > 1e-3]
        assert moving, f"{side}: every activation is blank"


def check_profile(panel, run, qtbot) -> None:
    if "profile" not in run.kind.views(run.config):
        assert says_title(panel, run)
        return
    qtbot.waitUntil(lambda: panel.result is not None or panel.message.kind == "error", timeout=60_000)
    assert panel.result is not None, panel.message.text()
    curves = panel.profile_plot.getPlotItem().listDataItems()
    assert curves and all(np.isfinite(c.getData()[1]).all() for c in curves)


def check_experiments(panel, run, qtbot) -> None:
    listed = [panel.run_list.item(i).text() for i in range(panel.run_list.count())]
    folder = run.path.parent
    expected = []
    for path in sorted(p for p in folder.iterdir() if (p / "config.json").is_file()):
        other = load_run(path)
        if "z_of_r" in other.kind.views(other.config):
            expected.append(path.name)
    assert sorted(listed) == expected


CHECKS = {"latent": check_latent, "filters": check_filters, "profile": check_profile, "experiments": check_experiments}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", PANEL_NAMES)
def test_every_panel_shows_what_fits_a_run_of_every_kind(make_window, runs_of_every_kind, kind, name, qtbot):
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
    assert "this is a" not in panel.message.text()  # a kind is named by its title
    check = CHECKS.get(name)
    if check is not None:
        check(panel, load_run(run), qtbot)
        assert panel.message.kind != "error", panel.message.text()
    assert_everything_drawn_is_numbers(panel)


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
