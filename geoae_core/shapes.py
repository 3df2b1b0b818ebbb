"""Images of shapes with several attributes: size, centre, angle and grey level (issue 14).

Every image is the blurred indicator sampled at the pixel centres, as data.py's centred disks:
x(t) = grey * P(t + xi in S), xi ~ N(0, sigma^2 I_2), the pixel at row i and column j having its
centre at (x = j, y = i), y pointing down the rows. An isotropic Gaussian stays isotropic in any
rotated frame, so each shape is computed in its own frame:

- disks: exact, the non-central chi-square CDF of the distance to (cx, cy) (data.blurred_disk_value);
- squares, at any angle: exact, a product of two erf differences (the blur is separable in the
  square's frame);
- ellipses, at any angle: integrated exactly across y (erf) and numerically along x, by
  Gauss-Legendre quadrature in theta with x = a sin(theta) (which removes the square root at the
  tips); tests/test_attributes.py measures it against adaptive quadrature (below 1e-6).

Pure numpy and scipy, like data.py.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .config import RANGE_SETTINGS, Config
from .data import RIM_WIDTH_SIGMAS, blurred_disk_value, kept_intervals, sample_uniform

# the attributes of each shape, in the order the read-out lists them; "r" is the radius (a disk),
# the half-side (a square) or the semi-axis along x (an ellipse), drawn from r_min, r_max and holes
SHAPE_ATTRIBUTES = {
    "disk": ("r", "cx", "cy", "grey"),
    "square": ("r", "angle", "cx", "cy", "grey"),
    "ellipse": ("r", "b", "angle", "cx", "cy", "grey"),
}
# the period of each shape's angle, in degrees: a square looks the same every 90, an ellipse every 180
ANGLE_PERIODS = {"square": 90.0, "ellipse": 180.0}
DEFAULT_ASPECT = 0.6  # an ellipse's b when b_range is blank, as data.ellipse_images
ELLIPSE_NODES = 32  # Gauss-Legendre nodes per pixel along the ellipse's x axis (error 3e-9: the tests)
CHUNK_PIXELS = 2_000_000  # pixels computed at once (images x pixels): bounds the memory to tens of MB


def image_centre(size: int) -> float:
    return (size - 1) / 2


def attribute_spans(config: Config) -> dict[str, tuple[float, float]]:
    """Each attribute's [low, high] (in the units the images take: cx, cy in pixel coordinates)."""
    centre = image_centre(config.size)
    spans = {"r": (config.r_min, config.radius_max)}
    for name, setting_name in RANGE_SETTINGS.items():
        span = getattr(config, setting_name)
        if name == "b" and span is None:
            continue  # b follows r (DEFAULT_ASPECT) and is no attribute of its own
        low, high = span
        if name in ("cx", "cy"):
            low, high = low + centre, high + centre
        spans[name] = (float(low), float(high))
    return {name: spans[name] for name in SHAPE_ATTRIBUTES[config.shape] if name in spans}


def varying_attributes(config: Config) -> list[str]:
    """The attributes that take more than one value in the run's data, in SHAPE_ATTRIBUTES' order."""
    return [name for name, (low, high) in attribute_spans(config).items() if high > low]


def attribute_holes(config: Config, name: str) -> list[list[float]]:
    """The holes of one attribute, in the units of attribute_spans."""
    if name == "r":
        return [list(h) for h in config.holes]
    shift = image_centre(config.size) if name in ("cx", "cy") else 0.0
    return [[float(h[1]) + shift, float(h[2]) + shift] for h in config.attribute_holes if h[0] == name]


