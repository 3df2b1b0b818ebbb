"""What a code says about the attributes of its data (issue 14): the attribute read-out and the
latent map of the explorer for codes of size d >= 2, on fresh exact test images of the run's data.

Per attribute: how well an affine (or quadratic) function of z predicts it, its correlation with
each code axis, and figure 3's question (does z follow the attribute or its square?) asked of every
attribute with the others held in the fit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from .files import RunError
from .runs import Run
from .theory import profile_correlation

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
        raise RunError(f"{run.kind.title(run.config)} has no encoder to read attributes from")
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
