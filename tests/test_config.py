import pytest

from geoae_core.config import Config, ConfigError
from geoae_core.presets import PRESETS, preset


def test_defaults_are_the_papers():
    c = Config().validate()
    assert (c.size, c.sigma, c.n_train, c.batch_size, c.lr, c.alpha, c.bias) == (64, 1.0, 3000, 300, 0.001, 0.2, True)
    assert c.hidden_encoder_depths == [8, 4, 4, 3, 2] and c.hidden_decoder_depths == [2, 3, 4, 4, 8]


def test_every_preset_is_valid_and_round_trips():
    for name in PRESETS:
        config = preset(name)
        assert Config.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    "changes, setting",
    [
        ({"size": 48}, "size"),
        ({"size": 0}, "size"),
        ({"sigma": -1}, "sigma"),
        ({"lam": -0.5}, "lam"),
        ({"epochs": -3}, "epochs"),
        ({"holes": [[0, 40]]}, "holes"),
        ({"holes": [[40, 50]]}, "holes"),
        ({"holes": [[5, 2]]}, "holes"),
        ({"r_max": 40}, "r_max"),
        ({"device": "tpu"}, "device"),
        ({"regulariser": "psi9"}, "regulariser"),
        ({"encoder_depths": [8, 4]}, "encoder_depths"),
        ({"lr": "fast"}, "lr"),
        ({"bias": "yes"}, "bias"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_named(changes, setting):
    with pytest.raises(ConfigError) as info:
        Config().replace(**changes)
    assert str(info.value).startswith(setting)


def test_overrides_parse_values():
    c = Config().with_overrides(["bias=false", "holes=[[11, 18]]", "lr=0.01", "regulariser=psi3", "r_max=none"])
    assert c.bias is False and c.holes == [[11, 18]] and c.lr == 0.01 and c.regulariser == "psi3"
    with pytest.raises(ConfigError, match="key=value"):
        Config().with_overrides(["bias"])


def test_epochs_0_is_refused():
    with pytest.raises(ConfigError, match=r"^epochs: 0 must be at least 1"):
        Config().replace(epochs=0)


def test_every_problem_at_once_in_the_users_words():
    data = {**Config().to_dict(), "r_min": 40, "lr": -1, "n_train": "x", "holes": [[5]], "epochs": 0}
    assert Config.problems(data) == {
        "n_train": "Training samples: 'x' is not an integer",
        "r_min": "Smallest radius: 40 must be below the largest radius (32)",
        "holes": "Holes: [5] is not an interval [low, high] with low < high",
        "epochs": "Epochs: 0 must be at least 1",
        "lr": "Learning rate: -1 must be above 0",
    }  # in the order of the form
    assert Config.problems(Config().to_dict()) == {} and Config.problems({}) == {}
    assert Config.problems({"colour": 1}) == {"colour": "colour: unknown setting"}


def test_a_conflict_is_said_at_each_field_it_involves():
    problems = Config.problems({"r_min": 50, "r_max": 40})  # r_max beyond m/2, r_min above r_max
    assert set(problems) == {"r_min", "r_max"}
    assert problems["r_max"] == "Largest radius R: 40 exceeds half the image size (32)"


@pytest.mark.parametrize(
    "changes",
    [{"r_min": 40}, {"size": 48}, {"holes": [[0, 40]]}, {"encoder_depths": [8, 4]}, {"lr": "fast"}, {"r_max": 40}],
)
def test_the_first_problem_is_the_one_from_dict_raises(changes):
    from geoae_core.config import SETTINGS_BY_NAME
    from geoae_core.settings import in_words

    data = {**Config().to_dict(), **changes}
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data)
    name = str(info.value).split(":", 1)[0]
    assert Config.problems(data)[name] == in_words(str(info.value), SETTINGS_BY_NAME)
