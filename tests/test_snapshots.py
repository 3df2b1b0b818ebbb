"""Snapshots of the weights during training (run folder's snapshots/) and Run.at_epoch: the
schedule, every kind, the batched path, a resumed run, and a folder trained before snapshots."""

import itertools
import json
import shutil
import threading

import pytest
import torch
from same_weights import assert_bitwise_equal, state  # tests/ is on sys.path

from geoae_core import cli, load_run, train
from geoae_core.batched import train_batched
from geoae_core.config import Config, ConfigError
from geoae_core.files import RunError
from geoae_core.kinds import KINDS, kind_of
from geoae_core.loop import DENSE_SNAPSHOTS, snapshot_due
from geoae_core.presets import PRESETS, preset
from geoae_core.store import read_tensors, snapshot_path

TINY = {"n_train": 40, "batch_size": 20, "device": "cpu", "checkpoint_every": 1}
LONG = {**TINY, "checkpoint_every": 1000}  # snapshots at every epoch, checkpoints rarely


def kept(epochs: int) -> list[int]:
    return [e for e in range(epochs + 1) if snapshot_due(e, epochs)]


# ------------------------------------------------------------------ the schedule
def test_short_runs_keep_every_epoch():
    assert kept(DENSE_SNAPSHOTS) == list(range(DENSE_SNAPSHOTS + 1))
    assert kept(7) == list(range(8))


@pytest.mark.parametrize("epochs", [33, 100, 400, 1500, 3000])
def test_long_runs_keep_log_spaced_epochs_and_the_last(epochs):
    epochs_kept = kept(epochs)
    assert epochs_kept[: DENSE_SNAPSHOTS + 1] == list(range(DENSE_SNAPSHOTS + 1))
    assert epochs_kept[-1] == epochs
    # log-spaced: the gap after epoch e grows with e, and never beyond a tenth of it (the last may be shorter)
    gaps = [(a, b - a) for a, b in itertools.pairwise(epochs_kept)][:-1]
    assert all(gap <= max(1, a / 10) for a, gap in gaps)
    assert [gap for _, gap in gaps] == sorted(gap for _, gap in gaps)


def test_a_400_epoch_run_keeps_between_60_and_100_snapshots():
    assert 60 <= len(kept(400)) <= 100
    assert len(kept(3000)) < 2 * len(kept(400))  # logarithmic growth


# ------------------------------------------------------------ every kind of run
def tiny_config(kind: str) -> Config:
    """A run of `kind` small enough for a test: its first preset (or the defaults), images as
    small as its settings allow."""
    names = [name for name in PRESETS if preset(name).kind == kind]
    base = preset(names[0]) if names else Config(kind=kind)
    for size in (8, 16, 32, base.size):
        try:
            return base.replace(size=size, epochs=3, **TINY)
        except ConfigError:
            continue
    raise AssertionError(f"no small config for {kind}")


def weights_after(config: Config, epochs: int) -> dict[str, torch.Tensor]:
    """The weights after `epochs` epochs of `config`'s training, stopped there (same trajectory)."""
    cancel = threading.Event()

    def stop(report):
        if report.event == "epoch" and report.epoch == epochs:
            cancel.set()

    return state(train(config, callbacks=[stop], cancel=cancel))


@pytest.mark.parametrize("kind", list(KINDS))
def test_at_epoch_gives_the_weights_of_that_epoch_for_every_kind(tmp_path, kind):
    config = tiny_config(kind)
    train(config, out=tmp_path / "run")
    run = load_run(tmp_path / "run")
    assert run.snapshot_epochs() == [0, 1, 2, 3]
    initial = kind_of(config).regime(config, torch.device("cpu")).model
    assert_bitwise_equal({k: v.detach() for k, v in initial.state_dict().items()}, state(run.at_epoch(0)))
    at_two = run.at_epoch(2)
    assert_bitwise_equal(weights_after(config, 2), state(at_two))
    assert_bitwise_equal(state(run), state(run.at_epoch(3)))  # the last snapshot is the final weights
    assert at_two.config == run.config and at_two.kind is run.kind and at_two.path == run.path
    assert [row["epoch"] for row in at_two.history] == [1, 2] and at_two.info["snapshot_epoch"] == 2
    assert not at_two.model.training
    for side in kind_of(config).sides:  # the same methods, on the earlier weights
        assert [w.shape for w in at_two.filters(side)] == [w.shape for w in run.filters(side)]


def test_at_epoch_takes_the_nearest_snapshot_and_reads_each_once(tmp_path, monkeypatch):
    train(Config(size=8, epochs=40, **LONG), out=tmp_path / "run")
    run = load_run(tmp_path / "run")
    assert run.snapshot_epochs() == [*range(33), 34, 36, 38, 40]
    assert run.at_epoch(33).info["snapshot_epoch"] == 32  # a tie goes to the earlier one
    assert run.at_epoch(35).info["snapshot_epoch"] == 34
    assert run.at_epoch(10_000).info["snapshot_epoch"] == 40
    assert run.at_epoch(-5).info["snapshot_epoch"] == 0
    reads = []
    monkeypatch.setattr("geoae_core.runs.read_tensors", lambda path: reads.append(path) or read_tensors(path))
    first = run.at_epoch(12)
    again = run.at_epoch(12).at_epoch(12)  # the cache is shared with the runs at_epoch returns
    assert reads == [snapshot_path(run.path, 12)]
    assert_bitwise_equal(state(first), state(again))
    assert first.model is not again.model  # each caller gets its own model


