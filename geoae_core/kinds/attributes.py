"""Image autoencoders whose data have several attributes (issue 14): disks, squares or ellipses with a
size, a centre, an angle and a grey level, each drawn from its own range minus its holes, through
the paper's architecture with a code of any size d. Trained as the disk autoencoder (Adam on eq. 1,
plus lambda * psi)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..config import Config
from .autoencoder import SIZE_DECIMALS, SIZE_LABELS, adam_regime, default_encoder_depths, image_autoencoder, size_range
from .base import Kind, Probe, Regime, even_subsample

if TYPE_CHECKING:
    import torch
    from torch import nn


class AttributeAutoencoder(Kind):
    name = "attributes"
    summary = "autoencoder of shapes with several attributes (size, centre, angle, grey level), code of size d"
    sides: ClassVar[tuple[str, ...]] = ("encoder", "decoder")
    uses = frozenset({"disk images", "attributes", "code size", "lr schedule"})
    evaluation = "attributes"

    def encoder_depths(self, n_layers: int) -> list[int]:
        return default_encoder_depths(n_layers)

    def build(self, config: Config) -> nn.Module:
        return image_autoencoder(config)  # the paper's architecture; d channels at the code

    def title(self, config: Config) -> str:
        return f"an autoencoder of {config.shape}s with several attributes"

    def views(self, config: Config) -> frozenset[str]:
        return frozenset({"decode", "codes"}) if config.code_size > 1 else frozenset({"decode"})

    def encoder_probe(self, run) -> Probe:
        """The shape's size r, every other attribute at the middle of its range."""
        from ..shapes import attribute_images, attribute_spans

        exact = run.config.replace(mc_samples=0)
        middles = {name: (low + high) / 2 for name, (low, high) in attribute_spans(exact).items()}

        def make(radii: np.ndarray) -> np.ndarray:
            radii = np.atleast_1d(np.asarray(radii, float))
            values = {name: np.full(len(radii), middle) for name, middle in middles.items()}
            return attribute_images(exact, {**values, "r": radii})

        low, high = size_range(run.config)
        default = float(np.clip(middles["r"], low, high))
        return Probe(SIZE_LABELS[run.config.shape], "px", low, high, 0.1, SIZE_DECIMALS, default, make)

    def attribute_names(self, config: Config) -> list[str]:
        """The attributes that vary in the run's data."""
        from ..shapes import varying_attributes

        return varying_attributes(config)

    def angle_period(self, config: Config) -> float | None:
        """The period of the shape's angle in degrees (None: a disk has no angle)."""
        from ..shapes import ANGLE_PERIODS

        return ANGLE_PERIODS.get(config.shape)

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """n exact images (no Monte Carlo) with attributes drawn from the run's ranges; the varying ones."""
        from ..shapes import attribute_images, sample_attributes

        values = sample_attributes(config, n, np.random.default_rng(seed))
        images = attribute_images(config.replace(mc_samples=0), values)
        return images, {name: values[name] for name in self.attribute_names(config)}

    def _training_values(self, config: Config) -> dict[str, np.ndarray]:
        from ..shapes import sample_attributes

        return sample_attributes(config, config.n_train, np.random.default_rng(config.seed))

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Images, the same images, and the varying attributes as columns (N, k)."""
        from ..shapes import attribute_images

        values = self._training_values(config)
        images = attribute_images(config, values)
        names = self.attribute_names(config)
        return images, images, np.stack([values[name] for name in names], axis=1)

    def training_inputs(self, config: Config, limit: int) -> np.ndarray:
        """Only the images of the subsample are drawn (the training set's attribute values)."""
        from ..shapes import attribute_images

        values = self._training_values(config)
        kept = even_subsample(config.n_train, limit)
        return attribute_images(config, {name: column[kept] for name, column in values.items()})

    def regime(self, config: Config, device: torch.device) -> Regime:
        return adam_regime(self, config, device, channels_last=True)


ATTRIBUTES = AttributeAutoencoder()
