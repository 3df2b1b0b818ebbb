"""The numbers figures 6, 7, 8 and 10 are judged on: the code's smoothness across the hole, the
sub-sample peak, the median over seeds, and one check per sentence of the paper."""

import json
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from geoae_core import analysis, evaluate
from geoae_core.data import triangle_diracs
from geoae_core.evaluate import subsample_peak_positions
from geoae_core.experiments import Context, fig6, fig7, fig8
from geoae_core.experiments.holes import family_numbers
from geoae_core.experiments.report import write_index
from geoae_core.experiments.runner import run_one

HOLE = [[11.0, 18.0]]
RADII = evaluate.test_radii(64)
IN_HOLE = (RADII >= 11) & (RADII <= 18)


def bump(height: float) -> np.ndarray:
    """A hump of `height` on the radii inside the hole, exactly zero outside it."""
    return height * np.where(IN_HOLE, np.sin(np.pi * (RADII - 11) / 7) ** 2, 0.0)


def test_a_code_following_the_area_is_smooth_across_the_hole():
    area = 0.01 * RADII**2 - 3.0
    report = analysis.hole_code_smoothness(RADII, area, HOLE)
    assert report["hole_code_deviation"] == pytest.approx(0.0, abs=1e-9)
    assert report["monotone"] is True
    assert report["area_r2"] == pytest.approx(1.0)
    # a code decreasing with the area is as smooth: the trend's sign is free
    assert analysis.hole_code_smoothness(RADII, -area, HOLE)["hole_code_deviation"] == pytest.approx(0.0, abs=1e-9)


def test_a_code_with_a_bump_in_the_hole_strays_from_the_area_trend():
    area = 0.01 * RADII**2
    span = area.max() - area.min()
    bumped = area + bump(0.3 * span)
    report = analysis.hole_code_smoothness(RADII, bumped, HOLE)
    # the trend is fitted outside the hole, where the bump is zero: it is the area line itself
    largest = np.abs(bump(0.3 * span)).max()
    assert report["hole_code_deviation"] == pytest.approx(largest / (bumped.max() - bumped.min()))
    assert report["hole_code_deviation"] > 0.25
    assert report["monotone"] is False  # the hump goes up, then back down
    assert report["area_r2"] < analysis.hole_code_smoothness(RADII, area, HOLE)["area_r2"]
    # a smaller bump strays less: the number ranks codes
    smaller = analysis.hole_code_smoothness(RADII, area + bump(0.05 * span), HOLE)["hole_code_deviation"]
    assert 0 < smaller < report["hole_code_deviation"]


def test_a_radius_like_code_is_monotone_but_not_the_area():
    report = analysis.hole_code_smoothness(RADII, RADII.copy(), HOLE)
    assert report["monotone"] is True
    assert report["hole_code_deviation"] > 0.01  # the r^2 trend outside misses a straight line in r inside
    assert report["area_r2"] < 0.97


def test_a_constant_code_has_no_deviation_and_the_fit_uses_only_observed_radii():
    assert analysis.hole_code_smoothness(RADII, np.full(RADII.shape, 2.0), HOLE)["hole_code_deviation"] is None
    area = 0.01 * RADII**2
    wild = area + np.where(RADII > 28, 50.0, 0.0)  # nonsense beyond a training range of r <= 28
    everywhere = analysis.hole_code_smoothness(RADII, wild, HOLE)["hole_code_deviation"]
    observed = analysis.hole_code_smoothness(RADII, wild, HOLE, observed=RADII <= 28)["hole_code_deviation"]
    assert observed == pytest.approx(0.0, abs=1e-9)
    assert everywhere > 0.01


def test_subsample_peak_is_exact_on_triangles_at_fractional_positions():
    rng = np.random.default_rng(0)
    positions = np.concatenate([np.linspace(0, 63, 253), rng.uniform(0, 63, 500), [0.0, 0.49, 62.51, 63.0]])
    triangles = triangle_diracs(positions, 64)
    np.testing.assert_allclose(subsample_peak_positions(triangles), positions, atol=1e-9)
    # the argmax on the grid is off by up to half a sample on the same perfect triangles
    argmax_error = np.abs(np.argmax(triangles, axis=1) - positions)
    assert argmax_error.max() == pytest.approx(0.5, abs=0.01)
    # a decoder that puts the triangle 0.3 samples too far is measured at 0.3, whatever the grid
    shifted = triangle_diracs(np.clip(positions + 0.3, 0, 63), 64)
    inner = positions < 62.7
    np.testing.assert_allclose(subsample_peak_positions(shifted)[inner] - positions[inner], 0.3, atol=1e-9)


