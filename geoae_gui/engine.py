"""The few engine calls the panels share: thin wrappers over geoae_core, no maths of their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geoae_core import analysis
from geoae_core.config import Config
from geoae_core.data import in_holes, make_images, training_radii
from geoae_core.experiments import EXPERIMENTS, experiment_claim, run_ids  # noqa: F401  (the panels call these)
from geoae_core.kinds import kind_of  # noqa: F401  (what a run folder's kind shows, before loading it)
from geoae_core.runs import Run
from geoae_core.store import read_config


def experiment_ids() -> list[str]:
    """The ids `geoae reproduce` knows."""
    return list(EXPERIMENTS)


def run_config(folder: Path) -> Config:
    """The config of the run in `folder`, without loading its weights (RunError for a bad folder)."""
    return read_config(Path(folder))


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


# --- codes of size d >= 2 (the Latent explorer's codes view)
def encoded_test_set(run: Run, n: int = 400) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(z (n, d), {attribute: values (n,)}) of n fresh test inputs of the run's data."""
    return analysis.encoded_test_set(run, n)


def attribute_readout(run: Run) -> dict:
    """What the code reads of each attribute: R^2 linear and quadratic, |correlation| per axis, fig3's question."""
    return analysis.attribute_readout(run)


def decode_grid(
    run: Run, axes: tuple[int, int], values_a: np.ndarray, values_b: np.ndarray, held: np.ndarray
) -> np.ndarray:
    """Images (len(b), len(a), m, m) decoded in one batch over a grid of two axes, the others at `held`."""
    return analysis.decode_grid(run, axes, values_a, values_b, held)


def interpolate(run: Run, start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """Images decoded along the straight line from code `start` to code `end` (figure 3, any d)."""
    s = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return run.decode((1 - s) * np.asarray(start, np.float32) + s * np.asarray(end, np.float32))
