"""Analyses of a trained Run behind the paper's figures (SPEC section 5); numpy in, numpy out.

Disk runs: the code against the radius (fig3), the error per radius and inside holes
(fig2, fig5, fig6), the smoothness of z(r) (fig7, fig8), the rank-1 factorisation of a no-bias
decoder (fig4), its profile against the optimal one (fig12, fig13) and the code against
<f, x_r> (fig11). Position runs: the learned filters against [1, 2, 1] (fig9) and the decoded
peak positions (fig10).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from .data import in_holes, make_images
from .evaluate import evaluate_position_decoder, linear_fit, reconstruction_errors, test_radii
from .files import RunError
from .runs import Run
from .theory import (
    airy_profile,
    normalise_profile,
    profile_correlation,
    profile_grid,
    radial_profile,
    relative_l2_gap,
    resample,
    singular_vector_profile,
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


def _training_images(run: Run) -> np.ndarray:
    images, _, _ = run.kind.training_set(run.config)
    return images


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
        "singular": resample(*singular_vector_profile(_training_images(run)), t),
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


def _taps_seeing_data(n_in: int) -> list[int]:
    """Taps of a 3-tap, stride-2, padding-1 filter that ever touch the input (not padding).

    Output j reads x[2j-1], x[2j], x[2j+1]: tap 0 reaches data only once j >= 1, that is
    when the input has at least 4 samples (so never in the last layer, input length 2).
    """
    taps = [0, 1, 2] if n_in >= 4 else [1, 2]
    return taps if n_in >= 2 else [1]


def _abs_cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(abs(a @ b) / norm) if norm > 0 else 0.0


def filter_cosines(run: Run, reference: Sequence[float] = (1, 2, 1)) -> list[dict[str, Any]]:
    """Per encoder layer of a 1-D (position) run: its kernel against `reference` (fig9).

    Compared on the taps that see data only (`taps`, see _taps_seeing_data): in the last layer
    the first tap always falls on padding, so [w1, w2] is compared with [2, 1]. `cosine` is
    |cos| (a kernel -b [1, 2, 1] encodes as well); `scale` b is the least-squares factor with
    kernel ~ b * reference. Layers with several channels report every (out, in) kernel in
    `kernels` and the mean |cos| in `cosine`.
    """
    reference = np.asarray(reference, float)
    rows = []
    n_in = run.config.size
    for index, weights in enumerate(run.filters("encoder")):
        if weights.ndim != 3:
            raise ValueError(f"filter_cosines: layer {index} is not 1-D (shape {weights.shape})")
        kernels = weights.reshape(-1, weights.shape[-1]).astype(float)
        taps = _taps_seeing_data(n_in)
        seen, ref = kernels[:, taps], reference[taps]
        cosines = [_abs_cosine(k, ref) for k in seen]
        scales = [float(k @ ref / (ref @ ref)) for k in seen]
        rows.append(
            {
                "layer": index,
                "input_length": n_in,
                "kernel": kernels[0].tolist(),
                "kernels": kernels.tolist(),
                "taps": taps,
                "cosine": float(np.mean(cosines)),
                "cosines": cosines,
                "scale": scales[0],
            }
        )
        n_in //= 2
    return rows


def layer_activations(run: Run, x: np.ndarray, side: str = "encoder") -> list[np.ndarray]:
    """Every layer's output: inputs (N, H, W) or (N, n) for the encoder, codes (N, d) for the decoder."""
    if side not in ("encoder", "decoder"):
        raise ValueError(f"side: {side!r} is not one of encoder, decoder")
    return run.activations(np.asarray(x, np.float32), side)


def position_decoder_report(run: Run, positions: np.ndarray | None = None) -> dict[str, Any]:
    """Decoded peak against the true position (fig10), with evaluate's report.

    Adds `within_half_step`: the share of positions whose decoded peak (an integer sample) is
    the nearest sample to the true continuous position, the best a peak can do.
    """
    report = evaluate_position_decoder(run, positions)
    errors = np.asarray(report["peak_error"])
    report["within_half_step"] = float((errors <= 0.5).mean())
    return report


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


