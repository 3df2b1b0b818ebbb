"""Data sets of the paper: blurred centred disks (and squares, ellipses) and 1-D Diracs."""

from __future__ import annotations

import numpy as np
from scipy import ndimage, special

from .config import Config

# Beyond this many standard deviations from the rim a blurred disk is 0 or 1 to within 1e-9.
RIM_WIDTH_SIGMAS = 6.0
# With many radii, the exact values are tabulated on a grid of radii this fine (in sigmas) and
# interpolated by cubic Hermite with the exact derivative: the error bound h^4/384 max|d4P/dr4|
# stays below 1e-7 for h = sigma / 10, far below the 1e-5 the data must keep.
GRID_STEP_SIGMAS = 0.1
DIRECT_PAIRS = 100_000
ELLIPSE_ASPECT = 0.6


def centre_distances(shape: int | tuple[int, ...]) -> np.ndarray:
    """Distance of every sample to the centre ((m-1)/2, ...); an int is a square image's side."""
    shape = (shape, shape) if isinstance(shape, int) else tuple(shape)
    axes = np.meshgrid(*[np.arange(m) - (m - 1) / 2 for m in shape], indexing="ij")
    return np.sqrt(sum(a**2 for a in axes))


def blurred_disk_value(rho: np.ndarray, r: np.ndarray, sigma: float) -> np.ndarray:
    """P(|t - c + xi| <= r), xi ~ N(0, sigma^2 I), for a point at distance rho from the centre.

    This is the CDF of a non-central chi-square (2 degrees of freedom, non-centrality
    rho^2/sigma^2) at r^2/sigma^2. Values far from the rim are exactly 0 or 1.
    """
    rho, r = np.broadcast_arrays(np.asarray(rho, float), np.asarray(r, float))
    out = (rho < r).astype(float)
    near = np.abs(rho - r) < RIM_WIDTH_SIGMAS * sigma
    s2 = sigma * sigma
    out[near] = special.chndtr(r[near] ** 2 / s2, 2, rho[near] ** 2 / s2)  # ncx2.cdf without scipy.stats (1 s)
    return out


def blurred_disk_slope(rho: np.ndarray, r: np.ndarray, sigma: float) -> np.ndarray:
    """d/dr of blurred_disk_value: the Rice density, exp-scaled so that it never overflows."""
    s2 = sigma * sigma
    return r / s2 * np.exp(-((r - rho) ** 2) / (2 * s2)) * special.i0e(r * rho / s2)


def _rim_values(distances: np.ndarray, radii: np.ndarray, sigma: float) -> np.ndarray:
    """blurred_disk_value for every (radius, distance) pair, shape (N, D). With many radii, the
    values come from an exact table on a fine grid of radii, interpolated (cubic Hermite)."""
    rho, r = np.broadcast_arrays(distances[None, :], radii[:, None])
    near = np.abs(rho - r) < RIM_WIDTH_SIGMAS * sigma
    if near.sum() <= DIRECT_PAIRS:
        return blurred_disk_value(rho, r, sigma)
    h = GRID_STEP_SIGMAS * sigma
    grid = np.arange(int(radii.max() / h) + 2) * h
    band = np.abs(distances[:, None] - grid[None, :]) < RIM_WIDTH_SIGMAS * sigma + 2 * h
    d_index, g_index = np.nonzero(band)
    value = np.zeros(band.shape)
    slope = np.zeros(band.shape)
    value[band] = blurred_disk_value(distances[d_index], grid[g_index], sigma)
    slope[band] = blurred_disk_slope(distances[d_index], grid[g_index], sigma)
    out = (rho < r).astype(float)
    d = np.broadcast_to(np.arange(len(distances))[None, :], rho.shape)[near]
    k = np.floor(r[near] / h).astype(int)
    t = r[near] / h - k
    h00, h10, h01, h11 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t, -2 * t**3 + 3 * t**2, t**3 - t**2
    out[near] = h00 * value[d, k] + h10 * h * slope[d, k] + h01 * value[d, k + 1] + h11 * h * slope[d, k + 1]
    return out


def disk_images(radii: np.ndarray, size: int = 64, sigma: float = 1.0) -> np.ndarray:
    """Exact blurred centred disks, shape (N, size, size), float32.

    A centred disk depends only on the distance to the centre, and the grid has few distinct
    distances, so each image is the exact value on those distances scattered back; only the
    pairs within a few sigma of the rim need the non-central chi-square at all.
    """
    radii = np.atleast_1d(np.asarray(radii, float))
    if sigma <= 0 or not np.all(np.isfinite(radii)) or np.any(radii < 0):
        raise ValueError("disk_images: radii must be finite and non-negative, sigma positive")
    distances, inverse = np.unique(centre_distances(size).round(9), return_inverse=True)
    values = _rim_values(distances, radii, sigma).astype(np.float32)
    return values[:, inverse.reshape(size, size)]


def disk_images_mc(
    radii: np.ndarray, size: int = 64, sigma: float = 1.0, n_samples: int = 1000, seed: int = 0
) -> np.ndarray:
    """The paper's Monte Carlo estimator (eq. 21): each pixel averages n_samples indicators."""
    rng = np.random.default_rng(seed)
    radii = np.atleast_1d(np.asarray(radii, float))
    rho = centre_distances(size).reshape(-1)
    out = np.empty((len(radii), rho.size), np.float32)
    for i, r in enumerate(radii):
        xi = rng.normal(0.0, sigma, size=(rho.size, n_samples, 2))
        inside = np.hypot(rho[:, None] + xi[..., 0], xi[..., 1]) <= r
        out[i] = inside.mean(axis=1)
    return out.reshape(len(radii), size, size)


