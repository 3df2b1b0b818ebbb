"""The disk autoencoder of Sections 3-4: blurred disks (or squares, ellipses) in, the same
images out, through a code of size d; Adam on eq. 1, plus lambda * psi."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..config import Config
from .base import Kind, Probe, Regime, even_subsample

if TYPE_CHECKING:
    import torch
    from torch import nn

# what the size attribute r of each shape is, in the user's words
SIZE_LABELS = {"disk": "disk radius r", "square": "square half-side r", "ellipse": "ellipse semi-axis r"}
SIZE_DECIMALS = 2


def default_encoder_depths(n_layers: int) -> list[int]:
    """Hidden depths of the disk encoder (Table 1: 8, 4, 4, 3, 2 for six layers)."""
    base = [8, 4, 4, 3, 2]
    hidden = n_layers - 1
    if hidden <= len(base):
        return base[:hidden]
    return [8] * (hidden - len(base)) + base


def cosine_learning_rate(config: Config, step: int, steps_per_epoch: int) -> float:
    """lr at a step: constant when lr_final is blank, else a cosine from lr down to lr_final at the last step."""
    if config.lr_final is None:
        return config.lr
    progress = min(1.0, step / max(1, config.epochs * steps_per_epoch))
    return config.lr_final + (config.lr - config.lr_final) * 0.5 * (1.0 + math.cos(math.pi * progress))


def adam_model(kind: Kind, config: Config, device: torch.device, channels_last: bool) -> tuple[nn.Module, Any]:
    """A run's seeded network on the device and its Adam (fused), as every Adam-trained run starts."""
    import torch

    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model = kind.init_model(config).to(device).to(memory_format=memory_format)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(config.beta1, config.beta2), fused=True)
    return model, optimizer


def cosine_schedule(config: Config, optimizers: list[Any], steps_per_epoch: int) -> Callable[[], None]:
    """What sets the learning rate before each step: nothing when lr_final is blank, else the
    cosine of the step count. The count is Adam's own (in its state), read at the first step (after
    a resume's load), so a resumed run continues the schedule where its checkpoint left it."""
    taken: list[int] = []

    def before_step() -> None:
        if config.lr_final is None:
            return
        if not taken:
            states = list(optimizers[0].state.values())
            taken.append(int(states[0]["step"]) if states else 0)
        lr = cosine_learning_rate(config, taken[0], steps_per_epoch)
        for optimizer in optimizers:
            for group in optimizer.param_groups:
                group["lr"] = lr
        taken[0] += 1

    return before_step


def adam_regime(kind: Kind, config: Config, device: torch.device, channels_last: bool) -> Regime:
    """The paper's training (Section 4.1): Adam on eq. 1 (plus lambda * psi), one batch a step,
    the learning rate following `cosine_schedule`. Every network of the paper but the GAN trains
    this way (a grouped family too: batched.py)."""
    import torch

    from ..losses import batch_loss

    model, optimizer = adam_model(kind, config, device, channels_last)
    x, y = kind.device_tensors(config, device)
    schedule = cosine_schedule(config, [optimizer], -(-x.shape[0] // min(config.batch_size, x.shape[0])))

    def step(index: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        schedule()
        inputs = x[index]
        loss = batch_loss(config, model, inputs, inputs if y is x else y[index], generator)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def finish(trained: nn.Module) -> nn.Module:
        return trained.to(memory_format=torch.contiguous_format).eval()  # as load_run gives it back

    return Regime(model, {"": optimizer}, x.shape[0], step, finish)


def image_autoencoder(config: Config) -> nn.Module:
    """The paper's architecture (Table 1): a 2-D encoder to d channels and its decoder."""
    from ..models import Autoencoder, Decoder, Encoder, decoder_channels, encoder_channels

    common = {"bias": config.bias, "alpha": config.alpha}
    return Autoencoder(Encoder(encoder_channels(config), 2, **common), Decoder(decoder_channels(config), 2, **common))


def size_range(config: Config) -> tuple[float, float]:
    """The sizes r an encoder probe offers: any that fits in the image."""
    return 0.1, config.size / 2 - 0.1


class DiskAutoencoder(Kind):
    name = "disk"
    summary = "autoencoder of centred disks (or squares, ellipses) with a code of size d"
    sides: ClassVar[tuple[str, ...]] = ("encoder", "decoder")
    uses = frozenset({"disk images", "code size", "lr schedule"})
    evaluation = "sizes"
    groupable = True

    def encoder_depths(self, n_layers: int) -> list[int]:
        return default_encoder_depths(n_layers)

    def scaled_schedule(self, config: Config, scale: dict[str, Any], full_epochs: int) -> dict[str, Any]:
        return dict(scale)  # the disk presets are what the pass's scale is written for

    def title(self, config: Config) -> str:
        return "a disk autoencoder" if config.shape == "disk" else f"an autoencoder of {config.shape}s"

    def views(self, config: Config) -> frozenset[str]:
        if config.code_size == 1:
            return frozenset({"decode", "encode_radius", "profile", "z_of_r"})
        return frozenset({"decode", "codes"})

    def encoder_probe(self, run) -> Probe:
        from ..data import make_images

        exact = run.config.replace(mc_samples=0)
        low, high = size_range(run.config)
        return Probe(
            SIZE_LABELS[run.config.shape], "px", low, high, 0.1, SIZE_DECIMALS, run.config.size / 4,
            lambda radii: make_images(exact, np.atleast_1d(np.asarray(radii, float))).astype(np.float32),
        )  # fmt: skip

    def build(self, config: Config) -> nn.Module:
        return image_autoencoder(config)

    def attribute_names(self, config: Config) -> list[str]:
        return ["r"]

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Exact images (no Monte Carlo, whatever the run trained on) of radii drawn over its range."""
        from ..data import make_images

        radii = np.maximum(np.random.default_rng(seed).uniform(config.r_min, config.radius_max, size=n), 1e-3)
        return make_images(config.replace(mc_samples=0), radii), {"r": radii}

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from ..data import make_images, training_radii

        radii = training_radii(config)
        images = make_images(config, radii)
        return images, images, radii

    def training_inputs(self, config: Config, limit: int) -> np.ndarray:
        """Only the images of the subsample are drawn (the same radii as the training set's)."""
        from ..data import make_images, training_radii

        radii = training_radii(config)
        return make_images(config, radii[even_subsample(len(radii), limit)])

    def regime(self, config: Config, device: torch.device) -> Regime:
        return adam_regime(self, config, device, channels_last=True)


DISK = DiskAutoencoder()
