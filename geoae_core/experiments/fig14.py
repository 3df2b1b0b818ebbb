"""Figure 14: a DCGAN generator with d = 1 (each input projected onto it) fails inside the hole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from .base import Experiment, Numbers, Runs, above, reported
from .context import one_run_of
from .drawing import hole_pair_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig14"


train = one_run_of(ID, "gan-hole")


def measure(runs: Runs) -> Numbers:
    report = analysis.hole_report(runs["gan-hole"])
    return {"hole_error_over_outside": report["ratio"], "hole_error": report["hole_error"]}


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return hole_pair_figure(runs["gan-hole"])


EXPERIMENT = Experiment(
    id=ID,
    claim="a DCGAN generator with d = 1 fails inside the hole",
    train=train,
    measure=measure,
    expectations=(
        above("hole_error_over_outside", 2, "the GAN fails inside the hole"),
        reported("hole_error"),
    ),
    draw=draw,
)