def square_images(half_sides: np.ndarray, size: int = 64, sigma: float = 1.0) -> np.ndarray:
    """Centred axis-aligned squares of half-side r blurred by the same Gaussian (exact, separable)."""
    half_sides = np.atleast_1d(np.asarray(half_sides, float))[:, None]
    t = np.arange(size) - (size - 1) / 2
    scale = sigma * np.sqrt(2.0)
    profile = 0.5 * (special.erf((half_sides - t) / scale) + special.erf((half_sides + t) / scale))
    return (profile[:, :, None] * profile[:, None, :]).astype(np.float32)


def ellipse_images(
    radii: np.ndarray, size: int = 64, sigma: float = 1.0, aspect: float = ELLIPSE_ASPECT, supersample: int = 8
) -> np.ndarray:
    """Centred ellipses, semi-axes r and aspect*r: pixel coverage on a fine grid, then the blur."""
    radii = np.atleast_1d(np.asarray(radii, float))
    fine = (np.arange(size * supersample) + 0.5) / supersample - 0.5 - (size - 1) / 2
    y, x = np.meshgrid(fine, fine, indexing="ij")
    out = np.empty((len(radii), size, size), np.float32)
    for i, r in enumerate(radii):
        inside = (x / r) ** 2 + (y / (aspect * r)) ** 2 <= 1.0
        cover = inside.reshape(size, supersample, size, supersample).mean(axis=(1, 3))
        out[i] = ndimage.gaussian_filter(cover, sigma, mode="constant")
    return out


def shape_images(shape: str, sizes: np.ndarray, size: int = 64, sigma: float = 1.0) -> np.ndarray:
    if shape == "disk":
        return disk_images(sizes, size, sigma)
    if shape == "square":
        return square_images(sizes, size, sigma)
    if shape == "ellipse":
        return ellipse_images(sizes, size, sigma)
    raise ValueError(f"unknown shape {shape!r}")


def kept_intervals(lo: float, hi: float, holes: list[list[float]]) -> list[tuple[float, float]]:
    """(lo, hi) minus the holes, as sorted disjoint intervals."""
    intervals = [(lo, hi)]
    for h_lo, h_hi in holes:
        next_intervals = []
        for a, b in intervals:
            if h_hi <= a or h_lo >= b:
                next_intervals.append((a, b))
                continue
            if h_lo > a:
                next_intervals.append((a, h_lo))
            if h_hi < b:
                next_intervals.append((h_hi, b))
        intervals = next_intervals
    return intervals


def sample_uniform(n: int, intervals: list[tuple[float, float]], rng: np.random.Generator) -> np.ndarray:
    """n values uniform over a union of disjoint intervals (inverse CDF, no rejection)."""
    lengths = np.array([b - a for a, b in intervals])
    u = rng.uniform(0.0, lengths.sum(), size=n)
    edges = np.concatenate([[0.0], np.cumsum(lengths)])
    which = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, len(intervals) - 1)
    starts = np.array([a for a, _ in intervals])
    values = starts[which] + u - edges[which]
    return np.clip(values, starts[which], starts[which] + lengths[which])


def training_radii(config: Config) -> np.ndarray:
    rng = np.random.default_rng(config.seed)
    intervals = kept_intervals(config.r_min, config.radius_max, config.holes)
    radii = sample_uniform(config.n_train, intervals, rng)
    # the open interval (0, R): a radius of exactly 0 is an empty image
    return np.maximum(radii, 1e-3)


def in_holes(radii: np.ndarray, holes: list[list[float]]) -> np.ndarray:
    radii = np.asarray(radii, float)
    mask = np.zeros(radii.shape, bool)
    for lo, hi in holes:
        mask |= (radii >= lo) & (radii <= hi)
    return mask


def onehot(positions: np.ndarray, n: int = 64) -> np.ndarray:
    positions = np.atleast_1d(np.asarray(positions, int))
    out = np.zeros((len(positions), n), np.float32)
    out[np.arange(len(positions)), positions] = 1.0
    return out


def triangle_diracs(positions: np.ndarray, n: int = 64) -> np.ndarray:
    """The continuous Dirac of eq. 19: y_a(t) = max(0, 1 - |t - a|)."""
    positions = np.atleast_1d(np.asarray(positions, float))
    t = np.arange(n)
    return np.maximum(0.0, 1.0 - np.abs(t[None, :] - positions[:, None])).astype(np.float32)


def make_images(config: Config, sizes: np.ndarray) -> np.ndarray:
    """Images of the run's shape for the given radii (or half-sides)."""
    if config.mc_samples and config.shape == "disk":
        return disk_images_mc(sizes, config.size, config.sigma, config.mc_samples, config.seed)
    return shape_images(config.shape, sizes, config.size, config.sigma)


def position_targets(config: Config, positions: np.ndarray) -> np.ndarray:
    positions = np.asarray(positions, np.float32)
    if config.position_target == "reversed":
        return (config.size - positions).astype(np.float32)
    return positions
