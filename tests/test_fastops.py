import pytest
import torch
from torch import nn

from geoae_core import train
from geoae_core.config import Config
from geoae_core.fastops import upsample
from geoae_core.kinds import build_model


def last_layer(c_in: int, bias: bool, dtype=torch.float64) -> nn.ConvTranspose2d:
    torch.manual_seed(0)
    return nn.ConvTranspose2d(c_in, 1, 3, stride=2, padding=1, output_padding=1, bias=bias).to(dtype)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 2, 1, 1), (3, 8, 5, 7), (20, 8, 32, 32)])
@pytest.mark.parametrize("channels_last", [True, False])
def test_upsample_equals_torchs_layer_with_its_gradients(bias, shape, channels_last):
    layer = last_layer(shape[1], bias)
    x = torch.randn(shape, dtype=torch.float64)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_()
    expected, got = layer(x), upsample(layer, x)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    grad = torch.randn_like(expected)
    params = [x, *layer.parameters()]
    for a, b in zip(torch.autograd.grad(expected, params, grad), torch.autograd.grad(got, params, grad)):
        torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-12)


def test_upsample_in_float32_and_without_an_input_gradient():
    layer = last_layer(8, True, torch.float32)
    x = torch.rand(50, 8, 32, 32).contiguous(memory_format=torch.channels_last)  # no requires_grad
    got = upsample(layer, x)
    torch.testing.assert_close(got, layer(x), rtol=1e-5, atol=1e-5)
    got.sum().backward()
    grads = [p.grad.clone() for p in layer.parameters()]
    layer.zero_grad()
    layer(x).sum().backward()
    for ours, torchs in zip(grads, [p.grad for p in layer.parameters()], strict=True):
        torch.testing.assert_close(ours, torchs)


def test_other_layers_and_the_switch_use_torchs_own(monkeypatch):
    x = torch.rand(2, 8, 4, 4)
    wide = nn.ConvTranspose2d(8, 2, 3, stride=2, padding=1, output_padding=1)
    assert upsample(wide, x).grad_fn.name() == "ConvolutionBackward0"
    layer = last_layer(8, True, torch.float32)
    assert "UpsampleToOneChannel" in upsample(layer, x).grad_fn.name()
    monkeypatch.setenv("GEOAE_FAST_LAYERS", "0")
    assert upsample(layer, x).grad_fn.name() == "ConvolutionBackward0"


def test_the_decoder_uses_it_for_its_last_layer_only():
    model = build_model(Config(size=32))
    names = [a.grad_fn.next_functions[0][0].name() for a in model.decoder.activations(torch.rand(3, 1))]
    assert "UpsampleToOneChannel" in names[-1]
    assert all(name == "ConvolutionBackward0" for name in names[:-1])


def test_training_with_it_matches_torchs_layers(monkeypatch, tiny):
    fast = train("disks", **tiny)
    monkeypatch.setenv("GEOAE_FAST_LAYERS", "0")
    plain = train("disks", **tiny)
    assert len(fast.history) == len(plain.history) == tiny["epochs"]
    for a, b in zip(fast.history, plain.history):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
    for key, value in plain.model.state_dict().items():
        torch.testing.assert_close(fast.model.state_dict()[key], value, rtol=1e-4, atol=1e-6)
