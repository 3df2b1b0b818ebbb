"""Analyses of a trained Run behind the paper's figures (SPEC section 5); numpy in, numpy out.

Here, disk runs: the code against the radius (fig3), the error per radius and inside holes
(fig2, fig5, fig6), the smoothness of z(r) (fig7, fig8), the rank-1 factorisation of a no-bias
decoder (fig4), its profile against the optimal one (fig12, fig13) and the code against
<f, x_r> (fig11). The position runs' analyses (fig9, fig10) are position_analysis.py, the
attribute read-out of codes of size d is readout.py; both are named here too, so that
`analysis.<name>` reaches every analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .data import in_holes, make_images
from .evaluate import linear_fit, reconstruction_errors, test_radii
from .position_analysis import filter_cosines, layer_activations, position_decoder_report
from .readout import attribute_names, attribute_readout, decode_grid, encoded_test_set, least_squares_r2
from .runs import Run
from .theory import (
    airy_profile,
    normalise_profile,
    profile_correlation,
    profile_grid,
    radial_profile,
    relative_l2_gap,
    resample,
    training_singular_profile,
)

__all__ = [
    "attribute_names",
    "attribute_readout",
    "decode_grid",
    "encoded_test_set",
    "error_per_radius",
    "filter_cosines",
    "h_against_inner_product",
    "hole_code_report",
    "hole_code_smoothness",
    "hole_report",
    "layer_activations",
    "learned_profile",
    "least_squares_r2",
    "position_decoder_report",
    "profile_agreement",
    "radial_profile",
    "rank1_factorisation",
    "smoothness",
    "z_curve",
]


def _radii_or_default(run: Run, radii: np.ndarray | None) -> np.ndarray:
    return test_radii(run.config.size) if radii is None else np.atleast_1d(np.asarray(radii, float))


def _training_range_radii(run: Run) -> np.ndarray:
    """The default test radii that lie inside the range the run was trained on."""
    radii = test_radii(run.config.size)
    return radii[(radii >= run.config.r_min) & (radii <= run.config.radius_max)]


def _test_images(run: Run, radii: np.ndarray) -> np.ndarray:
    # exact images even for a Monte Carlo run: test data should carry no sampling noise
    return make_images(run.config.replace(mc_samples=0), radii)


def _observed(run: Run, radii: np.ndarray) -> np.ndarray:
    """Radii the training set covers: inside [r_min, radius_max] and outside every hole."""
    inside = (radii >= run.config.r_min) & (radii <= run.config.radius_max)
    return inside & ~in_holes(radii, run.config.holes)


def _mean_or_none(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def z_curve(run: Run, radii: np.ndarray | None = None) -> dict[str, Any]:
    """Codes of test disks; for a scalar code, fits of z against r and against r^2 (fig3)."""
    radii = _radii_or_default(run, radii)
    z = run.encode(_test_images(run, radii))
    report: dict[str, Any] = {"radii": radii, "z": z[:, 0] if z.shape[1] == 1 else z}
    if z.shape[1] == 1:
        report["fit_r"] = linear_fit(radii, z[:, 0])
        report["fit_r2"] = linear_fit(radii**2, z[:, 0])
        report["area_beats_radius"] = report["fit_r2"]["r2"] > report["fit_r"]["r2"]
    return report


def error_per_radius(run: Run, radii: np.ndarray | None = None) -> dict[str, Any]:
    """Reconstruction error (sum of squares per image, eq. 1) of test disks, per radius.

    `observed` marks the radii the training set covers; `observed_error` and
    `unobserved_error` are the mean errors on either side (None where a side is empty), so
    fig5 (beyond R) and fig6 (inside the hole) both read off the same report.
    """
    radii = _radii_or_default(run, radii)
    images = _test_images(run, radii)
    errors = reconstruction_errors(images, run.reconstruct(images))
    observed = _observed(run, radii)
    return {
        "radii": radii,
        "error": errors,
        "mean_error": float(errors.mean()),
        "max_error": float(errors.max()),
        "observed": observed,
        "observed_error": _mean_or_none(errors[observed]),
        "unobserved_error": _mean_or_none(errors[~observed]),
    }


def hole_report(
    run: Run, radii: np.ndarray | None = None, holes: Sequence[Sequence[float]] | None = None
) -> dict[str, Any]:
    """Mean error inside the holes, outside them, and the ratio (fig6, fig7).

    `holes` defaults to the run's own. "Outside" means the rest of the training range
    [r_min, radius_max]: radii beyond it would mix extrapolation (fig5) into the baseline.
    Errors are None (and the ratio too) where a side has no test radius.
    """
    radii = _radii_or_default(run, radii)
    holes = [list(h) for h in (run.config.holes if holes is None else holes)]
    report = error_per_radius(run, radii)
    errors = report["error"]
    hole = in_holes(radii, holes)
    in_range = (radii >= run.config.r_min) & (radii <= run.config.radius_max)
    hole_error = _mean_or_none(errors[hole])
    outside_error = _mean_or_none(errors[in_range & ~hole])
    ratio = hole_error / outside_error if hole_error is not None and outside_error else None
    return {
        "holes": holes,
        "radii": radii,
        "error": errors,
        "in_hole": hole,
        "hole_error": hole_error,
        "outside_error": outside_error,
        "ratio": ratio,
    }


def smoothness(radii: np.ndarray, z: np.ndarray) -> dict[str, Any]:
    """How regular a scalar code z(r) is (fig7, fig8). Points are sorted by radius first.

    - monotonicity: fraction of consecutive steps whose sign is the majority sign (1 for a
      monotone code; zero steps never count as agreeing);
    - total_variation_ratio: sum |dz| / (max z - min z), 1 for a monotone code, larger when z
      goes back and forth;
    - max_jump: the largest |dz| over the range of z, the size of a discontinuity;
    - max_second_difference: max |d2z| over the range of z (assumes near-even radii), a kink.
    A constant code has monotonicity 0, every ratio 0 and `constant` True.
    """
    order = np.argsort(np.asarray(radii, float))
    z = np.asarray(z, float).ravel()[order]
    steps = np.diff(z)
    span = float(z.max() - z.min()) if z.size else 0.0
    signs = np.sign(steps)
    majority = np.sign(signs.sum()) or np.sign(z[-1] - z[0] if z.size else 0.0)
    agreeing = float((signs == majority).mean()) if steps.size and majority != 0 else 0.0
    second = np.abs(np.diff(z, 2))
    return {
        "monotonicity": agreeing,
        "direction": int(majority),
        "total_variation_ratio": float(np.abs(steps).sum() / span) if span > 0 else 0.0,
        "max_jump": float(np.abs(steps).max() / span) if span > 0 else 0.0,
        "max_second_difference": float(second.max() / span) if span > 0 and second.size else 0.0,
        "constant": span == 0.0,
    }


def rank1_factorisation(run: Run, radii: np.ndarray | None = None) -> dict[str, Any]:
    """Decoded test disks as a matrix (one row per radius), its SVD and the rank-1 part (fig4).

    Radii default to the test radii inside the training range (beyond it a restricted
    no-bias run switches to the other code sign, fig13). Outputs ~ h[:, None] * f: f is the
    leading right singular vector as an image, signed so its centre is positive and scaled so
    its radial profile is 1 nearest the centre; h carries the rest. `profile` is f's radial
    profile on the distances `t`.
    """
    radii = _training_range_radii(run) if radii is None else np.atleast_1d(np.asarray(radii, float))
    outputs = run.reconstruct(_test_images(run, radii)).astype(np.float64)
    matrix = outputs.reshape(len(outputs), -1)
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    f = vt[0].reshape(outputs.shape[1:])
    t, raw_profile = radial_profile(f)
    profile = normalise_profile(raw_profile)
    largest = int(np.argmax(np.abs(raw_profile)))
    scale = profile[largest] / raw_profile[largest] if raw_profile[largest] != 0 else 1.0
    total = float((s**2).sum())
    return {
        "radii": radii,
        "h": u[:, 0] * s[0] / scale,
        "f": f * scale,
        "t": t,
        "profile": profile,
        "energy_fraction": float(s[0] ** 2 / total) if total > 0 else 0.0,
        "singular_values": s,
    }


def learned_profile(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """The decoding profile of a no-bias run: radial profile of the rank-1 f, 1 at the centre."""
    factors = rank1_factorisation(run)
    return factors["t"], factors["profile"]


def profile_agreement(run: Run) -> dict[str, Any]:
    """The learned profile against the optimal ones (fig12, fig13).

    References: the Airy closed form with R = radius_max, and the leading singular vector of
    the run's own training images (the optimum for the data it saw, holes included). All are
    normalised to 1 at the centre and resampled on profile_grid(size). Per reference:
    Pearson correlation and the relative L2 gap; `energy_beyond_R` is the share of the learned
    profile's 2-D energy (weight t) beyond R + 2 sigma, where a blurred disk no longer reaches.
    """
    config = run.config
    R = config.radius_max
    t = profile_grid(config.size)
    learned = resample(*learned_profile(run), t)
    references = {
        "airy": airy_profile(t, R),
        "singular": resample(*training_singular_profile(run.config), t),  # cached per training set
    }
    report: dict[str, Any] = {"t": t, "learned": learned, "R": R, **references}
    for name, reference in references.items():
        report[f"correlation/{name}"] = profile_correlation(learned, reference)
        report[f"l2_gap/{name}"] = relative_l2_gap(learned, reference)
    weight = t * learned**2
    beyond = t > R + 2 * config.sigma
    report["energy_beyond_R"] = float(weight[beyond].sum() / weight.sum()) if weight.sum() > 0 else 0.0
    return report


def _hard_disks(radii: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    axes = [np.arange(m) - (m - 1) / 2 for m in shape]
    distances = np.hypot(axes[0][:, None], axes[1][None, :])
    return (distances[None] <= radii[:, None, None]).astype(float)


def h_against_inner_product(run: Run, radii: np.ndarray | None = None, disk: str = "blurred") -> dict[str, Any]:
    """The code z against <f, 1_{B_r}>, f the learned rank-1 image (fig11).

    `disk="blurred"` (the default) takes 1_{B_r} as the blurred disk the network is fed,
    which gives a smooth curve; `disk="hard"` the pixel indicator |t - c| <= r, a staircase.
    The paper predicts z = C <f, 1_{B_r}>: `slope` and `r2_through_origin` fit that line
    (r2 against sum z^2), `correlation` is Pearson's, `fit` the free affine fit, and
    `relative_intercept` its intercept over max |z|.
    """
    if disk not in ("blurred", "hard"):
        raise ValueError(f"disk: {disk!r} is not one of blurred, hard")
    factors = rank1_factorisation(run, radii)
    radii = factors["radii"]
    images = _test_images(run, radii)
    z = run.encode(images)[:, 0].astype(float)
    disks = images.astype(float) if disk == "blurred" else _hard_disks(radii, images.shape[1:])
    inner = (disks * factors["f"][None]).reshape(len(radii), -1).sum(axis=1)
    slope = float((z * inner).sum() / (inner**2).sum())
    residual = z - slope * inner
    fit = linear_fit(inner, z)
    return {
        "radii": radii,
        "z": z,
        "inner_product": inner,
        "disk": disk,
        "slope": slope,
        "r2_through_origin": float(1 - (residual**2).sum() / (z**2).sum()),
        "correlation": profile_correlation(inner, z),
        "fit": fit,
        "relative_intercept": float(abs(fit["intercept"]) / np.abs(z).max()),
    }


def hole_code_smoothness(
    radii: np.ndarray, z: np.ndarray, holes: Sequence[Sequence[float]], observed: np.ndarray | None = None
) -> dict[str, Any]:
    """How smoothly a scalar code z(r) crosses the holes (fig7, fig8), on the paper's reading of it.

    The area trend is the least-squares line of z against r^2 on the `observed` radii (default:
    every radius outside the holes); `hole_code_deviation` is the largest |z - trend| over the
    radii inside a hole, over the range of z (max - min over every radius): 0 for a code that
    follows the area through the hole, about 1 for one that strays by its whole range. `monotone`:
    z(r) never turns back (smoothness' monotonicity is 1). `area_r2`: R^2 of z against r^2 over
    every radius. A constant code has no range: its deviation is None.
    """
    radii = np.asarray(radii, float).ravel()
    z = np.asarray(z, float).ravel()
    hole = in_holes(radii, [list(h) for h in holes])
    fitted = ~hole if observed is None else np.asarray(observed, bool) & ~hole
    span = float(z.max() - z.min()) if z.size else 0.0
    deviation = None
    if span > 0 and hole.any() and fitted.sum() >= 2:
        trend = linear_fit(radii[fitted] ** 2, z[fitted])
        off = np.abs(z[hole] - (trend["slope"] * radii[hole] ** 2 + trend["intercept"]))
        deviation = float(off.max() / span)
    return {
        "hole_code_deviation": deviation,
        "monotone": smoothness(radii, z)["monotonicity"] == 1.0,
        "area_r2": linear_fit(radii**2, z)["r2"] if span > 0 else 0.0,
    }


def hole_code_report(run: Run, radii: np.ndarray | None = None) -> dict[str, Any]:
    """hole_code_smoothness of a run's own z(r) and holes, the trend fitted on the radii it trained on."""
    radii = _radii_or_default(run, radii)
    curve = z_curve(run, radii)
    return hole_code_smoothness(radii, curve["z"], run.config.holes, observed=_observed(run, radii))
