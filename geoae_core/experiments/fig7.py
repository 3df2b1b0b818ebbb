"""Figure 7: none, psi1, psi2 and psi3 on the hole data set; psi3 fills the hole best."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..presets import preset
from .base import Experiment, Measured, Numbers, Runs, equal_to
from .context import Context
from .holes import Variants, family_expectations, family_figure, family_numbers, measure_family, train_family

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig7"
REGULARISERS = ("psi1", "psi2", "psi3")
VARIANTS: Variants = {
    "none": {},
    **{name: {"regulariser": name, "lam": preset(f"disks-hole-{name}").lam} for name in REGULARISERS},
}
EXPECTED_BEST = "psi3"


def train(ctx: Context) -> Runs:
    return train_family(ctx, ID, VARIANTS, ctx.settings["runs"])


def measure(runs: Runs) -> Numbers:
    numbers = family_numbers(measure_family(runs, VARIANTS))
    summary = numbers["summary"]
    reliable = [label for label, s in summary.items() if s["failed_runs"] == 0]
    best = min(reliable, key=lambda label: summary[label]["hole_ratio_mean"]) if reliable else None
    expected = summary[EXPECTED_BEST]
    return {
        **numbers,
        "best_regulariser": best,
        f"{EXPECTED_BEST}_monotone_runs": expected["monotone_runs"],
        f"{EXPECTED_BEST}_runs": expected["runs"],
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return family_figure(numbers, "z(r) on the hole data set, per regulariser")


EXPERIMENT = Experiment(
    id=ID,
    claim="none / psi1 / psi2 / psi3 on the hole: psi3 best",
    train=train,
    measure=measure,
    expectations=(
        *family_expectations(VARIANTS),
        equal_to(
            "best_regulariser",
            EXPECTED_BEST,
            "the lowest hole error ratio among the settings whose every run trained",
        ),
        equal_to(
            f"{EXPECTED_BEST}_monotone_runs",
            Measured(f"{EXPECTED_BEST}_runs"),
            "every run trains and keeps z(r) monotone",
        ),
    ),
    draw=draw,
    details=("summary", "family"),
)
