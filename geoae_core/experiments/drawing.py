"""Drawing helpers shared by the figures: matplotlib (Agg), publication-style static panels.

matplotlib is imported on first use, not with the module: `geoae reproduce --list` and the GUI's
list of ids then start without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import disk_images, in_holes
from ..runs import Run

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HOLE_COLOUR = "#f4c7c3"
HOLE_SHOWN_RADII = [5, 9, 12, 15, 17, 24]  # figures 6 and 14: either side of the hole and inside it
DPI = 110


def new_figure(rows: int = 1, cols: int = 1, size: tuple[float, float] = (10, 4)) -> tuple[Figure, Any]:
    """A figure and its axes as a 2-D array (axes[row][col])."""
    import matplotlib  # lazy: see the module's docstring

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    return fig, axes


def save_figure(fig: Figure, path: Path) -> None:
    """Write the figure as a PNG and free it (pyplot keeps every open figure)."""
    from matplotlib import pyplot as plt  # lazy: see the module's docstring

    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def bare(ax: Axes) -> None:
    """An image panel: no ticks."""
    ax.set_xticks([])
    ax.set_yticks([])


def image_grid(
    images: list[np.ndarray], rows: list[str], titles: list[str], colours: list[str] | None = None
) -> Figure:
    """Images in rows (labelled on the left) and columns (titled on top), framed in `colours`."""
    n_rows, n_cols = len(rows), len(titles)
    fig, axes = new_figure(n_rows, n_cols, (1.8 * n_cols, 1.9 * n_rows))
    for index, image in enumerate(images):
        ax = axes[index // n_cols][index % n_cols]
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        bare(ax)
        if colours:
            for spine in ax.spines.values():
                spine.set_edgecolor(colours[index % n_cols])
                spine.set_linewidth(3)
        if index < n_cols:
            ax.set_title(titles[index], fontsize=9)
        if index % n_cols == 0:
            ax.set_ylabel(rows[index // n_cols])
    fig.tight_layout()
    return fig


def shade_holes(ax: Axes, holes: list[list[float]]) -> None:
    for lo, hi in holes:
        ax.axvspan(lo, hi, color=HOLE_COLOUR, alpha=0.7, lw=0, label="unobserved radii")


def pair_figure(run: Run, radii: list[float], colours: list[str] | None = None) -> Figure:
    """Inputs above, reconstructions below (the paper's figures 2, 5, 6, 14)."""
    inputs = disk_images(radii, run.config.size, run.config.sigma)
    outputs = run.reconstruct(inputs)
    return image_grid([*inputs, *outputs], ["input", "output"], [f"r = {r:g}" for r in radii], colours)


def hole_pair_figure(run: Run) -> Figure:
    """Figures 6 and 14: radii inside the hole framed red, the others green."""
    colours = ["red" if in_holes([r], run.config.holes)[0] else "green" for r in HOLE_SHOWN_RADII]
    return pair_figure(run, HOLE_SHOWN_RADII, colours)


def profile_figure(profile: dict[str, Any], optimal: dict[str, Any] | None, title: str) -> Figure:
    """Figures 12 and 13: the learned radial profile against the optimal ones."""
    fig, axes = new_figure(1, 1, (6, 4))
    ax = axes[0][0]
    ax.plot(profile["t"], profile["learned"], lw=2.5, label="learned (no bias)")
    ax.plot(profile["t"], profile["airy"], "--", label="optimal (Airy)")
    ax.plot(profile["t"], profile["singular"], ":", label="leading singular vector")
    if optimal is not None:
        ax.plot(optimal["t"], optimal["numerical"], "-.", label="numerical max of J")
    ax.axvline(profile["R"], color="grey", lw=0.8)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("distance to the centre t (pixels)")
    ax.set_ylabel("profile f(t)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
