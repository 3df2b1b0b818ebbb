"""What `geoae eval` reports: reconstruction and code on a fixed test grid, and the z fits."""

from __future__ import annotations

from typing import Any

import numpy as np

from .data import in_holes, make_images, onehot, triangle_diracs
from .runs import Run

N_TEST = 63


def test_radii(size: int = 64, n: int = N_TEST) -> np.ndarray:
    """n radii evenly spread over (0, size/2), ends excluded: 0.5, 1.0, ..., 31.5 for size 64."""
    return np.arange(1, n + 1) * (size / 2) / (n + 1)


def linear_fit(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Least-squares y = a x + b, with the coefficient of determination R^2."""
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    a, b = np.polyfit(x, y, 1)
    residual = y - (a * x + b)
    total = ((y - y.mean()) ** 2).sum()
    r2 = 1.0 - (residual**2).sum() / total if total > 0 else 0.0
    return {"slope": float(a), "intercept": float(b), "r2": float(r2)}


def reconstruction_errors(images: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Per image: sum over pixels of the squared error (the paper's eq. 1)."""
    return ((outputs - images) ** 2).reshape(len(images), -1).sum(axis=1)


def rank1_fraction(outputs: np.ndarray) -> float:
    """Share of the energy of a set of outputs carried by their leading singular vector."""
    s = np.linalg.svd(np.asarray(outputs, float).reshape(len(outputs), -1), compute_uv=False)
    total = (s**2).sum()
    return float(s[0] ** 2 / total) if total > 0 else 0.0


def peak_positions(signals: np.ndarray) -> np.ndarray:
    return np.argmax(signals, axis=1).astype(float)


def subsample_peak_positions(signals: np.ndarray) -> np.ndarray:
    """Each signal's peak below the sample grid: the centroid of the samples m-1, m, m+1 around
    its maximum m (those that exist), negative samples counted as 0.

    Exact for the triangle y_a(t) = max(0, 1 - |t - a|) of half-width one sample (eq. 19): with
    a = k + f, 0 <= f < 1, only y(k) = 1 - f and y(k+1) = f are non-zero, so the maximum is k or
    k+1 and the window holds both: (k (1 - f) + (k+1) f) / ((1 - f) + f) = k + f = a. At the ends
    the window is clipped, and still holds both non-zero samples (a in [0, 1/2] has its maximum
    at 0 and mass on 0 and 1). So on a perfect decoder the error is zero, and what it measures
    is the decoder's own error, not the grid's. Weights are non-negative, so the estimate lies
    in [m-1, m+1]: negative ringing could otherwise pull it anywhere.
    """
    signals = np.asarray(signals, float)
    n = signals.shape[1]
    peaks = np.argmax(signals, axis=1)
    window = np.clip(peaks[:, None] + np.arange(-1, 2)[None, :], 0, n - 1)
    weights = np.maximum(np.take_along_axis(signals, window, axis=1), 0.0)
    weights[:, 0] *= window[:, 0] != window[:, 1]  # a window clipped at an end counts its sample once
    weights[:, 2] *= window[:, 2] != window[:, 1]
    total = weights.sum(axis=1)
    centroid = (weights * window).sum(axis=1) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, centroid, peaks.astype(float))


def evaluate_disk(run: Run, radii: np.ndarray | None = None) -> dict[str, Any]:
    config = run.config
    radii = test_radii(config.size) if radii is None else np.asarray(radii, float)
    images = make_images(config.replace(mc_samples=0), radii)
    z = run.encode(images)
    outputs = run.decode(z)
    errors = reconstruction_errors(images, outputs)
    report: dict[str, Any] = {
        "kind": config.kind,
        "radii": radii.tolist(),
        "z": z[:, 0].tolist() if config.code_size == 1 else z.tolist(),
        "error": errors.tolist(),
        "mean_error": float(errors.mean()),
        "max_error": float(errors.max()),
        "rank1_fraction": rank1_fraction(outputs),
    }
    if config.code_size == 1:
        report["fit_r"] = linear_fit(radii, z[:, 0])
        report["fit_r2"] = linear_fit(radii**2, z[:, 0])
        report["area_beats_radius"] = report["fit_r2"]["r2"] > report["fit_r"]["r2"]
    if config.holes:
        hole = in_holes(radii, config.holes)
        report["hole_error"] = float(errors[hole].mean()) if hole.any() else None
        report["outside_error"] = float(errors[~hole].mean())
    return report


def evaluate_position_encoder(run: Run) -> dict[str, Any]:
    n = run.config.size
    positions = np.arange(n)
    z = run.encode(onehot(positions, n))[:, 0]
    fit = linear_fit(positions, z)
    residual = z - (fit["slope"] * positions + fit["intercept"])
    spacing = abs(fit["slope"])
    return {
        "kind": run.config.kind,
        "positions": positions.tolist(),
        "z": z.tolist(),
        "fit_position": fit,
        # an encoder tells positions apart when its residual stays under half a step
        "max_residual_in_steps": float(np.abs(residual).max() / spacing) if spacing > 0 else float("inf"),
    }


def evaluate_position_decoder(run: Run, positions: np.ndarray | None = None) -> dict[str, Any]:
    n = run.config.size
    positions = np.linspace(0, n - 1, 4 * (n - 1) + 1) if positions is None else np.asarray(positions, float)
    outputs = run.decode(positions[:, None])
    peaks = peak_positions(outputs)
    peak_error = np.abs(peaks - positions)
    subsample_error = np.abs(subsample_peak_positions(outputs) - positions)
    errors = reconstruction_errors(triangle_diracs(positions, n), outputs)
    return {
        "kind": run.config.kind,
        "positions": positions.tolist(),
        "peak": peaks.tolist(),
        "peak_error": peak_error.tolist(),
        "max_peak_error": float(peak_error.max()),
        "mean_peak_error": float(peak_error.mean()),
        "subsample_peak_error": subsample_error.tolist(),
        "max_subsample_peak_error": float(subsample_error.max()),
        "mean_subsample_peak_error": float(subsample_error.mean()),
        "error": errors.tolist(),
        "mean_error": float(errors.mean()),
    }


def evaluate_attributes(run: Run, n: int = 400, seed: int = 0) -> dict[str, Any]:
    """Reconstruction error (eq. 1) of n fresh exact images of a run with several attributes; the
    attribute read-out is analysis.attribute_readout (`geoae eval` prints both)."""
    images, attributes = run.kind.sample(run.config, n, seed)
    errors = reconstruction_errors(images, run.reconstruct(images))
    return {
        "kind": run.config.kind,
        "shape": run.config.shape,
        "code_size": run.config.code_size,
        "n_test": n,
        "attribute_names": list(attributes),
        "mean_error": float(errors.mean()),
        "max_error": float(errors.max()),
    }


# the reports, by the name a kind gives in its `evaluation`
REPORTS = {
    "sizes": evaluate_disk,  # images of one size r in, whichever network makes the codes
    "attributes": evaluate_attributes,  # shapes with several attributes, drawn by the kind
    "position encoder": evaluate_position_encoder,
    "position decoder": evaluate_position_decoder,
}


def evaluate(run: Run) -> dict[str, Any]:
    """The report of `geoae eval` for any run kind: the one its kind names."""
    return REPORTS[run.kind.evaluation](run)
