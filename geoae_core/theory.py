"""The paper's theory, computed (SPEC section 4): Propositions 1-3 and the optimal disk profile.

Optimal decoding profile (Proposition 2, Appendix B). A no-bias decoder outputs h(r) f(t); the
best f maximises J(f) = int_0^R (int_0^r f(rho) rho drho)^2 dr under ||f||_2 = 1. Three ways to
get it, which must agree:
- closed form: f'' = -k t f, f(0) = 1, f'(0) = 0, first zero at R (Airy functions);
- direct numerical maximisation of the discretised J (a generalised eigenproblem);
- the leading right singular vector of the (uncentred) training images.
Every profile here is a pair (t, f): distances to the centre in pixels and values, with the
sign chosen so that the centre is positive and the scale so that the value nearest the centre
is 1.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import threading
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import torch
from scipy import optimize, special
from scipy.sparse.linalg import svds

from .config import Config
from .data import centre_distances, disk_images, training_radii
from .models import HandcraftedPositionEncoder
from .runs import Run

# Ai(0), Ai'(0), Bi(0), Bi'(0)
_AI0, _AIP0, _BI0, _BIP0 = (float(v) for v in special.airy(0.0))
# f(0) of the unnormalised combination is the Wronskian Ai Bi' - Ai' Bi = 1/pi
_AIRY_F0 = _BIP0 * _AI0 - _AIP0 * _BI0


def _airy_combination(s: np.ndarray) -> np.ndarray:
    """g(s) = Bi'(0) Ai(-s) - Ai'(0) Bi(-s): f(t) = g(k^(1/3) t)."""
    ai, _, bi, _ = special.airy(-np.asarray(s, float))
    return _BIP0 * ai - _AIP0 * bi


def _first_zero_of_combination() -> float:
    s = np.linspace(0.0, 10.0, 2001)
    values = _airy_combination(s)
    i = int(np.argmax(values <= 0))
    return float(optimize.brentq(_airy_combination, s[i - 1], s[i], xtol=1e-15))


AIRY_FIRST_ZERO = _first_zero_of_combination()  # about 1.98635


def airy_k(R: float) -> float:
    """k such that f(t) = Bi'(0) Ai(-k^(1/3) t) - Ai'(0) Bi(-k^(1/3) t) first vanishes at t = R."""
    if not R > 0:
        raise ValueError(f"R: {R!r} must be positive")
    return (AIRY_FIRST_ZERO / R) ** 3


def airy_profile(t: np.ndarray, R: float, truncate: bool = True) -> np.ndarray:
    """The closed-form optimal profile, normalised to f(0) = 1.

    With `truncate` (the default) the profile is 0 beyond R: J ignores f there while the norm
    counts it, so the maximiser vanishes outside [0, R]. `truncate=False` gives the Airy
    combination itself (the solution of the ODE on the whole line).
    """
    t = np.asarray(t, float)
    f = _airy_combination(np.cbrt(airy_k(R)) * t) / _AIRY_F0
    return np.where(t <= R, f, 0.0) if truncate else f


def numerical_profile(R: float, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Maximise the discretised J(f) subject to ||f||_2 = 1 (2-D norm: weight rho).

    Midpoint grid rho_j = (j + 1/2) h, h = R / n. Inner integral at the cell centres,
    F_i = sum_{j<i} h rho_j f_j + h rho_i f_i / 2, that is F = C f; then J = h |C f|^2 and the
    norm f^T M f with M = diag(h rho). The maximiser is the leading generalised eigenvector of
    (h C^T C, M), found by power iteration on the symmetric M^(-1/2) h C^T C M^(-1/2): the
    second eigenvalue is a few percent of the first, so it converges in a few dozen steps, and
    C is applied with cumulative sums (no dense matrix, no threaded LAPACK call). The value at
    t = 0 is extrapolated from the first two cells using f'(0) = 0.
    """
    if not R > 0 or n < 2:
        raise ValueError(f"R: {R!r} must be positive and n: {n!r} at least 2")
    h = R / n
    rho = (np.arange(n) + 0.5) * h
    weight = h * rho
    root = np.sqrt(weight)

    def apply(w: np.ndarray) -> np.ndarray:
        f = w / root
        inner = np.cumsum(weight * f) - 0.5 * weight * f  # C f
        back = np.cumsum(inner[::-1])[::-1] * weight - 0.5 * weight * inner  # C^T (C f)
        return h * back / root

    w = root.copy()
    for _ in range(_POWER_ITERATIONS):
        nxt = apply(w)
        nxt /= np.linalg.norm(nxt)
        converged = np.abs(nxt - w).max() < 1e-14
        w = nxt
        if converged:
            break
    f = w / root
    # f is even in t near 0: f(t) ~ a + b t^2, fitted through the two first cells
    f0 = (9 * f[0] - f[1]) / 8
    t = np.concatenate([[0.0], rho])
    return t, np.concatenate([[f0], f]) / f0


_POWER_ITERATIONS = 2000


