"""The grouped (batched) training of a family: the same runs as training each member alone."""

import errno
import threading

import pytest
import torch

from geoae_core import load_run, loop, train
from geoae_core.batched import can_batch, train_batched
from geoae_core.cli import main
from geoae_core.config import Config, ConfigError
from geoae_core.sweep import sweep

BASE = Config(size=16, n_train=60, batch_size=20, epochs=3, holes=[[3.0, 4.5]], device="cpu", checkpoint_every=2)
FAMILY = [
    BASE.replace(seed=0),
    BASE.replace(seed=1, regulariser="psi1", lam=1e-3),
    BASE.replace(seed=2, regulariser="psi2", lam=0.5),
    BASE.replace(seed=3, regulariser="psi3", lam=1.0),
]


def assert_close_weights(run_a, run_b):
    a, b = ({k: v.cpu() for k, v in run.model.state_dict().items()} for run in (run_a, run_b))
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6)


def test_batched_members_equal_their_separate_runs(tmp_path):
    # the device is forced to the CPU: on CUDA the same code is sweep's default
    runs = sweep(FAMILY, [tmp_path / f"m{i}" for i in range(4)], batched=True)
    assert [r.status for r in runs] == ["finished"] * 4
    for config, run in zip(FAMILY, runs):
        alone = train(config)
        assert_close_weights(run, alone)
        assert [row["epoch"] for row in run.history] == [1, 2, 3]
        assert run.history[-1]["loss"] == pytest.approx(alone.history[-1]["loss"], rel=1e-5)
        assert run.info["batched"] is True and run.config == config


def test_a_batched_member_resumes_alone_from_its_checkpoint(tmp_path):
    short = [c.replace(epochs=2) for c in FAMILY[1:3]]
    train_batched(short, [tmp_path / "a", tmp_path / "b"])
    resumed = train(None, out=tmp_path / "b", resume=True, epochs=4)
    uninterrupted = train(FAMILY[2].replace(epochs=4))
    assert resumed.status == "finished" and len(resumed.history) == 4
    assert_close_weights(resumed, uninterrupted)


def test_a_diverging_member_does_not_take_the_others_down(tmp_path):
    family = [FAMILY[0], FAMILY[3].replace(lam=1e38)]  # psi3 * 1e38 overflows at once
    statuses = train_batched(family, [tmp_path / "ok", tmp_path / "bad"])
    assert statuses == ["finished", "diverged"]
    assert_close_weights(load_run(tmp_path / "ok"), train(family[0]))
    bad = load_run(tmp_path / "bad")
    assert bad.status == "diverged"
    assert all(torch.isfinite(v).all() for v in bad.model.state_dict().values())


def test_only_runs_differing_in_seed_regulariser_and_lambda_batch():
    assert can_batch(FAMILY)
    assert not can_batch(FAMILY[:1])
    assert not can_batch([FAMILY[0], FAMILY[1].replace(lr=0.01)])
    assert not can_batch([FAMILY[0], FAMILY[1].replace(kind="position-decoder", size=64, holes=[])])
    with pytest.raises(ConfigError, match="differ only in seed"):
        train_batched([FAMILY[0], FAMILY[1].replace(batch_size=10)], ["x", "y"])


def test_sweep_cli_refuses_batching_what_cannot_batch(tmp_path, capsys):
    args = ["sweep", "--out", str(tmp_path / "s"), "--vary", "lr=0.001,0.01", "--batched", "yes"]
    args += ["--set", "size=16", "--set", "n_train=40", "--set", "epochs=1", "--set", "device=cpu"]
    assert main(args) == 2
    assert "differ only in seed, regulariser and lam" in capsys.readouterr().err


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_sweep_batches_on_cuda_by_default(tmp_path):
    family = [c.replace(device="cuda") for c in FAMILY]
    runs = sweep(family, [tmp_path / f"m{i}" for i in range(4)])
    assert all(r.info.get("batched") for r in runs)
    for config, run in zip(family, runs):
        assert_close_weights(run, train(config))


