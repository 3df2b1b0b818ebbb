import numpy as np
import pytest
from scipy import stats

from geoae_core.config import Config
from geoae_core.data import (
    DIRECT_PAIRS,
    RIM_WIDTH_SIGMAS,
    blurred_disk_value,
    centre_distances,
    disk_images,
    disk_images_mc,
    ellipse_images,
    in_holes,
    onehot,
    square_images,
    training_radii,
    triangle_diracs,
)
from geoae_core.kinds import training_set


def per_pixel_reference(r: float, size: int, sigma: float) -> np.ndarray:
    """The exact formula of SPEC section 1, evaluated independently for every pixel."""
    c = (size - 1) / 2
    t = np.arange(size) - c
    d2 = t[:, None] ** 2 + t[None, :] ** 2
    return stats.ncx2.cdf(r**2 / sigma**2, 2, d2 / sigma**2)


@pytest.mark.parametrize("r", [0.01, 0.3, 1.0, 7.25, 15.5, 24.9, 31.0, 31.99])
@pytest.mark.parametrize("sigma", [1.0, 0.6])
def test_disk_images_match_exact_formula(r, sigma):
    image = disk_images([r], 64, sigma)[0]
    assert image.shape == (64, 64) and image.dtype == np.float32
    assert np.abs(image - per_pixel_reference(r, 64, sigma)).max() < 1e-5


def test_many_radii_through_the_interpolated_table_stay_exact():
    """Above DIRECT_PAIRS rim pairs the values come from a table and Hermite interpolation."""
    radii = np.concatenate([[0.0, 1e-3, 0.05, 31.99, 32.0], np.random.default_rng(3).uniform(0, 32, 1200)])
    images = disk_images(radii, 64, 1.0)
    d = np.unique(centre_distances(64).round(9))
    rho, r = np.broadcast_arrays(d[None, :], radii[:, None])
    assert (np.abs(rho - r) < RIM_WIDTH_SIGMAS).sum() > DIRECT_PAIRS  # the fast path ran
    exact = blurred_disk_value(rho, r, 1.0)  # every pair evaluated directly
    _, inverse = np.unique(centre_distances(64).round(9), return_inverse=True)
    assert np.abs(images - exact[:, inverse.reshape(64, 64)]).max() < 1e-5
    for i in (0, 3, 7, 500):  # and a few against the per-pixel formula itself
        assert np.abs(images[i] - per_pixel_reference(radii[i], 64, 1.0)).max() < 1e-5
    with pytest.raises(ValueError):
        disk_images([-1.0])


def test_disk_images_sizes_and_symmetry():
    for size in (16, 32, 128):
        image = disk_images([size / 4], size)[0]
        assert image.shape == (size, size)
        np.testing.assert_allclose(image, image.T, atol=0)
        np.testing.assert_allclose(image, image[::-1, ::-1], atol=0)
        assert abs(image.sum() - np.pi * (size / 4) ** 2) < 0.5  # the blur keeps the area


def test_monte_carlo_estimator_converges_to_exact():
    exact = disk_images([10.0], 32)[0]
    mc = disk_images_mc([10.0], 32, n_samples=4000, seed=1)[0]
    # binomial standard deviation is at most 0.5/sqrt(N) = 0.0079
    assert np.abs(mc - exact).max() < 0.05
    assert np.abs(mc - exact).mean() < 0.005


def test_squares_and_ellipses_keep_area_and_blur():
    square = square_images([8.0], 64)[0]
    assert abs(square.sum() - 16.0**2) < 0.5
    # pixels 39 and 40 lie half a pixel inside and outside the rim at 31.5 + 8
    assert abs(square[31, 39] - stats.norm.cdf(0.5)) < 1e-4
    assert abs(square[31, 40] - stats.norm.cdf(-0.5)) < 1e-4
    ellipse = ellipse_images([10.0], 64)[0]
    assert abs(ellipse.sum() - np.pi * 10.0 * 6.0) < 2.0
    assert ellipse[31, :].sum() > ellipse[:, 31].sum()  # wider than tall


def test_training_radii_respect_range_holes_and_seed():
    config = Config(r_max=18.0, n_train=2000)
    radii = training_radii(config)
    assert radii.min() > 0 and radii.max() <= 18.0 and len(radii) == 2000
    hole = Config(holes=[[11.0, 18.0]], n_train=2000)
    radii = training_radii(hole)
    assert not in_holes(radii, hole.holes).any()
    assert (radii > 18).any() and (radii < 11).any()
    np.testing.assert_array_equal(radii, training_radii(hole))
    assert not np.array_equal(radii, training_radii(hole.replace(seed=1)))
    # uniform over what is kept: (0, 11) holds 11/25 of the mass
    assert abs((radii < 11).mean() - 11 / 25) < 0.05


def test_diracs():
    np.testing.assert_array_equal(onehot([0, 3], 4), [[1, 0, 0, 0], [0, 0, 0, 1]])
    tri = triangle_diracs([2.25], 8)[0]
    np.testing.assert_allclose(tri, [0, 0, 0.75, 0.25, 0, 0, 0, 0], atol=1e-7)
    assert np.allclose(triangle_diracs(np.linspace(0, 7, 29), 8).sum(1), 1.0)


def test_training_sets_for_each_kind():
    x, y, p = training_set(Config(kind="position-encoder"))
    assert x.shape == (64, 64) and y.shape == (64, 1) and (y[:, 0] == np.arange(64)).all()
    x, y, p = training_set(Config(kind="position-decoder", n_train=100))
    assert x.shape == (100, 1) and y.shape == (100, 64)
    np.testing.assert_allclose(np.argmax(y, 1), np.round(p), atol=1)
    x, y, p = training_set(Config(kind="position-decoder", dirac="onehot", n_train=100))
    assert set(np.unique(y)) == {0.0, 1.0}
