"""The networks of the paper (Section 3, Table 1, Figure 1), readable top to bottom.

Encoder layer: 3-tap convolution with stride 2 (sub-sampling at even positions), bias,
leaky ReLU. Decoder layer: up-sampling by inserting zeros, 3-tap convolution, bias, leaky
ReLU, which is a stride-2 transposed convolution. Disks use 2-D layers, Diracs 1-D ones.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn
from torch.nn import functional as F

from .config import Config
from .fastops import upsample


def _conv(dims: int, c_in: int, c_out: int, bias: bool) -> nn.Module:
    cls = nn.Conv2d if dims == 2 else nn.Conv1d
    return cls(c_in, c_out, kernel_size=3, stride=2, padding=1, bias=bias)


def _deconv(dims: int, c_in: int, c_out: int, bias: bool) -> nn.Module:
    cls = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose1d
    return cls(c_in, c_out, kernel_size=3, stride=2, padding=1, output_padding=1, bias=bias)


class Encoder(nn.Module):
    """x (N, 1, m[, m]) -> z (N, d): log2(m) strided convolutions, each halving the size."""

    def __init__(self, channels: list[int], dims: int = 2, bias: bool = True, alpha: float = 0.2):
        super().__init__()
        self.alpha = alpha
        self.layers = nn.ModuleList(_conv(dims, a, b, bias) for a, b in itertools.pairwise(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = F.leaky_relu(layer(x), self.alpha)
        return x.flatten(1)

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The output of every layer, for inspection."""
        outs = []
        for layer in self.layers:
            x = F.leaky_relu(layer(x), self.alpha)
            outs.append(x)
        return outs


class Decoder(nn.Module):
    """z (N, d) -> y (N, 1, m[, m]): log2(m) zero-insertion up-samplings, each doubling the size."""

    def __init__(self, channels: list[int], dims: int = 2, bias: bool = True, alpha: float = 0.2):
        super().__init__()
        self.alpha = alpha
        self.dims = dims
        self.layers = nn.ModuleList(_deconv(dims, a, b, bias) for a, b in itertools.pairwise(channels))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.activations(z)[-1]

    def activations(self, z: torch.Tensor) -> list[torch.Tensor]:
        x = z.reshape(z.shape[0], z.shape[1], *([1] * self.dims))
        outs = []
        for layer in self.layers:
            x = F.leaky_relu(upsample(layer, x), self.alpha)  # upsample(layer, x) computes layer(x)
            outs.append(x)
        return outs


class Autoencoder(nn.Module):
    """Encoder and decoder of one run; either may be absent (position networks train one side)."""

    def __init__(self, encoder: Encoder | None, decoder: Decoder | None):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.encoder is not None:
            x = self.encoder(x)
        if self.decoder is not None:
            x = self.decoder(x)
        return x


def build_model(config: Config) -> Autoencoder:
    """The network a config describes (Table 1 by default)."""
    code = [config.code_size]
    enc_channels = [1, *config.hidden_encoder_depths, *code]
    dec_channels = [*code, *config.hidden_decoder_depths, 1]
    common = {"bias": config.bias, "alpha": config.alpha}
    if config.kind == "disk":
        return Autoencoder(Encoder(enc_channels, 2, **common), Decoder(dec_channels, 2, **common))
    if config.kind == "position-encoder":
        return Autoencoder(Encoder(enc_channels, 1, **common), None)
    if config.kind == "gan":
        from .gan import build_gan  # the DCGAN baseline of Appendix D

        return build_gan(config)
    return Autoencoder(None, Decoder(dec_channels, 1, **common))


class HandcraftedPositionEncoder(nn.Module):
    """Section 5: filter [1, 2, 1], stride 2, no bias, no non-linearity (Proposition 3)."""

    def __init__(self, n: int = 8, kernel: tuple[float, ...] = (1.0, 2.0, 1.0)):
        super().__init__()
        n_layers = int(n).bit_length() - 1
        if n < 2 or 2**n_layers != n:
            raise ValueError(f"n: {n} is not a power of two of at least 2")
        self.layers = nn.ModuleList(_conv(1, 1, 1, bias=False) for _ in range(n_layers))
        weight = torch.tensor(kernel, dtype=torch.float64).reshape(1, 1, 3)
        with torch.no_grad():
            for layer in self.layers:
                layer.weight.copy_(weight.to(layer.weight.dtype))

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = x.reshape(x.shape[0], 1, -1)
        outs = []
        for layer in self.layers:
            x = layer(x)
            outs.append(x)
        return outs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activations(x)[-1].flatten(1)
