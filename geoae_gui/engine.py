"""The GUI's only door to the engine for parts that may not exist yet (theory, analysis, reproduce).

Everything the explorer computes goes through geoae_core; this module only finds functions and
turns "not there yet" into a clear message instead of an ImportError.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from geoae_core.data import in_holes, make_images, training_radii
from geoae_core.evaluate import test_radii
from geoae_core.runs import Run

# The experiment ids of SPEC section 5; `geoae_core.reproduce` may publish its own list.
SPEC_IDS = (
    "fig2",
    "fig3",
    "fig4",
    "fig5",
    "fig6",
    "fig7",
    "fig8",
    "fig9",
    "table2",
    "fig10",
    "fig11",
    "fig12",
    "fig13",
    "fig14",
)


class Unavailable(RuntimeError):
    """An engine function the GUI wants is not (yet) in geoae_core."""


def optional(module: str, name: str) -> Callable[..., Any]:
    """geoae_core.<module>.<name>, or Unavailable with a message that says what is missing."""
    try:
        mod = importlib.import_module(f"geoae_core.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"geoae_core.{module}":
            raise Unavailable(f"geoae_core.{module} is not available in this version of the engine") from None
        raise Unavailable(f"geoae_core.{module} cannot be imported: {exc}") from None
    except Exception as exc:  # a half-written module must not take the window down
        raise Unavailable(f"geoae_core.{module} cannot be imported: {exc}") from None
    function = getattr(mod, name, None)
    if function is None:
        raise Unavailable(f"geoae_core.{module}.{name} is not available in this version of the engine")
    return function


def has(module: str, name: str) -> bool:
    try:
        optional(module, name)
    except Unavailable:
        return False
    return True


def experiment_ids() -> list[str]:
    """The ids `geoae reproduce` knows, else the SPEC's list."""
    try:
        mod = importlib.import_module("geoae_core.reproduce")
    except Exception:
        return list(SPEC_IDS)
    for attr in ("IDS", "EXPERIMENT_IDS", "EXPERIMENTS", "ids", "experiment_ids"):
        value = getattr(mod, attr, None)
        if callable(value):
            try:
                value = value()
            except Exception:
                continue
        if isinstance(value, dict):
            return [str(k) for k in value]
        if isinstance(value, list | tuple) and value:
            return [str(v) for v in value]
    return list(SPEC_IDS)


def z_curve(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """(radii, z) of a disk run on the engine's test radii: analysis.z_curve when it exists."""
    if has("analysis", "z_curve"):
        result = optional("analysis", "z_curve")(run)
        if isinstance(result, dict):
            radii = result.get("radii", result.get("r"))
            z = result.get("z")
        else:
            radii, z = result
        z = np.asarray(z, float)
        return np.asarray(radii, float), z.reshape(len(z), -1)[:, 0]
    radii = test_radii(run.config.size)
    return radii, run.encode(disk_inputs(run, radii))[:, 0]


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
