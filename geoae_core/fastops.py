"""A faster CPU form of the decoder's last layer, equal to torch's own up to float rounding.

The last decoder layer up-samples a few channels at half resolution to the one-channel image
(8 -> 1 channels, 32x32 -> 64x64 in Table 1). On the CPU, torch's transposed convolution takes
about 5 ms for it per batch of 300, a sixth of a training step. Written out, each output pixel
(2p+a, 2q+b) sums one, two or four taps, each a dot product of an input pixel's channels with
one column of the 3x3 kernel: one matrix product gives all nine taps of every input pixel, and
nine shifted additions place them (1.7 ms). The backward pass is torch's own, so gradients are
the ones torch computes for the same inputs. GEOAE_FAST_LAYERS=0 uses torch's layer instead.
"""

from __future__ import annotations

import os

import torch
from torch import nn

# output row 2p + a receives kernel row k of input row p + d for each (k, d) of PHASES[a]
# (stride 2, padding 1, output padding 1); the same holds for columns
PHASES = {0: ((1, 0),), 1: ((2, 0), (0, 1))}
TAPS = [(a, b, ky, dy, kx, dx) for a in (0, 1) for b in (0, 1) for ky, dy in PHASES[a] for kx, dx in PHASES[b]]


class _UpsampleToOneChannel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        n, c, h, w = x.shape
        pixels = x.permute(0, 2, 3, 1).reshape(-1, c)  # a view when x is channels-last
        taps = torch.mm(weight.reshape(c, 9).t(), pixels.t()).view(9, n, h, w)
        y = x.new_empty(n, h, 2, w, 2)
        for a, b, ky, dy, kx, dx in TAPS:
            tap = taps[3 * ky + kx]
            if dy == dx == 0:  # the first term of each phase: written, with the bias
                if bias is None:
                    y[:, :, a, :, b].copy_(tap)
                else:
                    torch.add(tap, bias, out=y[:, :, a, :, b])
            else:
                y[:, : h - dy, a, : w - dx, b] += tap[:, dy:, dx:]
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return y.view(n, 1, 2 * h, 2 * w)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        wants = ctx.needs_input_grad
        return torch.ops.aten.convolution_backward(
            grad, x, weight, [1] if ctx.has_bias else None,
            [2, 2], [1, 1], [1, 1], True, [1, 1], 1,
            [wants[0], wants[1], ctx.has_bias and wants[2]],
        )  # fmt: skip


def _fits(layer: nn.ConvTranspose2d, x: torch.Tensor) -> bool:
    return (
        x.device.type == "cpu"
        and x.dim() == 4
        and x.dtype in (torch.float32, torch.float64)
        and layer.out_channels == 1
        and layer.groups == 1
        and layer.kernel_size == (3, 3)
        and layer.stride == (2, 2)
        and layer.padding == (1, 1)
        and layer.output_padding == (1, 1)
        and layer.dilation == (1, 1)
        and os.environ.get("GEOAE_FAST_LAYERS", "1") != "0"
    )


def upsample(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """`layer(x)` for a decoder layer; the faster form where it applies (see the module's text)."""
    if isinstance(layer, nn.ConvTranspose2d) and _fits(layer, x):
        return _UpsampleToOneChannel.apply(x, layer.weight, layer.bias)
    return layer(x)
