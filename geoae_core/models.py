"""The networks of the paper (Section 3, Table 1, Figure 1), readable top to bottom.

Encoder layer: 3-tap convolution with stride 2 (sub-sampling at even positions), bias,
leaky ReLU. Decoder layer: up-sampling by inserting zeros, 3-tap convolution, bias, leaky
ReLU, which is a stride-2 transposed convolution. Disks use 2-D layers, Diracs 1-D ones.
"""

from __future__ import annotations

import itertools
import math

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


def encoder_channels(config: Config) -> list[int]:
    return [1, *config.hidden_encoder_depths, config.code_size]


def decoder_channels(config: Config) -> list[int]:
    return [config.code_size, *config.hidden_decoder_depths, 1]


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


# ---------------------------------------------------------------- the DCGAN of Appendix D
# A generator with a scalar code, trained adversarially (Figure 14): transposed convolutions,
# BatchNorm and ReLU with a sigmoid output (Radford et al.); the discriminator mirrors it with
# strided convolutions, BatchNorm and leaky ReLU (0.2) down to one logit.
TOP_WIDTH = 128  # channels of the generator's first layer; each up-sampling halves them (DCGAN uses 512)
MIN_WIDTH = 8
FIRST_SIZE = 4  # the generator's first layer turns z into a 4 x 4 map, as in DCGAN
LEAKY_SLOPE = 0.2
INIT_STD = 0.02  # DCGAN initialisation: weights N(0, 0.02), BatchNorm scales N(1, 0.02)


def layer_widths(size: int, top_width: int = TOP_WIDTH) -> list[int]:
    """Hidden widths of the generator, widest first: 128, 64, 32 for size 32; 128, ..., 16 for 64.

    Small enough to train on two CPU cores in minutes; the discriminator uses them reversed.
    """
    n_hidden = round(math.log2(size // FIRST_SIZE))
    return [max(top_width >> k, MIN_WIDTH) for k in range(n_hidden)]


class Generator(nn.Module):
    """z (N, d) -> image (N, 1, m, m): a 4x4 projection, then stride-2 transposed convolutions."""

    def __init__(self, code_size: int, widths: list[int]):
        super().__init__()
        # hidden layers carry no bias: the BatchNorm after each has its own
        first = nn.ConvTranspose2d(code_size, widths[0], FIRST_SIZE, stride=1, padding=0, bias=False)
        hidden = [nn.ConvTranspose2d(a, b, 4, stride=2, padding=1, bias=False) for a, b in itertools.pairwise(widths)]
        output = nn.ConvTranspose2d(widths[-1], 1, 4, stride=2, padding=1)
        self.layers = nn.ModuleList([first, *hidden, output])
        self.norms = nn.ModuleList(nn.BatchNorm2d(w) for w in widths)

    def activations(self, z: torch.Tensor) -> list[torch.Tensor]:
        x = z.reshape(z.shape[0], z.shape[1], 1, 1)
        outs = []
        for layer, norm in zip(self.layers, self.norms):
            x = F.relu(norm(layer(x)))
            outs.append(x)
        outs.append(torch.sigmoid(self.layers[-1](x)))
        return outs

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.activations(z)[-1]


class Discriminator(nn.Module):
    """image (N, 1, m, m) -> logit (N,): stride-2 convolutions down to 4x4, then one 4x4 convolution."""

    def __init__(self, widths: list[int]):
        super().__init__()
        channels = [1, *reversed(widths)]
        downsamplers = [nn.Conv2d(a, b, 4, stride=2, padding=1, bias=False) for a, b in itertools.pairwise(channels)]
        last = nn.Conv2d(channels[-1], 1, FIRST_SIZE, stride=1, padding=0)
        self.layers = nn.ModuleList([*downsamplers, last])
        # DCGAN leaves the discriminator's input layer unnormalised
        self.norms = nn.ModuleList([nn.Identity(), *(nn.BatchNorm2d(w) for w in channels[2:])])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer, norm in zip(self.layers, self.norms):
            x = F.leaky_relu(norm(layer(x)), LEAKY_SLOPE)
        return self.layers[-1](x).flatten()


def _dcgan_init(module: nn.Module) -> None:
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(module.weight, 0.0, INIT_STD)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, INIT_STD)
        nn.init.zeros_(module.bias)


def dcgan(config: Config) -> Autoencoder:
    """Generator as the decoder (no encoder), discriminator attached, DCGAN-initialised."""
    widths = layer_widths(config.size)
    model = Autoencoder(encoder=None, decoder=Generator(config.code_size, widths))
    model.discriminator = Discriminator(widths)
    model.apply(_dcgan_init)
    return model
