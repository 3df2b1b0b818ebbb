"""Figure 5: trained on radii r <= 18 only, the autoencoder does not extrapolate beyond."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from .base import Experiment, Numbers, Runs, above, reported
from .context import one_run_of
from .drawing import pair_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig5"
SHOWN_RADII = [6, 12, 17, 21, 25, 29]


train = one_run_of(ID, "disks-restricted")


def measure(runs: Runs) -> Numbers:
    report = analysis.error_per_radius(runs["disks-restricted"])
    return {
        "error_beyond_over_within": report["unobserved_error"] / report["observed_error"],
        "error_within": report["observed_error"],
        "radii": report["radii"],
        "error": report["error"],
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    """Radii the run saw framed green, those beyond red."""
    run = runs["disks-restricted"]
    colours = ["green" if r <= run.config.radius_max else "red" for r in SHOWN_RADII]
    return pair_figure(run, SHOWN_RADII, colours)


EXPERIMENT = Experiment(
    id=ID,
    claim="trained on r <= 18: no extrapolation beyond",
    train=train,
    measure=measure,
    expectations=(
        above("error_beyond_over_within", 5, "no extrapolation beyond R = 18"),
        reported("error_within"),
    ),
    draw=draw,
    details=("radii", "error"),
)
