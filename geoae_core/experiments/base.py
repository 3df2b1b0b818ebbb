"""What an experiment declares, and the checks made from its thresholds.

Each threshold of the paper is written once, as an `Expect`: the verdict compares the measured
number with it, and the check's text is made from it, so the two cannot disagree.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..runs import Run
from .context import Context

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# the name of an experiment's run (its folder under DIR/runs/ID) -> the trained run
Runs = dict[str, Run]
# the numbers an experiment measures on its runs: scalars the checks read, arrays its figure and record keep
Numbers = dict[str, Any]

RELATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "above": operator.gt,
    "below": operator.lt,
    "at most": operator.le,
    "equal to": operator.eq,
}


@dataclass(frozen=True)
class Measured:
    """A threshold that is another measured number (the fit against r, the triangle decoder's error)."""

    name: str


@dataclass(frozen=True)
class Check:
    """One number that proves (or disproves) a claim, beside the paper's expectation."""

    name: str
    value: Any
    expectation: str
    passed: bool | None  # None: reported for information, no verdict
    relation: str | None = None
    threshold: Any = None

    def record(self) -> dict[str, Any]:
        """The check as ID.json keeps it."""
        return {"name": self.name, "value": self.value, "expectation": self.expectation, "passed": self.passed}


def compare(value: Any, relation: str, threshold: Any) -> bool:
    """The verdict of `value RELATION threshold`; a missing or NaN number never passes."""
    if value is None or threshold is None or _is_nan(value) or _is_nan(threshold):
        return False
    return bool(RELATIONS[relation](value, threshold))


@dataclass(frozen=True)
class Expect:
    """A measured number against the paper's expectation: `relation threshold`, or reported only."""

    name: str  # the key of the measured number
    relation: str | None = None  # a key of RELATIONS; None: reported for information, no verdict
    threshold: Any = None  # a constant, or Measured(name) of another number
    why: str = ""  # what the threshold means, in the paper's words

    def check(self, numbers: Numbers) -> Check:
        value = numbers[self.name]
        if self.relation is None:
            return Check(self.name, value, "reported" + (f" ({self.why})" if self.why else ""), None)
        threshold = numbers[self.threshold.name] if isinstance(self.threshold, Measured) else self.threshold
        passed = compare(value, self.relation, threshold)
        return Check(self.name, value, self._text(threshold), passed, self.relation, threshold)

    def _text(self, threshold: Any) -> str:
        if self.threshold is True:  # a property that must hold: its words are the claim
            return self.why or "true"
        bound = short(threshold)
        if isinstance(self.threshold, Measured):
            bound = f"{self.threshold.name} ({bound})"
        head = f"{self.relation} {bound}"
        return f"{head}: {self.why}" if self.why else head


def above(name: str, threshold: Any, why: str = "") -> Expect:
    return Expect(name, "above", threshold, why)


def below(name: str, threshold: Any, why: str = "") -> Expect:
    return Expect(name, "below", threshold, why)


def at_most(name: str, threshold: Any, why: str = "") -> Expect:
    return Expect(name, "at most", threshold, why)


def equal_to(name: str, threshold: Any, why: str = "") -> Expect:
    return Expect(name, "equal to", threshold, why)


def holds(name: str, why: str) -> Expect:
    """A measured property (True or False) that must be True."""
    return Expect(name, "equal to", True, why)


def reported(name: str, why: str = "") -> Expect:
    return Expect(name, None, None, why)


@dataclass(frozen=True)
class Experiment:
    """One figure or table of the paper: what it claims, how to train, measure, judge and draw it."""

    id: str
    claim: str  # the paper's words, short
    train: Callable[[Context], Runs]
    measure: Callable[[Runs], Numbers]
    expectations: tuple[Expect, ...]
    draw: Callable[[Runs, Numbers], Figure]
    details: tuple[str, ...] = ()  # measured numbers ID.json keeps beside the checks
    details_at_top: bool = False  # table2 keeps its table at the record's top level, not under "details"

    def checks(self, numbers: Numbers) -> list[Check]:
        return [expect.check(numbers) for expect in self.expectations]


def verdict(checks: list[Check]) -> bool:
    return all(c.passed for c in checks if c.passed is not None)


def short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):  # a number per seed
        return "[" + ", ".join(short(v) for v in value) + "]"
    return str(value)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
