"""Reliability in the explorer: resuming a stopped or killed run, a diverged run shown plainly, a
second training while one runs, the run folder deleted under a training, a full disk on save.
Every fault ends in a message in the window, never a hang, a crash or a lost trained run."""

import errno
import importlib
import shutil
import threading

import pytest
from PySide6.QtWidgets import QMessageBox
from same_weights import assert_same_weights  # tests/ is on sys.path
from test_train_panel import fill_form  # (tests/gui is on sys.path: pytest's prepend import mode)

from geoae_core import load_run, train
from geoae_core.files import CHECKPOINT_FILE

# the loop module, whose save_run a test replaces
train_module = importlib.import_module("geoae_core.loop")


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


class Crash(Exception):
    """The process dying mid-run, as far as the run folder can tell."""


def stopped_token():
    event = threading.Event()
    event.set()
    return event


def status_cell(window, path):
    item = window.browser.item(path)
    assert item is not None, f"{path.name} is not in the browser"
    return item.text(2), item.foreground(2).color().name(), item.toolTip(2)


def start_paused(window, qtbot, name, **settings):
    """Start a training from the form and pause it at the end of its first epoch."""
    fill_form(window, name, **settings)
    panel = window.train_panel
    panel.start_button.click()
    panel.pause_button.click()
    qtbot.waitUntil(lambda: len(panel.losses) == 1 and "paused" in panel.status_label.text(), timeout=30_000)
    return panel


