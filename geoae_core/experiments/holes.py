"""The hole family behind figures 6 to 8: settings trained several times on the hole data set,
each run's z(r), hole errors and smoothness, and their median and spread over a setting's runs.

Statistics are taken over the runs that trained (failed_to_train says which did not; they are
counted apart): a collapsed run errs everywhere, and its code has no shape to judge."""

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
    """One run's z(r), hole errors and ratio, and the smoothness of its code across the hole."""
    curve = analysis.z_curve(run)
    hole = analysis.hole_report(run)
    smooth = analysis.smoothness(curve["radii"], curve["z"])
    code = analysis.hole_code_report(run)
    return {
        "seed": run.config.seed,
        "radii": curve["radii"],
        "z": curve["z"],
        "hole_ratio": hole["ratio"],
        "hole_error": hole["hole_error"],
        "outside_error": hole["outside_error"],
        "monotonicity": smooth["monotonicity"],
        "constant": smooth["constant"],
        "hole_code_deviation": code["hole_code_deviation"],
        "area_r2": code["area_r2"],
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
        "hole_code_deviation_runs": [m.get("hole_code_deviation") for m in members],
        **{f"{key}_median": _median(trained, key) for key in MEDIANS},
        "hole_code_deviation_spread": _spread(trained, "hole_code_deviation"),
    }


# the numbers of a run whose median over a setting's trained runs the figures report
MEDIANS = ("hole_code_deviation", "hole_error", "outside_error", "area_r2")


def _values(members: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.array([m[key] for m in members if m.get(key) is not None], float)


def _median(members: list[dict[str, Any]], key: str) -> float | None:
    values = _values(members, key)
    return float(np.median(values)) if values.size else None


def _spread(members: list[dict[str, Any]], key: str) -> float | None:
    """Largest minus smallest over the runs: how consistent a setting is from seed to seed."""
    values = _values(members, key)
    return float(values.max() - values.min()) if values.size else None


def family_numbers(family: Family) -> Numbers:
    """The family, its summary per setting, and each setting's numbers under the names the checks read."""
    summary = {label: summary_of(members) for label, members in family.items()}
    numbers: Numbers = {"family": family, "summary": summary}
    for label, s in summary.items():
        numbers[f"{label}_hole_code_deviation"] = s["hole_code_deviation_median"]
        numbers[f"{label}_hole_code_deviation_spread"] = s["hole_code_deviation_spread"]
        numbers[f"{label}_monotone_runs"] = s["monotone_runs"]
        numbers[f"{label}_hole_error"] = s["hole_error_median"]
        numbers[f"{label}_outside_error"] = s["outside_error_median"]
        numbers[f"{label}_area_r2"] = s["area_r2_median"]
        numbers[f"{label}_hole_ratio"] = s["hole_ratio_mean"]
        numbers[f"{label}_failed_runs"] = s["failed_runs"]
        numbers[f"{label}_runs"] = s["runs"]
    return numbers


# what each of a setting's numbers is, as its reported line says
NUMBER_WORDS = {
    "hole_code_deviation": "median over the runs that trained of the largest |z - area trend| in the hole, "
    "over z's range (trend: z against r^2 fitted outside the hole)",
    "hole_code_deviation_spread": "largest minus smallest of that deviation over the runs that trained",
    "monotone_runs": "runs that trained with z(r) monotone",
    "hole_error": "median error (eq. 1) of the test radii in the hole",
    "outside_error": "median error (eq. 1) of the test radii outside the hole",
    "area_r2": "median R^2 of z against r^2 over every test radius",
    "hole_ratio": "mean over the runs that trained of the hole error over the error outside",
    "failed_runs": f"constant code or error above {FAILED_OUTSIDE_ERROR:g} outside the hole",
}


def family_expectations(variants: Variants, judged: tuple[Expect, ...] = ()) -> tuple[Expect, ...]:
    """The `judged` checks, then every other number of every setting (NUMBER_WORDS), reported."""
    names = {expect.name for expect in judged}
    rest = [
        reported(f"{label}_{key}", words)
        for label in variants
        for key, words in NUMBER_WORDS.items()
        if f"{label}_{key}" not in names
    ]
    return (*judged, *rest)


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
    deviation = s["hole_code_deviation_median"]
    if deviation is None:
        return "no run trained"
    spread = s["hole_code_deviation_spread"]
    failed = f", {s['failed_runs']} failed" if s["failed_runs"] else ""
    return f"code off trend {deviation:.2g} (spread {spread:.2g}){failed}\nhole error {s['hole_error_median']:.3g}"
