"""Faults while a run is saved: a full disk on a checkpoint or on the final save, the run folder
deleted under a running training, a file where the run folder should be. A training that can
still finish in memory does, and a run that cannot be written is not lost."""

import errno
import importlib
import os
import shutil
import threading

import pytest
from same_weights import assert_bitwise_equal, state  # tests/ is on sys.path

from geoae_core import cli, load_run, train
from geoae_core.files import RunError
from geoae_core.loop import UnsavedRunError
from geoae_core.store import save_run

SETTINGS = {"size": 32, "n_train": 300, "batch_size": 100, "device": "cpu", "epochs": 5, "checkpoint_every": 1}
# the loop module, whose save_run a test replaces
train_module = importlib.import_module("geoae_core.loop")


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted run every faulty one must match."""
    return state(train("disks", **SETTINGS))


def test_a_full_disk_on_checkpoints_warns_and_the_training_finishes(tmp_path, monkeypatch, reference):
    out = tmp_path / "run"
    real_replace = os.replace
    full = {"on": False}
    seen = {}

    def replace(src, dst):
        if full["on"] and str(dst).startswith(str(out)):
            disk_full()
        return real_replace(src, dst)

    def callback(report):
        if report.event == "epoch" and report.epoch == 1:
            full["on"] = True  # the checkpoints of epochs 2 and 3 fail
        if report.event == "epoch" and report.epoch == 3:
            seen["on_disk"] = load_run(out)  # the last good checkpoint is still whole and readable
            full["on"] = False

    monkeypatch.setattr(os, "replace", replace)
    events = []
    run = train("disks", out=out, callbacks=[callback, events.append], **SETTINGS)
    warnings = [e.message for e in events if e.event == "warning"]
    assert warnings == [
        f"checkpoint at epoch {n} not saved: {out}: could not save the run (No space left on device)" for n in (2, 3)
    ]
    assert seen["on_disk"].info["epochs_done"] == 1 and seen["on_disk"].status == "running"
    assert run.status == "finished" and len(run.history) == 5
    loaded = load_run(out)
    assert loaded.status == "finished" and [h["epoch"] for h in loaded.history] == [1, 2, 3, 4, 5]
    assert_bitwise_equal(reference, state(loaded))
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]  # no half-written file left


def test_a_full_disk_on_the_final_save_raises_but_keeps_the_model(tmp_path, monkeypatch, reference):
    out = tmp_path / "run"

    monkeypatch.setattr(train_module, "save_run", disk_full)
    events = []
    with pytest.raises(UnsavedRunError) as caught:
        train("disks", out=out, callbacks=[events.append], **SETTINGS)
    error = caught.value
    assert isinstance(error, RunError)
    assert str(error) == f"{out}: could not save the run (No space left on device)"
    assert sum(e.event == "warning" for e in events) == 5  # the start, each checkpoint; then the final save raised
    assert error.run.status == "finished" and len(error.run.history) == 5 and error.run.path is None
    assert_bitwise_equal(reference, state(error.run))
    # the model in memory is written elsewhere with the real save_run, as a whole run folder
    elsewhere = tmp_path / "elsewhere"
    save_run(
        elsewhere, error.run.config, error.run.model.state_dict(), error.run.history, error.run.info, error.checkpoint
    )
    saved = load_run(elsewhere)
    assert saved.status == "finished" and len(saved.history) == 5
    assert_bitwise_equal(reference, state(saved))


def test_a_stopped_run_saved_elsewhere_after_a_failed_save_still_resumes_bitwise(tmp_path, monkeypatch, reference):
    cancel = threading.Event()
    monkeypatch.setattr(train_module, "save_run", disk_full)

    def stop_at_two(report):
        if report.event == "epoch" and report.epoch == 2:
            cancel.set()

    with pytest.raises(UnsavedRunError) as caught:
        train("disks", out=tmp_path / "run", callbacks=[stop_at_two], cancel=cancel, **SETTINGS)
    error = caught.value
    assert error.run.status == "cancelled" and len(error.run.history) == 2
    monkeypatch.undo()
    elsewhere = tmp_path / "elsewhere"
    save_run(
        elsewhere, error.run.config, error.run.model.state_dict(), error.run.history, error.run.info, error.checkpoint
    )
    resumed = train(None, out=elsewhere, resume=True)
    assert resumed.status == "finished" and [h["epoch"] for h in resumed.history] == [1, 2, 3, 4, 5]
    assert_bitwise_equal(reference, state(resumed))


def test_the_run_folder_deleted_mid_run_is_written_again(tmp_path, reference):
    out = tmp_path / "runs" / "run"

    def delete_at_two(report):
        if report.event == "epoch" and report.epoch == 2:
            shutil.rmtree(tmp_path / "runs")  # the folder and its parent, as `rm -r` would

    events = []
    run = train("disks", out=out, callbacks=[delete_at_two, events.append], **SETTINGS)
    warnings = [e.message for e in events if e.event == "warning"]
    assert warnings == [f"{out}: the run folder was deleted during training; writing it again"]
    assert run.status == "finished"
    loaded = load_run(out)
    assert loaded.status == "finished" and [h["epoch"] for h in loaded.history] == [1, 2, 3, 4, 5]
    assert_bitwise_equal(reference, state(loaded))


def test_a_file_where_the_run_folder_should_be_is_a_clear_error(tmp_path):
    out = tmp_path / "run"
    out.write_text("not a folder")
    events = []
    with pytest.raises(RunError) as caught:
        train("disks", out=out, callbacks=[events.append], **{**SETTINGS, "epochs": 2})
    assert str(caught.value) == f"{out}: cannot create the run folder (File exists)"
    assert events == []  # refused before any training
    assert out.read_text() == "not a folder"  # left alone


def test_the_cli_reports_a_full_disk_on_save_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(train_module, "save_run", disk_full)
    out = tmp_path / "run"
    sets = [arg for key in ("size", "n_train", "batch_size") for arg in ("--set", f"{key}={SETTINGS[key]}")]
    code = cli.main(["train", "--out", str(out), "--epochs", "2", "--device", "cpu", *sets])
    stderr = capsys.readouterr().err
    assert code == 2
    assert stderr.strip().splitlines()[-1] == f"geoae: error: {out}: could not save the run (No space left on device)"
    assert "Traceback" not in stderr


def test_a_full_disk_from_the_first_file_refuses_the_run_in_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    files = importlib.import_module("geoae_core.files")
    monkeypatch.setattr(files, "atomic_write_bytes", disk_full)
    out = tmp_path / "run"
    events = []
    with pytest.raises(RunError) as caught:
        train("disks", out=out, callbacks=[events.append], **SETTINGS)
    assert str(caught.value) == f"{out}: could not write the run's first files (No space left on device)"
    assert events == [] and not out.exists()  # refused before any training, no folder left behind
