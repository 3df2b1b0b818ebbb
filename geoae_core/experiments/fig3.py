"""Figure 3: interpolating z decodes meaningful disks; z encodes the area, not the radius."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import analysis
from ..data import disk_images
from .base import Experiment, Measured, Numbers, Runs, above, holds, reported
from .context import one_run_of
from .drawing import bare, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig3"
PATH_ENDS = [4.0, 26.0]  # the radii whose codes the interpolation runs between
PATH_STEPS = 8


train = one_run_of(ID, "disks")


def measure(runs: Runs) -> Numbers:
    run = runs["disks"]
    curve = analysis.z_curve(run)
    z_ends = run.encode(disk_images(PATH_ENDS, run.config.size, run.config.sigma))[:, 0]
    z_path = np.linspace(z_ends[0], z_ends[1], PATH_STEPS)
    strip = run.decode(z_path[:, None])
    areas = strip.reshape(len(strip), -1).sum(1)
    return {
        "r2_against_r_squared": curve["fit_r2"]["r2"],
        "r2_against_r": curve["fit_r"]["r2"],
        "interpolation_area_increases": bool(np.all(np.diff(areas) > 0)),
        "radii": curve["radii"],
        "z": curve["z"],
        "interpolation_areas": areas,
        "fit_r": curve["fit_r"],
        "fit_r2": curve["fit_r2"],
        "z_path": z_path,
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    strip = runs["disks"].decode(numbers["z_path"][:, None])
    fig, axes = new_figure(1, 2, (11, 4))
    ax = axes[0][0]
    ax.imshow(np.concatenate(list(strip), axis=1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"decoded disks with linearly increasing z (r = {PATH_ENDS[0]:g} to {PATH_ENDS[1]:g})")
    bare(ax)
    ax = axes[0][1]
    r = np.asarray(numbers["radii"])
    ax.plot(r, numbers["z"], "o", ms=3, label="z of test disks")
    for key, label, power in (("fit_r", "fit z ~ r", 1), ("fit_r2", "fit z ~ r²", 2)):
        fit = numbers[key]
        ax.plot(r, fit["slope"] * r**power + fit["intercept"], label=f"{label} (R² = {fit['r2']:.4f})")
    ax.set_xlabel("radius r (pixels)")
    ax.set_ylabel("code z")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


EXPERIMENT = Experiment(
    id=ID,
    claim="interpolating z decodes meaningful disks; z encodes the area",
    train=train,
    measure=measure,
    expectations=(
        above("r2_against_r_squared", Measured("r2_against_r"), "z is fitted better by the area than by the radius"),
        reported("r2_against_r", "R² of the linear fit of z against r"),
        holds("interpolation_area_increases", "decoded area grows along the z path"),
    ),
    draw=draw,
    details=("radii", "z", "interpolation_areas"),
)
