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
