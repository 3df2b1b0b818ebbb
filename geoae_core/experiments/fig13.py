"""Figure 13: restricted to r <= 18 without biases, the profile lives on [0, R] only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from .base import Experiment, Numbers, Runs, below, reported
from .context import one_run_of
from .drawing import profile_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig13"


train = one_run_of(ID, "disks-restricted-nobias")


def measure(runs: Runs) -> Numbers:
    profile = analysis.profile_agreement(runs["disks-restricted-nobias"])
    return {
        "profile_energy_beyond_R": profile["energy_beyond_R"],
        "correlation_with_airy_R": profile["correlation/airy"],
        "profile": profile,
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    r_max = runs["disks-restricted-nobias"].config.radius_max
    return profile_figure(numbers["profile"], None, f"restricted to r <= {r_max:g}, no bias")


EXPERIMENT = Experiment(
    id=ID,
    claim="restricted R = 18, no bias: profile supported on [0, R]",
    train=train,
    measure=measure,
    expectations=(
        below("profile_energy_beyond_R", 0.05, "the profile lives on [0, R]"),
        reported("correlation_with_airy_R"),
    ),
    draw=draw,
)
