"""Many runs of one architecture at once (seeds, regularisers, lambdas): `geoae sweep`.

On CPU, a pool of processes with one thread each trains several members side by side; batching
members into one grouped-convolution model (geoae_core.batched) was measured slower there
(bench/bench_sweep.py), so it is not the default. On CUDA, members that differ only in seed,
regulariser and lambda train as one grouped model, by default: a grouped family is a regime of
the one training loop, so each member makes the same updates as its own `train` (learning-rate
schedule included), up to float rounding, and its checkpoint is a lone run's, which
`train(..., resume=True)` continues alone. Other families run one after another in this process
(the device is shared anyway). Each member ends as its own run folder.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import torch

from .batched import can_batch, train_batched
from .cluster import load_runs, train_on_cluster
from .config import Config, parse_value
from .device import resolve_device
from .loop import Callback
from .runs import Run, load_run
from .tensorboard_log import log_finished_run
from .training import train


def _init_worker(threads: int) -> None:
    torch.set_num_threads(threads)


def _train_member(config: dict[str, Any], out: str) -> str:
    return train(Config.from_dict(config), out=out).status


def default_workers(configs: Sequence[Config]) -> int:
    if any(resolve_device(c.device).type == "cuda" for c in configs):
        return 1
    return max(1, min(len(configs), os.cpu_count() or 1))


def sweep(
    configs: Sequence[Config],
    outs: Sequence[str | Path],
    workers: int | None = None,
    on_done: Callable[[int, str], Any] | None = None,
    batched: bool | None = None,
    cluster: str | None = None,
    callbacks: Iterable[Callback] = (),
) -> list[Run]:
    """Train every config into its folder, `workers` at a time; return the runs in order.

    `batched`: True trains the members as one grouped model (they must differ only in seed,
    regulariser and lambda: a ConfigError says what else differs), False as separate runs, None
    (default) batches on CUDA only, where it is faster and trains the same runs (up to rounding).
    `cluster`: a Dask scheduler (tcp://host:port) or local:N trains them instead (cluster.py);
    `callbacks` then hear the progress of all runs together, and a run that failed there raises
    cluster.RunsFailed once every other run is on disk.
    """
    if len(configs) != len(outs):
        raise ValueError("sweep: one output folder per config")
    configs = [c.validate() for c in configs]
    if cluster is not None:
        return load_runs(outs, train_on_cluster(configs, outs, cluster, on_done, callbacks))
    if batched is None:
        batched = can_batch(configs) and resolve_device(configs[0].device).type == "cuda"
    if batched:
        statuses = train_batched(configs, outs)
        for config, out in zip(configs, outs):
            if config.tensorboard:  # a grouped model has no loop callbacks: its members' events afterwards
                log_finished_run(out)
        if on_done:
            for index, status in enumerate(statuses):
                on_done(index, status)
        return [load_run(out) for out in outs]
    workers = workers or default_workers(configs)
    if workers <= 1:
        runs = []
        for index, (config, out) in enumerate(zip(configs, outs)):
            runs.append(train(config, out=out))
            if on_done:
                on_done(index, runs[-1].status)
        return runs
    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(threads,)) as pool:
        futures = {pool.submit(_train_member, c.to_dict(), str(o)): i for i, (c, o) in enumerate(zip(configs, outs))}
        for future in as_completed(futures):
            status = future.result()
            if on_done:
                on_done(futures[future], status)
    return [load_run(out) for out in outs]


def expand_members(base: Config, seeds: int, vary: Sequence[str]) -> list[tuple[str, Config]]:
    """(folder name, config) for every combination of `KEY=V1,V2,...` values and seed."""
    axes: list[list[tuple[str, Any]]] = []
    for item in vary:
        key, sep, values = item.partition("=")
        if not sep or not values:
            raise ValueError(f"--vary {item!r}: expected KEY=V1,V2,...")
        axes.append([(key.strip(), parse_value(v)) for v in _split_values(values)])
    members = []
    for combination in itertools.product(*axes):
        for offset in range(seeds):
            changes = dict(combination)
            seed = base.seed + offset
            config = base.replace(**changes, seed=seed)
            label = "-".join(f"{k}={_label(v)}" for k, v in combination)
            members.append(((f"{label}-" if label else "") + f"seed{seed}", config))
    return members


def _split_values(text: str) -> list[str]:
    """Split on commas outside brackets, so holes=[[11,18]],[[5,9]] gives two values."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "[{"
        depth -= char in "]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _label(value: Any) -> str:
    return str(value).replace(" ", "").replace("/", "_")
