"""The hole family behind figures 7 and 8: settings trained several times on the hole data set,
each run's z(r), hole error ratio and smoothness, and the spread over a setting's runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import analysis
from ..presets import preset
from ..runs import Run
from .base import Expect, Numbers, Runs, reported
from .context import Context
from .drawing import new_figure, shade_holes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HOLE_PRESET = "disks-hole"
# a hole-family run that "failed to train": its code is constant, or it reconstructs badly even
# where it saw data (a trained run stays below 10 outside the hole; a collapsed one is near 270)
FAILED_OUTSIDE_ERROR = 50.0

# a setting's label (the prefix of its runs' names) -> its config overrides
Variants = dict[str, dict[str, Any]]
# a setting's label -> one dict of numbers per run
Family = dict[str, list[dict[str, Any]]]


def run_name(label: str, seed: int) -> str:
    return f"{label}-seed{seed}"


def train_family(ctx: Context, owner: str, variants: Variants, runs: int) -> Runs:
    """Every variant `runs` times on the hole data, side by side where it can, under DIR/runs/OWNER."""
    members = [
        (run_name(label, ctx.seed + index), HOLE_PRESET, index, overrides)
        for label, overrides in variants.items()
        for index in range(runs)
    ]
    ctx.prefetch(owner, members)
    return {
        name: ctx.train(owner, name, preset_name, seed_offset=index, **overrides)
        for name, preset_name, index, overrides in members
    }


def measure_family(runs: Runs, variants: Variants) -> Family:
    """Per setting, in the variants' order, each of its runs' numbers."""
    return {
        label: [member_numbers(run) for name, run in runs.items() if name.rsplit("-seed", 1)[0] == label]
        for label in variants
    }


def member_numbers(run: Run) -> dict[str, Any]:
    """One run's z(r), hole ratio and smoothness."""
    curve = analysis.z_curve(run)
    hole = analysis.hole_report(run)
    smooth = analysis.smoothness(curve["radii"], curve["z"])
    return {
        "seed": run.config.seed,
        "radii": curve["radii"],
        "z": curve["z"],
        "hole_ratio": hole["ratio"],
        "hole_error": hole["hole_error"],
        "outside_error": hole["outside_error"],
        "monotonicity": smooth["monotonicity"],
        "constant": smooth["constant"],
    }


def failed_to_train(member: dict[str, Any]) -> bool:
    return bool(member["constant"]) or member["outside_error"] > FAILED_OUTSIDE_ERROR


def summary_of(members: list[dict[str, Any]]) -> dict[str, Any]:
    """Spread of a setting's runs. The hole ratio is averaged over the runs that trained: a
    collapsed run errs everywhere, so its ratio near 1 would pass for a filled hole."""
    trained = [m for m in members if not failed_to_train(m)]
    ratios = np.array([m["hole_ratio"] for m in trained], float)
    mono = np.array([m["monotonicity"] for m in trained], float)
    return {
        "hole_ratio_mean": float(ratios.mean()) if trained else None,
        "hole_ratio_std": float(ratios.std()) if trained else None,
        "hole_ratio_runs": [m["hole_ratio"] for m in members],
        "failed_runs": len(members) - len(trained),
        "monotonicity_mean": float(mono.mean()) if trained else None,
        "monotone_runs": int(sum(m["monotonicity"] == 1.0 for m in trained)),
        "runs": len(members),
    }


def family_numbers(family: Family) -> Numbers:
    """The family, its summary per setting, and each setting's mean hole ratio and failed runs."""
    summary = {label: summary_of(members) for label, members in family.items()}
    numbers: Numbers = {"family": family, "summary": summary}
    for label, s in summary.items():
        numbers[f"{label}_hole_ratio"] = s["hole_ratio_mean"]
        numbers[f"{label}_failed_runs"] = s["failed_runs"]
    return numbers


def family_expectations(variants: Variants) -> tuple[Expect, ...]:
    """Each setting's mean hole ratio, then each one's number of failed runs, as reported numbers."""
    ratios = [reported(f"{label}_hole_ratio", "mean over the runs that trained") for label in variants]
    return (*ratios, *(reported(f"{label}_failed_runs") for label in variants))


def family_figure(numbers: Numbers, title: str) -> Figure:
    """z(r) of every run, one panel per setting, the hole shaded."""
    family, summary = numbers["family"], numbers["summary"]
    fig, axes = new_figure(1, len(family), (3.2 * len(family), 3.4))
    for ax, (label, members) in zip(axes[0], family.items()):
        shade_holes(ax, preset(HOLE_PRESET).holes)
        for member in members:
            ax.plot(member["radii"], member["z"], lw=1)
        ax.set_title(f"{label}\n{_panel_title(summary[label])}", fontsize=9)
        ax.set_xlabel("radius r")
    axes[0][0].set_ylabel("code z")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _panel_title(s: dict[str, Any]) -> str:
    ratio = "no run trained" if s["hole_ratio_mean"] is None else f"hole ratio {s['hole_ratio_mean']:.2g}"
    spread = "" if s["hole_ratio_std"] is None else f" ± {s['hole_ratio_std']:.1g}"
    failed = f", {s['failed_runs']} failed" if s["failed_runs"] else ""
    return f"{ratio}{spread}{failed}"
