"""The DCGAN baseline of Appendix D (Figure 14): a generator with a scalar code, trained adversarially.

The generator (Radford et al.) maps z of size d = 1 to a 1-channel m x m image through
transposed convolutions, BatchNorm and ReLU, with a sigmoid output; the discriminator mirrors
it with strided convolutions, BatchNorm and leaky ReLU (0.2) down to one logit. Training uses
the non-saturating loss with Adam and z ~ N(0, 1). A GAN has no encoder: an image is
"autoencoded" by projecting it onto the generator, optimising z so that G(z) matches it in
squared error (`project`).

The model is a `models.Autoencoder` with no encoder, the generator as its decoder and the
discriminator as an extra submodule, so a run folder saves and loads both.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .config import Config, ConfigError
from .data import training_set
from .loop import Regime, init_model
from .models import Autoencoder
from .runs import Run

TOP_WIDTH = 128  # channels of the generator's first layer; each up-sampling halves them (DCGAN uses 512)
MIN_WIDTH = 8
FIRST_SIZE = 4  # the generator's first layer turns z into a 4 x 4 map, as in DCGAN
LEAKY_SLOPE = 0.2
INIT_STD = 0.02  # DCGAN initialisation: weights N(0, 0.02), BatchNorm scales N(1, 0.02)

Z_RANGE = 3.0  # projection starts on a grid of z over [-3, 3], where N(0, 1) puts 99.7 % of its mass
GRID_POINTS_PER_START = 128  # grid points scanned per starting point
PROJECTION_STEPS = 30
PROJECTION_RESTARTS = 4
PROJECTION_LR = 0.02


# ------------------------------------------------------------------------------------ networks
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


def build_gan(config: Config) -> Autoencoder:
    """Generator as the decoder (no encoder), discriminator attached, DCGAN-initialised."""
    if config.size < 2 * FIRST_SIZE:
        raise ConfigError(f"size: {config.size} is too small for the DCGAN (at least {2 * FIRST_SIZE})")
    widths = layer_widths(config.size)
    model = Autoencoder(encoder=None, decoder=Generator(config.code_size, widths))
    model.discriminator = Discriminator(widths)
    model.apply(_dcgan_init)
    return model


# ------------------------------------------------------------------------------------ training
def training_images(config: Config, device: torch.device) -> torch.Tensor:
    """The disk images of the run (holes respected), (N, 1, m, m) on the device."""
    images, _, _ = training_set(config)
    return torch.as_tensor(images, device=device).unsqueeze(1)


def discriminator_loss(model: Autoencoder, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """-log D(x) - log(1 - D(G(z))), averaged; softplus of logits is the stable form."""
    return F.softplus(-model.discriminator(real)).mean() + F.softplus(model.discriminator(fake)).mean()


def generator_loss(model: Autoencoder, fake: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss: -log D(G(z)), averaged."""
    return F.softplus(-model.discriminator(fake)).mean()


def adversarial_step(
    model: Autoencoder,
    real: torch.Tensor,
    z: torch.Tensor,
    optimizers: tuple[torch.optim.Optimizer, torch.optim.Optimizer],
) -> tuple[torch.Tensor, torch.Tensor]:
    """One discriminator update then one generator update; returns both losses, detached."""
    opt_g, opt_d = optimizers
    fake = model.decoder(z)
    loss_d = discriminator_loss(model, real, fake.detach())
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    loss_g = generator_loss(model, fake)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return loss_g.detach(), loss_d.detach()


def make_optimizers(config: Config, model: Autoencoder) -> dict[str, torch.optim.Adam]:
    """The generator's and the discriminator's Adam, both with the run's lr and betas."""
    betas = (config.beta1, config.beta2)
    return {
        "generator": torch.optim.Adam(model.decoder.parameters(), lr=config.lr, betas=betas),
        "discriminator": torch.optim.Adam(model.discriminator.parameters(), lr=config.lr, betas=betas),
    }


