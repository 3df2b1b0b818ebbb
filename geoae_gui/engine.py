"""The few engine calls the panels share: thin wrappers over geoae_core, no maths of their own."""

from __future__ import annotations

import numpy as np

from geoae_core import analysis
from geoae_core.data import in_holes, make_images, training_radii
from geoae_core.experiments import EXPERIMENTS, experiment_claim, run_ids  # noqa: F401  (the panels call these)
from geoae_core.runs import Run


def experiment_ids() -> list[str]:
    """The ids `geoae reproduce` knows."""
    return list(EXPERIMENTS)


def z_curve(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """(radii, z) of a disk run on the engine's test radii."""
    curve = analysis.z_curve(run)
    z = np.asarray(curve["z"], float)
    return np.asarray(curve["radii"], float), z.reshape(len(z), -1)[:, 0]


def disk_inputs(run: Run, radii: np.ndarray) -> np.ndarray:
    """Exact images of the run's shape for these radii (no Monte Carlo, whatever the run used)."""
    config = run.config.replace(mc_samples=0) if run.config.mc_samples else run.config
    return make_images(config, np.asarray(radii, float))


def training_points(run: Run, limit: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Up to `limit` of the run's training radii (every k-th, sorted) and their codes."""
    radii = np.sort(training_radii(run.config))
    step = max(1, len(radii) // limit)
    radii = radii[::step]
    return radii, run.encode(disk_inputs(run, radii))[:, 0]


def hole_mask(radii: np.ndarray, run: Run) -> np.ndarray:
    return in_holes(radii, run.config.holes)
