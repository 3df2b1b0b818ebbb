"""`train`: the entry point the CLI, the GUI, `reproduce` and the sweeps call for every kind of run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .config import Config
from .device import resolve_device, tuned_for
from .kinds import kind_of
from .loop import Callback, CancelToken, lone, run_loop
from .presets import preset
from .runs import Run
from .start import started
from .tensorboard_log import event_log


def as_config(config_or_preset: Config | str | dict) -> Config:
    if isinstance(config_or_preset, Config):
        return config_or_preset.validate()
    if isinstance(config_or_preset, str):
        return preset(config_or_preset)
    return Config.from_dict(config_or_preset)


def train(
    config_or_preset: Config | str | dict | None,
    out: str | Path | None = None,
    callbacks: Iterable[Callback] = (),
    cancel: CancelToken | None = None,
    resume: bool = False,
    **overrides: Any,
) -> Run:
    """Train a model; write it to `out` (if given) as a run folder; return the Run.

    `overrides` are settings applied on top (`epochs=10, seed=3`). With `resume=True`, `out`
    must hold a run with a checkpoint, and training continues from its last saved epoch.
    The returned run's status is finished, cancelled or diverged.
    """
    out = Path(out) if out is not None else None
    config = None if resume else as_config(config_or_preset)
    with started(config, out, resume, overrides) as config:
        return train_started(config, out, callbacks, cancel, resume)


def train_started(
    config: Config,
    out: Path | None,
    callbacks: Iterable[Callback] = (),
    cancel: CancelToken | None = None,
    resume: bool = False,
) -> Run:
    """The training of a run whose start is done (start.started: the config checked, `out` held
    by this thread, its first files written): what `train` does next, and the CLI after it."""
    device = resolve_device(config.device)
    with contextlib.ExitStack() as stack:
        logs = event_log(config, out)  # TensorBoard events, when the config asks for them
        for log in logs:
            stack.callback(log.close)
        stack.enter_context(tuned_for(device))
        regime = kind_of(config).regime(config, device)
        return run_loop(lone(config, regime, out), device, [*callbacks, *logs], cancel, resume)[0]
