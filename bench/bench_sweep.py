"""Many runs at once: `sweep` (a process per core, one thread each) against the same runs trained
one after another in one process with torch's default threads (the plain baseline).

Usage: python bench/bench_sweep.py [--runs 8] [--epochs 3]
"""

import argparse
import tempfile
import time
from pathlib import Path

import torch

from geoae_core import preset, train
from geoae_core.sweep import default_workers, sweep


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--preset", default="disks-hole-psi3")
    args = parser.parse_args()
    configs = [preset(args.preset).replace(epochs=args.epochs, seed=s, device="cpu") for s in range(args.runs)]
    with tempfile.TemporaryDirectory() as folder:
        tick = time.perf_counter()
        for index, config in enumerate(configs):
            train(config, out=Path(folder) / f"seq{index}")
        sequential = time.perf_counter() - tick
        tick = time.perf_counter()
        sweep(configs, [Path(folder) / f"par{i}" for i in range(len(configs))])
        parallel = time.perf_counter() - tick
    print(f"{args.runs} x {args.preset}, {args.epochs} epochs each")
    print(f"sequential ({torch.get_num_threads()} threads): {sequential:.1f} s")
    print(f"sweep ({default_workers(configs)} workers):      {parallel:.1f} s")
    print(f"speed-up:                 {sequential / parallel:.2f}x")


if __name__ == "__main__":
    main()
