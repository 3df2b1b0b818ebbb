"""Random settings, valid or not, at the validator and at a one-epoch training: each either runs
or is refused with a ConfigError naming a setting; nothing else may escape."""

import math

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from geoae_core import train
from geoae_core.config import FIELD_TYPES, KINDS, Config, ConfigError

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(-5, 40),
    st.sampled_from([0, 0.5, 1, 2, 18, 32]),
)
anything = st.one_of(numbers, st.text(max_size=5), st.booleans(), st.none(), st.lists(st.integers(-2, 9), max_size=7))
hole = st.lists(st.one_of(numbers, st.text(max_size=2)), min_size=0, max_size=3)

fields = {
    "kind": st.one_of(st.sampled_from(KINDS), st.text(max_size=4)),
    "size": st.one_of(st.sampled_from([2, 4, 8, 16, 32]), st.integers(-4, 40), st.text(max_size=2)),
    "shape": st.one_of(st.sampled_from(["disk", "square", "ellipse"]), anything),
    "sigma": numbers,
    "n_train": st.one_of(st.integers(-2, 60), anything),
    "r_min": numbers,
    "r_max": st.one_of(st.none(), numbers),
    "holes": st.one_of(st.lists(hole, max_size=2), anything),
    "mc_samples": st.one_of(st.integers(-1, 20), anything),
    "encoder_depths": st.one_of(st.none(), st.lists(st.integers(-1, 4), max_size=6), anything),
    "decoder_depths": st.one_of(st.none(), st.lists(st.integers(-1, 4), max_size=6)),
    "code_size": st.one_of(st.integers(-1, 3), anything),
    "bias": st.one_of(st.booleans(), anything),
    "alpha": numbers,
    "batch_size": st.one_of(st.integers(-1, 64), anything),
    "lr": numbers,
    "regulariser": st.one_of(st.sampled_from(["none", "psi1", "psi2", "psi3"]), anything),
    "lam": numbers,
    "seed": st.one_of(st.integers(-1, 10), anything),
    "device": st.one_of(st.sampled_from(["auto", "cpu", "cuda"]), anything),
    "dirac": st.one_of(st.sampled_from(["triangle", "onehot"]), anything),
    "position_target": st.sampled_from(["position", "reversed", "middle"]),
    "beta1": numbers,
}


# mostly plausible values, edges included, so that most examples reach a training
plausible = {
    "kind": st.sampled_from(KINDS),
    "size": st.sampled_from([2, 4, 8, 16, 32, 12]),
    "shape": st.sampled_from(["disk", "square", "ellipse"]),
    "sigma": st.sampled_from([0.3, 1.0, 2.5, 0.0]),
    "n_train": st.integers(1, 60),
    "r_min": st.sampled_from([0.0, 1.0, 3.0, 7.9]),
    "r_max": st.sampled_from([None, 2.0, 6.0, 8.0, 9.0]),
    "holes": st.lists(st.tuples(st.floats(0, 9), st.floats(0, 9)).map(list), max_size=2),
    "mc_samples": st.sampled_from([0, 0, 5]),
    "code_size": st.sampled_from([1, 1, 2]),
    "bias": st.booleans(),
    "alpha": st.sampled_from([0.0, 0.2, 1.0]),
    "batch_size": st.integers(1, 80),
    "lr": st.sampled_from([1e-4, 1e-3, 0.1, 1e6]),
    "regulariser": st.sampled_from(["none", "psi1", "psi2", "psi3"]),
    "lam": st.sampled_from([0.0, 0.1, 10.0, 1e4]),
    "seed": st.integers(0, 5),
    "device": st.sampled_from(["auto", "cpu", "cuda"]),
    "dirac": st.sampled_from(["triangle", "onehot"]),
    "position_target": st.sampled_from(["position", "reversed"]),
}


@st.composite
def partial_settings(draw, pool):
    chosen = draw(st.sets(st.sampled_from(sorted(pool)), max_size=8))
    data = {name: draw(pool[name]) for name in chosen}
    if pool is fields and draw(st.booleans()):
        data["unknown_setting"] = 1
    return data


def check(data):
    data = {"size": 16, "n_train": 40, **data, "epochs": 1}
    try:
        config = Config.from_dict(data)
    except ConfigError as exc:
        setting = str(exc).split(":", 1)[0]
        assert setting in FIELD_TYPES or setting in ("config", "unknown_setting"), str(exc)
        event(f"refused: {setting}")
        return
    assert config.size & (config.size - 1) == 0 and config.sigma > 0 and config.lam >= 0
    assert math.isfinite(config.lr) and config.lr > 0
    try:
        run = train(config)
    except ConfigError as exc:  # e.g. cuda asked for where there is none, a GAN too small
        assert str(exc).split(":", 1)[0] in (*FIELD_TYPES, "size"), str(exc)
        event("refused at training")
        return
    assert run.status in ("finished", "diverged")
    event(f"trained: {run.status}")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partial_settings(fields))
def test_any_settings_are_validated_cleanly(data):
    check(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partial_settings(plausible))
def test_plausible_settings_train_or_are_refused_cleanly(data):
    check(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partial_settings(fields))
def test_every_problem_at_once_agrees_with_the_first(data):
    """Config.problems (the form's, every problem at once) finds nothing exactly when from_dict takes
    the settings, and finds the problem from_dict raises, at the same setting, in the same words."""
    from geoae_core.config import SETTINGS_BY_NAME
    from geoae_core.settings import in_words

    problems = Config.problems(data)
    try:
        Config.from_dict(data)
    except ConfigError as exc:
        name = str(exc).split(":", 1)[0]
        assert name in problems, (str(exc), problems)
        if name != "unknown_setting":  # from_dict names the first unknown one, with the known list
            assert problems[name] == in_words(str(exc), SETTINGS_BY_NAME)
        return
    assert problems == {}
