"""Exact disk data: geoae's disk_images against the per-pixel scipy evaluation (the plain baseline).

Prints the time of each, their ratio, and the largest difference (must stay under 1e-5).
Usage: python bench/bench_data.py [--n 3000] [--size 64]
"""

import argparse
import time

import numpy as np
from scipy import stats

from geoae_core.data import disk_images


def per_pixel(radii: np.ndarray, size: int, sigma: float) -> np.ndarray:
    t = np.arange(size) - (size - 1) / 2
    d2 = (t[:, None] ** 2 + t[None, :] ** 2).ravel()
    out = np.empty((len(radii), size * size))
    for i, r in enumerate(radii):
        out[i] = stats.ncx2.cdf(r**2 / sigma**2, 2, d2 / sigma**2)
    return out.reshape(len(radii), size, size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()
    radii = np.random.default_rng(0).uniform(0, args.size / 2, args.n)
    tick = time.perf_counter()
    ours = disk_images(radii, args.size)
    fast = time.perf_counter() - tick
    tick = time.perf_counter()
    plain = per_pixel(radii, args.size, 1.0)
    slow = time.perf_counter() - tick
    print(f"disks: {args.n} x {args.size}x{args.size}")
    print(f"per-pixel scipy: {slow:.3f} s")
    print(f"geoae:           {fast:.3f} s")
    print(f"speed-up:        {slow / fast:.1f}x")
    print(f"max |diff|:      {np.abs(ours - plain).max():.2e}")


if __name__ == "__main__":
    main()
