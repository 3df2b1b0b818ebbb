"""geoae_core: the headless engine of geoae (data, models, training, analysis, runs, CLI).

Layers, bottom to top; each imports only the ones below it (`lint-imports` checks it):

    config, data, presets       settings declared once, exact images and Diracs, named experiments
    models, losses, fastops     the paper's networks, eq. 1 and psi1-3, the fast last layer
    store, files                a run folder's files: atomic writes, safetensors, the writer's lock
    kinds                       one module per kind of run: network, tensors, training step, encoding
    runs, loop, training,       `Run` and `load_run`; the one training loop; `train`;
      batched, sweep            families as one grouped model; many runs at once
    analysis, evaluate, theory  what a trained run does, measured; the paper's propositions
    experiments                 one module per figure or table of the paper, a registry, the report
    cli                         the `geoae` command

Importing the package loads no torch: `train`, `load_run` and the run types load the engine on
first use, so the `geoae` command writes a run's first files before torch has loaded.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from .config import Config, ConfigError
from .files import RunError
from .presets import preset, preset_names

_ENGINE = {
    "CancelToken": "loop",
    "Progress": "loop",
    "Run": "runs",
    "load_run": "runs",
    "train": "training",
}

__all__ = ["Config", "ConfigError", "RunError", "__version__", "preset", "preset_names", *_ENGINE]


def __getattr__(name: str) -> Any:
    if name in _ENGINE:
        return getattr(importlib.import_module(f".{_ENGINE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
