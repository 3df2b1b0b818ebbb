"""Figure 8: psi3 with lambda in {0.1, 1, 10, 50, 100}; "increasing this parameter smooths the
latent space, until lambda becomes too great and the training fails"."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

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


def smoother_with_lambda(numbers: Numbers) -> bool:
    """The median code deviation in the hole never rises from one lambda to the next, over the
    lambdas before the first whose every run failed (there "the training fails")."""
    deviations: list[Any] = []
    for label in VARIANTS:
        if numbers[f"{label}_failed_runs"] == numbers[f"{label}_runs"]:
            break
        deviations.append(numbers[f"{label}_hole_code_deviation"])
    if len(deviations) < 2 or any(d is None for d in deviations):
        return False
    return all(later <= earlier for earlier, later in itertools.pairwise(deviations))


def measure(runs: Runs) -> Numbers:
    numbers = family_numbers(measure_family(runs, VARIANTS))
    return {
        **numbers,
        "smoother_with_lambda": smoother_with_lambda(numbers),
        "largest_lambda_fails": all(failed_to_train(m) for m in numbers["family"][LARGEST]),
    }


def draw(runs: Runs, numbers: Numbers) -> Figure:
    return family_figure(numbers, "psi3: z(r) per lambda")


JUDGED = (
    holds(
        "smoother_with_lambda",
        "increasing lambda smooths the latent space: the median code deviation in the hole does not rise "
        "from one lambda to the next, up to where training fails",
    ),
    holds(
        "largest_lambda_fails",
        f"training fails at lambda = {LAMBDAS[-1]:g} "
        f"(constant z or error above {FAILED_OUTSIDE_ERROR:g} outside the hole)",
    ),
)

EXPERIMENT = Experiment(
    id=ID,
    claim="psi3 with lambda in {0.1, 1, 10, 50, 100}: smoother as lambda grows, until training fails",
    train=train,
    measure=measure,
    expectations=family_expectations(VARIANTS, JUDGED),
    draw=draw,
    details=("summary", "family"),
)
