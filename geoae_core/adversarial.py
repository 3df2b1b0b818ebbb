"""The adversarial training and the projection of the DCGAN baseline (Appendix D), in torch.

The non-saturating losses and one adversarial step (one discriminator update, then one generator
update), and `project`: codes z whose generated images best match given images, by a grid search
over [-z_range, z_range] refined by Adam on z with the generator frozen. The GAN kind
(kinds/gan.py) brings these to the loop and to `Run.encode`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .config import Config
from .models import Autoencoder

GRID_POINTS_PER_START = 128  # grid points scanned per starting point
PROJECTION_STEPS = 30
PROJECTION_RESTARTS = 4
PROJECTION_LR = 0.02


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


# ---------------------------------------------------------------------------------- projection
def _squared_errors(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per row: the sum over pixels of the squared difference."""
    return (outputs.flatten(1) - targets.flatten(1)).pow(2).sum(1)


@torch.no_grad()
def grid_starts(
    generator: nn.Module, targets: torch.Tensor, restarts: int, z_range: float, code_size: int = 1
) -> torch.Tensor:
    """(N, restarts) starting codes: the best z of each of `restarts` equal slices of the grid.

    The grid spans [-z_range, z_range]; every code coordinate takes the same grid value
    (the paper's GAN has d = 1, where this is the whole line).
    """
    n_grid = restarts * GRID_POINTS_PER_START
    grid = torch.linspace(-z_range, z_range, n_grid, device=targets.device)
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
    config: Config,
    model: Autoencoder,
    images: np.ndarray,
    z_range: float,
    steps: int = PROJECTION_STEPS,
    restarts: int = PROJECTION_RESTARTS,
) -> np.ndarray:
    """Codes z (N, d) whose generated images best match `images` (N, m, m) in squared error.

    All images are handled in one batch: each starts from the best grid point in each of
    `restarts` slices of [-z_range, z_range], is refined by Adam on z with the generator frozen (in eval
    mode), and keeps its best code. Deterministic for a given run and input.
    """
    generator = model.decoder
    d = config.code_size
    device = next(generator.parameters()).device
    targets = torch.as_tensor(np.asarray(images, np.float32), device=device).flatten(1)
    was_training = generator.training
    generator.eval()
    try:
        starts = grid_starts(generator, targets, restarts, z_range, d)  # (N, restarts)
        repeated = targets.repeat_interleave(restarts, dim=0)
        z, errors = refine_codes(generator, repeated, starts.reshape(-1, 1).expand(-1, d), steps)
    finally:
        generator.train(was_training)
    best = errors.reshape(-1, restarts).argmin(1)
    z = z.reshape(-1, restarts, d)[torch.arange(len(targets)), best]
    return z.cpu().numpy()