def test_subsample_peak_ignores_negative_ringing_and_stays_beside_the_maximum():
    signal = np.zeros((1, 16))
    signal[0, 5], signal[0, 6], signal[0, 4] = 1.0, 0.5, -3.0  # a large negative sample beside the peak
    peak = subsample_peak_positions(signal)[0]
    assert peak == pytest.approx((5 * 1.0 + 6 * 0.5) / 1.5)
    noisy = np.random.default_rng(1).normal(size=(50, 16))
    assert (np.abs(subsample_peak_positions(noisy) - np.argmax(noisy, axis=1)) <= 1).all()


def member(seed: int, deviation: float | None, hole_error: float, outside: float = 4.0, **more: Any) -> dict:
    return {
        "seed": seed,
        "hole_code_deviation": deviation,
        "hole_error": hole_error,
        "outside_error": outside,
        "hole_ratio": hole_error / outside,
        "monotonicity": 1.0,
        "constant": False,
        "area_r2": 0.998,
        **more,
    }


def collapsed(seed: int) -> dict:
    return member(seed, None, 340.0, outside=535.0, monotonicity=0.0, constant=True, area_r2=0.0)


def judged(experiment, numbers) -> dict[str, list[bool]]:
    """Each judged check's verdicts, by name (a name judged twice has two)."""
    verdicts: dict[str, list[bool]] = {}
    for check in experiment.checks(numbers):
        if check.passed is not None:
            verdicts.setdefault(check.name, []).append(check.passed)
    return verdicts


FIGURE7_FAMILY = {
    # unregularised: deviations all over the place from seed to seed
    "none": [member(s, d, 10.0) for s, d in enumerate([0.02, 0.30, 0.05, 0.12, 0.40])],
    "psi1": [
        member(s, d, e) for s, (d, e) in enumerate([(0.2, 30.0), (0.3, 40.0), (0.1, 18.0), (0.2, 20.0), (0.1, 17)])
    ],
    "psi2": [member(s, d, 12.0, outside=7.0) for s, d in enumerate([0.03, 0.04, 0.05, 0.04, 0.03])],
    "psi3": [member(s, d, 14.0) for s, d in enumerate([0.02, 0.03, 0.03, 0.04, 0.02])],
}


def test_fig7_judges_each_sentence_on_its_own(tmp_path):
    numbers = family_numbers(FIGURE7_FAMILY)
    assert numbers["none_hole_code_deviation"] == pytest.approx(0.12)  # the median, not the mean (0.178)
    assert numbers["none_hole_code_deviation_spread"] == pytest.approx(0.38)
    assert numbers["psi2_outside_error"] == 7.0 and numbers["psi3_monotone_runs"] == 5
    verdicts = judged(fig7.EXPERIMENT, numbers)
    # smoother and more consistent than none; psi1 worse; psi3 monotone with the area; psi3 as smooth as psi2
    assert verdicts["psi2_hole_code_deviation"] == [True]
    assert verdicts["psi3_hole_code_deviation"] == [True, True]
    assert verdicts["psi2_hole_code_deviation_spread"] == verdicts["psi3_hole_code_deviation_spread"] == [True]
    assert verdicts["psi1_hole_error"] == [True]
    assert verdicts["psi3_monotone_runs"] == verdicts["psi3_area_r2"] == [True]
    # ... but psi3 errs more in the hole than psi2 (14 against 12): that sentence alone fails
    assert verdicts["psi3_hole_error"] == [False]
    record = {"id": "fig7", "verdict": "fail", "checks": [c.record() for c in fig7.EXPERIMENT.checks(numbers)]}
    (tmp_path / "fig7.json").write_text(json.dumps(record))
    write_index(tmp_path, {"fig7": "claim"})
    page = (tmp_path / "index.html").read_text()
    assert "8 of 9 checks hold" in page and page.count("✘") == 1 and page.count("✔") == 8
    # the hole ratio, which the paper does not rank by, is reported and judges nothing
    assert "psi2_hole_ratio" in numbers and "psi2_hole_ratio" not in verdicts


def test_fig7_a_collapsed_seed_is_not_smooth():
    family = {**FIGURE7_FAMILY, "psi3": [*FIGURE7_FAMILY["psi3"][:4], collapsed(4)]}
    numbers = family_numbers(family)
    assert numbers["psi3_failed_runs"] == 1 and numbers["psi3_monotone_runs"] == 4
    assert judged(fig7.EXPERIMENT, numbers)["psi3_monotone_runs"] == [False]  # "every run trains" fails


