"""The views follow the explorer model: the epoch slider sets the model's epoch and every panel
that shows weights follows it (Position included); the codes view decodes the model's code; the
browser and the window follow its folder and run; one list of panels builds the tabs."""

import numpy as np
import pytest

from geoae_core.runs import load_run
from geoae_gui import app
from geoae_gui.panels import PANEL_NAMES, PANELS
from geoae_gui.window import wait_idle


def shown(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)


def decoded(panel) -> np.ndarray:
    return np.asarray(panel.dec_curve.getData()[1])


def test_position_follows_the_epoch_slider(make_window, runs_folder, qtbot):
    """The decoder plot shows the snapshot's decoding of the same z, as Filters and Profile do."""
    window = make_window(runs_folder)
    panel = window.show_panel("position")
    assert window.set_run(runs_folder / "pos-dec")
    run = load_run(runs_folder / "pos-dec")
    panel.z_spin.setValue(6.0)
    shown(qtbot, panel)
    z = np.array([[6.0]], np.float32)
    np.testing.assert_allclose(decoded(panel), run.decode(z)[0], rtol=1e-6)
    assert window.scrubber.isVisible()  # Position shows weights: the slider is above it
    assert window.scrubber.show_epoch(1) == 1
    shown(qtbot, panel)
    np.testing.assert_allclose(decoded(panel), run.at_epoch(1).decode(z)[0], rtol=1e-6)
    assert not np.allclose(decoded(panel), run.decode(z)[0])
    assert panel.z_spin.value() == 6.0 and "at epoch 1" in panel.dec_info.text()
    # the slider itself, back to the end: the run's own weights
    window.scrubber.slider.setValue(window.scrubber.slider.maximum())
    qtbot.waitUntil(lambda: panel.run is window.run, timeout=5000)
    shown(qtbot, panel)
    np.testing.assert_allclose(decoded(panel), run.decode(z)[0], rtol=1e-6)


def test_every_panel_that_shows_weights_gets_the_models_one_copy(make_window, runs_folder):
    window = make_window(runs_folder)
    assert window.set_run(runs_folder / "disk")
    window.model.set_epoch(3)  # the model, not the slider: the slider follows it too
    snapshot = window.model.shown
    assert snapshot.info["snapshot_epoch"] == 3 and window.scrubber.shown_epoch == 3
    assert window.scrubber.slider.value() == window.scrubber.epochs.index(3) and "epoch 3 of 40" in (
        window.scrubber.label.text()
    )
    for panel in window.panels.values():
        assert panel.run is (snapshot if panel.follows_epoch else window.run), panel.name
    assert not window.train_panel.follows_epoch
    for name in ("latent", "filters", "profile", "position"):
        assert window.panels[name].follows_epoch, name


def test_a_run_opened_hidden_is_drawn_when_its_panel_shows(make_window, runs_folder, monkeypatch):
    window = make_window(runs_folder)
    window.show_panel("train")
    calls = []
    panel = window.panels["position"]
    original = type(panel).refresh
    monkeypatch.setattr(type(panel), "refresh", lambda self: (calls.append(self.run), original(self)))
    window.set_run(runs_folder / "pos-dec")
    window.model.set_epoch(2)
    assert calls == []  # hidden: nothing drawn yet
    window.show_panel("position")
    assert calls == [window.model.shown]


def test_the_codes_view_decodes_the_models_code(make_window, codes_folder, qtbot):
    window = make_window(codes_folder)
    panel = window.show_panel("latent")
    assert window.set_run(codes_folder / "d3")
    view = panel.codes_view
    shown(qtbot, panel)
    np.testing.assert_allclose(window.model.code, view.sliders.point(), rtol=1e-6)  # the view set it
    code = (view.sliders.lo + view.sliders.hi) / 2 + 0.1 * (view.sliders.hi - view.sliders.lo)
    window.model.set_code(code)  # set elsewhere: the view follows
    shown(qtbot, panel)
    np.testing.assert_allclose(view.sliders.point(), code.astype(np.float32), rtol=1e-6)
    expected = window.run.decode(view.sliders.point()[None].astype(np.float32))[0]
    np.testing.assert_allclose(view.decoded_image(), expected, atol=1e-6)
    window.model.set_epoch(window.model.epochs()[1])  # another epoch decodes the same code, inside its ranges
    shown(qtbot, panel)
    inside = np.clip(code.astype(np.float32), view.sliders.lo, view.sliders.hi)
    np.testing.assert_allclose(view.sliders.point(), inside, rtol=1e-6)
    np.testing.assert_allclose(window.model.code, inside, rtol=1e-6)
    expected = window.model.shown.decode(view.sliders.point()[None].astype(np.float32))[0]
    np.testing.assert_allclose(view.decoded_image(), expected, atol=1e-6)


def test_the_browser_and_the_window_follow_the_model(make_window, runs_folder, codes_folder):
    window = make_window(runs_folder)
    window.model.set_folder(codes_folder)
    assert window.browser.folder == codes_folder and set(window.browser.names()) == {"d1", "d3", "xy"}
    window.model.open(codes_folder / "d1")
    assert window.browser.current == codes_folder / "d1" and window.run_label.text().startswith("d1 · disk")
    window.model.set_run(None)
    assert window.browser.current is None and window.run_label.text() == "no run selected"


def test_one_list_of_panels_builds_the_tabs_and_the_panel_option(make_window, runs_folder, capsys):
    window = make_window(runs_folder)
    assert [window.tabs.widget(i).name for i in range(window.tabs.count())] == list(PANEL_NAMES)
    assert [type(panel) for panel in window.panels.values()] == list(PANELS)
    with pytest.raises(SystemExit) as exit_info:
        app.main(["--panel", "nope", "--screenshot", "unused.png"])
    assert exit_info.value.code == 2
    assert f"choose from {', '.join(PANEL_NAMES)}" in capsys.readouterr().err
    wait_idle()
