"""The DCGAN baseline of Appendix D: networks, adversarial training, run folders, projection."""

import errno
import threading

import numpy as np
import pytest
import torch

from geoae_core import adversarial, load_run, loop, models, preset, train
from geoae_core.config import Config, ConfigError
from geoae_core.data import disk_images
from geoae_core.kinds import build_model, init_model
from geoae_core.loop import UnsavedRunError
from geoae_core.runs import Run

# a real adversarial training, small enough for a test: 2 steps of 64 an epoch on 32 x 32 disks
TINY_GAN = {"size": 32, "n_train": 128, "epochs": 2, "device": "cpu"}


def weights(run):
    return {k: v.detach().cpu().clone() for k, v in run.model.state_dict().items()}


def pairwise_sq_distances(images: np.ndarray) -> np.ndarray:
    flat = images.reshape(len(images), -1).astype(float)
    return ((flat[:, None] - flat[None]) ** 2).sum(-1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gan") / "run"
    return train("gan-hole", out=folder, **TINY_GAN), folder


def test_preset_is_the_paper_setting():
    config = preset("gan-hole")
    assert config.kind == "gan" and config.code_size == 1 and config.size == 64
    assert config.holes == [[11.0, 18.0]]
    assert (config.lr, config.beta1, config.batch_size) == (0.0002, 0.5, 64)


@pytest.mark.parametrize("size", [8, 32, 64])
def test_generator_and_discriminator_shapes(size):
    model = build_model(Config(kind="gan", size=size))
    assert model.encoder is None
    images = model.decoder(torch.randn(5, 1))
    assert images.shape == (5, 1, size, size)
    assert images.min() >= 0 and images.max() <= 1  # sigmoid output, like the disks
    assert model.discriminator(images).shape == (5,)
    assert any(key.startswith("discriminator.") for key in model.state_dict())
    assert len(model.decoder.layers) == len(model.discriminator.layers) == round(np.log2(size)) - 1


def test_widths_halve_from_the_top():
    assert models.layer_widths(32) == [128, 64, 32]
    assert models.layer_widths(64) == [128, 64, 32, 16]
    with pytest.raises(ConfigError, match="size"):
        build_model(Config(kind="gan", size=4))


def test_training_writes_a_run_that_loads(trained):
    run, folder = trained
    assert run.status == "finished" and [row["epoch"] for row in run.history] == [1, 2]
    assert all(np.isfinite(row["loss"]) and row["loss"] > 0 for row in run.history)
    assert not run.model.training  # BatchNorm uses its running statistics from now on
    loaded = load_run(folder)
    assert loaded.config.kind == "gan" and loaded.status == "finished"
    assert all(torch.equal(weights(run)[k], weights(loaded)[k]) for k in weights(run))
    z = np.array([[-1.0], [0.0], [1.5]])
    decoded = loaded.decode(z)
    assert decoded.shape == (3, 32, 32)
    np.testing.assert_array_equal(decoded, run.decode(z))
    assert not list(folder.glob("*.tmp"))


def calibrated_generator_run(seed: int = 0) -> Run:
    """An untrained generator whose BatchNorm statistics are set from z over [-3, 3].

    A short adversarial training leaves G nearly constant in z; this one varies strongly,
    so the projection has something to get right.
    """
    config = Config(kind="gan", size=32, seed=seed)
    model = init_model(config).train()
    for norm in model.decoder.norms:
        norm.momentum = None  # a plain average: one pass gives that batch's statistics
    with torch.no_grad():
        model.decoder(torch.linspace(-3.0, 3.0, 256)[:, None])
    return Run(config=config, model=model.eval())


def test_projection_recovers_generated_images():
    run = calibrated_generator_run()
    before = weights(run)
    z_true = np.array([[-2.0], [-0.6], [0.7], [2.4]], np.float32)
    images = run.decode(z_true)
    spread = pairwise_sq_distances(images)[np.triu_indices(4, 1)]
    assert spread.min() > 0.1  # the generator is not constant: the projection has to choose

    z = run.encode(images)
    assert z.shape == (4, 1) and z.dtype == np.float32
    errors = ((run.decode(z) - images) ** 2).reshape(4, -1).sum(1)
    assert errors.max() < 1e-4 * spread.min()
    np.testing.assert_allclose(z, z_true, atol=2e-3)  # finer than the starting grid (0.012)
    np.testing.assert_array_equal(run.encode(images), z)  # deterministic
    assert all(torch.equal(before[k], v) for k, v in weights(run).items())  # generator frozen
    assert all(p.grad is None for p in run.model.parameters())


def test_projection_of_a_trained_run(trained):
    run, _ = trained
    images = disk_images(np.array([5.0, 12.0]), 32)
    z = run.encode(images)
    assert z.shape == (2, 1) and np.isfinite(z).all()
    assert run.reconstruct(images).shape == (2, 32, 32)


def test_same_seed_same_weights():
    a, b = weights(train("gan-hole", **TINY_GAN)), weights(train("gan-hole", **TINY_GAN))
    assert all(torch.equal(a[k], b[k]) for k in a)
    c = weights(train("gan-hole", **{**TINY_GAN, "seed": 1}))
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_progress_and_cancellation(tmp_path):
    cancel = threading.Event()
    events = []

    def on_progress(report):
        events.append(report)
        if report.event == "epoch" and report.epoch == 1:
            cancel.set()

    run = train("gan-hole", out=tmp_path / "run", callbacks=[on_progress], cancel=cancel, **{**TINY_GAN, "epochs": 50})
    assert run.status == "cancelled" and len(run.history) == 1
    kinds = [e.event for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("step") == 2 and kinds.count("epoch") == 1
    assert all(e.loss > 0 for e in events if e.event == "epoch")
    loaded = load_run(tmp_path / "run")
    assert loaded.status == "cancelled" and len(loaded.history) == 1


def test_cancel_before_the_first_step():
    cancel = threading.Event()
    cancel.set()
    run = train("gan-hole", cancel=cancel, **TINY_GAN)
    assert run.status == "cancelled" and run.history == []


def test_non_finite_loss_ends_the_run_with_the_last_finite_weights(tmp_path, monkeypatch):
    real_step = adversarial.adversarial_step
    calls = []

    def step_then_nan(*args):
        calls.append(1)
        losses = real_step(*args)
        if len(calls) > 2:  # the second epoch goes wrong
            return torch.tensor(float("nan")), losses[1]
        return losses

    monkeypatch.setattr(adversarial, "adversarial_step", step_then_nan)
    run = train("gan-hole", out=tmp_path / "run", **{**TINY_GAN, "epochs": 5})
    assert run.status == "diverged" and len(run.history) == 1
    loaded = load_run(tmp_path / "run")
    assert loaded.status == "diverged" and len(loaded.history) == 1
    monkeypatch.setattr(adversarial, "adversarial_step", real_step)
    after_one_epoch = weights(train("gan-hole", **{**TINY_GAN, "epochs": 1}))
    assert all(torch.equal(after_one_epoch[k], v) for k, v in weights(loaded).items())
    assert all(torch.equal(after_one_epoch[k], v) for k, v in weights(run).items())


def test_a_cancelled_gan_resumes_to_the_uninterrupted_weights(tmp_path):
    settings = {**TINY_GAN, "epochs": 4, "checkpoint_every": 1}
    reference = weights(train("gan-hole", **settings))
    cancel = threading.Event()

    def stop_after_two(report):
        if report.event == "epoch" and report.epoch == 2:
            cancel.set()

    stopped = train("gan-hole", out=tmp_path / "run", callbacks=[stop_after_two], cancel=cancel, **settings)
    assert stopped.status == "cancelled" and len(stopped.history) == 2
    resumed = train(None, out=tmp_path / "run", resume=True)
    assert resumed.status == "finished" and [h["epoch"] for h in resumed.history] == [1, 2, 3, 4]
    assert all(torch.equal(reference[k], v) for k, v in weights(resumed).items())


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_gan_fails_to_save_as_an_autoencoder_does(tmp_path, monkeypatch):
    """Checkpoints that cannot be written warn and the training goes on; a final save that
    fails raises UnsavedRunError carrying the trained model."""
    monkeypatch.setattr(loop, "save_run", disk_full)
    events = []
    with pytest.raises(UnsavedRunError) as caught:
        train("gan-hole", out=tmp_path / "run", callbacks=[events.append], **{**TINY_GAN, "checkpoint_every": 1})
    warnings = [e.message for e in events if e.event == "warning"]
    assert [w.split(":")[0] for w in warnings] == ["checkpoint at epoch 0 not saved", "checkpoint at epoch 1 not saved"]
    error = caught.value
    assert error.run.status == "finished" and len(error.run.history) == 2 and error.run.path is None
    assert not error.run.model.training  # handed back ready to use, as load_run would
