"""The DCGAN baseline of Appendix D (Figure 14): a generator with a scalar code, trained
adversarially with the non-saturating loss, Adam and z ~ N(0, 1) on the disks of the hole data set.

A GAN has no encoder: an image is "autoencoded" by projecting it onto the generator, optimising
z so that G(z) matches it in squared error (adversarial.project). The model is a
`models.Autoencoder` with no encoder, the generator as its decoder and the discriminator as an
extra submodule, so a run folder saves and loads both. The torch side (losses, one adversarial
step, the projection) is geoae_core/adversarial.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..config import Config, ConfigError
from .autoencoder import DISK
from .base import Kind, Probe, Regime

if TYPE_CHECKING:
    import torch
    from torch import nn

# the codes the generator takes: z ~ N(0, 1) puts 99.7 % of its mass in [-3, 3]; the projection's
# grid and the decoder probe span it
Z_RANGE = 3.0


def gan_regime(config: Config, device: torch.device) -> Regime:
    """A step is one discriminator update then one generator update, on z ~ N(0, 1).

    The losses logged are the generator's (the history's) and the discriminator's; the loop
    ends the run as diverged if either stops being finite.
    """
    import torch

    from .. import adversarial

    model = GAN.init_model(config).to(device)
    optimizers = adversarial.make_optimizers(config, model)
    images, _ = GAN.device_tensors(config, device)
    pair = (optimizers["generator"], optimizers["discriminator"])

    def step(index: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        real = images[index]
        z = torch.randn(real.shape[0], config.code_size, generator=generator, device=device)
        return torch.stack(adversarial.adversarial_step(model, real, z, pair))

    # eval: BatchNorm's running statistics from here on
    return Regime(model, optimizers, images.shape[0], step)


class DCGAN(Kind):
    name = "gan"
    summary = "DCGAN generator with a code of size d on the disks (Appendix D), no encoder"
    sides: ClassVar[tuple[str, ...]] = ("decoder",)  # the generator; the discriminator only trains it
    uses = frozenset({"disk images"})  # Adam at a constant rate: lr_final does not apply
    evaluation = "sizes"
    channel_axes = (True, True)

    def scaled_schedule(self, config: Config, scale: dict[str, Any], full_epochs: int) -> dict[str, Any]:
        """Its own (longer) schedule, scaled like the disks'."""
        return {"epochs": max(1, config.epochs * scale["epochs"] // full_epochs), "n_train": scale["n_train"]}

    def title(self, config: Config) -> str:
        return "a DCGAN generator"

    def views(self, config: Config) -> frozenset[str]:
        return frozenset({"decode"})

    def decoder_probe(self, run, label: str = "code z (z ~ N(0, 1))") -> Probe:
        return super().decoder_probe(run, label)

    def code_range(self, run) -> tuple[np.ndarray, np.ndarray]:
        d = run.config.code_size
        return np.full(d, -Z_RANGE), np.full(d, Z_RANGE)

    def build(self, config: Config) -> nn.Module:
        from ..models import FIRST_SIZE, dcgan

        if config.size < 2 * FIRST_SIZE:
            raise ConfigError(f"size: {config.size} is too small for the DCGAN (at least {2 * FIRST_SIZE})")
        return dcgan(config)

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return DISK.training_set(config)  # the same disks (holes respected)

    def regime(self, config: Config, device: torch.device) -> Regime:
        return gan_regime(config, device)

    def encode(self, config: Config, model: nn.Module, x: np.ndarray) -> np.ndarray:
        from ..adversarial import project

        return project(config, model, x, Z_RANGE)  # a generator "encodes" by optimising z (Appendix D)


GAN = DCGAN()
