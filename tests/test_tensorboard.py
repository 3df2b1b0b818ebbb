"""TensorBoard event files in a run folder (--tensorboard): read back, they give the losses of
history.csv, the settings as hparams and one image of filters per layer."""

import numpy as np
import pytest

from geoae_core import load_run, tensorboard_log, train
from geoae_core.cli import main
from geoae_core.config import Config

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
plugin_data_pb2 = pytest.importorskip("tensorboard.plugins.hparams.plugin_data_pb2")

TINY = ["--set", "size=16", "--set", "n_train=64", "--set", "batch_size=32", "--device", "cpu"]


def read_events(folder):
    events = event_accumulator.EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    events.Reload()
    return events


def hparams_of(events):
    content = events.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    hparams = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info.hparams
    return {name: getattr(value, value.WhichOneof("kind")) for name, value in hparams.items()}


def assert_events_match_history(folder):
    run, events = load_run(folder), read_events(folder)
    logged = [(s.step, s.value) for s in events.Scalars(tensorboard_log.LOSS_TAG)]
    # TensorBoard keeps scalars as float32: the history's float64 losses, rounded once
    assert logged == [(row["epoch"], float(np.float32(row["loss"]))) for row in run.history]
    assert len(logged) == run.config.epochs
    layers = sum(len(run.filters(side)) for side in run.kind.sides)
    images = events.Tags()["images"]
    assert len(images) == layers and all(tag.startswith("filters/") for tag in images)
    return run, events


def test_train_writes_events_that_match_its_history(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--epochs", "4", "--set", "lr=0.002", "--tensorboard", *TINY]) == 0
    run, events = assert_events_match_history(out)
    assert run.config.tensorboard
    hparams = hparams_of(events)
    assert hparams["lr"] == pytest.approx(0.002) and hparams["size"] == 16 and hparams["regulariser"] == "none"
    assert hparams["holes"] == "[]" and hparams["bias"] is True
    first = events.Images(events.Tags()["images"][0])[0]
    assert first.step == 4 and first.width > 0 and first.height > 0


def test_sweep_members_each_write_their_events(tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", "--out", str(out), "--seeds", "2", "--epochs", "2", "--workers", "1", "--tensorboard", *TINY]
    assert main(args) == 0
    for seed in (0, 1):
        assert_events_match_history(out / f"seed{seed}")


def test_events_written_afterwards_for_a_grouped_member(tmp_path):
    """A member of a family trained as one grouped model has no loop callbacks: its events come
    from its folder once it is trained."""
    folder = tmp_path / "member"
    train(Config(size=16, n_train=64, batch_size=32, epochs=3, device="cpu"), out=folder)
    assert not list(folder.glob("events.out.tfevents.*"))
    tensorboard_log.log_finished_run(folder)
    assert_events_match_history(folder)


def test_filter_image_lays_out_every_kernel():
    kernels = np.arange(2 * 3 * 3 * 3, dtype=np.float32).reshape(2, 3, 3, 3)
    image = tensorboard_log.filter_image(kernels)
    pixels = tensorboard_log.FILTER_PIXELS
    assert image.shape == (1, (2 * 4 + 1) * pixels, (3 * 4 + 1) * pixels)
    assert image.min() == 0.0 and image.max() == 1.0
    assert tensorboard_log.filter_image(np.zeros((1, 1, 3))).shape == (1, 3 * pixels, 5 * pixels)


def test_without_the_writer_the_option_names_the_extra(tmp_path, monkeypatch, capsys):
    real_find_spec = tensorboard_log.importlib.util.find_spec
    monkeypatch.setattr(
        tensorboard_log.importlib.util,
        "find_spec",
        lambda name: None if name == "tensorboardX" else real_find_spec(name),
    )
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--epochs", "1", "--tensorboard", *TINY]) == 2
    assert main(["reproduce", "fig2", "--out", str(out), "--tensorboard"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all('pip install "geoae[tensorboard]"' in line for line in err)
    assert not out.exists()
