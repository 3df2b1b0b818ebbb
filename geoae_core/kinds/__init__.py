"""Run kinds: everything that differs between the kinds of run, one module per kind.

A kind is a `Kind` subclass in a module of its own, with an instance registered below (one import
and one line): the settings then know its name, default depths and the settings it uses, and the
loop, run folders, analyses and the GUI's panels ask it what applies to it. Importing this package
loads no torch (the kinds import it in their methods), so `import geoae_core` registers them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..config import Config
from ..settings import register_kind, registered_kind
from . import attributes, autoencoder, gan, position
from .base import VIEWS, Kind, Probe, Regime

if TYPE_CHECKING:
    from torch import nn

__all__ = [
    "KINDS",
    "VIEWS",
    "Kind",
    "Probe",
    "Regime",
    "build_model",
    "init_model",
    "kind_of",
    "training_set",
]

# the registry, in the order the settings list the kinds
KINDS: dict[str, Kind] = {
    kind.name: register_kind(kind)
    for kind in (autoencoder.DISK, position.ENCODER, position.DECODER, gan.GAN, attributes.ATTRIBUTES)
}


def kind_of(config_or_name: Config | str) -> Kind:
    """The kind of a config (or of a kind's name); a ConfigError names the known ones otherwise."""
    return registered_kind(config_or_name if isinstance(config_or_name, str) else config_or_name.kind)


def build_model(config: Config) -> nn.Module:
    """The network a config describes (Table 1 by default), unseeded."""
    return kind_of(config).build(config)


def init_model(config: Config) -> nn.Module:
    """The network with its seeded initial weights."""
    return kind_of(config).init_model(config)


def training_set(config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs, targets, parameters) of a run: see each kind's training_set."""
    return kind_of(config).training_set(config)
