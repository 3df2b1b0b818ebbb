"""Run kinds: everything that differs between the kinds of run, one module per kind.

A kind is registered by one line in config.KIND_TABLE (its name, its module here, its default
depths); its module defines a `Kind` subclass and an instance of it. Everything else (the
loop, run folders, analyses, the GUI's panels) asks the kind what applies to it.
"""

from __future__ import annotations

import importlib

import numpy as np
from torch import nn

from ..config import KIND_TABLE, Config, ConfigError, KindEntry
from .base import Kind, Regime

__all__ = ["KINDS", "Kind", "Regime", "build_model", "init_model", "kind_of", "training_set"]


def _load(entry: KindEntry) -> Kind:
    """The instance of `entry`'s kind in its module (the module is named by the registry, so a
    new kind needs no import here)."""
    module = importlib.import_module(f"{__name__}.{entry.module}")
    found = [value for value in vars(module).values() if isinstance(value, Kind) and value.name == entry.name]
    if len(found) != 1:
        raise ImportError(f"geoae_core.kinds.{entry.module} defines no kind named {entry.name!r}")
    return found[0]


KINDS: dict[str, Kind] = {entry.name: _load(entry) for entry in KIND_TABLE}


def kind_of(config_or_name: Config | str) -> Kind:
    """The kind of a config (or of a kind's name)."""
    name = config_or_name if isinstance(config_or_name, str) else config_or_name.kind
    if name not in KINDS:
        raise ConfigError(f"kind: {name!r} is not one of {', '.join(KINDS)}")
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
