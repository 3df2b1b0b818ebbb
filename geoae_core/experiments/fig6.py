"""Figure 6: trained without the radii in the hole [11, 18], reconstruction fails inside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from .base import Experiment, Numbers, Runs, above, reported
from .context import one_run_of
from .drawing import hole_pair_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig6"


train = one_run_of(ID, "disks-hole")


def measure(runs: Runs) -> Numbers:
    report = analysis.hole_report(runs["disks-hole"])
    return {
        "hole_error_over_outside": report["ratio"],
        "hole_error": report["hole_error"],
        "outside_error": report["outside_error"],
        "radii": report["radii"],
        "error": report["error"],
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return hole_pair_figure(runs["disks-hole"])


EXPERIMENT = Experiment(
    id=ID,
    claim="hole [11, 18]: reconstruction fails inside the hole",
    train=train,
    measure=measure,
    expectations=(
        above("hole_error_over_outside", 2, "reconstruction fails in [11, 18]"),
        reported("hole_error"),
        reported("outside_error"),
    ),
    draw=draw,
    details=("radii", "error"),
)
