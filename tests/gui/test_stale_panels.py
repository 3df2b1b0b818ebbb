"""A panel that does not apply to the selected run clears what it showed for the last one and
says where to look instead."""

from geoae_gui.window import wait_idle


def test_the_latent_explorer_forgets_a_disk_run_for_a_position_run(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    panel = window.show_panel("latent")
    window.set_run(runs_folder / "disk")
    panel.set_z(0.5)
    panel.set_radius(6.0)
    assert panel.z_info.text().startswith("z = ") and panel.r_info.text().startswith("r = 6.00")
    assert panel.z_line.isVisible() and panel.decoded_image() is not None
    window.set_run(runs_folder / "pos-enc")  # a position encoder: no decoder to explore here
    assert panel.z_info.text() == "" and panel.r_info.text() == ""
    assert not panel.z_line.isVisible() and panel.decoded_image() is None
    assert panel.z_curve.getData()[0] is None or len(panel.z_curve.getData()[0]) == 0
    assert "has no decoder to explore here: see Filters and Position." in panel.message.text()
    window.set_run(runs_folder / "disk")  # and back: everything is shown again
    qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)
    assert panel.z_line.isVisible() and panel.z_info.text().startswith("z = ")


def test_the_profile_panel_keeps_no_marker_of_an_earlier_run(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    panel = window.show_panel("profile")
    window.set_run(runs_folder / "disk")
    qtbot.waitUntil(lambda: panel.result is not None, timeout=60_000)
    items = panel.profile_plot.getPlotItem().items
    assert panel.r_line in items
    window.set_run(runs_folder / "pos-enc")
    wait_idle()
    assert panel.r_line not in panel.profile_plot.getPlotItem().items
    assert panel.profile_plot.getPlotItem().listDataItems() == []
    assert "see Filters" in panel.message.text()
