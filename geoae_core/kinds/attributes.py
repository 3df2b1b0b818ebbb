"""Image autoencoders whose data have several attributes (issue 14): disks, squares or ellipses with a
size, a centre, an angle and a grey level, each drawn from its own range minus its holes, through
the paper's architecture with a code of any size d. Trained as the disk autoencoder (Adam on eq. 1,
plus lambda * psi)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ..config import Config
from ..shapes import ANGLE_PERIODS, attribute_images, sample_attributes, varying_attributes
from .autoencoder import DISK, adam_regime
from .base import Kind, Regime


class AttributeAutoencoder(Kind):
    name = "attributes"
    summary = "autoencoder of shapes with several attributes (size, centre, angle, grey level), code of size d"
    family = "attributes"
    sides: ClassVar[tuple[str, ...]] = ("encoder", "decoder")

    def build(self, config: Config) -> nn.Module:
        return DISK.build(config)  # the paper's architecture; d channels at the code

    def attribute_names(self, config: Config) -> list[str]:
        """The attributes that vary in the run's data."""
        return varying_attributes(config)

    def angle_period(self, config: Config) -> float | None:
        """The period of the shape's angle in degrees (None: a disk has no angle)."""
        return ANGLE_PERIODS.get(config.shape)

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """n exact images (no Monte Carlo) with attributes drawn from the run's ranges; the varying ones."""
        values = sample_attributes(config, n, np.random.default_rng(seed))
        images = attribute_images(config.replace(mc_samples=0), values)
        return images, {name: values[name] for name in self.attribute_names(config)}

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Images, the same images, and the varying attributes as columns (N, k)."""
        values = sample_attributes(config, config.n_train, np.random.default_rng(config.seed))
        images = attribute_images(config, values)
        names = self.attribute_names(config)
        return images, images, np.stack([values[name] for name in names], axis=1)

    def regime(self, config: Config, device: torch.device) -> Regime:
        return adam_regime(self, config, device, torch.channels_last)


ATTRIBUTES = AttributeAutoencoder()
