"""The GUI refuses to write into a run another process is training, in one plain line, and the
run browser shows that run as training from its first second."""

import os

from test_run_folder import start_training, wait_for  # tests/ is on sys.path
from test_train_panel import fill_form  # (tests/gui too: pytest's prepend import mode)

from geoae_core import load_run
from geoae_core.files import writer_of


def test_a_run_trained_elsewhere_is_shown_training_and_not_resumed_here(make_window, tmp_path, qtbot):
    folder = tmp_path / "runs"
    out = folder / "elsewhere"
    first = start_training(out, epochs=100_000)
    try:
        wait_for(lambda: writer_of(out) == first.pid and (out / "config.json").is_file())
        window = make_window(folder)
        item = window.browser.item(out)
        assert item is not None and item.text(2) == "training"
        assert f"pid {first.pid}" in item.toolTip(2)
        _open, resume = window.browser.context_actions(out)
        assert not resume.isEnabled()
        wait_for(lambda: (out / "weights.safetensors").is_file())
        panel = window.train_panel
        panel.resume_run(out)
        assert not panel.worker.running
        assert panel.message.text() == f"elsewhere is being trained by pid {first.pid}: wait for it or stop it first"
        # past the panel's check (a race): the engine refuses, and the worker reports one line
        with qtbot.waitSignal(panel.worker.finished, timeout=60_000) as finished:
            panel.worker.start(None, out, resume=True)
        result = finished.args[0]
        assert result["error"] == (
            f"{out}: another training is writing this run (pid {first.pid}); wait for it or stop it first"
        )
        assert first.poll() is None  # the first training goes on
    finally:
        first.kill()
        first.wait()
    assert load_run(out).status == "running"  # its last checkpoint, readable
    assert writer_of(out) is None and os.getpid() != first.pid


def test_a_training_started_here_is_listed_as_training_at_once(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    fill_form(window, "listed", epochs=100_000)
    panel = window.train_panel
    panel.start_button.click()
    qtbot.waitUntil(lambda: "listed" in window.browser.names(), timeout=30_000)
    assert panel.worker.running and len(panel.losses) < 100_000
    item = window.browser.item(tmp_path / "runs" / "listed")
    assert item.text(2) == "training" and item.toolTip(2) == "being trained now (here)"
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        panel.stop_button.click()
    assert window.browser.item(tmp_path / "runs" / "listed").text(2) == "stopped"


def test_a_relaunch_opens_the_run_that_was_training(make_window, runs_folder, tmp_path, qtbot):
    folder = tmp_path / "runs"
    first = make_window(folder, persist=True)
    first.set_run(runs_folder / "disk")  # another run is shown while this one trains
    fill_form(first, "watched", epochs=100_000)
    first.train_panel.start_button.click()
    qtbot.waitUntil(lambda: len(first.train_panel.losses) >= 1, timeout=30_000)
    first.close()  # stops the training; it is kept, resumable
    second = make_window(folder, persist=True)
    assert second.run is not None and second.run.path == folder / "watched"
    assert second.run.status == "cancelled"
