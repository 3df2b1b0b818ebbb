"""Runs compared over seeds: runs grouped by setting (the config without its seed), and each
group's z(r) as a mean with a band of one standard deviation (figure 7 has five runs per setting).

A code and its negative are the same code (the decoder flips with it), so before averaging each
curve is oriented to grow with r: a curve whose z at the largest test radius is below its z at
the smallest is negated, and `flipped` says which were.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import z_curve
from .config import Config
from .files import RunError
from .runs import Run

# settings that do not change what is trained: the seed (what a group varies), and where and how
# often the run was saved
NOT_THE_SETTING = ("seed", "device", "checkpoint_every", "checkpoint_seconds")


def setting_of(config: Config) -> dict[str, Any]:
    """The config without its seed (nor device and checkpoint rhythm): what runs of one setting share."""
    return {key: value for key, value in config.to_dict().items() if key not in NOT_THE_SETTING}


def group_by_setting(runs: Sequence[Run]) -> list[list[Run]]:
    """The runs in groups of one setting each, groups and runs in the order first seen."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(json.dumps(setting_of(run.config), sort_keys=True), []).append(run)
    return list(groups.values())


def group_labels(groups: Sequence[Sequence[Run]]) -> list[str]:
    """A short name per group: the settings in which the groups differ (`lam=1, regulariser=psi3`)."""
    settings = [setting_of(group[0].config) for group in groups]
    differing = sorted(key for key in settings[0] if len({json.dumps(s[key]) for s in settings}) > 1)
    if not differing:
        return ["one setting" for _ in groups]
    return [", ".join(f"{key}={json.dumps(s[key])}" for key in differing) for s in settings]


@dataclass
class SeedBand:
    """One setting's z(r) over its seeds. `curves` (runs x radii) are the oriented codes; `std`
    is the sample standard deviation over the seeds (ddof 1; zero for a single run)."""

    label: str
    runs: list[Run]
    radii: np.ndarray
    curves: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    flipped: list[bool] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        return [run.config.seed for run in self.runs]

    @property
    def paths(self) -> list[Path | None]:
        return [run.path for run in self.runs]


def oriented(z: np.ndarray) -> tuple[np.ndarray, bool]:
    """z(r) made to grow with r (negated if it falls from the smallest radius to the largest)."""
    flip = bool(z[-1] < z[0])
    return (-z if flip else z), flip


def seed_bands(runs: Sequence[Run]) -> list[SeedBand]:
    """Each setting's z(r) on the engine's test radii: its oriented curves, their mean and band.
    Runs must have a scalar code (z of a disk run)."""
    groups = group_by_setting(runs)
    bands = []
    for label, group in zip(group_labels(groups) if groups else [], groups):
        radii: np.ndarray | None = None
        curves, flips = [], []
        for run in group:
            if run.config.code_size != 1:
                raise RunError(f"{run.path}: a code of size {run.config.code_size}; z(r) is compared for scalar codes")
            curve = z_curve(run)
            z, flip = oriented(np.asarray(curve["z"], float).reshape(-1))
            radii = np.asarray(curve["radii"], float)
            curves.append(z)
            flips.append(flip)
        stack = np.stack(curves)
        std = stack.std(axis=0, ddof=1) if len(stack) > 1 else np.zeros(stack.shape[1])
        bands.append(SeedBand(label, list(group), radii, stack, stack.mean(axis=0), std, flips))
    return bands
