"""geoae_core: the headless engine of geoae (data, models, training, analysis, runs, CLI).

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
