import io
import json
import pickle
import shutil
import subprocess
import sys

import pytest

from geoae_core.cli import ProgressBar, main
from geoae_core.loop import Progress

TINY_SET = ["--set", "size=32", "--set", "n_train=300"]


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_then_eval(tmp_path, capsys):
    out = tmp_path / "run"
    code, stdout, stderr = run_cli(capsys, "train", "--preset", "disks", "--out", str(out), "--epochs", "2", *TINY_SET)
    assert code == 0 and (out / "weights.safetensors").is_file()
    assert "2/2" in stderr and "finished" in stderr
    code, stdout, _ = run_cli(capsys, "eval", str(out), "--json")
    report = json.loads(stdout)
    assert code == 0 and len(report["radii"]) == 63 and "fit_r2" in report
    code, stdout, _ = run_cli(capsys, "eval", str(out))
    assert code == 0 and "mean_error" in stdout and "fit_r2" in stdout


def test_presets_listing(capsys):
    code, stdout, _ = run_cli(capsys, "presets")
    assert code == 0
    for name in ("disks", "disks-nobias", "disks-hole-psi3", "position-encoder", "position-decoder-onehot"):
        assert name in stdout
    code, stdout, _ = run_cli(capsys, "presets", "--show", "disks-hole")
    assert json.loads(stdout)["holes"] == [[11.0, 18.0]]


def corrupt_runs(tmp_path):
    base = tmp_path / "good"
    main(["train", "--out", str(base), "--epochs", "1", *TINY_SET])
    cases = {}
    for name, damage in {
        "garbage-weights": lambda d: (d / "weights.safetensors").write_bytes(b"\x00garbage"),
        "pickled-weights": lambda d: (d / "weights.safetensors").write_bytes(pickle.dumps({"a": 1})),
        "truncated-weights": lambda d: (d / "weights.safetensors").write_bytes(
            (base / "weights.safetensors").read_bytes()[:100]
        ),
        "malformed-config": lambda d: (d / "config.json").write_text("{not json"),
        "wrong-type-config": lambda d: (d / "config.json").write_text('{"size": "big"}'),
        "no-weights": lambda d: (d / "weights.safetensors").unlink(),
        "wrong-shapes": lambda d: (d / "config.json").write_text('{"size": 64}'),
    }.items():
        folder = tmp_path / name
        shutil.copytree(base, folder)
        damage(folder)
        cases[name] = folder
    return cases


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["train", "--preset", "nope", "--out", "X"], "preset"),
        (["train", "--out", "X", "--set", "colour=red"], "colour"),
        (["train", "--out", "X", "--set", "lr=fast"], "lr"),
        (["train", "--out", "X", "--set", "size=48"], "size"),
        (["train", "--out", "X", "--epochs", "-4"], "epochs"),
        (["train", "--out", "X", "--epochs", "ten"], "epochs"),
        (["train", "--out", "X", "--set", "novalue"], "key=value"),
        (["train", "--out", "X", "--config", "missing.json"], "missing.json"),
        (["train", "--out", "X", "--device", "tpu"], "device"),
        (["train"], "--out"),
        (["eval", "does-not-exist"], "does-not-exist"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_corrupt_run_folders_are_refused(tmp_path, capsys):
    cases = corrupt_runs(tmp_path)
    capsys.readouterr()
    for name, folder in cases.items():
        code, _, err = run_cli(capsys, "eval", str(folder))
        assert code == 2, name
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, name
        assert str(folder) in err, name


def test_non_empty_out_needs_force(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    code, _, err = run_cli(capsys, "train", "--out", str(out), "--epochs", "1", *TINY_SET)
    assert code == 2 and "--force" in err and (out / "keep.txt").read_text() == "precious"


def test_bad_config_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"sigma": -2}')
    code, _, err = run_cli(capsys, "train", "--config", str(bad), "--out", str(tmp_path / "r"))
    assert code == 2 and "sigma" in err and "bad.json" in err


def test_console_script_help():
    result = subprocess.run([sys.executable, "-m", "geoae_core.cli", "train", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for option in ("--preset", "--out", "--epochs", "--seed", "--device", "--set", "--config"):
        assert option in result.stdout


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("keep")
    code, _, err = run_cli(capsys, "train", "--out", str(target), "--epochs", "1", *TINY_SET)
    assert code == 2 and "is a file" in err and "Traceback" not in err and target.read_text() == "keep"


def test_resumed_divergence_is_explained(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "--out", str(out), "--epochs", "5", "--set", "lr=1e12", *TINY_SET])
    capsys.readouterr()
    code, _, err = run_cli(capsys, "train", "--out", str(out), "--resume")
    assert code == 1 and "diverged" in err


class FakeStream(io.StringIO):
    def __init__(self, terminal: bool):
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def feed(bar: ProgressBar, clock: list[float], epochs: int, seconds_per_epoch: float) -> None:
    report = Progress("start", 0, epochs, 0, 1, None, 0.0)
    bar(report)
    for epoch in range(1, epochs + 1):
        clock[0] += seconds_per_epoch
        bar(Progress("epoch", epoch, epochs, 1, 1, 1.0 / epoch, seconds_per_epoch))
    bar(Progress("end", epochs, epochs, 1, 1, 1.0 / epochs, 0.0, status="finished"))


def test_progress_in_a_log_is_a_few_short_lines():
    clock = [0.0]
    stream = FakeStream(terminal=False)
    feed(ProgressBar(stream, clock=lambda: clock[0]), clock, epochs=400, seconds_per_epoch=0.31)
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert lines[0] == "training on cpu" and lines[-1] == "finished after 400 epochs (124.0 s)"
    assert 12 <= len(lines) <= 16 and max(map(len, lines)) < 80  # one every 10 s of a 124 s run
    assert lines[-2].startswith("epoch 400/400 loss 0.0025")


def test_progress_on_a_terminal_redraws_one_line():
    clock = [0.0]
    stream = FakeStream(terminal=True)
    feed(ProgressBar(stream, clock=lambda: clock[0]), clock, epochs=400, seconds_per_epoch=0.31)
    text = stream.getvalue()
    assert text.count("\r[") > 300  # redrawn at most every 0.1 s: nearly every epoch here
    assert text.splitlines()[-1] == "finished after 400 epochs (124.0 s)"


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`geoae presets | head -1`: no traceback when the reader stops before the output ends
    (`true` reads nothing and has exited long before Python has started)."""
    command = f"{sys.executable} -m geoae_core.cli presets | true"
    result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


def test_cuda_asked_for_without_cuda_leaves_no_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    out = tmp_path / "run"
    code, _stdout, stderr = run_cli(capsys, "train", "--out", str(out), "--device", "cuda", *TINY_SET)
    assert code == 2 and "no CUDA device" in stderr and len(stderr.strip().splitlines()) == 1
    assert not out.exists()
