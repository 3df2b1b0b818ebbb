"""geoae_core: the headless engine of geoae (data, models, training, analysis, runs, CLI)."""

__version__ = "0.1.0"

from .config import Config, ConfigError
from .presets import preset, preset_names
from .runs import Run, RunError, load_run
from .train import CancelToken, Progress, train

__all__ = [
    "CancelToken",
    "Config",
    "ConfigError",
    "Progress",
    "Run",
    "RunError",
    "__version__",
    "load_run",
    "preset",
    "preset_names",
    "train",
]
