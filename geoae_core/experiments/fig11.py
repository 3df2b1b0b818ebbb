"""Figure 11: without biases the code z is proportional to <f, 1_Br>."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import analysis
from .base import Experiment, Numbers, Runs, above, reported
from .context import one_run_of
from .drawing import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig11"


train = one_run_of(ID, "disks-nobias")


def measure(runs: Runs) -> Numbers:
    report = analysis.h_against_inner_product(runs["disks-nobias"])
    return {
        "abs_correlation": abs(report["correlation"]),
        "r2_through_origin": report["r2_through_origin"],
        "inner_product": report["inner_product"],
        "z": report["z"],
        "slope": report["slope"],
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    fig, axes = new_figure(1, 1, (5, 4))
    ax = axes[0][0]
    ax.plot(numbers["inner_product"], numbers["z"], "o", ms=3, label="test disks")
    x = np.linspace(0, np.max(numbers["inner_product"]), 10)
    ax.plot(x, numbers["slope"] * x, "k--", label="line through the origin")
    ax.set_xlabel("<f, 1_Br>")
    ax.set_ylabel("code z")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


EXPERIMENT = Experiment(
    id=ID,
    claim="no-bias code z is proportional to <f, 1_Br>",
    train=train,
    measure=measure,
    expectations=(
        above("abs_correlation", 0.99, "z is proportional to <f, 1_Br>"),
        reported("r2_through_origin"),
    ),
    draw=draw,
)
