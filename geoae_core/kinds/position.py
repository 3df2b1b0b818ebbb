"""The 1-D position networks of Section 5: an encoder from one-hot Diracs to their position
(Figure 9, Table 2) and a decoder from a position to its Dirac (Figure 10)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..config import Config
from .autoencoder import adam_regime
from .base import Kind, Probe, Regime

if TYPE_CHECKING:
    import torch
    from torch import nn


def position_decoder_depths(n_layers: int) -> list[int]:
    """Section 5.4's position decoder: 2, 4, ..., 4, 8."""
    return ([2] + [4] * (n_layers - 3) + [8])[: n_layers - 1]


class _PositionNetwork(Kind):
    """Both are trained as the autoencoder is (Adam on eq. 1), on 1-D signals, and keep their own
    schedule in a reproduction pass (figure 10 cuts its decoders when quick)."""

    uses = frozenset({"diracs", "lr schedule"})

    def regime(self, config: Config, device: torch.device) -> Regime:
        return adam_regime(self, config, device, channels_last=False)

    def _network(self, config: Config, encoder: bool) -> nn.Module:
        from ..models import Autoencoder, Decoder, Encoder, decoder_channels, encoder_channels

        common = {"bias": config.bias, "alpha": config.alpha}
        if encoder:
            return Autoencoder(Encoder(encoder_channels(config), 1, **common), None)
        return Autoencoder(None, Decoder(decoder_channels(config), 1, **common))


class PositionEncoder(_PositionNetwork):
    name = "position-encoder"
    summary = "1-D encoder: a one-hot Dirac at position a -> its position (or n - a)"
    sides: ClassVar[tuple[str, ...]] = ("encoder",)
    evaluation = "position encoder"
    channel_axes = (True, False)  # signals in, positions out

    def title(self, config: Config) -> str:
        return "a position encoder"

    def views(self, config: Config) -> frozenset[str]:
        return frozenset({"position_kernels"})

    def encoder_probe(self, run) -> Probe:
        from ..data import onehot

        n = run.config.size

        def make(positions: np.ndarray) -> np.ndarray:
            whole = np.clip(np.rint(np.atleast_1d(positions)), 0, n - 1).astype(int)
            return onehot(whole, n).astype(np.float32)

        return Probe("Dirac position a", "px", 0.0, float(n - 1), 1.0, 0, float(n // 2), make)

    def attribute_names(self, config: Config) -> list[str]:
        return ["position"]

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        from ..data import onehot

        positions = np.random.default_rng(seed).integers(0, config.size, size=n)
        return onehot(positions, config.size), {"position": positions.astype(float)}

    def build(self, config: Config) -> nn.Module:
        return self._network(config, encoder=True)

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from ..data import onehot, position_targets

        positions = np.arange(config.size)
        return onehot(positions, config.size), position_targets(config, positions)[:, None], positions.astype(float)


class PositionDecoder(_PositionNetwork):
    name = "position-decoder"
    summary = "1-D decoder: a position a -> its Dirac (triangular, or one-hot)"
    sides: ClassVar[tuple[str, ...]] = ("decoder",)
    evaluation = "position decoder"
    channel_axes = (False, True)  # positions in, signals out

    def decoder_depths(self, n_layers: int) -> list[int]:
        return position_decoder_depths(n_layers)

    def title(self, config: Config) -> str:
        return "a position decoder"

    def views(self, config: Config) -> frozenset[str]:
        return frozenset({"decode", "position_decoder"})

    def decoder_probe(self, run, label: str = "position z") -> Probe:
        return super().decoder_probe(run, label)

    def code_range(self, run) -> tuple[np.ndarray, np.ndarray]:
        """The positions it was trained on: 0 .. size - 1 (uniform, or whole for one-hot Diracs)."""
        return np.zeros(1), np.full(1, float(run.config.size - 1))

    def build(self, config: Config) -> nn.Module:
        return self._network(config, encoder=False)

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from ..data import onehot, triangle_diracs

        rng = np.random.default_rng(config.seed)
        n = config.size
        if config.dirac == "onehot":
            positions = rng.integers(0, n, size=config.n_train).astype(float)
            return positions[:, None].astype(np.float32), onehot(positions.astype(int), n), positions
        positions = rng.uniform(0, n - 1, size=config.n_train)
        return positions[:, None].astype(np.float32), triangle_diracs(positions, n), positions


ENCODER = PositionEncoder()
DECODER = PositionDecoder()
