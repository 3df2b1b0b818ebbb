import json
import pickle
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from geoae_core import RunError, load_run, train


class PlantMarker:
    """Unpickling this creates a file: proof that something executed code from the run folder."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good") / "run"
    train("disks", out=folder, size=32, n_train=100, epochs=1, device="cpu")
    return folder


def copy_run(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_planted_pickle_never_runs(good_run, tmp_path):
    marker = tmp_path / "pwned"
    folder = copy_run(good_run, tmp_path / "hostile")
    payload = pickle.dumps({"decoder.layers.0.weight": PlantMarker(marker)})
    (folder / "weights.safetensors").write_bytes(payload)
    (folder / "checkpoint.safetensors").write_bytes(payload)
    with pytest.raises(RunError, match=r"weights\.safetensors"):
        load_run(folder)
    with pytest.raises(RunError):
        train(None, out=folder, resume=True)
    snapshotted = copy_run(good_run, tmp_path / "hostile-snapshot")
    (snapshotted / "snapshots" / "epoch-000000.safetensors").write_bytes(payload)
    with pytest.raises(RunError, match=r"epoch-000000\.safetensors"):
        load_run(snapshotted).at_epoch(0)
    assert not marker.exists()
    pickle.loads(payload)  # the payload is live: loading it the unsafe way does plant the marker
    assert marker.exists()


@pytest.mark.parametrize(
    "damage, needle",
    [
        (lambda d: (d / "config.json").write_text("[1, 2"), "not valid JSON"),
        (lambda d: (d / "config.json").write_text("[1, 2]"), "expected an object"),
        (lambda d: (d / "config.json").unlink(), "missing"),
        (lambda d: _edit_config(d, drop="size"), "missing setting 'size'"),
        (lambda d: _edit_config(d, size="big"), "size"),
        (lambda d: _edit_config(d, encoder_depths=[8, 4, 4, 2]), "shape"),
        (lambda d: (d / "weights.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}"), "weights"),
        (lambda d: (d / "history.csv").write_text("epoch,loss\nx,y\n"), "history"),
    ],
)
def test_broken_files_are_refused_by_name(good_run, tmp_path, damage, needle):
    folder = copy_run(good_run, tmp_path / "broken")
    damage(folder)
    with pytest.raises(RunError) as info:
        load_run(folder)
    assert needle in str(info.value) and str(folder) in str(info.value)


def _edit_config(folder: Path, drop: str | None = None, **changes):
    data = json.loads((folder / "config.json").read_text())
    data.pop(drop, None)
    data.update(changes)
    (folder / "config.json").write_text(json.dumps(data))


def test_a_checkpoint_with_a_misshapen_optimiser_moment_is_refused(good_run, tmp_path):
    # fused Adam would write past the end of a moment smaller than its weight
    folder = copy_run(good_run, tmp_path / "misshapen")
    (folder / "config.json").write_text(json.dumps({**json.loads((folder / "config.json").read_text()), "epochs": 2}))
    tensors = load_file(folder / "checkpoint.safetensors")
    moment = next(key for key in tensors if key.endswith(".exp_avg"))
    tensors[moment] = torch.zeros(1)
    save_file(tensors, folder / "checkpoint.safetensors")
    with pytest.raises(RunError, match=r"unusable checkpoint.*exp_avg of shape"):
        train(None, out=folder, resume=True)
