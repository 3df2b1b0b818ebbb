"""Figure 4: without biases the decoder outputs h(r) f(t), a rank-1 family."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from ..data import disk_images
from .base import Experiment, Numbers, Runs, above
from .context import one_run_of
from .drawing import bare, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig4"
SHOWN_RADII = [3, 8, 14, 20, 27]


train = one_run_of(ID, "disks-nobias")


def measure(runs: Runs) -> Numbers:
    factors = analysis.rank1_factorisation(runs["disks-nobias"])
    return {"rank1_energy_fraction": factors["energy_fraction"], "h": factors["h"], "radii": factors["radii"]}


def draw(runs: Runs, numbers: Numbers) -> Figure:
    """Inputs, outputs, and their profiles through the centre row."""
    run = runs["disks-nobias"]
    inputs = disk_images(SHOWN_RADII, run.config.size, run.config.sigma)
    outputs = run.reconstruct(inputs)
    fig, axes = new_figure(3, len(SHOWN_RADII), (1.9 * len(SHOWN_RADII), 6))
    centre = run.config.size // 2
    for col, r in enumerate(SHOWN_RADII):
        for row, image in enumerate((inputs[col], outputs[col])):
            axes[row][col].imshow(image, cmap="gray", vmin=0, vmax=1)
            bare(axes[row][col])
        axes[0][col].set_title(f"r = {r}", fontsize=9)
        ax = axes[2][col]
        ax.plot(inputs[col][centre], label="input")
        ax.plot(outputs[col][centre], label="output")
        ax.set_ylim(-0.2, 1.3)
    axes[0][0].set_ylabel("input")
    axes[1][0].set_ylabel("output")
    axes[2][0].set_ylabel("profile")
    axes[2][0].legend(fontsize=7)
    fig.tight_layout()
    return fig


EXPERIMENT = Experiment(
    id=ID,
    claim="the no-bias decoder outputs h(r) f(t)",
    train=train,
    measure=measure,
    expectations=(above("rank1_energy_fraction", 0.999, "outputs are h(r) f(t)"),),
    draw=draw,
    details=("h", "radii"),
)