# ---------------------------------------------------------------- several attributes, codes of size d
# (issue 14: the attribute read-out and the latent map of the explorer for d >= 2)
FIGURE3_FUNCTIONS = ("value", "square")  # fig3's question: does z follow the attribute or its square?


def attribute_names(run: Run) -> list[str]:
    """The attributes of the run's data that vary: ["r"] for a disk run, ["r", "cx", "cy"] for
    disks-xy, ["position"] for a position encoder; [] where no encoder reads them (a GAN)."""
    return run.kind.attribute_names(run.config)


# the last few test sets drawn: they depend on the settings only, so the training scrubber, which
# reads the same run at epoch after epoch, draws its images once (1.6 s of a 2.2 s step at size 64)
_TEST_SETS: OrderedDict[tuple[str, int, int], tuple[np.ndarray, dict[str, np.ndarray]]] = OrderedDict()
_TEST_SETS_KEPT = 2


def _fresh_test_set(run: Run, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    key = (run.config.to_json(), n, seed)
    if key in _TEST_SETS:
        _TEST_SETS.move_to_end(key)
    else:
        inputs, values = run.kind.sample(run.config, n, seed)
        _TEST_SETS[key] = inputs, values
        while len(_TEST_SETS) > _TEST_SETS_KEPT:
            _TEST_SETS.popitem(last=False)
    inputs, values = _TEST_SETS[key]  # the inputs are only encoded; the values go out as copies
    return inputs, {name: np.array(v, float) for name, v in values.items()}


def encoded_test_set(run: Run, n: int = 400, seed: int = 0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """n fresh exact test inputs of the run's data, attributes drawn uniformly from the run's ranges
    (holes included: the read-out also covers what training left out), encoded.

    Returns z (n, d) and each varying attribute's values (n,), in attribute_names' order; cx and cy
    in pixel coordinates (x = column, y = row), angles in degrees.
    """
    if not attribute_names(run):
        raise RunError(f"a {run.config.kind} run has no encoder to read attributes from")
    if n < 1:
        raise ValueError(f"n: {n} test images asked for, at least 1 needed")
    inputs, values = _fresh_test_set(run, n, seed)
    return run.encode(inputs).astype(np.float64), {name: np.asarray(v, float) for name, v in values.items()}


def _quadratic_features(z: np.ndarray) -> np.ndarray:
    """z and every product z_i z_j (i <= j)."""
    i, j = np.triu_indices(z.shape[1])
    return np.concatenate([z, z[:, i] * z[:, j]], axis=1)


def least_squares_r2(features: np.ndarray, target: np.ndarray) -> float:
    """R^2 of the least-squares affine fit of target (n,) or (n, k) from features (n, p), pooled over
    the target's columns: 1 - sum of squared residuals / total sum of squares."""
    target = np.asarray(target, float).reshape(len(target), -1)
    design = np.concatenate([np.ones((len(features), 1)), features], axis=1)
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = ((target - design @ coefficients) ** 2).sum()
    total = ((target - target.mean(axis=0)) ** 2).sum()
    return float(1.0 - residual / total) if total > 0 else 0.0


def _angle_circle(run: Run, degrees: np.ndarray) -> np.ndarray:
    """An angle as a point of the circle, (cos, sin) of 360/period times it: a square's angle and the
    same angle plus 90 degrees are one image, and one point here."""
    period = run.kind.angle_period(run.config)
    turns = 2 * np.pi * degrees / (period or 360.0)
    return np.stack([np.cos(turns), np.sin(turns)], axis=1)


def _readout_target(run: Run, name: str, values: np.ndarray) -> np.ndarray:
    return _angle_circle(run, values) if name == "angle" else values[:, None]


def _figure3_candidates(run: Run, name: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """What z may follow, per attribute: the value or its square (a position's square about the image
    centre, where both directions meet); an angle as a line or as a circle."""
    if name == "angle":
        return {"angle": values[:, None], "circle": _angle_circle(run, values)}
    origin = (run.config.size - 1) / 2 if name in ("cx", "cy") else 0.0
    square = f"({name} - {origin:g})^2" if origin else f"{name}^2"
    return {name: values[:, None], square: ((values - origin) ** 2)[:, None]}


def _follows(run: Run, z: np.ndarray, attributes: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Figure 3's question of every attribute, with the others held in the fit: the code z (every axis)
    fitted as an affine function of one candidate function of the attribute and the other attributes
    as they are; R^2 pooled over the axes (unchanged by a rotation of the code). With one attribute
    and d = 1 it is fig3's pair of fits, z against r and against r^2."""
    report = {}
    for name, values in attributes.items():
        others = [_readout_target(run, other, v) for other, v in attributes.items() if other != name]
        r2 = {
            label: least_squares_r2(np.concatenate([candidate, *others], axis=1), z)
            for label, candidate in _figure3_candidates(run, name, values).items()
        }
        report[name] = {"r2": r2, "follows": max(r2, key=r2.get)}
    return report


def _correlation_row(target: np.ndarray, z: np.ndarray) -> list[float]:
    """Per code axis: Pearson's correlation with a scalar attribute; for an angle (a circle, two
    columns) the multiple correlation, the square root of the R^2 of the axis fitted from cos and sin."""
    if target.shape[1] == 1:
        return [profile_correlation(target[:, 0], z[:, j]) for j in range(z.shape[1])]
    return [float(np.sqrt(max(0.0, least_squares_r2(target, z[:, j])))) for j in range(z.shape[1])]


def attribute_readout(run: Run, n: int = 1000, seed: int = 0) -> dict[str, Any]:
    """What the code says about each attribute, on n fresh test images (encoded_test_set).

    Per attribute: `r2_linear` and `r2_quadratic`, the R^2 of the least-squares fit of the attribute
    from z (affine in z; with every product z_i z_j too), an angle being fitted as its circle (see
    _angle_circle); `correlation`, its row of the attribute-by-axis matrix; `axis`, the axis of
    largest |correlation|; and fig3's question (`follows` and its `follows_r2`, see _follows).
    JSON-serialisable.
    """
    z, attributes = encoded_test_set(run, n, seed)
    matrix, rows = [], {}
    follows = _follows(run, z, attributes)
    quadratic = _quadratic_features(z)
    for name, values in attributes.items():
        target = _readout_target(run, name, values)
        correlation = _correlation_row(target, z)
        matrix.append(correlation)
        rows[name] = {
            "r2_linear": least_squares_r2(z, target),
            "r2_quadratic": least_squares_r2(quadratic, target),
            "correlation": correlation,
            "axis": int(np.argmax(np.abs(correlation))),
            "follows": follows[name]["follows"],
            "follows_r2": follows[name]["r2"],
        }
    return {"n": n, "code_size": int(z.shape[1]), "names": list(attributes), "correlation": matrix, "attributes": rows}


def decode_grid(
    run: Run, axes: tuple[int, int], values_a: Sequence[float], values_b: Sequence[float], held: np.ndarray
) -> np.ndarray:
    """The latent map: codes equal to `held` but for axis a (across) and axis b (down), decoded in one
    batch; images of shape (len(values_b), len(values_a), m, m), row i having axis b at values_b[i]."""
    d = run.config.code_size
    held = np.asarray(held, np.float32).reshape(-1)
    a, b = (int(axis) for axis in axes)
    if held.size != d:
        raise ValueError(f"held: {held.size} values given, the code has {d}")
    if a == b or not (0 <= a < d and 0 <= b < d):
        raise ValueError(f"axes: {axes} must be two different axes of the code, 0 to {d - 1}")
    values_a, values_b = np.asarray(values_a, np.float32), np.asarray(values_b, np.float32)
    codes = np.tile(held, (len(values_b), len(values_a), 1))
    codes[:, :, a] = values_a[None, :]
    codes[:, :, b] = values_b[:, None]
    decoded = run.decode(codes.reshape(-1, d))
    return decoded.reshape(len(values_b), len(values_a), *decoded.shape[1:])
