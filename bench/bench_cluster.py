"""A sweep on a Dask LocalCluster (`--cluster local:N`) against today's process pool, in the same
run, and how the wall time of `geoae reproduce all` would scale with N cluster workers.

The scaling estimate: every run `reproduce all` trains (listed by a dry pass over the experiments,
runner.Plan) is timed for a few epochs on one thread; its full time is the median epoch times its
epochs. The runs do not depend on one another (no run starts from another's weights), so the
longest chain of dependent runs is one run, and N workers need at least max(longest run, total/N);
the figure given is a greedy schedule, longest runs first, onto N workers.

`--dask-defaults` adds a third contender: the LocalCluster with Dask's own worker settings (its
MALLOC_TRIM_THRESHOLD_=65536, which cluster.LOCAL_WORKER_CONFIG unsets), to show what that costs.

Usage: python bench/bench_cluster.py [--runs 8] [--epochs 5] [--workers 2] [--repeats 2] [--no-estimate]
                                     [--dask-defaults]
"""

import argparse
import heapq
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import torch

from geoae_core import cluster, preset, train
from geoae_core.experiments import EXPERIMENTS, expand_ids
from geoae_core.experiments.runner import Plan
from geoae_core.sweep import sweep

PROBE_EPOCHS = 3


def timed(function) -> float:
    tick = time.perf_counter()
    function()
    return time.perf_counter() - tick


def on_cluster(configs, outs, workers: int, worker_config: dict) -> None:
    geoae_config = cluster.LOCAL_WORKER_CONFIG
    cluster.LOCAL_WORKER_CONFIG = worker_config
    try:
        sweep(configs, outs, cluster=f"local:{workers}")
    finally:
        cluster.LOCAL_WORKER_CONFIG = geoae_config


def compare(args: argparse.Namespace) -> None:
    """The contenders, alternated `--repeats` times (the load of a shared machine drifts); the best of each."""
    configs = [preset(args.preset).replace(epochs=args.epochs, seed=s, device="cpu") for s in range(args.runs)]
    contenders = {
        "process pool (today's sweep)": partial(sweep, workers=args.workers),
        f"--cluster local:{args.workers} (started and closed inside)": partial(
            on_cluster, workers=args.workers, worker_config=cluster.LOCAL_WORKER_CONFIG
        ),
    }
    if args.dask_defaults:
        contenders[f"--cluster local:{args.workers}, Dask's own worker settings"] = partial(
            on_cluster, workers=args.workers, worker_config={}
        )
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, contender in contenders.items():
            with tempfile.TemporaryDirectory() as folder:
                outs = [Path(folder) / f"run{i}" for i in range(args.runs)]
                times[name].append(timed(partial(contender, configs, outs)))
    print(f"{args.runs} x {args.preset}, {args.epochs} epochs each, {args.workers} workers x 1 thread")
    pool = min(next(iter(times.values())))
    for name, seconds in times.items():
        ratio = min(seconds) / pool
        listed = ", ".join(f"{t:.1f}" for t in seconds)
        print(f"{name}: {listed} s; best / the pool's best {ratio:.3f} ({(ratio - 1) * 100:+.1f}%)")


def planned_runs() -> list:
    """Every run of `reproduce all` at the paper's settings, in the order they would be trained."""
    with tempfile.TemporaryDirectory() as folder:
        plan = Plan(Path(folder), quick=False, seed=0, device="cpu")
        for name in expand_ids(["all"]):
            EXPERIMENTS[name].train(plan)
        return [config for config, _ in plan.wanted.values()]


def seconds_per_epoch(config) -> float:
    with tempfile.TemporaryDirectory() as folder:
        run = train(config.replace(epochs=PROBE_EPOCHS, device="cpu"), out=Path(folder) / "probe")
    return statistics.median(row["seconds"] for row in run.history[1:])  # the first epoch warms up


def cost_key(config) -> str:
    """What an epoch's time depends on (not the seed, the regulariser's weight or the holes)."""
    return config.replace(seed=0, lam=0.0, regulariser="none", holes=[], epochs=1).to_json()


def greedy_wall(times: list[float], workers: int) -> float:
    loads = [0.0] * workers
    for seconds in sorted(times, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + seconds)
    return max(loads)


def estimate() -> None:
    torch.set_num_threads(1)  # a cluster task's threads
    configs = planned_runs()
    per_epoch: dict[str, float] = {}
    for config in configs:
        key = cost_key(config)
        if key not in per_epoch:
            per_epoch[key] = seconds_per_epoch(config)
            print(f"  {config.kind:<17} size {config.size:<3} n_train {config.n_train:<5} {per_epoch[key]:.3f} s/epoch")
    times = [per_epoch[cost_key(c)] * c.epochs for c in configs]
    total = sum(times)
    print(f"reproduce all: {len(configs)} runs, {total / 60:.1f} min of one-thread training in all")
    print(f"longest chain of dependent runs: one run, the longest {max(times) / 60:.1f} min")
    for workers in (1, 2, 4, 8, 16, 32, len(configs)):
        print(f"  {workers:>3} workers: about {greedy_wall(times, workers) / 60:.1f} min of training")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--preset", default="disks-hole-psi3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-estimate", action="store_true")
    parser.add_argument("--dask-defaults", action="store_true", help="also time Dask's own worker settings")
    args = parser.parse_args()
    compare(args)
    if not args.no_estimate:
        estimate()


if __name__ == "__main__":
    main()
