"""Training an autoencoder or a position network (eq. 1, psi1-3), and `train`, the entry point
the CLI, the GUI, `reproduce` and the sweeps call for every kind of run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from .config import Config, ConfigError
from .data import training_set
from .files import hold
from .gan import gan_regime
from .loop import (  # noqa: F401  (Progress and the rest: what callers of train import from here)
    Callback,
    CancelToken,
    Progress,
    Regime,
    UnsavedRunError,
    init_model,
    resolve_device,
    run_loop,
    tuned_for,
)
from .models import Autoencoder
from .presets import preset
from .runs import Run, read_config


def as_config(config_or_preset: Config | str | dict) -> Config:
    if isinstance(config_or_preset, Config):
        return config_or_preset.validate()
    if isinstance(config_or_preset, str):
        return preset(config_or_preset)
    return Config.from_dict(config_or_preset)


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


def batch_loss(config: Config, model: Autoencoder, x: torch.Tensor, y: torch.Tensor, generator) -> torch.Tensor:
    """Eq. 1: squared error summed over pixels, averaged over the batch, plus lambda * psi."""
    z = model.encoder(x) if model.encoder is not None else x
    out = model.decoder(z) if model.decoder is not None else z
    loss = F.mse_loss(out, y, reduction="sum") / out.shape[0]  # one fused pass, forward and backward
    if config.regulariser != "none" and config.lam > 0:
        partner = torch.randperm(x.shape[0], generator=generator, device=x.device)
        loss = loss + config.lam * regulariser(config, model, x, z, partner)
    return loss


def device_tensors(config: Config, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets on the device; an autoencoder's are one tensor (gathered once a step)."""
    inputs, targets, _ = training_set(config)
    x = _on_device(inputs, device, channel_axis=config.kind in ("disk", "position-encoder"))
    if targets is inputs:
        return x, x
    return x, _on_device(targets, device, channel_axis=config.kind in ("disk", "position-decoder"))


def _on_device(array: np.ndarray, device: torch.device, channel_axis: bool) -> torch.Tensor:
    tensor = torch.as_tensor(array, device=device)
    if channel_axis:
        tensor = tensor.unsqueeze(1)
    if tensor.dim() == 4:
        # channels-last suits these few-channel convolutions: about 2x faster on CPU
        tensor = tensor.contiguous(memory_format=torch.channels_last)
    return tensor


def train(
    config_or_preset: Config | str | dict,
    out: str | Path | None = None,
    callbacks: Iterable[Callback] = (),
    cancel: CancelToken | None = None,
    resume: bool = False,
    **overrides: Any,
) -> Run:
    """Train a model; write it to `out` (if given) as a run folder; return the Run.

    `overrides` are settings applied on top (`epochs=10, seed=3`). With `resume=True`, `out`
    must hold a run with a checkpoint, and training continues from its last saved epoch.
    The returned run's status is finished, cancelled or diverged.
    """
    out = Path(out) if out is not None else None
    if resume:
        if out is None:
            raise ConfigError("resume: needs the run folder to continue (out=...)")
        config = read_config(out)
    else:
        config = as_config(config_or_preset)
    if overrides:
        config = config.replace(**overrides)
    device = resolve_device(config.device)
    with contextlib.ExitStack() as stack:
        if out is not None:
            stack.enter_context(hold(out))  # one writer per run folder, from before the first file
        stack.enter_context(tuned_for(device))
        regime = gan_regime(config, device) if config.kind == "gan" else autoencoder_regime(config, device)
        return run_loop(config, regime, device, out, list(callbacks), cancel, resume)


def autoencoder_regime(config: Config, device: torch.device) -> Regime:
    """The paper's networks: Adam on eq. 1 (plus lambda * psi), one batch per step."""
    model = init_model(config).to(device)
    if config.kind == "disk":
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(config.beta1, config.beta2), fused=True)
    x, y = device_tensors(config, device)

    def step(index: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        inputs = x[index]
        loss = batch_loss(config, model, inputs, inputs if y is x else y[index], generator)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def finish(trained: torch.nn.Module) -> torch.nn.Module:
        return trained.to(memory_format=torch.contiguous_format).eval()  # as load_run gives it back

    return Regime(model, {"": optimizer}, x.shape[0], step, finish)
