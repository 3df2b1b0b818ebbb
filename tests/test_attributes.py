"""Shapes with several attributes (issue 14): the images, how exact they are, and their settings."""

import json

import numpy as np
import pytest
from scipy import integrate, stats

from geoae_core.config import ADDED_LATER, Config, ConfigError
from geoae_core.data import disk_images, square_images
from geoae_core.kinds import kind_of
from geoae_core.presets import preset
from geoae_core.shapes import (
    attribute_images,
    disk_images_at,
    ellipse_images_at,
    ellipse_rim_band,
    sample_attributes,
    square_images_at,
    varying_attributes,
)
from geoae_core.store import read_config

SIZE = 32
CENTRE = (SIZE - 1) / 2


def attributes_config(**changes) -> Config:
    base = {"kind": "attributes", "size": SIZE, "r_min": 2.0, "r_max": 8.0, "cx_range": [-6, 6], "cy_range": [-6, 6]}
    return Config.from_dict({**base, **changes})


# ------------------------------------------------------------------------------------------ disks
def test_a_disk_at_the_image_centre_is_the_centred_disk_of_data():
    radii = np.array([0.7, 3.0, 7.25, 12.5])
    centred = disk_images(radii, SIZE, 1.0)
    placed = disk_images_at(radii, CENTRE, CENTRE, SIZE, 1.0)
    assert np.abs(placed - centred).max() < 1e-6


def test_moving_the_centre_one_pixel_moves_the_image_one_column_or_row():
    image = disk_images_at([5.3], 14.2, 15.7, SIZE, 1.0)[0]
    right = disk_images_at([5.3], 15.2, 15.7, SIZE, 1.0)[0]
    down = disk_images_at([5.3], 14.2, 16.7, SIZE, 1.0)[0]
    np.testing.assert_allclose(right[:, 1:], image[:, :-1], atol=1e-12)
    np.testing.assert_allclose(down[1:, :], image[:-1, :], atol=1e-12)
    assert np.abs(right - image).max() > 0.1  # it did move


def test_a_disk_pixel_is_the_probability_of_the_blurred_point_falling_inside():
    r, cx, cy, sigma = 6.0, 13.3, 17.8, 1.5
    image = disk_images_at([r], cx, cy, SIZE, sigma)[0]
    row, col = 17, 20  # near the rim: distance 6.7
    rho2 = (col - cx) ** 2 + (row - cy) ** 2
    assert image[row, col] == pytest.approx(stats.ncx2.cdf(r**2 / sigma**2, 2, rho2 / sigma**2), abs=1e-12)
    assert 0.05 < image[row, col] < 0.95


def test_grey_level_scales_the_image():
    config = attributes_config(grey_range=[0.2, 1.0])
    values = {"r": np.array([5.0, 5.0]), "cx": np.array([CENTRE] * 2), "cy": np.array([CENTRE] * 2)}
    images = attribute_images(config, {**values, "grey": np.array([1.0, 0.3])})
    np.testing.assert_allclose(images[1], 0.3 * images[0], rtol=1e-6)


def test_monte_carlo_disks_estimate_the_exact_ones():
    config = attributes_config(mc_samples=400)
    values = {"r": np.array([5.0]), "cx": np.array([13.0]), "cy": np.array([18.5])}
    mc = attribute_images(config, values)[0]
    exact = disk_images_at([5.0], 13.0, 18.5, SIZE, 1.0)[0]
    assert np.abs(mc - exact).max() < 0.12  # 400 samples: standard error at most 0.025
    assert np.abs(mc - exact).mean() < 0.01


# ---------------------------------------------------------------------------------------- squares
def test_an_unturned_centred_square_is_data_s_square():
    half_sides = np.array([2.0, 5.5, 9.0])
    np.testing.assert_allclose(
        square_images_at(half_sides, 0.0, CENTRE, CENTRE, SIZE), square_images(half_sides, SIZE), atol=1e-6
    )


def test_a_square_looks_the_same_every_90_degrees():
    turned = square_images_at([6.0, 6.0, 6.0], [20.0, 110.0, -70.0], 14.0, 17.0, SIZE)
    np.testing.assert_allclose(turned[1], turned[0], atol=1e-12)
    np.testing.assert_allclose(turned[2], turned[0], atol=1e-12)


