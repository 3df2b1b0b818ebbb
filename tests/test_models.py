import pytest
import torch

from geoae_core.config import Config, ConfigError
from geoae_core.kinds import build_model
from geoae_core.kinds.autoencoder import default_encoder_depths
from geoae_core.models import HandcraftedPositionEncoder


@pytest.mark.parametrize("size", [32, 64, 128])
def test_disk_autoencoder_shapes(size):
    config = Config(size=size)
    model = build_model(config)
    x = torch.rand(5, 1, size, size)
    z = model.encoder(x)
    assert z.shape == (5, 1)
    assert model.decoder(z).shape == (5, 1, size, size)
    assert len(model.encoder.layers) == config.n_layers


def test_table1_depths():
    model = build_model(Config())
    assert [layer.out_channels for layer in model.encoder.layers] == [8, 4, 4, 3, 2, 1]
    assert [layer.out_channels for layer in model.decoder.layers] == [2, 3, 4, 4, 8, 1]
    assert default_encoder_depths(5) == [8, 4, 4, 3]
    assert default_encoder_depths(7) == [8, 8, 4, 4, 3, 2]


def test_bias_switch_and_code_size():
    assert all(layer.bias is None for layer in build_model(Config(bias=False)).encoder.layers)
    model = build_model(Config(code_size=3, size=32))
    assert model.encoder(torch.rand(2, 1, 32, 32)).shape == (2, 3)


def test_position_networks():
    enc = build_model(Config(kind="position-encoder"))
    assert [layer.out_channels for layer in enc.encoder.layers] == [1] * 6
    assert enc.decoder is None and enc(torch.rand(3, 1, 64)).shape == (3, 1)
    dec = build_model(Config(kind="position-decoder"))
    assert [layer.out_channels for layer in dec.decoder.layers] == [2, 4, 4, 4, 8, 1]
    assert dec(torch.rand(3, 1)).shape == (3, 1, 64)


def test_decoder_upsamples_by_zero_insertion():
    """A transposed convolution of stride 2 equals zero insertion then a 3-tap convolution."""
    dec = build_model(Config(kind="position-decoder", size=4, decoder_depths=[1], bias=False, alpha=1.0)).decoder
    layer = dec.layers[0]
    x = torch.tensor([[[1.0, 2.0]]])
    up = torch.zeros(1, 1, 4)
    up[..., ::2] = x
    w = layer.weight.detach().flip(-1)  # transposed convolution correlates with the flipped kernel
    expected = torch.nn.functional.conv1d(up, w, padding=1)
    torch.testing.assert_close(layer(x), expected)


def test_handcrafted_encoder_table2_example():
    net = HandcraftedPositionEncoder(8)
    x = torch.eye(8)
    assert net(x)[:, 0].tolist() == [8, 7, 6, 5, 4, 3, 2, 1]
    with pytest.raises(ValueError):
        HandcraftedPositionEncoder(6)


def test_depth_lists_must_fit_the_size():
    with pytest.raises(ConfigError, match="encoder_depths"):
        Config(size=32, encoder_depths=[8, 4]).validate()
