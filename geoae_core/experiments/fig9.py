"""Figure 9: the filters a trained position encoder learns are proportional to [1, 2, 1]."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import analysis
from ..evaluate import evaluate_position_encoder
from ..runs import Run
from .base import Experiment, Numbers, Runs, above, reported
from .context import Context
from .drawing import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig9"
PRESET = "position-encoder"
CONVERGED_RESIDUAL = 1.0  # steps: a seed converged when its z is this close to linear everywhere
REFERENCE = np.array([1.0, 2.0, 1.0])


def train(ctx: Context) -> Runs:
    members = [(f"seed{ctx.seed + index}", PRESET, index, {}) for index in range(ctx.settings["position_seeds"])]
    ctx.prefetch(ID, members)
    return {name: ctx.train(ID, name, PRESET, seed_offset=index) for name, _, index, _ in members}


def seed_numbers(run: Run) -> dict[str, Any]:
    """One seed's convergence and, per layer, its kernel and its |cosine| with [1, 2, 1]."""
    residual = evaluate_position_encoder(run)["max_residual_in_steps"]
    rows = analysis.filter_cosines(run)
    return {
        "seed": run.config.seed,
        "converged": residual < CONVERGED_RESIDUAL,
        "max_residual_in_steps": residual,
        "cosines": [row["cosine"] for row in rows],
        "kernels": [row["kernel"] for row in rows],
        "taps": [row["taps"] for row in rows],
    }


def measure(runs: Runs) -> Numbers:
    seeds = [seed_numbers(run) for run in runs.values()]
    converged = [s for s in seeds if s["converged"]]
    return {
        "converged_fraction": len(converged) / len(seeds),
        "min_abs_cosine_converged": min((min(s["cosines"]) for s in converged), default=float("nan")),
        "seeds": seeds,
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    """Each layer's learned kernels, scaled to [1, 2, 1] by least squares."""
    seeds = numbers["seeds"]
    layers = len(seeds[0]["kernels"])
    fig, axes = new_figure(1, layers, (2.2 * layers, 2.8))
    for layer, ax in enumerate(axes[0]):
        for s in seeds:
            kernel = np.array(s["kernels"][layer])
            scale = kernel @ REFERENCE / (REFERENCE @ REFERENCE)
            ax.plot([-1, 0, 1], kernel / scale if scale else kernel, "o-", alpha=0.8 if s["converged"] else 0.2)
        ax.plot([-1, 0, 1], REFERENCE, "k--", lw=2, label="[1, 2, 1]")
        ax.set_title(f"layer {layer + 1}", fontsize=9)
        ax.set_xticks([-1, 0, 1])
    axes[0][0].legend(fontsize=7)
    fig.suptitle("learned position-encoder kernels, scaled to [1, 2, 1] (faded: seeds that did not converge)")
    fig.tight_layout()
    return fig


EXPERIMENT = Experiment(
    id=ID,
    claim="learned position-encoder filters are proportional to [1, 2, 1]",
    train=train,
    measure=measure,
    expectations=(
        reported("converged_fraction", f"seeds whose z is within {CONVERGED_RESIDUAL:g} step of linear"),
        above("min_abs_cosine_converged", 0.95, "on every layer of converged seeds"),
    ),
    draw=draw,
    details=("seeds",),
)
