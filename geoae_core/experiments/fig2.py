"""Figure 2: the d = 1 autoencoder reconstructs disks over the whole radius range."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from .base import Experiment, Numbers, Runs, below, reported
from .context import one_run_of
from .drawing import pair_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig2"
SHOWN_RADII = [3, 8, 14, 20, 27]


train = one_run_of(ID, "disks")


def measure(runs: Runs) -> Numbers:
    report = analysis.error_per_radius(runs["disks"])
    return {key: report[key] for key in ("mean_error", "max_error", "radii", "error")}


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return pair_figure(runs["disks"], SHOWN_RADII)


EXPERIMENT = Experiment(
    id=ID,
    claim="d = 1 autoencoder reconstructs disks over the whole radius range",
    train=train,
    measure=measure,
    expectations=(
        below("mean_error", 5, "per-image squared error, mean over the test radii in (0, 32)"),
        reported("max_error"),
    ),
    draw=draw,
    details=("radii", "error"),
)
