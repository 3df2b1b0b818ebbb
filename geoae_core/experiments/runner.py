"""`geoae reproduce`: train, measure, judge and draw each id, and write its record and the index."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..loop import CancelToken, Progress
from .base import Experiment, verdict
from .context import Context, ReproduceCancelled
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
) -> dict[str, dict[str, Any]]:
    """Reproduce the given ids (or "all") into `out`; return each finished id's record.

    `settings` overrides entries of QUICK or FULL (epochs, n_train, batch_size, runs, ...).
    `cancel` (anything with is_set()) is checked between ids and between and inside trainings:
    once set, the ids finished so far are returned, and the run cut short stays resumable.
    """
    names = expand_ids(ids)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        out=out,
        quick=quick,
        seed=seed,
        device=device,
        callbacks=list(callbacks),
        on_stage=on_stage,
        overrides=dict(settings or {}),
        cancel=cancel,
    )
    claims = {name: experiment.claim for name, experiment in EXPERIMENTS.items()}
    records = {}
    try:
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