def radial_profile(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of an image (or 1-D signal) per distinct distance to its centre ((m-1)/2, ...)."""
    values = np.asarray(values, float)
    distances, inverse, counts = _distance_classes(values.shape)
    return distances.copy(), np.bincount(inverse, values.ravel(), minlength=len(distances)) / counts


@functools.lru_cache(maxsize=8)
def _distance_classes(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct distances to the centre, each pixel's class and the class sizes (a slider in
    the explorer asks for the same shape on every move)."""
    distances, inverse = np.unique(centre_distances(shape).round(9), return_inverse=True)
    inverse = inverse.ravel()
    return distances, inverse, np.bincount(inverse)


def normalise_profile(values: np.ndarray) -> np.ndarray:
    """Sign so that the first value (nearest the centre) is positive, scale so that it is 1.

    A profile that vanishes at the centre (within 1e-12 of its peak) is scaled by its largest
    magnitude instead, with the sign of its mean.
    """
    values = np.asarray(values, float)
    peak = float(np.abs(values).max()) if values.size else 0.0
    if peak == 0.0:
        return values.copy()
    if abs(values[0]) > 1e-12 * peak:
        return values / values[0]
    return values * (np.sign(values.mean()) or 1.0) / peak


def singular_vector_profile(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leading right singular vector of the uncentred image matrix, as a radial profile."""
    images = np.asarray(images)
    matrix = images.reshape(len(images), -1).astype(np.float64)
    if min(matrix.shape) < 2:
        vector = matrix[0] if len(matrix) == 1 else np.ones(matrix.shape[1])
    else:
        # a fixed starting vector keeps the result deterministic
        _, _, vt = svds(matrix, k=1, v0=np.ones(min(matrix.shape)))
        vector = vt[0]
    t, f = radial_profile(vector.reshape(images.shape[1:]))
    return t, normalise_profile(f)


def resample(t_from: np.ndarray, f_from: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Linear interpolation onto t; constant below the first point, 0 beyond the last."""
    return np.interp(t, t_from, f_from, right=0.0)


def profile_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two profiles sampled on the same grid."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def relative_l2_gap(a: np.ndarray, reference: np.ndarray) -> float:
    """||a - reference|| / ||reference|| on a shared grid."""
    reference = np.asarray(reference, float)
    return float(np.linalg.norm(np.asarray(a, float) - reference) / np.linalg.norm(reference))


def profile_grid(size: int) -> np.ndarray:
    """The shared grid for comparing profiles: 0, 0.25, ..., size/2 pixels."""
    return np.linspace(0.0, size / 2, 2 * size + 1)


def optimal_profiles(
    R: float, size: int = 64, sigma: float = 1.0, n_images: int = 3000, seed: int = 0
) -> dict[str, Any]:
    """The three optimal profiles for radii in (0, R), resampled on profile_grid(size).

    The singular vector uses the training set a run with r_max = R, this size, sigma and seed
    would draw (n_images radii uniform in (0, R)). Keys: t, airy, numerical, singular, k, R,
    and for each pair "correlation/a/b" and "l2_gap/a/b" (b the reference). Results are
    cached (the singular vector takes a second or two); each call returns fresh arrays.
    """
    cached = _optimal_profiles(float(R), int(size), float(sigma), int(n_images), int(seed))
    return {key: value.copy() if isinstance(value, np.ndarray) else value for key, value in cached.items()}


@functools.lru_cache(maxsize=16)
def _optimal_profiles(R: float, size: int, sigma: float, n_images: int, seed: int) -> dict[str, Any]:
    t = profile_grid(size)
    config = Config(size=size, sigma=sigma, n_train=n_images, seed=seed, r_max=float(R)).validate()
    singular = singular_vector_profile(disk_images(training_radii(config), size, sigma))
    profiles = {
        "airy": airy_profile(t, R),
        "numerical": resample(*numerical_profile(R), t),
        "singular": resample(*singular, t),
    }
    result: dict[str, Any] = {"t": t, **profiles, "k": airy_k(R), "R": float(R)}
    for a, b in (("airy", "numerical"), ("airy", "singular"), ("numerical", "singular")):
        result[f"correlation/{a}/{b}"] = profile_correlation(profiles[a], profiles[b])
        result[f"l2_gap/{a}/{b}"] = relative_l2_gap(profiles[a], profiles[b])
    return result


_SINGULAR_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_SINGULAR_CACHE_SIZE = 16
_SINGULAR_LOCK = threading.Lock()


def _training_set_key(config: Config) -> str:
    """What draws a run's training set: its kind, its Data settings and its seed (not the model's
    or the optimiser's settings: runs that differ only there share the set)."""
    data = {
        f.name: getattr(config, f.name)
        for f in dataclasses.fields(config)
        if "setting" in f.metadata and f.metadata["setting"].section == "Data"
    }
    return json.dumps({**data, "kind": config.kind, "seed": config.seed}, sort_keys=True, default=str)


def training_singular_profile(config: Config) -> tuple[np.ndarray, np.ndarray]:
    """The leading singular vector profile of the training set `config` draws (its kind's
    inputs): cached per training set (R, size, sigma, holes, seed, ...), a second or two
    otherwise; each call returns fresh arrays."""
    key = _training_set_key(config)
    with _SINGULAR_LOCK:
        cached = _SINGULAR_CACHE.get(key)
    if cached is None:
        from .kinds import kind_of

        images, _, _ = kind_of(config).training_set(config)
        cached = singular_vector_profile(images)
        with _SINGULAR_LOCK:
            _SINGULAR_CACHE[key] = cached
            while len(_SINGULAR_CACHE) > _SINGULAR_CACHE_SIZE:
                _SINGULAR_CACHE.pop(next(iter(_SINGULAR_CACHE)))
    return cached[0].copy(), cached[1].copy()


def clear_profile_caches() -> None:
    """Forget the cached optimal and training-set profiles (tests count recomputations)."""
    _optimal_profiles.cache_clear()
    with _SINGULAR_LOCK:
        _SINGULAR_CACHE.clear()


def _default_codes(code_size: int) -> np.ndarray:
    if code_size == 1:
        magnitudes = np.logspace(-2, 2, 9)
        return np.concatenate([-magnitudes[::-1], magnitudes])[:, None]
    return np.random.default_rng(0).normal(size=(32, code_size)) * 3.0


def homogeneity_error(
    run: Run, lambdas: Sequence[float] = (0.5, 2.0, 3.0), z: np.ndarray | None = None, relative: bool = True
) -> float:
    """Proposition 1: how far the decoder is from D(lambda z) = lambda D(z), lambda > 0.

    The largest |D(lambda z) - lambda D(z)| over every pixel, code and lambda. With `relative`
    (the default) it is divided by the largest |lambda D(z)| over the same set, so a no-bias
    decoder gives float32 rounding (~1e-7..1e-6) whatever its scale and a decoder with biases
    gives a number of order 0.1..1. Default codes: +-0.01 .. +-100 (both signs; a scalar code)
    or 32 Gaussian codes of standard deviation 3.
    """
    z = _default_codes(run.config.code_size) if z is None else np.asarray(z, float).reshape(-1, run.config.code_size)
    base = run.decode(z).astype(np.float64)
    worst_gap, worst_size = 0.0, 0.0
    for lam in lambdas:
        if not lam > 0:
            raise ValueError(f"lambdas: {lam!r} must be positive (Proposition 1 holds for lambda > 0)")
        scaled = lam * base
        worst_gap = max(worst_gap, float(np.abs(run.decode(lam * z) - scaled).max()))
        worst_size = max(worst_size, float(np.abs(scaled).max()))
    if not relative:
        return worst_gap
    return worst_gap / worst_size if worst_size > 0 else (0.0 if worst_gap == 0 else float("inf"))


def _exact(value: float | int | Fraction) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _strided_layer(x: list, kernel: Sequence) -> list:
    """One layer of Proposition 3: 3-tap filter, padding 1, output at even positions."""
    padded = [0, *x, 0]
    return [sum(w * padded[2 * j + i] for i, w in enumerate(kernel)) for j in range(len(x) // 2)]


def handcrafted_table(n: int = 8, kernel: Sequence[float] = (1, 2, 1)) -> list[dict[str, Any]]:
    """Every layer's output of the hand-crafted position network for every one-hot input.

    Exact arithmetic (integers, else rationals), so integer kernels give exact Python ints.
    Proposition 3: the last layer is 2^L - a for the one-hot vector at position a (0-based).
    Table 2 is n = 8.
    Returns [{"position": a, "layers": [[u1...], [u2...], ..., [uL]]}, ...].
    """
    if n < 2 or n & (n - 1):
        raise ValueError(f"n: {n} is not a power of two of at least 2")
    if len(kernel) != 3:
        raise ValueError(f"kernel: {tuple(kernel)} must have 3 taps")
    # Python ints are exact and fast; other kernels go through exact rationals
    exact = int if all(float(w).is_integer() for w in kernel) else Fraction
    taps = [exact(w) for w in kernel]
    table = []
    for a in range(n):
        x: list = [exact(int(i == a)) for i in range(n)]
        layers = []
        while len(x) > 1:
            x = _strided_layer(x, taps)
            layers.append([_exact(v) for v in x])
        table.append({"position": a, "layers": layers})
    return table


def handcrafted_outputs(n: int = 8, kernel: Sequence[float] = (1.0, 2.0, 1.0)) -> np.ndarray:
    """The same network run by models.HandcraftedPositionEncoder in float64: (n,) outputs.

    The model stores its kernel in float32 before the cast, so only kernels exact in float32
    (small integers, halves...) give exact outputs; handcrafted_table is exact for any kernel.
    """
    net = HandcraftedPositionEncoder(n, tuple(float(w) for w in kernel)).double()
    with torch.no_grad():
        return net(torch.eye(n, dtype=torch.float64))[:, 0].numpy()
