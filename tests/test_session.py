"""The Train panel's state and rules, without Qt: a TrainingSession driven by plain Python."""

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import geoae_gui.session as session_module
from geoae_core.config import Config
from geoae_core.presets import preset
from geoae_gui.session import (
    TrainingSession,
    divergence_text,
    format_seconds,
    loss_warning,
    resume_problem,
    settings_notes,
    shown_status,
)


def a_run(status, path="/nowhere/run-a", epochs=10, done=3):
    return SimpleNamespace(
        status=status,
        path=Path(path) if path else None,
        history=[{"epoch": e + 1, "loss": 1.0} for e in range(done)],
        config=SimpleNamespace(epochs=epochs),
        info={"device": "cpu", "wall_seconds": 2.0},
    )


def test_the_session_module_needs_no_qt():
    source = ast.parse(Path(session_module.__file__).read_text())
    imported = [n.module or "" for n in ast.walk(source) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(source) if isinstance(n, ast.Import) for a in n.names]
    assert imported and not [name for name in imported if "PySide" in name or "Qt" in name]
    # nor does anything it imports build widgets (geoae_gui's package guard loads QtCore only)
    widgets = "('PySide6.QtWidgets', 'PySide6.QtGui')"
    code = f"import sys, geoae_gui.session; print(any(m.startswith({widgets}) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_progress_reports_rate_and_time_left():
    session = TrainingSession()
    session.begin(Path("/runs/a"), [0.5, 0.4], now=100.0)
    assert session.announce() == Path("/runs/a") and session.announce() is None
    line = session.progress(
        {"losses": [0.3, 0.2], "epoch": 4, "epochs": 10, "time": 102.0, "paused": False, "device": "cpu"}
    )
    assert session.losses == [0.5, 0.4, 0.3, 0.2]
    assert line == "training on cpu · epoch 4/10 · loss 0.2 · 1.0 epochs/s · 6 s left"


def test_time_paused_is_not_in_the_rate():
    session = TrainingSession()
    session.begin(Path("/runs/a"), [], now=0.0)
    report = {"losses": [1.0, 1.0], "epoch": 2, "epochs": 10, "paused": True, "device": "cpu"}
    session.progress({**report, "time": 2.0})  # paused at 2 s, after two epochs
    session.progress({**report, "losses": [], "time": 30.0})  # still paused
    session.progress({**report, "losses": [], "paused": False, "time": 60.0})  # going again
    line = session.progress({**report, "losses": [1.0, 1.0], "epoch": 4, "paused": False, "time": 62.0})
    assert session.paused_seconds == 58.0
    assert "1.0 epochs/s · 6 s left" in line  # 4 epochs in 4 s of training, not in 62 s


def test_controls_follow_the_worker_and_the_selected_run():
    session = TrainingSession()
    running = session.controls(running=True, paused=True, run=a_run("cancelled"))
    assert not running.start and running.pause and running.stop and not running.resume and not running.form
    assert running.pause_text == "Continue"
    idle = session.controls(running=False, paused=False, run=a_run("finished"))
    assert idle.start and not idle.pause and not idle.resume and idle.pause_text == "Pause"
    assert session.controls(running=False, paused=False, run=a_run("cancelled")).resume


def test_an_unsaved_model_blocks_training_and_closing_until_saved_or_discarded():
    session = TrainingSession()
    assert session.start_problem() == "" and session.close_question() is None
    outcome = session.finish(
        {"path": "/runs/b", "status": "finished", "epochs_done": 5, "unsaved": "disk full", "error": "no space"}, 1.0
    )
    assert outcome.holding_unsaved and outcome.kind == "error" and outcome.saved is None
    assert outcome.status == "finished after 5 epochs, not saved"
    assert "b is trained but not saved" in session.start_problem()
    assert "The trained run b could not be saved: disk full." in session.close_question()
    failed = session.saved_elsewhere(Path("/elsewhere/b"), "read-only")
    assert failed.holding_unsaved and session.unsaved is not None
    saved = session.saved_elsewhere(Path("/elsewhere/b"), None)
    assert saved.saved == Path("/elsewhere/b") and session.unsaved is None and session.close_question() is None


def test_discard_waits_for_a_save_in_flight():
    session = TrainingSession()
    session.unsaved, session.saving = "model", True
    assert not session.discard() and session.unsaved == "model"
    session.saving = False
    assert session.discard() and session.unsaved is None


