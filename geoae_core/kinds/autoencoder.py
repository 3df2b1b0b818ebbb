"""The disk autoencoder of Sections 3-4: blurred disks (or squares, ellipses) in, the same
images out, through a code of size d; Adam on eq. 1, plus lambda * psi."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ..config import Config
from ..data import make_images, training_radii
from ..losses import batch_loss
from ..models import Autoencoder, Decoder, Encoder, decoder_channels, encoder_channels
from .base import Kind, Regime


def cosine_learning_rate(config: Config, step: int, steps_per_epoch: int) -> float:
    """lr at a step: constant when lr_final is blank, else a cosine from lr down to lr_final at the last step."""
    if config.lr_final is None:
        return config.lr
    progress = min(1.0, step / max(1, config.epochs * steps_per_epoch))
    return config.lr_final + (config.lr - config.lr_final) * 0.5 * (1.0 + math.cos(math.pi * progress))


def adam_regime(kind: Kind, config: Config, device: torch.device, memory_format: torch.memory_format) -> Regime:
    """The paper's training (Section 4.1): Adam on eq. 1 (plus lambda * psi), one batch a step.
    Every network of the paper but the GAN trains this way. With lr_final set, the learning rate
    follows a cosine from lr down to lr_final, set before each step; the step count is Adam's own
    (in its state), so a resumed run continues the schedule where its checkpoint left it."""
    model = kind.init_model(config).to(device).to(memory_format=memory_format)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(config.beta1, config.beta2), fused=True)
    x, y = kind.device_tensors(config, device)
    steps_per_epoch = -(-x.shape[0] // min(config.batch_size, x.shape[0]))
    taken: list[int] = []  # steps taken, read from Adam's state at the first step (after a resume's load)

    def step(index: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        if config.lr_final is not None:
            if not taken:
                states = list(optimizer.state.values())
                taken.append(int(states[0]["step"]) if states else 0)
            for group in optimizer.param_groups:
                group["lr"] = cosine_learning_rate(config, taken[0], steps_per_epoch)
            taken[0] += 1
        inputs = x[index]
        loss = batch_loss(config, model, inputs, inputs if y is x else y[index], generator)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def finish(trained: nn.Module) -> nn.Module:
        return trained.to(memory_format=torch.contiguous_format).eval()  # as load_run gives it back

    return Regime(model, {"": optimizer}, x.shape[0], step, finish)


class DiskAutoencoder(Kind):
    name = "disk"
    summary = "autoencoder of centred disks (or squares, ellipses) with a code of size d"
    family = "disks"
    sides: ClassVar[tuple[str, ...]] = ("encoder", "decoder")
    groupable = True

    def build(self, config: Config) -> nn.Module:
        common = {"bias": config.bias, "alpha": config.alpha}
        return Autoencoder(
            Encoder(encoder_channels(config), 2, **common), Decoder(decoder_channels(config), 2, **common)
        )

    def attribute_names(self, config: Config) -> list[str]:
        return ["r"]

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Exact images (no Monte Carlo, whatever the run trained on) of radii drawn over its range."""
        radii = np.maximum(np.random.default_rng(seed).uniform(config.r_min, config.radius_max, size=n), 1e-3)
        return make_images(config.replace(mc_samples=0), radii), {"r": radii}

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        radii = training_radii(config)
        images = make_images(config, radii)
        return images, images, radii

    def regime(self, config: Config, device: torch.device) -> Regime:
        return adam_regime(self, config, device, torch.channels_last)


DISK = DiskAutoencoder()
