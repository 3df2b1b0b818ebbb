"""Run kinds: everything that differs between the kinds of run, one module per kind.

Adding a kind is a module with a `Kind` subclass and one line in `KINDS` below; everything
else (the loop, run folders, analyses, the GUI's panels) asks the kind what applies to it.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from ..config import Config
from .autoencoder import DISK
from .base import Kind, Regime
from .gan import GAN
from .position import DECODER, ENCODER

KINDS: dict[str, Kind] = {kind.name: kind for kind in (DISK, ENCODER, DECODER, GAN)}

__all__ = ["KINDS", "Kind", "Regime", "build_model", "init_model", "kind_of", "training_set"]


def kind_of(config_or_name: Config | str) -> Kind:
    """The kind of a config (or of a kind's name)."""
    name = config_or_name if isinstance(config_or_name, str) else config_or_name.kind
    return KINDS[name]


def build_model(config: Config) -> nn.Module:
    """The network a config describes (Table 1 by default), unseeded."""
    return kind_of(config).build(config)


def init_model(config: Config) -> nn.Module:
    """The network with its seeded initial weights."""
    return kind_of(config).init_model(config)


def training_set(config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs, targets, parameters) of a run: see each kind's training_set."""
    return kind_of(config).training_set(config)