def test_a_batched_family_checkpoints_and_fails_to_save_as_a_lone_run_does(tmp_path, monkeypatch):
    """Written at the start, checkpointed every checkpoint_every epochs; a checkpoint that cannot
    be written warns and the family trains on (the record of loop.py, shared with lone runs)."""
    real_save_run = loop.save_run
    writes = []

    def save_run(folder, config, state, history, info, checkpoint):
        writes.append((folder.name, len(history), info["status"]))
        if len(history) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save_run(folder, config, state, history, info, checkpoint)

    monkeypatch.setattr(loop, "save_run", save_run)
    warnings = []
    outs = [tmp_path / f"m{i}" for i in range(2)]
    statuses = train_batched(FAMILY[:2], outs, on_warning=warnings.append)
    assert statuses == ["finished", "finished"]
    # each member at the start, at epoch 2 (refused), then at the end, in that order
    moments = ((0, "running"), (2, "running"), (3, "finished"))
    assert writes == [(f"m{i}", epochs, status) for epochs, status in moments for i in (0, 1)]
    message = "could not save the run (No space left on device)"
    assert warnings == [f"checkpoint at epoch 2 not saved: {out}: {message}" for out in outs]
    assert [load_run(out).status for out in outs] == ["finished", "finished"]


def test_a_cancelled_family_reports_progress_and_each_member_resumes_alone(tmp_path):
    cancel = threading.Event()
    events = []

    def stop_after_one(report):
        if report.event != "step":  # a family reports its steps as a lone run does
            events.append((report.event, report.epoch))
        if report.event == "epoch" and report.epoch == 1:
            cancel.set()

    outs = [tmp_path / f"m{i}" for i in range(2)]
    family = [config.replace(epochs=4) for config in FAMILY[:2]]
    statuses = train_batched(family, outs, callbacks=[stop_after_one], cancel=cancel)
    assert statuses == ["cancelled", "cancelled"]
    assert events == [("start", 0), ("epoch", 1), ("end", 1)]  # epoch 2 was cut short: 1 epoch done
    for config, out in zip(family, outs):
        assert [h["epoch"] for h in load_run(out).history] == [1]
        resumed = train(None, out=out, resume=True)
        assert resumed.status == "finished" and [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]
        assert_close_weights(resumed, train(config))


def test_a_family_with_a_decaying_learning_rate_trains_the_losses_of_its_members_alone(tmp_path):
    """lr_final set: the grouped family follows the cosine schedule of a lone run (issue 23)."""
    family = [config.replace(lr=0.01, lr_final=1e-5, epochs=4) for config in FAMILY[:3]]
    args = ["sweep", "--out", str(tmp_path / "s"), "--seeds", "2", "--batched", "yes", "--vary", "lam=0,0.5"]
    args += ["--set", "size=16", "--set", "n_train=60", "--set", "batch_size=20", "--set", "epochs=4"]
    args += ["--set", "lr=0.01", "--set", "lr_final=0.00001", "--set", "regulariser=psi2", "--set", "device=cpu"]
    assert main(args) == 0  # `sweep --batched yes`, forced on the CPU
    runs = [load_run(folder) for folder in sorted((tmp_path / "s").iterdir())]
    runs += sweep(family, [tmp_path / f"m{i}" for i in range(len(family))], batched=True)
    for run in runs:
        assert run.info["batched"] is True
        alone = [row["loss"] for row in train(run.config).history]
        assert [row["loss"] for row in run.history] == pytest.approx(alone, rel=1e-3)


def test_a_family_that_cannot_be_grouped_is_refused_in_one_line_before_any_file(tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    with pytest.raises(ConfigError) as caught:
        train_batched([FAMILY[0], FAMILY[1].replace(lr=0.01)], outs)
    assert str(caught.value) == (
        "batched: the runs differ in lr (0.001, 0.01); "
        "the members of a grouped family differ only in seed, regulariser and lambda"
    )
    assert not any(out.exists() for out in outs)
