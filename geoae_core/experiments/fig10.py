"""Figure 10: the position decoder maps z to a moving triangular Dirac (Section 5.4).

The peak is judged below the sample grid (evaluate.subsample_peak_positions, exact for the
target triangle), so the check measures the decoder's error alone; the argmax peak, which adds
up to half a sample of grid rounding, is reported beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import analysis
from ..data import triangle_diracs
from ..evaluate import reconstruction_errors
from ..presets import preset
from ..runs import Run
from .base import Experiment, Measured, Numbers, Runs, above, below, reported
from .context import FULL, QUICK, Context
from .drawing import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig10"
DECODERS = {"triangle": "position-decoder", "onehot": "position-decoder-onehot"}
TITLES = {"triangle": "continuous triangular Diracs", "onehot": "one-hot targets"}
# The target y_a(t) = max(0, 1 - |t - a|) is non-zero only within one sample of a (its
# half-width). A decoded peak less than one sample from a lies where the target Dirac is, one
# at a sample or more lies where the target is zero: the decoded Dirac is somewhere else. The
# sub-sample estimate adds no error of its own on a perfect triangle, so the bound is the
# decoder's alone (the argmax check had the same bound and spent up to half of it on the grid).
PEAK_BOUND = 1.0


def train(ctx: Context) -> Runs:
    scale = quick_scale(ctx)
    ctx.prefetch(ID, [(name, preset_name, 0, scale) for name, preset_name in DECODERS.items()])
    return {name: ctx.train(ID, name, preset_name, **scale) for name, preset_name in DECODERS.items()}


def quick_scale(ctx: Context) -> dict[str, int]:
    """A quick pass trains the decoders for a quarter of their epochs, as it does the disk models."""
    if not ctx.quick:
        return {}
    return {"epochs": preset(DECODERS["triangle"]).epochs * QUICK["epochs"] // FULL["epochs"]}


def half_integer_error(run: Run) -> float:
    """Mean error of the decoded Diracs between two samples, where one-hot targets never were."""
    between = np.arange(run.config.size - 1) + 0.5
    targets = triangle_diracs(between, run.config.size)
    return float(reconstruction_errors(targets, run.decode(between[:, None])).mean())


def measure(runs: Runs) -> Numbers:
    report = analysis.position_decoder_report(runs["triangle"])
    return {
        "max_subsample_peak_error": report["max_subsample_peak_error"],
        "mean_subsample_peak_error": report["mean_subsample_peak_error"],
        "max_peak_error": report["max_peak_error"],
        "half_integer_error_triangle": half_integer_error(runs["triangle"]),
        "half_integer_error_onehot": half_integer_error(runs["onehot"]),
        "peak_error": report["peak_error"],
        "subsample_peak_error": report["subsample_peak_error"],
        "positions": report["positions"],
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    """Each decoder's output (rows: samples) as z sweeps the whole range, peak-normalised."""
    n = runs["triangle"].config.size
    z = np.linspace(0, n - 1, 96)
    fig, axes = new_figure(1, 2, (11, 4))
    for ax, name in zip(axes[0], DECODERS):
        out = runs[name].decode(z[:, None])
        out = out / np.maximum(np.abs(out).max(axis=1, keepdims=True), 1e-12)
        ax.imshow(out.T, aspect="auto", origin="lower", extent=(z[0], z[-1], 0, n - 1), cmap="gray")
        ax.set_xlabel("code z (position)")
        ax.set_ylabel("output sample t")
        ax.set_title(f"decoder trained on {TITLES[name]}", fontsize=9)
    fig.tight_layout()
    return fig


EXPERIMENT = Experiment(
    id=ID,
    claim="the position decoder maps z to a moving triangular Dirac",
    train=train,
    measure=measure,
    expectations=(
        below(
            "max_subsample_peak_error",
            PEAK_BOUND,
            "sub-sample peak error in samples over the whole range: the decoded peak lies inside the "
            "target triangle (half-width one sample)",
        ),
        reported("mean_subsample_peak_error", "mean over the positions, in samples"),
        reported("max_peak_error", "the argmax on the sample grid: the decoder's error plus up to half a sample"),
        reported("half_integer_error_triangle"),
        above(
            "half_integer_error_onehot",
            Measured("half_integer_error_triangle"),
            "the one-hot decoder decodes badly between samples",
        ),
    ),
    draw=draw,
    details=("peak_error", "subsample_peak_error", "positions"),
)
