"""The hole study behind figures 6 to 8: which regulariser, at which lambda, fills the hole?

Trains every setting below on the hole data set (radii in [11, 18] removed) with five seeds at
the paper's scale (reproduce's full settings), side by side, into reproduce's own layout, so
`geoae reproduce fig6 fig7 fig8 --out DIR` afterwards reuses every run. Then prints one
markdown row per setting, with the numbers figures 7 and 8 judge: each seed's deviation of the
code from the area trend inside the hole, their median and spread (largest minus smallest) over the
seeds that trained, how many kept z(r) monotone, the median R^2 of z against r^2, each seed's
hole error ratio, how many failed to train (a constant code, or an error above 50 even outside
the hole), and the median errors in the hole and outside it.

Usage: python scripts/hole_study.py --out DIR [--seeds 5] [--report-only]
A run already finished in DIR is not trained again, so an interrupted study resumes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from geoae_core.experiments import Context, failed_to_train, summary_of
from geoae_core.experiments.holes import member_numbers
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
    """One row per setting, from the numbers reproduce's figures 7 and 8 judge (experiments.holes)."""
    rows: dict[str, list[dict]] = {}
    for setting, folder, _ in runs:
        if _finished(folder):
            rows.setdefault(setting, []).append(member_numbers(load_run(folder)))
    lines = [
        "| setting | seeds | code deviation in the hole per seed | median (spread) | monotone z | area R^2 "
        "| hole ratio per seed | failed to train | error in the hole (median) | error outside (median) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for setting, found in rows.items():
        s = summary_of(found)
        failed = [failed_to_train(m) for m in found]
        deviations = ", ".join(_number(m["hole_code_deviation"], f, ".3f") for m, f in zip(found, failed))
        ratios = ", ".join(_number(m["hole_ratio"], f) for m, f in zip(found, failed))
        median = _number(s["hole_code_deviation_median"], spec=".3f")
        spread = _number(s["hole_code_deviation_spread"], spec=".3f")
        lines.append(
            f"| {setting} | {len(found)} | {deviations} | {median} ({spread}) | {s['monotone_runs']} "
            f"| {_number(s['area_r2_median'], spec='.4f')} | {ratios} | {s['failed_runs']} "
            f"| {_number(s['hole_error_median'])} | {_number(s['outside_error_median'])} |"
        )
    return "\n".join(lines)


def _number(value: float | None, failed: bool = False, spec: str = ".2f") -> str:
    text = "-" if value is None else format(value, spec)
    return f"{text} (failed)" if failed else text


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
