"""Many runs at once: `sweep` against the same runs trained one after another (the plain
baseline: one process, torch's default threads), both as separate processes (one thread each,
CPU only) and as one grouped model (`--batched yes`). Each member is its own run folder.

Usage: python bench/bench_sweep.py [--runs 8] [--epochs 5] [--device cpu|cuda]
"""

import argparse
import tempfile
import time
from pathlib import Path

import torch

from geoae_core import preset, train
from geoae_core.sweep import default_workers, sweep


def timed(function) -> float:
    tick = time.perf_counter()
    function()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - tick


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--preset", default="disks-hole-psi3")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    configs = [preset(args.preset).replace(epochs=args.epochs, seed=s, device=args.device) for s in range(args.runs)]
    with tempfile.TemporaryDirectory() as folder:
        folders = {kind: [Path(folder) / f"{kind}{i}" for i in range(args.runs)] for kind in ("seq", "proc", "batch")}
        sequential = timed(lambda: [train(c, out=o) for c, o in zip(configs, folders["seq"])])
        results = {"batched (one grouped model)": timed(lambda: sweep(configs, folders["batch"], batched=True))}
        if args.device == "cpu":
            workers = default_workers(configs)
            label = f"processes ({workers} x 1 thread)"
            results[label] = timed(lambda: sweep(configs, folders["proc"], batched=False))
    print(f"{args.runs} x {args.preset}, {args.epochs} epochs each, device {args.device}")
    print(f"sequential ({torch.get_num_threads()} threads): {sequential:.1f} s")
    for label, seconds in results.items():
        print(f"{label}: {seconds:.1f} s, speed-up {sequential / seconds:.2f}x")


if __name__ == "__main__":
    main()