def test_a_turned_square_pixel_is_exact():
    # P(t + xi in the square), integrated numerically across the square's x (exactly across its y)
    s, degrees, cx, cy, sigma = 6.0, 30.0, 15.0, 16.0, 1.0
    image = square_images_at([s], degrees, cx, cy, SIZE, sigma)[0]
    theta = np.deg2rad(degrees)
    density = stats.norm(scale=sigma)
    for row, col in [(16, 21), (10, 18), (22, 12)]:
        dx, dy = col - cx, -(row - cy)
        u, v = dx * np.cos(theta) + dy * np.sin(theta), -dx * np.sin(theta) + dy * np.cos(theta)
        across = density.cdf(s - v) - density.cdf(-s - v)
        reference, _ = integrate.quad(lambda x, u=u: density.pdf(x - u), -s, s, epsabs=1e-12)
        assert image[row, col] == pytest.approx(reference * across, abs=1e-9)
        assert 0.01 < image[row, col] < 0.99


# --------------------------------------------------------------------------------------- ellipses
def test_an_ellipse_with_equal_semi_axes_is_the_exact_disk():
    """The quadrature against the closed form: measured error 3e-9 at worst (the 6-sigma truncation)."""
    radii = np.array([1.5, 4.0, 9.0, 14.0])
    ellipses = ellipse_images_at(radii, radii, 0.0, 13.4, 16.2, SIZE)
    disks = disk_images_at(radii, 13.4, 16.2, SIZE)
    assert np.abs(ellipses - disks).max() < 1e-8


def test_a_turned_ellipse_matches_adaptive_quadrature():
    a, b, degrees, cx, cy, sigma = 11.0, 3.5, 35.0, 15.5, 15.0, 1.0
    image = ellipse_images_at([a], [b], degrees, cx, cy, SIZE, sigma)[0]
    theta = np.deg2rad(degrees)
    density = stats.norm(scale=sigma)
    worst = 0.0
    for row, col in [(15, 15), (8, 24), (12, 20), (17, 12), (19, 21), (5, 26)]:
        dx, dy = col - cx, -(row - cy)
        u, v = dx * np.cos(theta) + dy * np.sin(theta), -dx * np.sin(theta) + dy * np.cos(theta)

        def across(x, u=u, v=v):
            half = b * np.sqrt(max(0.0, 1 - (x / a) ** 2))
            return density.pdf(x - u) * (density.cdf(half - v) - density.cdf(-half - v))

        reference, _ = integrate.quad(across, -a, a, epsabs=1e-12, limit=200)
        worst = max(worst, abs(image[row, col] - reference))
    assert worst < 1e-6


def test_pixels_outside_the_rim_band_are_exact_zeros_and_ones():
    u, v = np.meshgrid(np.linspace(-20, 20, 81), np.linspace(-20, 20, 81))
    u, v = u.ravel(), v.ravel()
    inside, near = ellipse_rim_band(u, v, 12.0, 4.0, 1.0)
    from geoae_core.shapes import _ellipse_quadrature

    t, w = np.polynomial.legendre.leggauss(96)
    far = ~near
    assert far.sum() > 1000
    assert np.abs(_ellipse_quadrature(u[far], v[far], 12.0, 4.0, 1.0, t, w) - inside[far]).max() < 1e-8


def test_axis_aligned_ellipses_are_symmetric_and_grow_with_their_axes():
    image = ellipse_images_at([9.0], [4.0], 0.0, CENTRE, CENTRE, SIZE)[0]
    np.testing.assert_allclose(image, image[::-1, :], atol=1e-12)
    np.testing.assert_allclose(image, image[:, ::-1], atol=1e-12)
    assert image.sum() == pytest.approx(np.pi * 9.0 * 4.0, rel=1e-3)  # the blur keeps the area


