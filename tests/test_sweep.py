import torch

from geoae_core import load_run, train
from geoae_core.cli import main
from geoae_core.config import Config
from geoae_core.sweep import expand_members, sweep

TINY = {"size": 32, "n_train": 200, "batch_size": 100, "epochs": 2, "device": "cpu"}


def test_members_cover_every_combination():
    members = expand_members(Config(**TINY), 2, ["regulariser=psi1,psi3", "holes=[[5,9]],[[2,4]]"])
    assert len(members) == 8
    names = [name for name, _ in members]
    assert names[0] == "regulariser=psi1-holes=[[5,9]]-seed0" and len(set(names)) == 8
    assert {c.seed for _, c in members} == {0, 1}
    assert members[-1][1].holes == [[2, 4]]


def test_parallel_sweep_equals_separate_runs(tmp_path):
    configs = [Config(**TINY, seed=s) for s in range(3)]
    runs = sweep(configs, [tmp_path / f"s{s}" for s in range(3)], workers=2)
    assert [r.status for r in runs] == ["finished"] * 3
    for config, run in zip(configs, runs):
        alone = train(config)
        for key, value in alone.model.state_dict().items():
            torch.testing.assert_close(run.model.state_dict()[key], value, rtol=1e-5, atol=1e-6)


def test_sweep_cli(tmp_path, capsys):
    code = main(
        [
            "sweep",
            "--out",
            str(tmp_path / "s"),
            "--seeds",
            "2",
            "--vary",
            "lam=0.1,1",
            "--set",
            "regulariser=psi3",
            "--set",
            "size=32",
            "--set",
            "n_train=200",
            "--epochs",
            "1",
            "--workers",
            "1",
            "--device",
            "cpu",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 0 and "[4/4]" in err
    assert load_run(tmp_path / "s" / "lam=1-seed1").config.lam == 1
    assert main(["sweep", "--out", str(tmp_path / "t"), "--vary", "lam"]) == 2
