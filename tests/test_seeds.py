"""The rule that makes seed bands honest (geoae_core.seeds): a group is distinct seeds of one
finished setting; unfinished runs are flagged and left out unless asked; a seed twice counts once."""

import json

import numpy as np
from torch import nn

from geoae_core.config import Config
from geoae_core.runs import Run
from geoae_core.seeds import Progress, bands_of, folder_progress, progress_of, seed_groups

BASE = Config(size=16, n_train=60, epochs=400, device="cpu")


def fake_run(name, seed=0, done=400, status="finished", started="2026-01-01T00:00:00", z=None, **changes):
    """A run in memory with a name, a seed, how far it got and (optionally) its z(r) ready."""
    config = BASE.replace(seed=seed, **changes)
    run = Run(
        config=config,
        model=nn.Linear(1, 1),
        status=status,
        history=[{"epoch": e, "loss": 1.0, "seconds": 0.1} for e in range(1, done + 1)],
        info={"status": status, "epochs_done": done, "epochs": config.epochs, "started": started},
    )
    run.name = name
    if z is not None:
        run.derived["z_of_r"] = (np.arange(len(z), dtype=float), np.asarray(z, float))
    return run


def names(groups):
    return [[run.name for run in group] for group in groups]


def test_progress_flags_what_did_not_finish():
    assert Progress("finished", 400, 400).finished and Progress("finished", 400, 400).flag == ""
    assert Progress("cancelled", 6, 400).flag == "(stopped at 6/400)"
    assert Progress("stopped", 6, 400).flag == "(stopped at 6/400)"
    assert Progress("running", 4, 40).flag == "(training: 4/40)"
    assert Progress("failed", 0, 40).flag == "(failed at 0/40)"
    # finished, but fewer epochs than its config asks for (its config was raised to resume it)
    assert not Progress("finished", 30, 40).finished and Progress("finished", 30, 40).flag == "(stopped at 30/40)"
    assert progress_of(fake_run("a", done=6, status="cancelled")) == Progress("cancelled", 6, 400)


def test_a_stopped_run_is_not_a_second_seed():
    """The issue's case: a finished 400-epoch run and one stopped at epoch 6, both seed 0."""
    finished, stopped = fake_run("done", seed=0), fake_run("stopped", seed=0, done=6, status="cancelled")
    grouping = seed_groups([finished, stopped])
    assert names(grouping.groups) == [["done"]]
    assert [(run.name, why) for run, why in grouping.left_out] == [("stopped", "unfinished (stopped at 6/400)")]
    # asked for: the unfinished run joins, but seed 0 is there once, and the finished run is kept
    grouping = seed_groups([stopped, finished], include_unfinished=True)
    assert names(grouping.groups) == [["done"]]
    ((run, why),) = grouping.left_out
    assert run is stopped and why == "seed 0 again in its setting: seed 0 kept (the finished one)"


def test_groups_are_distinct_seeds_of_one_setting():
    runs = [
        fake_run("a0", seed=0),
        fake_run("b0", seed=0, regulariser="psi3", lam=1.0),
        fake_run("a1", seed=1, device="cuda", checkpoint_every=7),  # where and how it was saved: same setting
        fake_run("a2", seed=2),
        fake_run("short", seed=3, epochs=40, done=40),  # another number of epochs: another setting
        fake_run("b1", seed=1, regulariser="psi3", lam=1.0),
    ]
    grouping = seed_groups(runs)
    assert names(grouping.groups) == [["a0", "a1", "a2"], ["b0", "b1"], ["short"]]
    assert grouping.left_out == []


def test_of_two_unfinished_runs_with_one_seed_the_latest_is_kept():
    early = fake_run("early", seed=4, done=10, status="cancelled", started="2026-01-01T10:00:00")
    late = fake_run("late", seed=4, done=3, status="cancelled", started="2026-01-02T09:00:00")
    other = fake_run("other", seed=5)
    grouping = seed_groups([early, other, late], include_unfinished=True)
    assert names(grouping.groups) == [["other", "late"]]
    assert [(run.name, why) for run, why in grouping.left_out] == [
        ("early", "seed 4 again in its setting: seed 4 kept (the latest)")
    ]
    assert seed_groups([early, other, late]).groups == [[other]]


def test_bands_average_the_oriented_curves_of_distinct_seeds():
    runs = [
        fake_run("s0", seed=0, z=[0.0, 1.0, 2.0]),
        fake_run("s1", seed=1, z=[-0.0, -2.0, -4.0]),  # falls with r: negated
        fake_run("s0-stopped", seed=0, done=6, status="cancelled", z=[9.0, 9.0, 9.0]),
    ]
    (band,) = bands_of(seed_groups(runs).groups)
    assert band.seeds == [0, 1] and band.flipped == [False, True] and band.unfinished == []
    np.testing.assert_allclose(band.mean, [0.0, 1.5, 3.0])
    np.testing.assert_allclose(band.std, np.std([[0, 1, 2], [0, 2, 4]], axis=0, ddof=1))
    (single,) = bands_of(seed_groups(runs[2:], include_unfinished=True).groups)
    assert single.unfinished == [runs[2]] and np.array_equal(single.std, np.zeros(3))


def test_a_folder_tells_how_far_its_run_got_without_loading_it(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(BASE.to_dict()))
    assert folder_progress(folder) == Progress("finished", 0, 400)  # no run.json, no history
    (folder / "run.json").write_text(json.dumps({"status": "cancelled", "epochs_done": 6, "epochs": 400}))
    assert folder_progress(folder).flag == "(stopped at 6/400)"
    (folder / "run.json").write_text(json.dumps({"status": "running"}))
    (folder / "history.csv").write_text("epoch,loss,seconds\n1,0.5,0.1\n2,0.4,0.1\n")
    assert folder_progress(folder).flag == "(training: 2/400)"
