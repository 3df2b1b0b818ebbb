"""Collapsed runs: training with denormals flushed to zero (the default) against without.

Under strong weight decay (figure 8's lambda 50 and 100) a run collapses to a constant code,
and its weights, gradients and Adam moments drift into the denormal range (below 1.2e-38),
where the CPU computes very slowly. The script trains one such run until it has collapsed,
then continues it for a few epochs in two fresh processes, with GEOAE_FLUSH_DENORMALS=1 (the
default) and =0, and prints the median seconds per epoch, their ratio and both final losses.
Usage: python bench/bench_denormals.py [--collapse-epochs 100] [--epochs 6] [--threads 2]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from geoae_core import load_run, train

COLLAPSING = {"lam": 100.0, "seed": 1, "device": "cpu"}  # its epochs slow down from about epoch 60 on


def continue_run(folder: Path, epochs: int) -> tuple[float, float]:
    before = len(load_run(folder).history)
    run = train(None, out=folder, resume=True, epochs=epochs)
    return statistics.median(row["seconds"] for row in run.history[before:]), run.history[-1]["loss"]


def in_fresh_process(folder: Path, epochs: int, flush: bool, threads: int) -> tuple[float, float]:
    env = {**os.environ, "GEOAE_FLUSH_DENORMALS": "1" if flush else "0", "OMP_NUM_THREADS": str(threads)}
    command = [sys.executable, __file__, "--only", str(folder), "--epochs", str(epochs)]
    result = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return tuple(json.loads(result.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collapse-epochs", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=6, help="epochs each variant trains after the collapse")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        print(json.dumps(continue_run(args.only, args.epochs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "collapsed"
        print(f"training disks-hole-psi3 {COLLAPSING} for {args.collapse_epochs} epochs ...", flush=True)
        torch.set_num_threads(args.threads)
        run = train("disks-hole-psi3", out=base, epochs=args.collapse_epochs, **COLLAPSING)
        print(f"  loss {run.history[-1]['loss']:.2f}")
        results = {}
        for flush in (True, False, True, False):  # interleaved, best of two
            folder = Path(tmp) / f"flush={flush}"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(base, folder)
            total = args.collapse_epochs + args.epochs
            seconds, loss = in_fresh_process(folder, total, flush, args.threads)
            best = results.get(flush, (seconds, loss))
            results[flush] = (min(seconds, best[0]), loss)
    (flushed, loss_on), (plain, loss_off) = results[True], results[False]
    print(f"epochs {args.collapse_epochs + 1}-{args.collapse_epochs + args.epochs}, {args.threads} threads")
    print(f"  denormals kept (GEOAE_FLUSH_DENORMALS=0): {plain:.3f} s/epoch, loss {loss_off:.3f}")
    print(f"  denormals flushed (default):              {flushed:.3f} s/epoch, loss {loss_on:.3f}")
    print(f"  ratio {plain / flushed:.2f}x; losses differ by {abs(loss_on - loss_off) / loss_off:.2e} (relative)")


if __name__ == "__main__":
    main()
