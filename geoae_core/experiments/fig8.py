"""Figure 8: psi3 with lambda in {0.1, 1, 10, 50, 100}; training fails at the largest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Experiment, Numbers, Runs, holds
from .context import Context
from .holes import (
    FAILED_OUTSIDE_ERROR,
    Variants,
    failed_to_train,
    family_expectations,
    family_figure,
    family_numbers,
    measure_family,
    train_family,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ID = "fig8"
LAMBDAS = (0.1, 1.0, 10.0, 50.0, 100.0)
VARIANTS: Variants = {f"lambda={lam:g}": {"regulariser": "psi3", "lam": lam} for lam in LAMBDAS}
LARGEST = f"lambda={LAMBDAS[-1]:g}"


def train(ctx: Context) -> Runs:
    return train_family(ctx, ID, VARIANTS, ctx.settings["lambda_runs"])


def measure(runs: Runs) -> Numbers:
    numbers = family_numbers(measure_family(runs, VARIANTS))
    return {**numbers, "largest_lambda_fails": all(failed_to_train(m) for m in numbers["family"][LARGEST])}


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return family_figure(numbers, "psi3: z(r) per lambda")


EXPERIMENT = Experiment(
    id=ID,
    claim="psi3 with lambda in {0.1, 1, 10, 50, 100}",
    train=train,
    measure=measure,
    expectations=(
        *family_expectations(VARIANTS),
        holds(
            "largest_lambda_fails",
            f"training fails at lambda = {LAMBDAS[-1]:g} "
            f"(constant z or error above {FAILED_OUTSIDE_ERROR:g} outside the hole)",
        ),
    ),
    draw=draw,
    details=("summary", "family"),
)