def test_stop_then_resume_from_the_panel_matches_an_uninterrupted_run(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    out = tmp_path / "runs" / "halves"
    panel = start_paused(window, qtbot, "halves", epochs=30, batch_size=100)
    assert not panel.resume_button.isEnabled()  # nothing to resume while training
    panel.step_button.click()  # one more epoch, then stop it midway
    qtbot.waitUntil(lambda: len(panel.losses) == 2, timeout=30_000)
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        panel.stop_button.click()
    stopped = load_run(out)
    assert stopped.status == "cancelled" and len(stopped.history) == 2
    # the stopped run is current; the panel says it can be resumed, and offers it
    assert window.run.path == out
    assert "Resume run" in panel.message.text()
    assert status_cell(window, out)[0] == "stopped"  # run.json says "cancelled", the window "stopped"
    assert panel.resume_button.isEnabled()

    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.resume_button.click()
        assert panel.worker.running and not panel.resume_button.isEnabled()
        x, _y = panel.loss_curve.getData()
        assert list(x) == [1, 2]  # the curve starts from the stopped run's history...
    x, _y = panel.loss_curve.getData()
    assert list(x) == list(range(1, 31))  # ...and goes on to the end
    resumed = load_run(out)
    assert resumed.status == "finished" and [h["epoch"] for h in resumed.history] == list(range(1, 31))
    assert [h["loss"] for h in resumed.history[:2]] == [h["loss"] for h in stopped.history]
    assert "finished" in panel.message.text() and status_cell(window, out)[0] == "finished"
    assert not panel.resume_button.isEnabled()  # a finished run has nothing to resume
    # bitwise the weights of the same training done in one go by the engine
    assert_same_weights(train(resumed.config), resumed)


def test_a_killed_run_is_marked_and_resumed_from_the_browser_menu(make_window, tmp_path, qtbot):
    folder = tmp_path / "runs"
    settings = {"size": 32, "n_train": 300, "batch_size": 100, "epochs": 8, "checkpoint_every": 1, "device": "cpu"}

    def crash(report):
        if report.event == "epoch" and report.epoch == 3:
            raise Crash  # the process dies mid-run: run.json still says "running"

    with pytest.raises(Crash):
        train("disks", out=folder / "killed", callbacks=[crash], **settings)
    train("disks", out=folder / "done", **{**settings, "epochs": 2})
    train("disks", out=folder / "no-checkpoint", cancel=stopped_token(), **settings)
    (folder / "no-checkpoint" / CHECKPOINT_FILE).unlink()
    window = make_window(folder)
    _text, colour, tip = status_cell(window, folder / "no-checkpoint")
    assert colour == "#b26a00"
    assert tip == f"unfinished, with no {CHECKPOINT_FILE}: Resume training starts it again from epoch 0"
    assert window.browser.context_actions(folder / "no-checkpoint")[1].isEnabled()
    window.set_run(folder / "no-checkpoint")
    panel = window.show_panel("train")
    assert panel.resume_button.isEnabled()
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.resume_button.click()
    restarted = load_run(folder / "no-checkpoint")
    assert restarted.status == "finished" and [h["epoch"] for h in restarted.history] == list(range(1, 9))
    text, colour, tip = status_cell(window, folder / "killed")
    assert text == "running" and colour == "#b26a00" and "Resume training" in tip
    assert status_cell(window, folder / "done")[1] != "#b26a00"
    open_done, resume_done = window.browser.context_actions(folder / "done")
    assert open_done.text() == "Open" and not resume_done.isEnabled()
    _open, resume = window.browser.context_actions(folder / "killed")
    assert resume.text() == "Resume training" and resume.isEnabled()

    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        resume.trigger()
        assert window.current_panel() is panel and panel.worker.running
    resumed = load_run(folder / "killed")
    assert resumed.status == "finished" and [h["epoch"] for h in resumed.history] == list(range(1, 9))
    assert window.run.path == folder / "killed" and status_cell(window, folder / "killed")[0] == "finished"
    assert_same_weights(train("disks", **settings), resumed)
    assert_same_weights(resumed, restarted)


def test_a_diverged_run_is_shown_plainly_and_marked_in_the_browser(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    out = tmp_path / "runs" / "blowup"
    # within the form's ranges: plain sign descent with steps of 10 overflows in a few epochs
    fill_form(window, "blowup", epochs=30, lr=10.0, beta1=0.0, beta2=0.0)
    panel = window.train_panel
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.start_button.click()
    run = load_run(out)
    kept = len(run.history)
    assert run.status == "diverged" and 0 < kept < 30
    text = panel.message.text()
    assert panel.message.isVisible() and panel.message.kind == "warning"
    assert "blowup diverged" in text and f"the last finite epoch ({kept}) is kept" in text
    assert f"in epoch {kept + 1}" in text
    assert "diverged" in window.run_label.text()
    assert len(panel.losses) == kept  # the diverged epoch was not drawn live...
    x, y = panel.loss_curve.getData()
    assert len(x) == kept and all(v == v and v < float("inf") for v in y)  # ...nor after
    text, colour, tip = status_cell(window, out)
    assert text == "diverged" and colour == "#c62828" and "last finite epoch" in tip
    # resuming it would repeat the same steps: not offered, and refused with the reason
    assert not panel.resume_button.isEnabled()
    assert not window.browser.context_actions(out)[1].isEnabled()
    panel.resume_run(out)
    assert not panel.worker.running and "Resuming would repeat the same steps" in panel.message.text()
    # selected again later, from another run, the panel says it the same way
    window.set_run(None)
    window.set_run(out)
    assert f"the last finite epoch ({kept}) is kept" in panel.message.text()


def test_a_second_training_while_one_runs_is_refused_and_the_first_is_unharmed(make_window, tmp_path, qtbot):
    folder = tmp_path / "runs"
    train("disks", out=folder / "stopped", size=32, n_train=300, epochs=30, cancel=stopped_token(), device="cpu")
    window = make_window(folder)
    panel = start_paused(window, qtbot, "first", epochs=20, batch_size=100)
    panel.name_edit.setText("second")
    panel.start()  # the button is disabled; the slot itself refuses too
    assert "a training is already running" in panel.message.text()
    assert not (folder / "second").exists()
    panel.resume_run(folder / "stopped")  # nor may a stopped run be resumed meanwhile
    assert "a training is already running" in panel.message.text()
    window.resume_run(folder / "stopped")  # (the browser's menu goes this way)
    assert window.run is None or window.run.path != folder / "stopped"
    assert load_run(folder / "stopped").status == "cancelled"
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.pause_button.click()  # continue
    first = load_run(folder / "first")
    assert first.status == "finished" and len(first.history) == 20
    assert_same_weights(train(first.config), first)


def test_deleting_the_run_folder_under_a_running_training(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    out = tmp_path / "runs" / "doomed"
    panel = start_paused(window, qtbot, "doomed", epochs=6, checkpoint_every=1)
    assert (out / "run.json").is_file()  # the first checkpoint is on disk
    shutil.rmtree(out)
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.pause_button.click()  # continue
    deleted = f"{out}: the run folder was deleted during training; writing it again"
    assert panel.warnings == [deleted]
    assert panel.message.kind == "warning" and deleted in panel.message.text()
    assert "run finished, saved to" in panel.message.text()
    run = load_run(out)
    assert run.status == "finished" and [h["epoch"] for h in run.history] == list(range(1, 7))
    assert "doomed" in window.browser.names() and window.run.path == out


def test_a_full_disk_keeps_the_trained_model_until_it_is_saved_elsewhere(make_window, tmp_path, qtbot, monkeypatch):
    window = make_window(tmp_path / "runs")
    out = tmp_path / "runs" / "full"
    monkeypatch.setattr(train_module, "save_run", disk_full)
    fill_form(window, "full", epochs=3, checkpoint_every=1)
    panel = window.train_panel
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.start_button.click()
    assert panel.warnings == [
        f"checkpoint at epoch {n} not saved: {out}: could not save the run (No space left on device)" for n in (0, 1, 2)
    ]
    text = panel.message.text()
    assert panel.message.kind == "error"
    assert text.startswith(f"{out}: could not save the run (No space left on device).")
    assert "finished, 3 epochs" in text and "Save elsewhere" in text
    assert panel.save_elsewhere_button.isVisible() and not out.exists()
    # no other training until it is saved or discarded: it would be lost otherwise
    panel.start()
    assert not panel.worker.running and "trained but not saved" in panel.message.text()
    # closing the window asks first; "No" keeps the window and the model
    asked = []

    def answer_no(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    window.close()
    assert window.isVisible() and len(asked) == 1 and "could not be saved" in asked[0]
    # saved elsewhere with the real save_run: a whole run, the weights of an uninterrupted training
    monkeypatch.undo()
    monkeypatch.setattr(QMessageBox, "question", answer_no)
    (tmp_path / "blocker").write_text("a file, not a folder")
    panel.save_elsewhere(tmp_path / "blocker")  # a place that cannot take it: said, and the model kept
    qtbot.waitUntil(lambda: not panel._saving, timeout=30_000)
    assert panel.message.text() == (
        f"{tmp_path / 'blocker' / 'full'}: could not save the run (Not a directory). "
        "The trained model is still in memory: try another folder."
    )
    assert panel.unsaved is not None and panel.save_elsewhere_button.isVisible()
    panel.save_elsewhere(tmp_path / "other")
    qtbot.waitUntil(lambda: panel.unsaved is None, timeout=30_000)
    saved = load_run(tmp_path / "other" / "full")
    assert saved.status == "finished" and len(saved.history) == 3
    assert_same_weights(train(saved.config), saved)
    assert not panel.save_elsewhere_button.isVisible() and "saved to" in panel.message.text()
    assert window.run.path == tmp_path / "other" / "full"
    window.close()
    assert not window.isVisible() and len(asked) == 1  # nothing left to lose: no question


def test_an_unsaved_run_can_be_discarded_to_train_again(make_window, tmp_path, qtbot, monkeypatch):
    window = make_window(tmp_path / "runs")
    monkeypatch.setattr(train_module, "save_run", disk_full)
    fill_form(window, "lost", epochs=1)
    panel = window.train_panel
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.start_button.click()
    assert panel.unsaved is not None and panel.discard_button.isVisible()
    panel.discard_button.click()
    assert panel.unsaved is None and not panel.save_elsewhere_button.isVisible()
    monkeypatch.undo()
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.start_button.click()
    assert load_run(tmp_path / "runs" / "lost").status == "finished"


def test_a_runs_folder_that_cannot_be_created_is_a_message(make_window, tmp_path):
    blocker = tmp_path / "runs"
    blocker.write_text("a file, not a folder")
    window = make_window(blocker)
    fill_form(window, "nowhere")
    panel = window.train_panel
    panel.start_button.click()
    assert not panel.worker.running
    assert panel.message.text() == f"{blocker}: cannot create the runs folder (File exists)"
