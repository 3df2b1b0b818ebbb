"""Runs compared over seeds: runs grouped by setting (the config without its seed), and each
group's z(r) as a mean with a band of one standard deviation (figure 7 has five runs per setting).

A group holds distinct seeds of one finished setting (`seed_groups`):
- a run that has not finished (its status is not "finished", or it did fewer epochs than its
  config asks) is left out unless `include_unfinished`; `Progress.flag` says how far it got;
- two runs of one setting with the same seed count once: the finished one is kept, else the
  latest (by the time it started, then by its files' time); the other is left out, and said so.

A code and its negative are the same code (the decoder flips with it), so before averaging each
curve is oriented to grow with r: a curve whose z at the largest test radius is below its z at
the smallest is negated, and `flipped` says which were.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .analysis import z_curve
from .config import Config
from .files import STATUS_FILE, WEIGHTS_FILE, RunError, read_config, read_json
from .runs import Run
from .store import read_history

# settings that do not change what is trained: the seed (what a group varies), and where and how
# often the run was saved
NOT_THE_SETTING = ("seed", "device", "checkpoint_every", "checkpoint_seconds")
FINISHED = "finished"
# how a run that has not finished is called, by its status (any other status: "stopped")
UNFINISHED_WORDS = {"running": "training", "failed": "failed"}


@dataclass(frozen=True)
class Progress:
    """How far a run got: its status, the epochs done and the epochs its config asks for."""

    status: str
    done: int
    epochs: int

    @property
    def finished(self) -> bool:
        return self.status == FINISHED and self.done >= self.epochs

    @property
    def flag(self) -> str:
        """ "" for a finished run, else how far it got: "(stopped at 6/400)", "(training: 4/40)"."""
        if self.finished:
            return ""
        word = UNFINISHED_WORDS.get(self.status, "stopped")
        return (
            f"(training: {self.done}/{self.epochs})" if word == "training" else f"({word} at {self.done}/{self.epochs})"
        )


def _epochs_done(info: dict[str, Any], history: list[dict[str, float]]) -> int:
    done = info.get("epochs_done")
    if isinstance(done, int) and not isinstance(done, bool):
        return done
    return int(history[-1]["epoch"]) if history else 0


def progress_of(run: Run) -> Progress:
    """How far a loaded run got (its run.json, else its history)."""
    return Progress(run.status, _epochs_done(run.info, run.history), int(run.config.epochs))


def folder_progress(folder: Path) -> Progress:
    """How far the run in `folder` got, without loading its weights (RunError for a bad folder)."""
    folder = Path(folder)
    config = read_config(folder)
    info = read_json(folder / STATUS_FILE) if (folder / STATUS_FILE).is_file() else {}
    if not isinstance(info, dict):
        raise RunError(f"{folder / STATUS_FILE}: expected an object")
    history = [] if isinstance(info.get("epochs_done"), int) else read_history(folder)
    return Progress(str(info.get("status", FINISHED)), _epochs_done(info, history), int(config.epochs))


def setting_of(config: Config) -> dict[str, Any]:
    """The config without its seed (nor device and checkpoint rhythm): what runs of one setting share."""
    return {key: value for key, value in config.to_dict().items() if key not in NOT_THE_SETTING}


def group_by_setting(runs: Sequence[Run]) -> list[list[Run]]:
    """The runs in groups of one setting each, groups and runs in the order first seen."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(json.dumps(setting_of(run.config), sort_keys=True), []).append(run)
    return list(groups.values())


def group_labels(groups: Sequence[Sequence[Run]]) -> list[str]:
    """A short name per group: the settings in which the groups differ (`lam=1, regulariser=psi3`)."""
    settings = [setting_of(group[0].config) for group in groups]
    differing = sorted(key for key in settings[0] if len({json.dumps(s[key]) for s in settings}) > 1)
    if not differing:
        return ["one setting" for _ in groups]
    return [", ".join(f"{key}={json.dumps(s[key])}" for key in differing) for s in settings]


def run_name(run: Run) -> str:
    return run.path.name if run.path is not None else f"seed {run.config.seed}"


