"""Train the presets beyond the paper over several seeds and print what their codes carry (docs/beyond.md).

    python scripts/beyond_study.py                        # disks-xy, ellipses-axes, squares-rotated; seeds 0-2
    python scripts/beyond_study.py --presets disks-xy --seeds 1 --out runs/beyond --json study.json

One training at a time, on `--threads` CPU threads (the machine may be shared). For each run: the
training time, the mean reconstruction error (eq. 1) on 400 fresh exact images, and the attribute
read-out on 1000 more (analysis.attribute_readout): R^2 of each attribute from z (linear, quadratic),
the code axis that carries it most, and what the code follows (fig3's question). Then the mean and
standard deviation over the seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from geoae_core import analysis
from geoae_core.evaluate import evaluate_attributes
from geoae_core.presets import preset
from geoae_core.training import train

PRESETS = ("disks-xy", "ellipses-axes", "squares-rotated")


def study_one(name: str, seed: int, out: Path | None, overrides: list[str]) -> dict:
    config = preset(name).with_overrides([f"seed={seed}", *overrides])
    started = time.perf_counter()
    run = train(config, out=out / f"{name}-seed{seed}" if out else None)
    minutes = (time.perf_counter() - started) / 60
    error = evaluate_attributes(run)["mean_error"]
    readout = analysis.attribute_readout(run)
    return {"preset": name, "seed": seed, "status": run.status, "minutes": minutes, "error": error, "readout": readout}


def row_text(result: dict) -> str:
    cells = [
        f"{result['preset']:<16} seed {result['seed']}  {result['minutes']:5.1f} min  error {result['error']:7.2f}"
    ]
    for attribute, row in result["readout"]["attributes"].items():
        cells.append(
            f"{attribute}: R^2 {row['r2_linear']:.3f}/{row['r2_quadratic']:.3f} axis z{row['axis']}"
            f" |corr| {max(abs(c) for c in row['correlation']):.2f} follows {row['follows']}"
        )
    return "  ".join(cells)


def summary_text(results: list[dict]) -> list[str]:
    lines = []
    for name in dict.fromkeys(r["preset"] for r in results):
        group = [r for r in results if r["preset"] == name]
        errors = np.array([r["error"] for r in group])
        lines.append(f"{name}: {len(group)} seeds, error {errors.mean():.2f} ± {errors.std():.2f}")
        for attribute in group[0]["readout"]["names"]:
            rows = [r["readout"]["attributes"][attribute] for r in group]
            linear = np.array([row["r2_linear"] for row in rows])
            quadratic = np.array([row["r2_quadratic"] for row in rows])
            verdicts = {
                v: sum(row["follows"] == v for row in rows) for v in dict.fromkeys(row["follows"] for row in rows)
            }
            lines.append(
                f"  {attribute:<6} R^2 linear {linear.mean():.3f} ± {linear.std():.3f}, quadratic"
                f" {quadratic.mean():.3f} ± {quadratic.std():.3f} (min {quadratic.min():.3f}); follows "
                + ", ".join(f"{v} in {k}/{len(rows)}" for v, k in verdicts.items())
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=PRESETS)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="keep the run folders here")
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1: the cores are shared)")
    parser.add_argument("--set", action="append", default=[], help="override a setting, e.g. --set epochs=20")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = []
    for name in args.presets:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            results.append(study_one(name, seed, args.out, args.set))
            print(row_text(results[-1]), flush=True)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
    print("\n".join(summary_text(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
