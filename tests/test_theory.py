"""Theory (SPEC section 4): optimal profile three ways, Propositions 1 and 3, Table 2."""

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from geoae_core import theory
from geoae_core.config import Config
from geoae_core.kinds import init_model
from geoae_core.runs import Run

# Table 2 of the paper, copied literally: one-hot input position -> u(1), u(2), u(3)
PAPER_TABLE_2 = {
    0: [[2, 0, 0, 0], [4, 0], [8]],
    1: [[1, 1, 0, 0], [3, 1], [7]],
    2: [[0, 2, 0, 0], [2, 2], [6]],
    3: [[0, 1, 1, 0], [1, 3], [5]],
    4: [[0, 0, 2, 0], [0, 4], [4]],
    5: [[0, 0, 1, 1], [0, 3], [3]],
    6: [[0, 0, 0, 2], [0, 2], [2]],
    7: [[0, 0, 0, 1], [0, 1], [1]],
}


@pytest.fixture
def one_thread():
    """On a shared machine torch's thread pool is many times slower than one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("R", [8.0, 18.0, 32.0])
def test_airy_k_puts_the_first_zero_at_R(R):
    t = np.linspace(0, R, 2001)
    f = theory.airy_profile(t, R, truncate=False)
    assert f[0] == pytest.approx(1.0, abs=1e-12)
    assert abs(f[-1]) < 1e-10
    assert np.all(f[:-1] > 0)
    assert theory.airy_profile(np.array([1.05 * R]), R, truncate=False)[0] < 0
    assert theory.airy_profile(np.array([1.05 * R]), R)[0] == 0.0  # truncated beyond R


@pytest.mark.parametrize("R", [18.0, 32.0])
def test_airy_profile_solves_the_euler_lagrange_equation(R):
    """f'' = -k t f, f(0) = 1, f'(0) = 0, integrated independently of the closed form."""
    k = theory.airy_k(R)
    t = np.linspace(0, R, 200)
    solution = solve_ivp(lambda s, y: [y[1], -k * s * y[0]], (0, R), [1.0, 0.0], t_eval=t, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(theory.airy_profile(t, R), solution.y[0], atol=1e-8)
    h = 1e-4
    slope_at_0 = (theory.airy_profile(np.array([h]), R) - theory.airy_profile(np.array([0.0]), R))[0] / h
    assert abs(slope_at_0) < 1e-6


@pytest.mark.parametrize("R", [18.0, 32.0])
def test_numerical_maximiser_of_J_is_the_airy_profile(R):
    t, f = theory.numerical_profile(R)
    assert t[0] == 0.0 and f[0] == 1.0
    airy = theory.airy_profile(t, R)
    assert theory.profile_correlation(f, airy) > 0.99999
    assert theory.relative_l2_gap(f, airy) < 1e-3


def test_numerical_profile_maximises_the_discretised_energy():
    """Perturbing the maximiser (at fixed norm) can only lower J."""
    R, n = 10.0, 200
    t, f = theory.numerical_profile(R, n)
    rho, f = t[1:], f[1:]
    h = R / n

    def normalised_energy(g):
        inner = np.cumsum(h * rho * g) - 0.5 * h * rho * g
        return h * (inner**2).sum() / (h * rho * g**2).sum()

    best = normalised_energy(f)
    rng = np.random.default_rng(0)
    for _ in range(20):
        assert normalised_energy(f + 0.05 * rng.normal(size=n)) < best


@pytest.mark.parametrize("R", [32.0, 18.0])
def test_three_optimal_profiles_agree(R):
    """Closed form, direct maximisation and leading singular vector of the training images."""
    profiles = theory.optimal_profiles(R)
    t = profiles["t"]
    assert t[0] == 0.0 and t[-1] == 32.0
    for name in ("airy", "numerical", "singular"):
        assert profiles[name][0] == pytest.approx(1.0, abs=0.01)
    assert profiles["correlation/airy/singular"] > 0.999
    assert profiles["correlation/airy/numerical"] > 0.999
    assert profiles["correlation/numerical/singular"] > 0.999
    assert profiles["k"] == theory.airy_k(R)
    # restricted set: the singular vector vanishes where no training disk reaches
    assert np.abs(profiles["singular"][t > R + 4]).max(initial=0.0) < 1e-3


def test_optimal_profiles_returns_fresh_arrays_from_its_cache():
    first = theory.optimal_profiles(8.0, size=16, n_images=200)
    first["airy"][:] = 0
    assert theory.optimal_profiles(8.0, size=16, n_images=200)["airy"][0] == 1.0


def test_singular_vector_profile_recovers_a_rank1_family():
    t = np.arange(16) - 7.5
    distance = np.hypot(t[:, None], t[None, :])
    f = np.cos(distance / 6)
    images = np.array([h * f for h in (0.5, 1.0, 2.0, 3.0)])
    dist, profile = theory.singular_vector_profile(-images)  # the sign is fixed by the centre
    np.testing.assert_allclose(profile, np.cos(dist / 6) / np.cos(dist[0] / 6), atol=1e-9)


def test_radial_profile_averages_per_distance():
    t = np.arange(6) - 2.5
    image = np.add.outer(t**2, t**2)
    dist, values = theory.radial_profile(image)
    assert dist[0] == pytest.approx(np.sqrt(0.5))
    np.testing.assert_allclose(values, dist**2, atol=1e-9)


def test_proposition_3_is_exact_for_every_depth():
    for L in range(1, 9):
        n = 2**L
        table = theory.handcrafted_table(n)
        last = [row["layers"][-1] for row in table]
        assert last == [[n - a] for a in range(n)]
        assert all(type(v) is int for row in table for layer in row["layers"] for v in layer)
        assert [len(layer) for layer in table[0]["layers"]] == [n >> i for i in range(1, L + 1)]
        np.testing.assert_array_equal(theory.handcrafted_outputs(n), n - np.arange(n))


def test_handcrafted_table_equals_the_papers_table_2():
    table = theory.handcrafted_table(8, (1, 2, 1))
    assert {row["position"]: row["layers"] for row in table} == PAPER_TABLE_2


def test_scaled_filter_still_extracts_the_position():
    """Any b [1, 2, 1] works (Section 5.2): the output is b^L (2^L - a)."""
    table = theory.handcrafted_table(16, (-3, -6, -3))
    assert [row["layers"][-1][0] for row in table] == [81 * (16 - a) for a in range(16)]
    assert theory.handcrafted_table(4, (0.5, 1, 0.5))[1]["layers"] == [[0.5, 0.5], [0.75]]
    with pytest.raises(ValueError):
        theory.handcrafted_table(6)


def test_decoder_without_bias_is_positively_homogeneous(one_thread):
    config = Config(bias=False)
    run = Run(config=config, model=init_model(config))
    assert theory.homogeneity_error(run) < 1e-5
    assert theory.homogeneity_error(run, relative=False) < 1e-5 * np.abs(run.decode(np.array([[300.0]]))).max()


def test_decoder_with_biases_is_not_homogeneous(one_thread):
    config = Config(bias=True)
    model = init_model(config)
    assert all(layer.bias.abs().max() > 0 for layer in model.decoder.layers)
    assert theory.homogeneity_error(Run(config=config, model=model)) > 1e-2
    with pytest.raises(ValueError):
        theory.homogeneity_error(Run(config=config, model=model), lambdas=(-1.0,))