def sample_attributes(config: Config, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n draws of every attribute of the run's shape, each uniform over its range minus its holes,
    independently; fixed attributes are constant arrays. A radius of exactly 0 becomes 1e-3."""
    values = {}
    for name, (low, high) in attribute_spans(config).items():
        if high > low:
            values[name] = sample_uniform(n, kept_intervals(low, high, attribute_holes(config, name)), rng)
        else:
            values[name] = np.full(n, low)
    values["r"] = np.maximum(values["r"], 1e-3)
    return values


def attribute_images(config: Config, values: dict[str, np.ndarray]) -> np.ndarray:
    """Images (N, m, m) of the run's shape for the given attribute values (missing ones at their
    range's low end: see attribute_spans); exact where data.py's are, Monte Carlo for disks when
    config.mc_samples > 0."""
    spans = attribute_spans(config)
    n = len(values["r"])
    full = {name: np.broadcast_to(np.asarray(values.get(name, spans[name][0]), float), (n,)) for name in spans}
    if config.shape == "ellipse" and "b" not in full:
        full["b"] = DEFAULT_ASPECT * full["r"]
    size, sigma = config.size, config.sigma
    if config.shape == "disk" and config.mc_samples:
        images = disk_images_at_mc(full["r"], full["cx"], full["cy"], size, sigma, config.mc_samples, config.seed)
    elif config.shape == "disk":
        images = disk_images_at(full["r"], full["cx"], full["cy"], size, sigma)
    elif config.shape == "square":
        images = square_images_at(full["r"], full["angle"], full["cx"], full["cy"], size, sigma)
    else:
        images = ellipse_images_at(full["r"], full["b"], full["angle"], full["cx"], full["cy"], size, sigma)
    return (images * full["grey"][:, None, None]).astype(np.float32)


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """x (column) and y (row) of every pixel centre, flattened."""
    y, x = np.meshgrid(np.arange(size, dtype=float), np.arange(size, dtype=float), indexing="ij")
    return x.ravel(), y.ravel()


def _chunks(n: int, size: int) -> list[slice]:
    step = max(1, CHUNK_PIXELS // (size * size))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _as_columns(*arrays: np.ndarray) -> list[np.ndarray]:
    arrays = np.broadcast_arrays(*[np.atleast_1d(np.asarray(a, float)) for a in arrays])
    return [a[:, None] for a in arrays]


def disk_images_at(radii: np.ndarray, cx: np.ndarray, cy: np.ndarray, size: int = 64, sigma: float = 1.0) -> np.ndarray:
    """Exact blurred disks of radius r centred at (cx, cy), shape (N, m, m), float64: the
    non-central chi-square CDF of the distance to the centre, computed within a few sigma of the rim."""
    r, cx, cy = _as_columns(radii, cx, cy)
    x, y = _grid(size)
    out = np.empty((len(r), size * size))
    for part in _chunks(len(r), size):
        rho = np.hypot(x[None, :] - cx[part], y[None, :] - cy[part])
        out[part] = blurred_disk_value(rho, np.broadcast_to(r[part], rho.shape), sigma)
    return out.reshape(len(r), size, size)


def disk_images_at_mc(
    radii: np.ndarray, cx: np.ndarray, cy: np.ndarray, size: int, sigma: float, n_samples: int, seed: int
) -> np.ndarray:
    """The paper's Monte Carlo estimator (eq. 21) for disks centred at (cx, cy)."""
    rng = np.random.default_rng(seed)
    r, cx, cy = _as_columns(radii, cx, cy)
    x, y = _grid(size)
    out = np.empty((len(r), size * size), np.float32)
    for i in range(len(r)):
        xi = rng.normal(0.0, sigma, size=(2, x.size, n_samples))
        inside = np.hypot(x[:, None] + xi[0] - cx[i], y[:, None] + xi[1] - cy[i]) <= r[i]
        out[i] = inside.mean(axis=1)
    return out.reshape(len(r), size, size)


def _frame(x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray, angle: np.ndarray):
    """Pixel coordinates in the shape's own frame: centred, rotated by -angle (degrees, anticlockwise
    on screen, so with y pointing down a positive angle turns x towards -y)."""
    theta = np.deg2rad(angle)
    dx, dy = x[None, :] - cx, -(y[None, :] - cy)
    return dx * np.cos(theta) + dy * np.sin(theta), -dx * np.sin(theta) + dy * np.cos(theta)


def _interval_probability(half: np.ndarray, u: np.ndarray, sigma: float) -> np.ndarray:
    """P(|u + xi| <= half), xi ~ N(0, sigma^2): the blurred indicator of [-half, half] in 1-D."""
    scale = sigma * math.sqrt(2.0)
    return 0.5 * (special.erf((half - u) / scale) + special.erf((half + u) / scale))


def square_images_at(
    half_sides: np.ndarray,
    angles: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    size: int = 64,
    sigma: float = 1.0,
) -> np.ndarray:
    """Exact blurred squares of half-side s turned by `angles` degrees, centred at (cx, cy)."""
    s, angle, cx, cy = _as_columns(half_sides, angles, cx, cy)
    x, y = _grid(size)
    out = np.empty((len(s), size * size))
    for part in _chunks(len(s), size):
        u, v = _frame(x, y, cx[part], cy[part], angle[part])
        out[part] = _interval_probability(s[part], u, sigma) * _interval_probability(s[part], v, sigma)
    return out.reshape(len(s), size, size)


def ellipse_images_at(
    a: np.ndarray,
    b: np.ndarray,
    angles: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    size: int = 64,
    sigma: float = 1.0,
    nodes: int = ELLIPSE_NODES,
) -> np.ndarray:
    """Blurred ellipses with semi-axes a (along the ellipse's x) and b, turned by `angles` degrees.

    P(t + xi in E) = int phi(x - u) P(|v + eta| <= b sqrt(1 - x^2/a^2)) dx: the inner probability is
    exact (erf); the outer integral runs over x in [u - 6 sigma, u + 6 sigma] within [-a, a] by
    Gauss-Legendre in theta, x = a sin(theta). Pixels farther than 6 sigma from the rim are 0 or 1
    (see ellipse_rim_band) and skip the quadrature.
    """
    a, b, angle, cx, cy = _as_columns(a, b, angles, cx, cy)
    x, y = _grid(size)
    t, w = np.polynomial.legendre.leggauss(nodes)
    out = np.empty((len(a), size * size))
    for i in range(len(a)):
        u, v = (c[0] for c in _frame(x, y, cx[i], cy[i], angle[i]))
        inside, near = ellipse_rim_band(u, v, a[i, 0], b[i, 0], sigma)
        out[i] = inside
        out[i, near] = _ellipse_quadrature(u[near], v[near], a[i, 0], b[i, 0], sigma, t, w)
    return out.reshape(len(a), size, size)


def ellipse_rim_band(u: np.ndarray, v: np.ndarray, a: float, b: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """(inside, near): which points lie in the ellipse, and which lie within RIM_WIDTH_SIGMAS sigma of
    its rim. A point on the ellipse scaled by q is at least |q - 1| min(a, b) from the rim (the
    support function of the ellipse is at least min(a, b)), so the others are 0 or 1 to 1e-8."""
    q = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    return (q <= 1).astype(float), np.abs(q - 1) * min(a, b) < RIM_WIDTH_SIGMAS * sigma


def _ellipse_quadrature(
    u: np.ndarray, v: np.ndarray, a: float, b: float, sigma: float, t: np.ndarray, w: np.ndarray
) -> np.ndarray:
    reach = RIM_WIDTH_SIGMAS * sigma
    low = np.arcsin(np.clip((u - reach) / a, -1.0, 1.0))[:, None]
    high = np.arcsin(np.clip((u + reach) / a, -1.0, 1.0))[:, None]
    theta = 0.5 * (high - low) * t[None, :] + 0.5 * (high + low)
    x = a * np.sin(theta)
    density = np.exp(-0.5 * ((x - u[:, None]) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    across = _interval_probability(b * np.cos(theta), v[:, None], sigma)
    return (density * across * a * np.cos(theta)) @ w * 0.5 * (high - low)[:, 0]