def test_a_stopped_run_keeps_its_last_epoch_and_a_new_run_clears_old_snapshots(tmp_path):
    cancel = threading.Event()

    def stop_at_35(report):
        if report.event == "epoch" and report.epoch == 35:
            cancel.set()

    out = tmp_path / "run"
    train(Config(size=8, epochs=60, **LONG), out=out, callbacks=[stop_at_35], cancel=cancel)
    assert load_run(out).snapshot_epochs()[-3:] == [32, 34, 35]  # 35 is off the schedule: kept as the last
    assert_bitwise_equal(state(load_run(out)), state(load_run(out).at_epoch(35)))
    train(Config(size=8, epochs=2, **TINY), out=out)  # another run in the same folder
    assert load_run(out).snapshot_epochs() == [0, 1, 2]


def test_a_resumed_run_keeps_its_snapshots_and_matches_an_uninterrupted_one_bitwise(tmp_path):
    config = Config(size=8, epochs=6, **TINY)
    train(config, out=tmp_path / "whole")
    cancel = threading.Event()

    def stop_at_three(report):
        if report.event == "epoch" and report.epoch == 3:
            cancel.set()

    out = tmp_path / "resumed"
    train(config, out=out, callbacks=[stop_at_three], cancel=cancel)
    assert load_run(out).snapshot_epochs() == [0, 1, 2, 3]
    before = {e: read_tensors(snapshot_path(out, e)) for e in range(4)}
    resumed = train(None, out=out, resume=True)
    whole = load_run(tmp_path / "whole")
    assert_bitwise_equal(state(whole), state(resumed))
    assert load_run(out).snapshot_epochs() == whole.snapshot_epochs() == list(range(7))
    for epoch in range(7):
        assert_bitwise_equal(read_tensors(snapshot_path(whole.path, epoch)), read_tensors(snapshot_path(out, epoch)))
    for epoch, tensors in before.items():
        assert_bitwise_equal(tensors, read_tensors(snapshot_path(out, epoch)))


def test_batched_members_keep_their_snapshots(tmp_path):
    base = Config(size=8, epochs=3, **TINY)
    configs = [base.replace(seed=0), base.replace(seed=1)]
    outs = [tmp_path / "m0", tmp_path / "m1"]
    assert train_batched(configs, outs) == ["finished", "finished"]
    for config, out in zip(configs, outs):
        run = load_run(out)
        assert run.snapshot_epochs() == [0, 1, 2, 3]
        assert_bitwise_equal(state(run), state(run.at_epoch(3)))
        alone = train(config, out=tmp_path / f"alone-{config.seed}")
        for key, value in state(alone.at_epoch(1)).items():
            torch.testing.assert_close(state(run.at_epoch(1))[key], value, rtol=1e-5, atol=1e-6)


# -------------------------------------------------- runs without snapshots
@pytest.fixture
def old_run(tmp_path):
    """A run folder as geoae wrote it before snapshots."""
    out = tmp_path / "old"
    train(Config(size=8, epochs=3, **TINY), out=out)
    shutil.rmtree(out / "snapshots")
    return out


def test_a_run_without_snapshots_has_its_final_epoch_only(old_run):
    run = load_run(old_run)
    assert run.snapshot_epochs() == []
    assert run.at_epoch(3) is run
    with pytest.raises(RunError) as caught:
        run.at_epoch(1)
    assert str(caught.value) == (
        f"{old_run}: no snapshots of the weights during training (trained before geoae kept them); "
        "only the final epoch 3 is there"
    )
    in_memory = train(Config(size=8, epochs=1, **TINY))
    with pytest.raises(RunError, match="in memory"):
        in_memory.at_epoch(0)


def test_a_damaged_snapshot_is_a_run_error_naming_the_file(tmp_path):
    out = tmp_path / "run"
    train(Config(size=8, epochs=2, **TINY), out=out)
    snapshot_path(out, 1).write_bytes(b"not safetensors")
    with pytest.raises(RunError, match=r"epoch-000001\.safetensors: not a readable safetensors file"):
        load_run(out).at_epoch(1)


# ------------------------------------------------------------------ the CLI
def test_geoae_eval_at_an_epoch(tmp_path, old_run, capsys):
    out = tmp_path / "run"
    train(Config(size=8, epochs=3, **TINY), out=out)
    assert cli.main(["eval", str(out), "--epoch", "1", "--json"]) == 0
    at_one = json.loads(capsys.readouterr().out)
    assert cli.main(["eval", str(out), "--json"]) == 0
    final = json.loads(capsys.readouterr().out)
    assert at_one["snapshot_epoch"] == 1 and "snapshot_epoch" not in final
    assert at_one["mean_error"] != final["mean_error"]
    assert cli.main(["eval", str(out), "--epoch", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "weights of epoch 2, the snapshot nearest to 2"
    assert cli.main(["eval", str(old_run), "--epoch", "1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "no snapshots of the weights during training" in lines[0]
