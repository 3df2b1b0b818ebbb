"""The loss of eq. 1 and the regularisers psi1-psi3 of Section 4.4.1 (SPEC section 3), for one
run and for each member of a grouped family (batched.py) by the same code."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional as F

from .config import Config
from .models import Autoencoder


def conv_weights(module: torch.nn.Module | None) -> list[torch.Tensor]:
    if module is None:
        return []
    return [layer.weight for layer in module.layers]


def locality_penalty(x: torch.Tensor, z: torch.Tensor, partner: torch.Tensor) -> torch.Tensor:
    """psi1: squared image distances to a partner should equal squared code distances."""
    dx = (x - x[partner]).flatten(1).pow(2).sum(1)
    dz = (z - z[partner]).pow(2).sum(1)
    return (dx - dz).pow(2).mean()


def regulariser(config: Config, model: Autoencoder, x: torch.Tensor, z: torch.Tensor, partner: torch.Tensor):
    """psi1, psi2 or psi3 of Section 4.4.1 (SPEC section 3), or None."""
    if config.regulariser == "psi1":
        return locality_penalty(x, z, partner)
    if config.regulariser == "psi2":
        weights = conv_weights(model.encoder) + conv_weights(model.decoder)
        return sum(w.pow(2).sum() for w in weights)
    if config.regulariser == "psi3":
        return sum(w.pow(2).sum() for w in conv_weights(model.encoder))
    return None


def penalty(
    config: Config, model: Autoencoder, x: torch.Tensor, z: torch.Tensor, generator: torch.Generator
) -> torch.Tensor | None:
    """lambda * psi on one batch, psi1's partners drawn from the run's generator; None without a regulariser."""
    if config.regulariser == "none" or config.lam <= 0:
        return None
    partner = torch.randperm(x.shape[0], generator=generator, device=x.device)
    return config.lam * regulariser(config, model, x, z, partner)


def batch_loss(config: Config, model: Autoencoder, x: torch.Tensor, y: torch.Tensor, generator) -> torch.Tensor:
    """Eq. 1: squared error summed over pixels, averaged over the batch, plus lambda * psi."""
    z = model.encoder(x) if model.encoder is not None else x
    out = model.decoder(z) if model.decoder is not None else z
    loss = F.mse_loss(out, y, reduction="sum") / out.shape[0]  # one fused pass, forward and backward
    extra = penalty(config, model, x, z, generator)
    return loss if extra is None else loss + extra


def family_loss(
    configs: Sequence[Config],
    models: Sequence[Autoencoder],
    x: torch.Tensor,
    z: torch.Tensor,
    out: torch.Tensor,
    generators: Sequence[torch.Generator],
) -> torch.Tensor:
    """Eq. 1 of every member of a grouped family, shape (G,): member g's images are channel g of
    `x` and `out`, its code the g-th block of `z`, and its psi is taken on its own `models[g]`."""
    data = (out - x).pow(2).flatten(2).sum(2).mean(0)
    codes = z.unflatten(1, (len(configs), -1))
    extras = [
        penalty(config, model, x[:, g : g + 1], codes[:, g], generator)
        for g, (config, model, generator) in enumerate(zip(configs, models, generators))
    ]
    return data + torch.stack([data.new_zeros(()) if extra is None else extra for extra in extras])
