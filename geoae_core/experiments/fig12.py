"""Figure 12: the learned no-bias decoding profile equals the optimal profile (Proposition 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis, theory
from .base import Experiment, Numbers, Runs, above, reported
from .context import one_run_of
from .drawing import profile_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig12"


train = one_run_of(ID, "disks-nobias")


def measure(runs: Runs) -> Numbers:
    config = runs["disks-nobias"].config
    profile = analysis.profile_agreement(runs["disks-nobias"])
    optimal = theory.optimal_profiles(config.radius_max, config.size, config.sigma)
    return {
        "correlation_with_airy": profile["correlation/airy"],
        "l2_gap_to_airy": profile["l2_gap/airy"],
        "airy_vs_singular_vector": optimal["correlation/airy/singular"],
        "profile": profile,
        "optimal": optimal,
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return profile_figure(numbers["profile"], numbers["optimal"], "learned decoding profile against the optimal ones")


EXPERIMENT = Experiment(
    id=ID,
    claim="the learned no-bias profile equals the optimal profile",
    train=train,
    measure=measure,
    expectations=(
        above("correlation_with_airy", 0.98),
        reported("l2_gap_to_airy", "relative L2"),
        above("airy_vs_singular_vector", 0.999, "theory agrees with itself"),
    ),
    draw=draw,
)
