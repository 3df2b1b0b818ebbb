"""Which schedule trains figure 10's position decoder: the schedules tried, one row each.

Trains the `position-decoder` preset (seed 0, one thread, so the numbers are the same on any
machine with this torch) under each schedule below and prints a markdown row per schedule: the
final loss, the sub-sample peak error (evaluate.subsample_peak_positions; fig10's check is its
largest value below 1 sample), and the largest error per block of 8 output samples, which shows
where along the range the decoder is weak.

Usage: python scripts/decoder_schedules.py [--out DIR] [NAME ...]   (default: every schedule)
A schedule already trained in DIR is read back, not trained again.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from geoae_core import analysis, preset, train
from geoae_core.files import RunError
from geoae_core.runs import load_run

BLOCK = 8
# name -> overrides of the preset's schedule; "preset" is the one figure 10 trains with
SCHEDULES = {
    "before": {"epochs": 1500, "batch_size": 300, "lr": 0.003, "lr_final": None},  # the preset until now
    "cosine": {"epochs": 1500, "batch_size": 300, "lr": 0.003, "lr_final": 3e-5},
    "cosine-from-0.01": {"epochs": 1500, "batch_size": 300, "lr": 0.01, "lr_final": 1e-4},
    "batch-100": {"epochs": 1500, "batch_size": 100, "lr": 0.003, "lr_final": 3e-5},
    "batch-32": {"epochs": 1500, "batch_size": 32, "lr": 0.003, "lr_final": 3e-5},
    "preset": {},
}


def trained(name: str, out: Path):
    folder = out / name
    config = preset("position-decoder").replace(device="cpu", **SCHEDULES[name])
    try:
        run = load_run(folder)
        if run.status == "finished" and run.config == config:
            return run
    except RunError:
        pass
    return train(config, out=folder)


def row(name: str, run) -> str:
    report = analysis.position_decoder_report(run)
    errors, positions = np.asarray(report["subsample_peak_error"]), np.asarray(report["positions"])
    blocks = [errors[(positions >= k) & (positions < k + BLOCK)].max() for k in range(0, run.config.size, BLOCK)]
    config = run.config
    settings = f"{config.epochs} x batch {config.batch_size}, lr {config.lr:g}" + (
        f" to {config.lr_final:g}" if config.lr_final is not None else " constant"
    )
    return (
        f"| {name} | {settings} | {run.history[-1]['loss']:.4f} | {report['max_subsample_peak_error']:.3f} "
        f"| {report['mean_subsample_peak_error']:.3f} | {', '.join(f'{b:.2f}' for b in blocks)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"schedules (default: all): {', '.join(SCHEDULES)}")
    parser.add_argument("--out", type=Path, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in SCHEDULES]
    if unknown:
        print(f"decoder_schedules: unknown schedule {unknown[0]!r}", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        print(
            "| schedule | epochs x batch, learning rate | final loss | largest sub-sample error | mean "
            "| largest per block of 8 samples |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for name in args.names or SCHEDULES:
            print(row(name, trained(name, out)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