# ------------------------------------------------------------------------------- sampling, the kind
def test_training_attributes_respect_ranges_and_holes():
    config = attributes_config(attribute_holes=[["cx", -2, 3]], holes=[[4, 5]])
    values = sample_attributes(config, 4000, np.random.default_rng(0))
    offset = values["cx"] - CENTRE
    assert offset.min() >= -6 and offset.max() <= 6
    assert not np.any((offset > -2) & (offset < 3))
    assert not np.any((values["r"] > 4) & (values["r"] < 5))
    assert np.all(values["grey"] == 1.0)
    assert varying_attributes(config) == ["r", "cx", "cy"]


def test_the_kind_makes_images_with_their_attributes():
    config = attributes_config(n_train=20, shape="square", angle_range=[0, 90], r_max=5.0)
    images, targets, attributes = kind_of(config).training_set(config)
    assert images.shape == (20, SIZE, SIZE) and targets is images and images.dtype == np.float32
    assert attributes.shape == (20, 4)  # r, angle, cx, cy
    assert kind_of(config).attribute_names(config) == ["r", "angle", "cx", "cy"]


# ----------------------------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cx_range": [3, -3]}, "^cx_range: .* low above high"),
        ({"cx_range": [1]}, "^cx_range: .* is not a range"),
        ({"cx_range": ["a", 2]}, "^cx_range: .* is not a range"),
        ({"grey_range": [0, 1]}, "^grey_range: .* above 0"),
        ({"b_range": [2, 5]}, "^b_range: only an ellipse"),
        ({"angle_range": [0, 45]}, "^angle_range: a disk has no angle"),
        ({"cx_range": [-12, 12]}, "^cx_range: .* beyond the image's edge"),
        ({"shape": "square", "angle_range": [0, 90], "r_max": 8.0}, "^cx_range: .* beyond the image's edge"),
        ({"attribute_holes": [["cx", 3, 1]]}, "^attribute_holes: .* not \\[attribute, low, high\\]"),
        ({"attribute_holes": [["r", 3, 4]]}, "^attribute_holes: .*holes in r: the holes setting"),
        ({"attribute_holes": [["cy", 7, 9]]}, "^attribute_holes: .* outside the cy range"),
        ({"attribute_holes": [["cy", -7, 0], ["cy", 0, 7]]}, "^attribute_holes: the holes in cy cover"),
        ({"attribute_holes": {"cx": [1, 2]}}, "^attribute_holes: .* must be a list"),
        ({"lr_final": -1.0}, "^lr_final: "),
    ],
)
def test_bad_attribute_settings_are_refused_in_one_line(changes, message):
    with pytest.raises(ConfigError, match=message) as caught:
        attributes_config(**changes)
    assert "\n" not in str(caught.value)


def test_valid_attribute_settings_pass():
    config = attributes_config(shape="ellipse", b_range=[2, 6], angle_range=[0, 180], r_max=6.0, grey_range=[0.5, 1])
    assert varying_attributes(config) == ["r", "b", "angle", "cx", "cy", "grey"]
    assert attributes_config(attribute_holes=[["cx", -1, 1.5]]).attribute_holes == [["cx", -1, 1.5]]


def test_ranges_of_a_kind_they_do_not_apply_to_are_not_enforced_against_its_shape():
    assert Config.from_dict({"kind": "disk", "angle_range": [0, 45]}).kind == "disk"


def test_an_old_run_folder_without_the_new_settings_still_loads(tmp_path):
    old = Config().to_dict()
    for name in ADDED_LATER:
        del old[name]
    (tmp_path / "config.json").write_text(json.dumps(old))
    assert read_config(tmp_path) == Config()


def test_geoae_presets_lists_the_presets_beyond_the_paper(capsys):
    from geoae_core.cli import main

    assert main(["presets"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert {"disks-xy", "ellipses-axes", "squares-rotated"} <= set(listed)


def test_the_presets_validate_and_vary_what_they_say():
    assert varying_attributes(preset("disks-xy")) == ["r", "cx", "cy"]
    assert preset("disks-xy").code_size == 3
    assert varying_attributes(preset("ellipses-axes")) == ["r", "b"]
    assert preset("ellipses-axes").code_size == 2
    assert varying_attributes(preset("squares-rotated")) == ["r", "angle"]
    assert preset("squares-rotated").code_size == 3
