"""Train panel: a real (tiny) training from the form, pause / step / stop, closing mid-training,
and the event loop staying responsive while the worker trains."""

import itertools
import time

from PySide6.QtCore import QTimer

from geoae_core import load_run
from geoae_core.files import CHECKPOINT_FILE

# tiny trainings: seconds on two shared CPU cores
TINY_TRAIN = {"size": 32, "n_train": 300, "epochs": 2, "device": "cpu"}


def fill_form(window, name: str, **settings) -> None:
    panel = window.show_panel("train")
    panel.form.preset_box.setCurrentText("disks")
    for key, value in {**TINY_TRAIN, **settings}.items():
        panel.form.editors[key].set(value)
    panel.name_edit.setText(name)


def test_training_from_the_panel_appears_in_the_browser(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    fill_form(window, "tiny")
    panel = window.train_panel
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.start_button.click()
        assert panel.worker.running
        assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    assert "tiny" in window.browser.names()
    run = load_run(tmp_path / "runs" / "tiny")
    assert run.status == "finished" and len(run.history) == 2
    assert run.config.size == 32 and run.config.n_train == 300
    # the new run is the current one, highlighted, and its losses were drawn live
    assert window.run is not None and window.run.path == tmp_path / "runs" / "tiny"
    assert window.browser.current == tmp_path / "runs" / "tiny"
    x, _y = panel.loss_curve.getData()
    assert len(x) == 2
    assert "finished" in panel.status_label.text()
    assert panel.start_button.isEnabled()


def test_a_bad_setting_is_a_message_not_a_crash(make_window, tmp_path):
    window = make_window(tmp_path / "runs")
    fill_form(window, "bad")
    panel = window.train_panel
    panel.form.editors["holes"].widget.setText("[[5]]")
    assert "border" in panel.form.editors["holes"].widget.styleSheet()  # the field is outlined at once
    assert not panel.start_button.isEnabled() and "Holes: " in panel.start_button.toolTip()
    panel.start()  # a click that comes anyway (a shortcut): a message, no run
    assert not panel.worker.running
    assert panel.message.isVisible() and "Holes: " in panel.message.label.text()
    panel.form.editors["holes"].widget.setText("not json")
    assert "Holes: " in panel.controls.blocked_label.text() or "Holes" in panel.controls.blocked_label.text()
    panel.start()
    assert "Holes: " in panel.message.label.text()
    assert not (tmp_path / "runs" / "bad").exists()
    panel.form.editors["holes"].widget.setText("")
    assert panel.start_button.isEnabled() and panel.controls.blocked_label.text() == ""


def test_pause_step_one_epoch_then_stop(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    fill_form(window, "paused", epochs=500)
    panel = window.train_panel
    panel.start_button.click()
    qtbot.waitUntil(lambda: len(panel.losses) >= 1, timeout=30_000)
    panel.pause_button.click()
    assert panel.pause_button.text() == "Continue"  # ("Resume run" is for a stopped run)
    qtbot.waitUntil(lambda: "paused" in panel.status_label.text(), timeout=10_000)
    qtbot.wait(300)
    held = len(panel.losses)
    qtbot.wait(300)
    assert len(panel.losses) == held  # paused: no epoch goes by
    panel.step_button.click()
    qtbot.waitUntil(lambda: len(panel.losses) == held + 1, timeout=10_000)
    qtbot.wait(300)
    assert len(panel.losses) == held + 1  # exactly one epoch, then paused again
    panel.pause_button.click()  # resume
    qtbot.waitUntil(lambda: len(panel.losses) >= held + 3, timeout=10_000)
    with qtbot.waitSignal(panel.worker.finished, timeout=20_000):
        panel.stop_button.click()
    run = load_run(tmp_path / "runs" / "paused")
    assert run.status == "cancelled"  # the engine's word, in run.json
    assert held + 3 <= len(run.history) < 500
    qtbot.waitUntil(lambda: window.run is not None and window.run.path == tmp_path / "runs" / "paused")
    qtbot.wait(100)
    # the window's word: "stopped", everywhere the panel says it; the bar keeps the epochs done
    assert "stopped" in panel.status_label.text() and "cancelled" not in panel.status_label.text()
    title = panel.loss_plot.getPlotItem().titleLabel.text
    assert "(stopped)" in title and "cancelled" not in title
    assert "cancelled" not in panel.message.label.text()
    assert panel.progress.value() == len(run.history) and panel.progress.maximum() == 500


def test_closing_the_window_during_training_neither_hangs_nor_crashes(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    fill_form(window, "closing", epochs=100_000)
    panel = window.train_panel
    panel.start_button.click()
    qtbot.waitUntil(lambda: len(panel.losses) >= 1, timeout=30_000)
    thread = panel.worker._thread
    tick = time.perf_counter()
    window.close()
    assert time.perf_counter() - tick < 15
    assert not thread.is_alive()
    run = load_run(tmp_path / "runs" / "closing")
    assert run.status == "cancelled" and len(run.history) == run.info["epochs_done"] >= 1
    assert (tmp_path / "runs" / "closing" / CHECKPOINT_FILE).is_file()  # it can be resumed later


def test_the_event_loop_never_stalls_200_ms_while_training(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    fill_form(window, "responsive", epochs=8, batch_size=60)
    panel = window.train_panel
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    finished = []
    panel.worker.finished.connect(lambda result: finished.append(time.perf_counter()))
    qtbot.wait(50)
    panel.start_button.click()
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    qtbot.wait(300)  # the saved run arriving in the browser and the panels counts too
    timer.stop()
    started = ticks[0]
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    longest = max(gaps)
    print(f"\nlongest event-loop stall while training: {longest * 1000:.1f} ms over {finished[0] - started:.1f} s")
    assert len(panel.losses) == 8
    assert longest < 0.200


def test_an_out_of_range_value_is_refused_at_its_field(make_window, tmp_path):
    window = make_window(tmp_path / "runs")
    fill_form(window, "negative-lr")
    panel = window.train_panel
    panel.form.editors["lr"].widget.setText("-0.5")
    assert panel.form.editors["lr"].widget.text() == "-0.5"  # not turned into 0.5
    assert "must be above 0" in panel.form.notes["lr"].text()
    assert not panel.start_button.isEnabled()
    assert "Learning rate: -0.5 must be above" in panel.start_button.toolTip()
    panel.start_button.click()  # disabled: nothing happens
    panel.start()
    assert not panel.worker.running
    assert "Learning rate: -0.5 must be above" in panel.message.label.text()
    assert not (tmp_path / "runs" / "negative-lr").exists()


def test_a_conflict_flags_its_fields_and_disables_start_until_mended(make_window, tmp_path):
    window = make_window(tmp_path / "runs")
    panel = window.show_panel("train")
    panel.form.editors["r_min"].widget.setText("40")  # with size 64: above the largest radius, 32
    form = panel.form
    assert form.problems == {"r_min": "Smallest radius: 40 must be below the largest radius (32)"}
    flagged = [name for name, editor in form.editors.items() if "border" in editor.widget.styleSheet()]
    assert flagged == ["r_min"]
    assert not form.notes["r_min"].isHidden() and "largest radius (32)" in form.notes["r_min"].text()
    assert not panel.start_button.isEnabled()
    assert "Smallest radius: 40 must be below the largest radius (32)" in panel.start_button.toolTip()
    assert "Smallest radius" in panel.controls.blocked_label.text()
    assert "r_min" not in panel.start_button.toolTip() + panel.controls.blocked_label.text()
    form.editors["lr"].widget.setText("0")  # a second problem: both flagged at once
    assert set(form.problems) == {"r_min", "lr"} and "Learning rate" in panel.start_button.toolTip()
    form.editors["lr"].widget.setText("")
    form.editors["size"].set(128)  # m/2 = 64: the smallest radius fits now
    assert form.problems == {} and panel.start_button.isEnabled()
    assert "border" not in form.editors["r_min"].widget.styleSheet()


def test_the_preset_box_names_the_preset_on_first_launch(make_window, tmp_path):
    window = make_window(tmp_path / "runs")
    panel = window.show_panel("train")
    assert panel.form.preset_name() == "disks"


def test_a_run_that_ends_with_an_exploded_loss_says_so(qtbot, tmp_path):
    from geoae_gui.panels.train import TrainPanel

    panel = TrainPanel(lambda: tmp_path)
    qtbot.addWidget(panel)
    panel.show()
    panel._begin(tmp_path / "lr-ten", 2, [1e13, 7e6], loss_ceiling=64.0**2)
    panel._on_finished({"path": str(tmp_path / "lr-ten"), "status": "finished", "epochs_done": 2})
    assert panel.message.kind == "warning"
    assert "run finished" in panel.message.label.text() and "smaller learning rate" in panel.message.label.text()
