"""A run is on disk from its first second, resumable after a kill at any moment, and has one
writer at a time."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from same_weights import assert_bitwise_equal, state  # tests/ is on sys.path

from geoae_core import cli, load_run, train
from geoae_core.files import LOCK_FILE, RunError, hold, writer_of

# checkpoints by the clock (every 0.5 s), never by the epoch count
SETTINGS = {"size": 32, "n_train": 300, "batch_size": 100, "checkpoint_every": 10_000, "checkpoint_seconds": 0.5}
EPOCHS = 150
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "geoae_core.cli", "train", *args]


def start_training(out: Path, epochs: int = EPOCHS) -> subprocess.Popen:
    sets = [arg for key, value in SETTINGS.items() for arg in ("--set", f"{key}={value}")]
    command = cli_command("--out", str(out), "--epochs", str(epochs), "--device", "cpu", *sets)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.01)


def epochs_done(out: Path) -> int:
    try:
        return json.loads((out / "run.json").read_text())["epochs_done"]
    except (OSError, ValueError, KeyError):
        return -1


@pytest.fixture(scope="module")
def reference():
    return state(train("disks", **SETTINGS, epochs=EPOCHS, device="cpu"))


KILL_MOMENTS = {
    # before torch has loaded: only config.json and run.json are there
    "first second": lambda out: (out / "config.json").is_file(),
    # the epoch-0 checkpoint, written as training starts
    "first checkpoint": lambda out: (out / "checkpoint.safetensors").is_file(),
    # a checkpoint made by the clock, mid-run
    "mid-run": lambda out: epochs_done(out) >= 1,
}


@pytest.mark.parametrize("moment", list(KILL_MOMENTS))
def test_a_kill_at_any_moment_resumes_to_the_uninterrupted_weights(tmp_path, reference, moment):
    out = tmp_path / "run"
    process = start_training(out)
    wait_for(lambda: KILL_MOMENTS[moment](out) or process.poll() is not None)
    process.send_signal(signal.SIGKILL)
    process.wait()
    status = json.loads((out / "run.json").read_text())
    assert status["status"] == "running" and status["epochs_done"] < EPOCHS  # killed, not finished
    assert writer_of(out) is None  # the lock died with the process
    resumed = subprocess.run(cli_command("--resume", str(out)), capture_output=True, text=True, env=ENV)
    assert resumed.returncode == 0, resumed.stderr
    run = load_run(out)
    assert run.status == "finished" and [h["epoch"] for h in run.history] == list(range(1, EPOCHS + 1))
    assert_bitwise_equal(reference, state(run))


def test_a_second_writer_is_refused_in_one_line_while_the_first_trains_on(tmp_path, reference, capsys):
    out = tmp_path / "run"
    first = start_training(out)
    try:
        wait_for(lambda: writer_of(out) == first.pid)
        for args in (["--resume", str(out)], ["--out", str(out), "--resume"], ["--out", str(out), "--force"]):
            code = cli.main(["train", *args])
            lines = capsys.readouterr().err.strip().splitlines()
            assert code == 2 and len(lines) == 1
            assert lines[0] == (
                f"geoae: error: {out}: another training is writing this run (pid {first.pid}); "
                "wait for it or stop it first"
            )
        with pytest.raises(RunError, match="another training is writing this run"):
            train(None, out=out, resume=True)
        assert first.poll() is None  # untouched, still training
    finally:
        _stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert_bitwise_equal(reference, state(load_run(out)))


def test_one_thread_holds_a_folder_and_may_take_it_again(tmp_path):
    folder = tmp_path / "run"
    taken = []
    with hold(folder), hold(folder):  # re-entrant on its own thread (the CLI, then train)
        assert writer_of(folder) == os.getpid()

        def other_thread():
            try:
                with hold(folder):
                    taken.append(True)
            except RunError as exc:
                taken.append(str(exc))

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert taken == [f"{folder}: another training is writing this run (this program); wait for it or stop it first"]
    assert writer_of(folder) is None
    assert not folder.exists()  # nothing was written: no empty folder left behind


def test_readers_need_no_lock(tmp_path):
    out = tmp_path / "run"
    train("disks", out=out, epochs=1, **SETTINGS)
    with hold(out):
        assert load_run(out).status == "finished"
    assert (out / LOCK_FILE).is_file() and writer_of(out) is None