def _latest(run: Run) -> tuple[str, float]:
    """When a run was made, to keep the latest of two: its start time, then its files' time."""
    stamp = 0.0
    if run.path is not None:
        for name in (STATUS_FILE, WEIGHTS_FILE):
            with contextlib.suppress(OSError):
                stamp = max(stamp, (run.path / name).stat().st_mtime)
    return str(run.info.get("started", "")), stamp


@dataclass
class SeedGroups:
    """The runs that make the bands, by setting, and those left out with the reason why."""

    groups: list[list[Run]]
    left_out: list[tuple[Run, str]] = field(default_factory=list)


def seed_groups(runs: Sequence[Run], include_unfinished: bool = False) -> SeedGroups:
    """Groups of distinct seeds of one setting, in the order first seen (see the module's rule)."""
    left_out: list[tuple[Run, str]] = []
    kept = []
    for run in runs:
        progress = progress_of(run)
        if progress.finished or include_unfinished:
            kept.append(run)
        else:
            left_out.append((run, f"unfinished {progress.flag}"))
    groups = []
    for group in group_by_setting(kept):
        by_seed: dict[int, list[Run]] = {}
        for run in group:
            by_seed.setdefault(run.config.seed, []).append(run)
        chosen: set[int] = set()
        for seed, same in by_seed.items():
            best = max(same, key=lambda run: (progress_of(run).finished, *_latest(run)))
            chosen.add(id(best))
            why = "the finished one" if progress_of(best).finished else "the latest"
            for other in same:
                if other is not best:
                    left_out.append((other, f"seed {seed} again in its setting: {run_name(best)} kept ({why})"))
        groups.append([run for run in group if id(run) in chosen])
    return SeedGroups(groups, left_out)


@dataclass
class SeedBand:
    """One setting's z(r) over its seeds. `curves` (runs x radii) are the oriented codes; `std`
    is the sample standard deviation over the seeds (ddof 1; zero for a single run)."""

    label: str
    runs: list[Run]
    radii: np.ndarray
    curves: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    flipped: list[bool] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        return [run.config.seed for run in self.runs]

    @property
    def paths(self) -> list[Path | None]:
        return [run.path for run in self.runs]

    @property
    def unfinished(self) -> list[Run]:
        """Its runs that have not finished (there only when asked for)."""
        return [run for run in self.runs if not progress_of(run).finished]


def oriented(z: np.ndarray) -> tuple[np.ndarray, bool]:
    """z(r) made to grow with r (negated if it falls from the smallest radius to the largest)."""
    flip = bool(z[-1] < z[0])
    return (-z if flip else z), flip


def _z_of_r(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """(radii, z) on the engine's test radii, computed once per run (kept in `run.derived`)."""
    if "z_of_r" not in run.derived:
        curve = z_curve(run)
        run.derived["z_of_r"] = (np.asarray(curve["radii"], float), np.asarray(curve["z"], float).reshape(-1))
    return run.derived["z_of_r"]


def bands_of(groups: Sequence[Sequence[Run]]) -> list[SeedBand]:
    """Each group's oriented z(r) curves, their mean and band. Runs must have a scalar code."""
    bands = []
    for label, group in zip(group_labels(groups) if groups else [], groups):
        radii: np.ndarray | None = None
        curves, flips = [], []
        for run in group:
            if run.config.code_size != 1:
                raise RunError(f"{run.path}: a code of size {run.config.code_size}; z(r) is compared for scalar codes")
            radii, z = _z_of_r(run)
            z, flip = oriented(z)
            curves.append(z)
            flips.append(flip)
        stack = np.stack(curves)
        std = stack.std(axis=0, ddof=1) if len(stack) > 1 else np.zeros(stack.shape[1])
        bands.append(SeedBand(label, list(group), radii, stack, stack.mean(axis=0), std, flips))
    return bands


def seed_bands(runs: Sequence[Run], include_unfinished: bool = False) -> list[SeedBand]:
    """Each setting's z(r) on the engine's test radii, over its distinct seeds (`seed_groups`)."""
    return bands_of(seed_groups(runs, include_unfinished).groups)
