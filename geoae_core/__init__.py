"""geoae_core: the headless engine of geoae (data, models, training, analysis, runs, CLI).

Layers, bottom to top; each imports only the ones below it (`lint-imports` checks it):

    settings                    how a setting is declared; the kinds of run registered
    config, data, presets,      settings declared once, exact images and Diracs, named experiments,
      shapes                      shapes with several attributes
    models, losses, fastops,    the paper's networks, eq. 1 and psi1-3, the fast last layer, the
      adversarial, device         GAN's adversarial step and projection, where and how to train
    store, files                a run folder's files: atomic writes, safetensors, the writer's lock
    kinds                       one module per kind of run: network, tensors, training step,
                                  encoding, what the panels show (imported here: registers them)
    runs, start, loop,          `Run` and `load_run`; a run folder's one start path; the one
      training, batched,          training loop; `train`; families as one grouped model; many
      sweep, cluster              runs at once, here or on a cluster
    analysis, readout,          what a trained run does, measured (its code's read-out of the
      position_analysis,          attributes, the position networks); the paper's propositions
      evaluate, theory
    experiments                 one module per figure or table of the paper, a registry, the report
    cli_options, cli_report     the command's options and its printed reports
    cli                         the `geoae` command

Importing the package registers the kinds of run and loads no torch: `train`, `load_run` and the
run types load the engine on first use, so the `geoae` command writes a run's first files before
torch has loaded.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from . import kinds as kinds  # registers every kind of run with the settings (no torch loaded)
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
