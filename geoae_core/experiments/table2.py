"""Table 2: the [1, 2, 1] network (stride 2, no bias) on every one-hot vector of size 8."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import theory
from .base import Experiment, Numbers, Runs, holds
from .context import Context
from .drawing import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "table2"
N = 8
# The paper's Table 2: every one-hot vector of size 8 through the [1, 2, 1] network.
PAPER_TABLE2 = [
    [[2, 0, 0, 0], [4, 0], [8]],
    [[1, 1, 0, 0], [3, 1], [7]],
    [[0, 2, 0, 0], [2, 2], [6]],
    [[0, 1, 1, 0], [1, 3], [5]],
    [[0, 0, 2, 0], [0, 4], [4]],
    [[0, 0, 1, 1], [0, 3], [3]],
    [[0, 0, 0, 2], [0, 2], [2]],
    [[0, 0, 0, 1], [0, 1], [1]],
]


def train(ctx: Context) -> Runs:
    return {}  # exact arithmetic, nothing to train


def measure(runs: Runs) -> Numbers:
    rows = theory.handcrafted_table(N)
    last = [row["layers"][-1][0] for row in rows]
    return {
        "equals_paper_table2": [row["layers"] for row in rows] == PAPER_TABLE2,
        "output_is_n_minus_a": last == [N - a for a in range(N)],
        "n": N,
        "rows": rows,
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    rows = numbers["rows"]
    fig, axes = new_figure(1, 1, (10, 2.6))
    ax = axes[0][0]
    ax.axis("off")
    cells = [[str(layer) for layer in row["layers"]] for row in rows]
    table = ax.table(
        cellText=[[f"e{row['position']}" for row in rows], *map(list, zip(*cells))],
        rowLabels=["x", "u(1)", "u(2)", "u(3)"],
        loc="center",
    )
    table.scale(1, 1.6)
    ax.set_title(f"[1, 2, 1] network, stride 2, no bias, on every one-hot vector of size {N}")
    return fig


EXPERIMENT = Experiment(
    id=ID,
    claim="the [1, 2, 1] network on every one-hot vector of size 8",
    train=train,
    measure=measure,
    expectations=(
        holds("equals_paper_table2", "every entry equal to the paper's Table 2"),
        holds("output_is_n_minus_a", f"u(3) = {N} - a for every position a"),
    ),
    draw=draw,
    details=("n", "rows"),
    details_at_top=True,
)
