"""The hole study behind figures 6 to 8: which regulariser, at which lambda, fills the hole?

Trains every setting below on the hole data set (radii in [11, 18] removed) with five seeds at
the paper's scale (reproduce's full settings), side by side, into reproduce's own layout, so
`geoae reproduce fig6 fig7 fig8 --out DIR` afterwards reuses every run. Then prints one
markdown row per setting: the hole error ratio of each seed, their mean and spread over the
seeds that trained, how many failed to train (a constant code, or an error above 50 even outside
the hole, as reproduce counts them), how many kept a monotone code, the error outside the hole.

Usage: python scripts/hole_study.py --out DIR [--seeds 5] [--report-only]
A run already finished in DIR is not trained again, so an interrupted study resumes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from geoae_core import analysis
from geoae_core.experiments import Context, failed_to_train
from geoae_core.files import RunError
from geoae_core.runs import load_run
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
    rows: dict[str, list[dict]] = {}
    for setting, folder, _ in runs:
        if not _finished(folder):
            continue
        run = load_run(folder)
        hole = analysis.hole_report(run)
        curve = analysis.z_curve(run)
        smooth = analysis.smoothness(curve["radii"], curve["z"])
        errors = {key: hole[key] for key in ("hole_error", "outside_error")}
        rows.setdefault(setting, []).append({"hole_ratio": hole["ratio"], **errors, **smooth})
    lines = [
        "| setting | seeds | hole ratio per seed | mean ± sd (trained) | failed to train | monotone z "
        "| error in the hole (median) | error outside (median) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for setting, found in rows.items():
        failed = [failed_to_train(m) for m in found]
        ratios = np.array([m["hole_ratio"] for m, f in zip(found, failed) if not f])
        spread = f"{ratios.mean():.2f} ± {ratios.std():.2f}" if ratios.size else "-"
        per_seed = ", ".join(f"{m['hole_ratio']:.2f}" + (" (failed)" if f else "") for m, f in zip(found, failed))
        monotone = sum(m["monotonicity"] == 1.0 for m, f in zip(found, failed) if not f)
        inside = np.median([m["hole_error"] for m in found])
        outside = np.median([m["outside_error"] for m in found])
        lines.append(
            f"| {setting} | {len(found)} | {per_seed} | {spread} | {sum(failed)} | {monotone} "
            f"| {inside:.2f} | {outside:.2f} |"
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
