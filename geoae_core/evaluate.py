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
    errors = reconstruction_errors(triangle_diracs(positions, n), outputs)
    return {
        "kind": run.config.kind,
        "positions": positions.tolist(),
        "peak": peaks.tolist(),
        "peak_error": peak_error.tolist(),
        "max_peak_error": float(peak_error.max()),
        "mean_peak_error": float(peak_error.mean()),
        "error": errors.tolist(),
        "mean_error": float(errors.mean()),
    }


def evaluate(run: Run) -> dict[str, Any]:
    """The report of `geoae eval` for any run kind."""
    if run.kind.family != "position":  # images of disks in, whichever network makes the codes
        return evaluate_disk(run)
    if "encoder" in run.kind.sides:
        return evaluate_position_encoder(run)
    return evaluate_position_decoder(run)