def test_fig8_smoother_with_lambda_stops_where_training_fails():
    deviations = {"lambda=0.1": 0.10, "lambda=1": 0.05, "lambda=10": 0.02}
    family = {label: [member(s, d, 12.0) for s in range(3)] for label, d in deviations.items()}
    family |= {"lambda=50": [collapsed(s) for s in range(3)], "lambda=100": [collapsed(s) for s in range(3)]}
    numbers = family_numbers(family)
    assert fig8.smoother_with_lambda(numbers) is True  # lambda 50 and 100 failed: the trend stops before them
    numbers["lambda=10_hole_code_deviation"] = 0.08  # rougher at 10 than at 1
    assert fig8.smoother_with_lambda(numbers) is False
    assert "lambda=100_hole_code_deviation" in numbers and numbers["lambda=100_hole_code_deviation"] is None


def test_fig6_reports_every_seed_and_judges_the_median(monkeypatch):
    def runs_with(ratios):
        reports = iter(
            {"ratio": r, "hole_error": 4 * r, "outside_error": 4.0, "radii": RADII, "error": RADII} for r in ratios
        )
        monkeypatch.setattr(fig6.analysis, "hole_report", lambda run: next(reports))
        return {f"r{i}": SimpleNamespace(config=SimpleNamespace(seed=i)) for i in range(len(ratios))}

    numbers = fig6.measure(runs_with([1.88, 1.9, 7.0, 1.5, 9.0]))
    assert numbers["median_hole_error_over_outside"] == 1.9  # the mean, 4.3, would pass
    assert numbers["hole_error_over_outside_per_seed"] == [1.88, 1.9, 7.0, 1.5, 9.0]
    assert numbers["hole_error_per_seed"][2] == 28.0 and numbers["seeds"] == [0, 1, 2, 3, 4]
    check = fig6.EXPERIMENT.checks(numbers)[0]
    assert check.passed is False and "median" in check.expectation
    assert fig6.EXPERIMENT.checks(fig6.measure(runs_with([3.1, 2.4, 2.2, 7.0, 4.4])))[0].passed is True


class TinyQuick(Context):
    """A quick pass (seeds and settings as --quick), every run cut to one epoch on a few samples."""

    def config_for(self, preset_name: str, seed_offset: int = 0, **overrides: Any):
        return super().config_for(
            preset_name, seed_offset, **{**overrides, "epochs": 1, "n_train": 32, "batch_size": 32}
        )


def test_fig6_fig7_fig10_records_carry_the_new_numbers(tmp_path):
    # fig6 with two seeds; fig7 and fig10 as --quick has them (one seed per setting), reusing fig6's first
    run_one(TinyQuick(out=tmp_path, quick=True, device="cpu", overrides={"runs": 2}, cancel=threading.Event()), "fig6")
    ctx = TinyQuick(out=tmp_path, quick=True, device="cpu", cancel=threading.Event())
    for exp_id in ("fig7", "fig10"):
        run_one(ctx, exp_id)
    records = {exp_id: json.loads((tmp_path / f"{exp_id}.json").read_text()) for exp_id in ("fig6", "fig7", "fig10")}
    assert all(r["verdict"] in ("pass", "fail") for r in records.values()), [r.get("error") for r in records.values()]
    names = {exp_id: {c["name"] for c in r["checks"]} for exp_id, r in records.items()}
    for setting in ("none", "psi1", "psi2", "psi3"):
        for key in (
            "hole_code_deviation",
            "hole_code_deviation_spread",
            "monotone_runs",
            "hole_error",
            "outside_error",
            "area_r2",
        ):
            assert f"{setting}_{key}" in names["fig7"]
        assert f"{setting}_hole_ratio" in names["fig7"]
    assert {"max_subsample_peak_error", "mean_subsample_peak_error", "max_peak_error"} <= names["fig10"]
    fig10_checks = {c["name"]: c for c in records["fig10"]["checks"]}
    assert fig10_checks["max_subsample_peak_error"]["passed"] is not None  # judged
    assert fig10_checks["max_peak_error"]["passed"] is None  # the argmax is reported only
    fig6_checks = {c["name"]: c["value"] for c in records["fig6"]["checks"]}
    assert len(fig6_checks["hole_error_over_outside_per_seed"]) == 2 and fig6_checks["seeds"] == [0, 1]
    summary = records["fig7"]["details"]["summary"]["psi3"]
    assert summary["runs"] == 1 and len(summary["hole_code_deviation_runs"]) == 1
    assert "runs/fig6/disks-hole" in records["fig7"]["runs"]  # figure 6's first seed is figure 7's "none"
