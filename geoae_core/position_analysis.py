"""What a trained 1-D position network does (Section 5): the encoder's kernels against [1, 2, 1]
(figure 9, Table 2), every layer's activations, and the decoded peaks against the true positions
(figure 10)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .evaluate import evaluate_position_decoder
from .runs import Run


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
