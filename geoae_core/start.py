"""How a training starts, one path for `geoae train`, `train()` and each member of a grouped
family: the config checked (its device, its TensorBoard writer), the run folder held by this
thread, and a new run's first files written (config.json, run.json `running`) before anything
trains; a resumed run's config read back from its folder.

Torch-free: the CLI goes through here before torch has loaded, so a new run is on disk, and
resumable, from the first second. Only a config that asks for CUDA loads torch here, to ask
whether there is one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .config import Config, ConfigError
from .files import RunError, abandon_start, hold, read_config, start_folder


def checked(config: Config, overrides: dict[str, Any] | None = None) -> Config:
    """`config` with `overrides`, refused in one line (ConfigError) if this machine cannot train it."""
    config = config.replace(**overrides) if overrides else config.validate()
    if config.device == "cuda":
        from .device import resolve_device  # torch: a machine without CUDA is refused before any file

        resolve_device(config.device)
    if config.tensorboard:
        from .tensorboard_log import require  # here: it loads numpy, which the start does without

        require()
    return config


@contextlib.contextmanager
def started(
    config: Config | None, out: Path | None, resume: bool = False, overrides: dict[str, Any] | None = None
) -> Iterator[Config]:
    """Yield the run's config while this thread holds `out` (if given) as its only writer.

    A new run: `config` with `overrides` checked, then the folder held and its first files
    written. A resumed run (`config` is not used): the folder held first, so that a second
    writer hears that rather than what its files say mid-write, then its config read back.
    """
    if resume and out is None:
        raise ConfigError("resume: needs the run folder to continue (out=...)")
    if out is None:
        yield checked(config, overrides)
        return
    if resume:
        with hold(out):
            yield checked(read_config(out), overrides)
        return
    config = checked(config, overrides)
    with hold(out):
        try:
            _write_first_files(out, config)
            yield config
        except (ConfigError, RunError):  # refused, or never saved: no folder claims a run (hold removes it)
            abandon_start(out)
            raise


def _write_first_files(out: Path, config: Config) -> None:
    try:
        start_folder(out, config.to_json(), config.epochs)
    except OSError as exc:  # a full disk, a read-only folder: refused before anything trains
        raise RunError(f"{out}: could not write the run's first files ({exc.strerror or exc})") from None
