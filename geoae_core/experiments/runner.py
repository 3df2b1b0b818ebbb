"""`geoae reproduce`: train, measure, judge and draw each id, and write its record and the index."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cluster import train_on_cluster
from ..config import Config
from ..loop import CancelToken, Progress
from ..runs import Run, load_run
from .base import Experiment, verdict
from .context import Context, Member, ReproduceCancelled
from .drawing import save_figure
from .registry import EXPERIMENTS, expand_ids
from .report import write_index, write_record


def run_one(ctx: Context, name: str) -> dict[str, Any]:
    """Reproduce one id into ctx.out: ID.png and ID.json; return its record.

    An experiment that raises is recorded with verdict "error" (the others go on); a cancel is not."""
    experiment = EXPERIMENTS[name]
    started = time.time()
    ctx.used = []
    record: dict[str, Any] = {"id": name, "claim": experiment.claim, "quick": ctx.quick, "seed": ctx.seed}
    try:
        record.update(_outcome(ctx, experiment))
    except ReproduceCancelled:
        raise
    except Exception as exc:  # one failed experiment must not lose the others
        record.update(verdict="error", error=f"{type(exc).__name__}: {exc}", trace=traceback.format_exc())
    record["runs"] = sorted(set(ctx.used))
    record["seconds"] = round(time.time() - started, 2)
    write_record(ctx.out, record)
    return record


def _outcome(ctx: Context, experiment: Experiment) -> dict[str, Any]:
    """Its checks, verdict and details, once its figure is saved."""
    runs = experiment.train(ctx)
    numbers = experiment.measure(runs)
    checks = experiment.checks(numbers)
    save_figure(experiment.draw(runs, numbers), ctx.out / f"{experiment.id}.png")
    details = {key: numbers[key] for key in experiment.details}
    outcome = {"checks": [c.record() for c in checks], "verdict": "pass" if verdict(checks) else "fail"}
    return {**outcome, **details} if experiment.details_at_top else {**outcome, "details": details}


@dataclass
class Reproduction(Context):
    """The context of run_ids: with `tensorboard`, every run it trains also writes event files."""

    tensorboard: bool = False

    def config_for(self, preset_name: str, seed_offset: int = 0, **overrides: Any) -> Config:
        config = super().config_for(preset_name, seed_offset, **overrides)
        return config.replace(tensorboard=True) if self.tensorboard else config


@dataclass
class Plan(Reproduction):
    """A dry pass over the experiments' train steps: the runs they would train (config -> folder),
    in order and once each, without training any (a run on disk is not planned again)."""

    wanted: dict[str, tuple[Config, Path]] = field(default_factory=dict)

    def train(self, owner: str, name: str, preset_name: str, seed_offset: int = 0, **overrides: Any) -> Run:
        config = self.config_for(preset_name, seed_offset, **overrides)
        folder = self.out / "runs" / owner / name
        if config.to_json() not in self.wanted and self._reuse(folder, config) is None:
            self.wanted[config.to_json()] = (config, folder)
        return None  # type: ignore[return-value]  # the train steps only collect their runs

    def prefetch(self, owner: str, members: list[Member]) -> None:
        return  # each member comes through train as well


def train_all_on_cluster(ctx: Reproduction, names: list[str], cluster: str) -> None:
    """Every run the ids need, trained at once on the cluster; the ids then find them on disk.

    The runs of different ids do not depend on each other, so they all go out together: the wall
    time is about the longest run, or the total over the workers, whichever is more."""
    plan = Plan(ctx.out, ctx.quick, ctx.seed, ctx.device, overrides=ctx.overrides, tensorboard=ctx.tensorboard)
    for name in names:
        try:
            EXPERIMENTS[name].train(plan)
        except Exception:  # its own pass records the error
            continue
    if not plan.wanted:
        return
    configs = [config for config, _ in plan.wanted.values()]
    folders = [folder for _, folder in plan.wanted.values()]
    labels = [str(folder.relative_to(ctx.out / "runs")) for folder in folders]

    def done(index: int, status: str) -> None:
        if ctx.on_stage:
            ctx.on_stage(f"{cluster}: {labels[index]} {status}")

    if ctx.on_stage:
        ctx.on_stage(f"training {len(configs)} runs on the cluster {cluster}")
    statuses = train_on_cluster(configs, folders, cluster, done, ctx.callbacks, ctx.cancel)
    for config, folder, status in zip(configs, folders, statuses):
        if status not in ("failed", "cancelled"):  # kept as trained, diverged ones too, as a local pass keeps them
            ctx.runs[config.to_json()] = load_run(folder)
    ctx.check_cancel()


def run_ids(
    ids: Iterable[str],
    out: str | Path,
    quick: bool = False,
    seed: int = 0,
    device: str = "auto",
    callbacks: Iterable[Callable[[Progress], Any]] = (),
    on_stage: Callable[[str], Any] | None = None,
    settings: dict[str, int] | None = None,
    cancel: CancelToken | None = None,
    cluster: str | None = None,
    tensorboard: bool = False,
) -> dict[str, dict[str, Any]]:
    """Reproduce the given ids (or "all") into `out`; return each finished id's record.

    `settings` overrides entries of QUICK or FULL (epochs, n_train, batch_size, runs, ...).
    `cancel` (anything with is_set()) is checked between ids and between and inside trainings:
    once set, the ids finished so far are returned, and the run cut short stays resumable.
    `cluster` (a Dask scheduler tcp://host:port, or local:N) trains every run of every id there
    first, all at once; `tensorboard` makes each run write TensorBoard event files.
    """
    names = expand_ids(ids)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Reproduction(
        out=out,
        quick=quick,
        seed=seed,
        device=device,
        callbacks=list(callbacks),
        on_stage=on_stage,
        overrides=dict(settings or {}),
        cancel=cancel,
        tensorboard=tensorboard,
    )
    claims = {name: experiment.claim for name, experiment in EXPERIMENTS.items()}
    records = {}
    try:
        if cluster is not None:
            train_all_on_cluster(ctx, names, cluster)
        for index, name in enumerate(names):
            ctx.check_cancel()
            if on_stage:
                on_stage(f"[{index + 1}/{len(names)}] {name}")
            records[name] = run_one(ctx, name)
            write_index(out, claims)
    except ReproduceCancelled:
        if on_stage:
            on_stage(f"cancelled after {len(records)} of {len(names)} ids")
    return records