def gan_regime(config: Config, device: torch.device) -> Regime:
    """A step is one discriminator update then one generator update, on z ~ N(0, 1).

    The losses logged are the generator's (the history's) and the discriminator's; the loop
    ends the run as diverged if either stops being finite.
    """
    model = init_model(config).to(device)
    optimizers = make_optimizers(config, model)
    images = training_images(config, device)
    pair = (optimizers["generator"], optimizers["discriminator"])

    def step(index: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        real = images[index]
        z = torch.randn(real.shape[0], config.code_size, generator=generator, device=device)
        return torch.stack(adversarial_step(model, real, z, pair))

    # eval: BatchNorm's running statistics from here on
    return Regime(model, optimizers, images.shape[0], step)


# ---------------------------------------------------------------------------------- projection
def _squared_errors(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per row: the sum over pixels of the squared difference."""
    return (outputs.flatten(1) - targets.flatten(1)).pow(2).sum(1)


@torch.no_grad()
def grid_starts(generator: nn.Module, targets: torch.Tensor, restarts: int, code_size: int = 1) -> torch.Tensor:
    """(N, restarts) starting codes: the best z of each of `restarts` equal slices of the grid.

    The grid spans [-Z_RANGE, Z_RANGE]; every code coordinate takes the same grid value
    (the paper's GAN has d = 1, where this is the whole line).
    """
    n_grid = restarts * GRID_POINTS_PER_START
    grid = torch.linspace(-Z_RANGE, Z_RANGE, n_grid, device=targets.device)
    outputs = generator(grid[:, None].expand(n_grid, code_size)).flatten(1)
    flat = targets.flatten(1)
    # |x - g|^2 for every (image, grid point) pair without an (N, K, pixels) tensor
    errors = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ outputs.T + outputs.pow(2).sum(1)
    slices = errors.reshape(len(flat), restarts, GRID_POINTS_PER_START)
    best = slices.argmin(2) + torch.arange(restarts, device=targets.device) * GRID_POINTS_PER_START
    return grid[best]


def refine_codes(
    generator: nn.Module, targets: torch.Tensor, z: torch.Tensor, steps: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Adam on z alone (the generator gets no gradient), cosine-decayed step; the best z per row."""
    z = z.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=PROJECTION_LR)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(steps, 1))
    best_z = z.detach().clone()
    best_error = torch.full((len(z),), math.inf, device=z.device)
    for step in range(steps + 1):
        errors = _squared_errors(generator(z), targets)
        better = errors.detach() < best_error
        best_error = torch.where(better, errors.detach(), best_error)
        best_z[better] = z.detach()[better]
        if step == steps:
            break
        (z.grad,) = torch.autograd.grad(errors.sum(), z)
        optimizer.step()
        schedule.step()
    return best_z, best_error


def project(
    run: Run, images: np.ndarray, steps: int = PROJECTION_STEPS, restarts: int = PROJECTION_RESTARTS
) -> np.ndarray:
    """Codes z (N, d) whose generated images best match `images` (N, m, m) in squared error.

    All images are handled in one batch: each starts from the best grid point in each of
    `restarts` slices of [-3, 3], is refined by Adam on z with the generator frozen (in eval
    mode), and keeps its best code. Deterministic for a given run and input.
    """
    generator = run.model.decoder
    d = run.config.code_size
    targets = torch.as_tensor(np.asarray(images, np.float32), device=run.device).flatten(1)
    was_training = generator.training
    generator.eval()
    try:
        starts = grid_starts(generator, targets, restarts, d)  # (N, restarts)
        repeated = targets.repeat_interleave(restarts, dim=0)
        z, errors = refine_codes(generator, repeated, starts.reshape(-1, 1).expand(-1, d), steps)
    finally:
        generator.train(was_training)
    best = errors.reshape(-1, restarts).argmin(1)
    z = z.reshape(-1, restarts, d)[torch.arange(len(targets)), best]
    return z.cpu().numpy()
