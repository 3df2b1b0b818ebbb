import json
import os
import signal
import subprocess
import sys
import threading
import time

from same_weights import assert_bitwise_equal, state  # tests/ is on sys.path

from geoae_core import load_run, train

SETTINGS = {"size": 32, "n_train": 300, "batch_size": 100, "device": "cpu", "checkpoint_every": 2}


def test_resume_after_cancel_is_bitwise_identical(tmp_path):
    reference = train("disks", **SETTINGS, epochs=6)
    cancel = threading.Event()

    def stop_at_three(report):
        if report.event == "epoch" and report.epoch == 3:
            cancel.set()

    stopped = train("disks", out=tmp_path / "run", callbacks=[stop_at_three], cancel=cancel, **SETTINGS, epochs=6)
    assert stopped.status == "cancelled" and len(stopped.history) == 3
    status_file = tmp_path / "run" / "run.json"
    status_file.write_text(json.dumps({**json.loads(status_file.read_text()), "started": "2026-01-01T00:00:00"}))
    resumed = train(None, out=tmp_path / "run", resume=True)
    assert resumed.status == "finished" and [r["epoch"] for r in resumed.history] == [1, 2, 3, 4, 5, 6]
    assert_bitwise_equal(state(reference), state(resumed))
    assert_bitwise_equal(state(reference), state(load_run(tmp_path / "run")))
    # the run's time and start are the whole run's, over both sessions
    assert resumed.info["started"] == "2026-01-01T00:00:00"
    second_session = sum(row["seconds"] for row in resumed.history[3:])
    assert resumed.info["wall_seconds"] >= stopped.info["wall_seconds"] + second_session


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    out = tmp_path / "run"
    sets = [arg for key, value in SETTINGS.items() if key != "device" for arg in ("--set", f"{key}={value}")]
    command = [sys.executable, "-m", "geoae_core.cli", "train", "--out", str(out), "--epochs", "40", "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen([*command, *sets], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        status = out / "run.json"
        if status.exists() and json.loads(status.read_text())["epochs_done"] >= 4:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed = load_run(out)  # the last good checkpoint is readable
    done = killed.info["epochs_done"]
    assert killed.status == "running" and 4 <= done < 40 and done % 2 == 0
    result = subprocess.run([*command[:4], "--out", str(out), "--resume"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    reference = train("disks", **SETTINGS, epochs=40)
    assert_bitwise_equal(state(reference), state(load_run(out)))