def test_what_a_finished_training_means():
    session = TrainingSession()
    session.begin(Path("/runs/c"), [])
    finished = session.finish({"path": "/runs/c", "status": "finished", "epochs_done": 4}, 1.0)
    assert (finished.kind, finished.saved) == ("info", Path("/runs/c"))
    session.warn("checkpoint not saved")
    warned = session.finish({"path": "/runs/c", "status": "finished", "epochs_done": 4}, 1.0)
    assert warned.kind == "warning" and warned.message.endswith("checkpoint not saved")
    diverged = session.finish({"path": "/runs/c", "status": "diverged", "epochs_done": 2}, 1.0)
    assert diverged.message == divergence_text(Path("/runs/c"), 2)
    stopped = session.finish({"path": "/runs/c", "status": "cancelled", "epochs_done": 2}, 1.0)
    assert "“Resume run” continues it" in stopped.message
    failed = session.finish({"path": "/runs/c", "error": "boom"}, 1.0)
    assert (failed.status, failed.kind, failed.saved) == ("failed", "error", None)


def test_resume_rules(tmp_path):
    assert resume_problem(a_run("finished")) == "run-a is finished: there is nothing to resume"
    assert "Resuming would repeat the same steps" in resume_problem(a_run("diverged"))
    assert resume_problem(a_run("cancelled", path=None)) == "this run has no folder to resume in"
    assert resume_problem(a_run("cancelled", path=str(tmp_path))) == ""
    line, kind, message = TrainingSession.run_summary(a_run("cancelled", path=str(tmp_path)))
    assert kind == "info" and "is unfinished (stopped, epoch 3 of 10)" in message and "in 2.0 s" in line


def test_default_names_say_the_preset_and_what_changed():
    assert TrainingSession.default_name(preset("disks")) == "disks"
    assert TrainingSession.default_name(preset("position-decoder").replace(device="cpu")) == "position-decoder"
    assert TrainingSession.default_name(preset("disks").replace(lr=0.003, seed=2)) == "disks-lr0.003-seed2"
    assert TrainingSession.default_name(preset("disks").replace(tensorboard=True, device="cpu")) == "disks"
    assert TrainingSession.default_name(preset("disks-hole-psi3").replace(lam=10.0)) == "disks-hole-psi3-lam10"
    edited = preset("disks").replace(bias=False, size=32, n_train=100, epochs=5, seed=1)
    assert TrainingSession.default_name(edited) == "disks-nobias-size32-ntrain100-epochs5-1more"


def test_seconds_read_as_a_clock():
    assert [format_seconds(s) for s in (float("nan"), 5, 65, 3725)] == ["?", "5 s", "1:05", "1:02:05"]


def test_a_loss_far_above_its_start_or_its_lowest_is_a_warning():
    assert loss_warning([]) == "" and loss_warning([5.0]) == ""
    assert loss_warning([100.0, 10.0, 1.0]) == ""  # a training that learns
    assert loss_warning([100.0, 20.0, 150.0]) == ""  # noisy, but not ten times anything
    assert "far above where it started (1)" in loss_warning([1.0, 5.0, 50.0])
    assert "exploding" in loss_warning([100.0, 1.0, 40.0])
    assert "smaller learning rate" in loss_warning([1.0, float("nan"), 50.0])  # non-finite losses are skipped


def test_a_loss_that_never_comes_below_the_ceiling_is_a_warning():
    # lr 10 on 64x64 disks: from 1e13 down to 7e6, never near a sane summed squared error
    lr_ten = [1e13, 3e9, 7e6]
    assert loss_warning(lr_ten) == ""
    assert "never came below 4.1e+03 (it ended at 7e+06)" in loss_warning(lr_ten, ceiling=64 * 64)
    assert loss_warning([900.0, 40.0], ceiling=64 * 64) == ""


def test_a_finished_run_with_an_exploded_loss_ends_with_a_warning():
    session = TrainingSession()
    session.begin(Path("/runs/d"), [], loss_ceiling=4096.0)
    session.progress({"losses": [1e13, 7e6], "epoch": 2, "epochs": 2, "time": 1.0, "paused": False, "device": "cpu"})
    outcome = session.finish({"path": "/runs/d", "status": "finished", "epochs_done": 2}, 1.0)
    assert outcome.kind == "warning" and outcome.saved == Path("/runs/d")
    assert outcome.message.startswith("run finished, saved to /runs/d, but the loss never came below")


def test_settings_that_do_not_fit_together_are_noted():
    assert settings_notes(Config()) == {}
    notes = settings_notes(Config(n_train=3000, batch_size=5000))
    assert list(notes) == ["batch_size"] and "3000 training samples" in notes["batch_size"]
    assert list(settings_notes(Config(lam=0.5))) == ["lam"]
    assert list(settings_notes(Config(regulariser="psi1"))) == ["regulariser"]


def test_a_stop_is_called_a_stop():
    session = TrainingSession()
    session.begin(Path("/runs/a"), [1.0, 0.9], now=0.0)
    outcome = session.finish({"path": "/runs/a", "status": "cancelled", "epochs_done": 2}, 1.0)
    assert outcome.status.startswith("stopped after 2 epochs")
    assert outcome.message.startswith("run stopped at epoch 2, saved to /runs/a")
    assert shown_status("cancelled") == "stopped" and shown_status("finished") == "finished"
