"""Every registered experiment, on tiny real runs: its checks are its declared thresholds, applied."""

import json
import math
import threading
from typing import Any

import matplotlib
import pytest

from geoae_core.experiments import EXPERIMENTS, Context, Expect, Measured
from geoae_core.experiments.report import jsonable

matplotlib.use("Agg")
from matplotlib import pyplot as plt

# one epoch on a few disks or Diracs: the numbers are meaningless, the code paths the real ones
TINY_CONFIG = {"epochs": 1, "n_train": 64, "batch_size": 32}
TINY_SETTINGS = {"runs": 1, "lambda_runs": 1, "position_seeds": 1}
# projecting every test image onto the GAN's generator costs most of this file's time at size 64
SMALLER = {"gan-hole": {"size": 32, "holes": [[5.5, 9.0]]}}

# written here again on purpose, independently of the code under test
COMPARISONS = {
    "above": lambda value, threshold: value > threshold,
    "below": lambda value, threshold: value < threshold,
    "at most": lambda value, threshold: value <= threshold,
    "equal to": lambda value, threshold: value == threshold,
}


class TinyContext(Context):
    """Every preset (the position networks' too, which keep their schedule when quick) at TINY_CONFIG."""

    def config_for(self, preset_name: str, seed_offset: int = 0, **overrides: Any):
        tiny = {**TINY_CONFIG, **SMALLER.get(preset_name, {})}
        return super().config_for(preset_name, seed_offset, **{**tiny, **overrides})


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    # an unset cancel token: families then train in turn here, not in a process pool (slow to start)
    return TinyContext(
        out=tmp_path_factory.mktemp("tiny"), device="cpu", overrides=TINY_SETTINGS, cancel=threading.Event()
    )


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) or (hasattr(value, "dtype") and value.shape == ())


def threshold_words(declared: Any, threshold: Any) -> str:
    if isinstance(declared, Measured):
        return declared.name
    return f"{threshold:.4g}" if isinstance(threshold, float) else str(threshold)


def expected_verdict(value: Any, relation: str, threshold: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False  # a number that could not be measured never passes
    return bool(COMPARISONS[relation](value, threshold))


@pytest.mark.parametrize("exp_id", list(EXPERIMENTS))
def test_checks_apply_the_declared_thresholds(exp_id, context):
    experiment = EXPERIMENTS[exp_id]
    runs = experiment.train(context)
    numbers = experiment.measure(runs)
    checks = experiment.checks(numbers)

    assert [c.name for c in checks] == [e.name for e in experiment.expectations]
    assert any(e.relation is not None for e in experiment.expectations), "an experiment judges something"
    for check, expect in zip(checks, experiment.expectations):
        assert check.value is numbers[expect.name]
        if expect.relation is None:
            assert check.passed is None and check.expectation.startswith("reported")
            continue
        threshold = numbers[expect.threshold.name] if isinstance(expect.threshold, Measured) else expect.threshold
        assert (check.relation, check.threshold) == (expect.relation, threshold)
        assert is_number(check.value) or check.value is None, (check.name, check.value)
        assert check.passed == expected_verdict(check.value, check.relation, threshold), check
        assert isinstance(check.passed, bool)
        if threshold is not True:  # the text is made from the threshold, not restated beside it
            assert check.expectation.startswith(f"{expect.relation} {threshold_words(expect.threshold, threshold)}")

    # the record keeps the checks and details as JSON; the figure draws from the same numbers
    details = {key: numbers[key] for key in experiment.details}
    json.dumps(jsonable({"checks": [c.record() for c in checks], "details": details}), allow_nan=False)
    figure = experiment.draw(runs, numbers)
    assert figure.axes
    plt.close(figure)


def test_a_threshold_decides_the_verdict_and_writes_the_text():
    numbers = {"ratio": 3.0, "other": 4.0, "flag": False, "missing": None}
    assert Expect("ratio", "above", 2).check(numbers).passed is True
    assert Expect("ratio", "above", 3).check(numbers).passed is False
    assert Expect("ratio", "at most", 3).check(numbers).passed is True
    assert Expect("ratio", "below", Measured("other")).check(numbers).passed is True
    assert Expect("missing", "below", 5).check(numbers).passed is False
    assert Expect("ratio", "above", float("nan")).check(numbers).passed is False
    check = Expect("ratio", "above", 2.5, "fails inside the hole").check(numbers)
    assert check.expectation == "above 2.5: fails inside the hole"
    assert Expect("ratio", "below", Measured("other")).check(numbers).expectation == "below other (4)"
    flag = Expect("flag", "equal to", True, "decoded area grows").check(numbers)
    assert (flag.passed, flag.expectation) == (False, "decoded area grows")
    reported = Expect("ratio", why="relative L2").check(numbers)
    assert (reported.passed, reported.expectation) == (None, "reported (relative L2)")
    assert reported.record() == {"name": "ratio", "value": 3.0, "expectation": "reported (relative L2)", "passed": None}
