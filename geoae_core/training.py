"""`train`: the entry point the CLI, the GUI, `reproduce` and the sweeps call for every kind of run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .config import Config, ConfigError
from .files import hold
from .kinds import kind_of
from .loop import Callback, CancelToken, resolve_device, run_loop, tuned_for
from .presets import preset
from .runs import Run
from .store import read_config
from .tensorboard_log import event_log


def as_config(config_or_preset: Config | str | dict) -> Config:
    if isinstance(config_or_preset, Config):
        return config_or_preset.validate()
    if isinstance(config_or_preset, str):
        return preset(config_or_preset)
    return Config.from_dict(config_or_preset)


def train(
    config_or_preset: Config | str | dict,
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
    if resume and out is None:
        raise ConfigError("resume: needs the run folder to continue (out=...)")
    with contextlib.ExitStack() as stack:
        if resume:  # the folder first: a second writer hears that, not what its files say mid-write
            stack.enter_context(hold(out))
        config = read_config(out) if resume else as_config(config_or_preset)
        if overrides:
            config = config.replace(**overrides)
        device = resolve_device(config.device)
        if out is not None and not resume:
            stack.enter_context(hold(out))  # one writer per run folder, from before the first file
        logs = event_log(config, out)  # TensorBoard events, when the config asks for them
        for log in logs:
            stack.callback(log.close)
        stack.enter_context(tuned_for(device))
        regime = kind_of(config).regime(config, device)
        return run_loop(config, regime, device, out, [*callbacks, *logs], cancel, resume)
