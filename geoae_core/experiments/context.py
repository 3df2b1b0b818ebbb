"""The shared context of a reproduction: its settings (quick or full), the run cache and reuse,
and the cancel token every experiment's training checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..files import RunError
from ..kinds import kind_of
from ..loop import CancelToken, Progress
from ..presets import preset
from ..runs import Run, load_run
from ..sweep import sweep
from ..training import train

# Settings that differ between the paper's (full) and a quick pass over the same code paths.
FULL = {
    "epochs": 400,
    "n_train": 3000,
    "batch_size": 300,
    "lr": 0.001,
    "runs": 5,
    "lambda_runs": 5,
    "position_seeds": 5,
}
# quick: a third of the data and a quarter of the epochs; a larger step gets the disk models off
# the loss plateau in the ~1000 steps they have (measured: mean error 9 at lr 0.003, 114 at 0.001)
QUICK = {
    "epochs": 100,
    "n_train": 1000,
    "batch_size": 100,
    "lr": 0.003,
    "runs": 1,
    "lambda_runs": 1,
    "position_seeds": 3,
}

# (name, preset, seed offset, overrides) of one member of a family trained side by side
Member = tuple[str, str, int, dict[str, Any]]


class ReproduceCancelled(Exception):
    """The cancel token was set: reproduce stops after the ids it has finished."""


@dataclass
class Context:
    out: Path
    quick: bool = False
    seed: int = 0
    device: str = "auto"
    callbacks: list[Callable[[Progress], Any]] = field(default_factory=list)
    on_stage: Callable[[str], Any] | None = None
    runs: dict[str, Run] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)
    overrides: dict[str, int] = field(default_factory=dict)
    cancel: CancelToken | None = None

    @property
    def settings(self) -> dict[str, int]:
        return {**(QUICK if self.quick else FULL), **self.overrides}

    def config_for(self, preset_name: str, seed_offset: int = 0, **overrides: Any) -> Config:
        """The preset at this pass's scale (quick or full), seed and device."""
        s = self.settings
        base = preset(preset_name)
        # the kind says what of the pass's scale it takes: the disks all of it, the GAN its own schedule
        # scaled alike, the position networks none (figure 10 cuts its decoders when quick)
        disk_scale = {key: s[key] for key in ("epochs", "n_train", "batch_size", "lr")}
        scale = kind_of(base).scaled_schedule(base, disk_scale, FULL["epochs"])
        return base.replace(**{**scale, **overrides}, seed=self.seed + seed_offset, device=self.device)

    def train(self, owner: str, name: str, preset_name: str, seed_offset: int = 0, **overrides: Any) -> Run:
        """Train (or reuse) one model of an experiment; it lives in DIR/runs/OWNER/NAME."""
        config = self.config_for(preset_name, seed_offset, **overrides)
        key = config.to_json()
        if key not in self.runs:
            folder = self.out / "runs" / owner / name
            run = self._reuse(folder, config)
            if run is None:
                if self.on_stage:
                    self.on_stage(f"{owner}: training {name}")
                self.check_cancel()
                run = train(config, out=folder, callbacks=self.callbacks, cancel=self.cancel)
                if run.status == "cancelled":
                    raise ReproduceCancelled(f"{owner}: cancelled while training {name}")
            self.runs[key] = run
        run = self.runs[key]
        self.used.append(str(run.path.relative_to(self.out)) if run.path else name)
        return run

    def prefetch(self, owner: str, members: list[Member]) -> None:
        """Train a family's missing members side by side (sweep); `train` then finds them on disk.

        Not when reproduce can be cancelled: a sweep's processes would run on, and on two cores
        side by side gains nothing; each member then trains (cancellably) in turn."""
        if self.cancel is not None:
            return
        pending = []
        for name, preset_name, seed_offset, overrides in members:
            config = self.config_for(preset_name, seed_offset, **overrides)
            folder = self.out / "runs" / owner / name
            if config.to_json() not in self.runs and self._reuse(folder, config) is None:
                pending.append((config, folder))
        if len(pending) < 2:
            return
        if self.on_stage:
            self.on_stage(f"{owner}: training {len(pending)} runs side by side")
        sweep([config for config, _ in pending], [folder for _, folder in pending])

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ReproduceCancelled("cancelled")

    def _reuse(self, folder: Path, config: Config) -> Run | None:
        """A finished run of the very same config is kept, not retrained: in its own folder from an
        earlier call, or anywhere under DIR/runs (figure 6's run is figure 7's first "none" run)."""
        for candidate in [folder, *self._finished_elsewhere(config)]:
            try:
                run = load_run(candidate)
            except RunError:
                continue
            if run.config.replace(device=config.device) == config and run.status == "finished":
                return run
        return None

    def _finished_elsewhere(self, config: Config) -> list[Path]:
        """Run folders under DIR/runs whose config.json holds `config` (any device)."""
        wanted = config.replace(device="auto").to_json()
        found = []
        for path in sorted((self.out / "runs").glob("*/*/config.json")):
            try:
                stored = Config.from_dict(json.loads(path.read_text())).replace(device="auto").to_json()
            except (OSError, ValueError):
                continue
            if stored == wanted:
                found.append(path.parent)
        return found


def one_run_of(owner: str, preset_name: str) -> Callable[[Context], dict[str, Run]]:
    """The train step of an experiment that needs one run of one preset, named after it."""

    def train_step(ctx: Context) -> dict[str, Run]:
        return {preset_name: ctx.train(owner, preset_name, preset_name)}

    return train_step
