"""The hole study behind figures 6 to 8: which regulariser, at which lambda, fills the hole?

Trains every setting below on the hole data set (radii in [11, 18] removed) with five seeds at
the paper's scale (reproduce's full settings), side by side, into reproduce's own layout, so
`geoae reproduce fig6 fig7 fig8 --out DIR` afterwards reuses every run. Then prints one
markdown row per setting: the hole error ratio of each seed, their mean and spread, the error
outside the hole, and how many seeds kept a monotone or collapsed (constant) code.

Usage: python scripts/hole_study.py --out DIR [--seeds 5] [--report-only]
A run already finished in DIR is not trained again, so an interrupted study resumes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from geoae_core import analysis
from geoae_core.reproduce import Context
from geoae_core.runs import RunError, load_run
from geoae_core.sweep import sweep

# (owner, label, overrides): the labels are reproduce's, so its figures find these runs
SETTINGS = [
    ("fig7", "none", {}),
    ("fig8", "lambda=1", {"regulariser": "psi3", "lam": 1.0}),
    ("fig8", "lambda=10", {"regulariser": "psi3", "lam": 10.0}),
    ("fig7", "psi1", {"regulariser": "psi1", "lam": 1e-3}),
    ("fig7", "psi2", {"regulariser": "psi2", "lam": 1.0}),
    ("fig8", "lambda=0.1", {"regulariser": "psi3", "lam": 0.1}),
    ("fig8", "lambda=50", {"regulariser": "psi3", "lam": 50.0}),
    ("fig8", "lambda=100", {"regulariser": "psi3", "lam": 100.0}),
]


def members(ctx: Context, seeds: int) -> list[tuple[str, Path, object]]:
    """(setting, folder, config) for every run, the first five settings' seeds before the rest."""
    found = []
    for owner, label, overrides in SETTINGS:
        setting = _describe(overrides)
        for seed in range(seeds):
            folder = ctx.out / "runs" / owner / f"{label}-seed{seed}"
            found.append((setting, folder, ctx.config_for("disks-hole", seed, **overrides)))
    return found


def _describe(overrides: dict) -> str:
    if not overrides:
        return "none"
    return f"{overrides['regulariser']}, lambda {overrides['lam']:g}"


def train_missing(runs: list[tuple[str, Path, object]]) -> None:
    pending = [(folder, config) for _, folder, config in runs if not _finished(folder)]
    if not pending:
        return
    started = time.time()

    def done(index: int, status: str) -> None:
        print(f"{time.time() - started:7.0f} s  {pending[index][0]}  {status}", flush=True)

    sweep([config for _, config in pending], [folder for folder, _ in pending], on_done=done)


def _finished(folder: Path) -> bool:
    try:
        return load_run(folder).status == "finished"
    except RunError:
        return False


def report(runs: list[tuple[str, Path, object]]) -> str:
    rows = {}
    for setting, folder, _ in runs:
        if not _finished(folder):
            continue
        run = load_run(folder)
        hole = analysis.hole_report(run)
        curve = analysis.z_curve(run)
        smooth = analysis.smoothness(curve["radii"], curve["z"])
        rows.setdefault(setting, []).append((hole["ratio"], hole["outside_error"], smooth))
    lines = [
        "| setting | seeds | hole ratio per seed | mean ± sd | error outside the hole | monotone z | constant z |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for setting, found in rows.items():
        ratios = np.array([r if r is not None else np.nan for r, _, _ in found])
        outside = np.mean([o for _, o, _ in found])
        monotone = sum(s["monotonicity"] == 1.0 for _, _, s in found)
        constant = sum(s["constant"] for _, _, s in found)
        per_seed = ", ".join(f"{r:.2f}" for r in ratios)
        lines.append(
            f"| {setting} | {len(found)} | {per_seed} | {np.nanmean(ratios):.2f} ± {np.nanstd(ratios):.2f} "
            f"| {outside:.2f} | {monotone} | {constant} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="report folder (reproduce's layout)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--report-only", action="store_true", help="tabulate the finished runs, train nothing")
    args = parser.parse_args()
    runs = members(Context(out=args.out, device=args.device), args.seeds)
    if not args.report_only:
        train_missing(runs)
    print(report(runs))


if __name__ == "__main__":
    main()
