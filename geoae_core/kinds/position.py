"""The 1-D position networks of Section 5: an encoder from one-hot Diracs to their position
(Figure 9, Table 2) and a decoder from a position to its Dirac (Figure 10)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ..config import Config
from ..data import onehot, position_targets, triangle_diracs
from ..models import Autoencoder, Decoder, Encoder, decoder_channels, encoder_channels
from .autoencoder import adam_regime
from .base import Kind, Regime


class _PositionNetwork(Kind):
    """Both are trained as the autoencoder is (Adam on eq. 1), on 1-D signals."""

    family = "position"

    def regime(self, config: Config, device: torch.device) -> Regime:
        return adam_regime(self, config, device, torch.contiguous_format)


class PositionEncoder(_PositionNetwork):
    name = "position-encoder"
    summary = "1-D encoder: a one-hot Dirac at position a -> its position (or n - a)"
    sides: ClassVar[tuple[str, ...]] = ("encoder",)
    channel_axes = (True, False)  # signals in, positions out

    def attribute_names(self, config: Config) -> list[str]:
        return ["position"]

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        positions = np.random.default_rng(seed).integers(0, config.size, size=n)
        return onehot(positions, config.size), {"position": positions.astype(float)}

    def build(self, config: Config) -> nn.Module:
        return Autoencoder(Encoder(encoder_channels(config), 1, bias=config.bias, alpha=config.alpha), None)

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        positions = np.arange(config.size)
        return onehot(positions, config.size), position_targets(config, positions)[:, None], positions.astype(float)


class PositionDecoder(_PositionNetwork):
    name = "position-decoder"
    summary = "1-D decoder: a position a -> its Dirac (triangular, or one-hot)"
    sides: ClassVar[tuple[str, ...]] = ("decoder",)
    channel_axes = (False, True)  # positions in, signals out

    def build(self, config: Config) -> nn.Module:
        return Autoencoder(None, Decoder(decoder_channels(config), 1, bias=config.bias, alpha=config.alpha))

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(config.seed)
        n = config.size
        if config.dirac == "onehot":
            positions = rng.integers(0, n, size=config.n_train).astype(float)
            return positions[:, None].astype(np.float32), onehot(positions.astype(int), n), positions
        positions = rng.uniform(0, n - 1, size=config.n_train)
        return positions[:, None].astype(np.float32), triangle_diracs(positions, n), positions


ENCODER = PositionEncoder()
DECODER = PositionDecoder()
