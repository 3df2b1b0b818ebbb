"""What a kind of run is: the few things that differ between the disk autoencoder, the position
networks and the GAN, behind one small class (in the spirit of Lightning's LightningModule).

A kind builds its network, makes its training tensors, brings a `Regime` to the one training
loop (loop.py), and encodes inputs; it also says what applies to it (`family`, `sides`) so that
analyses and panels ask the kind instead of comparing names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ..config import Config
from ..files import RunError


@dataclass
class Regime:
    """What one kind of run brings to the loop.

    `step(index, generator)` makes one update on the examples `index` of the epoch's order and
    returns the detached losses to log (the first one goes into the history; all must stay
    finite). `optimizers` are named for the checkpoint ("" for a kind with only one).
    `finish(model)` gives the trained model back as `load_run` would (layout, eval mode).
    """

    model: nn.Module
    optimizers: dict[str, torch.optim.Optimizer]
    examples: int
    step: Callable[[torch.Tensor, torch.Generator], torch.Tensor]
    finish: Callable[[nn.Module], nn.Module] = nn.Module.eval


class Kind:
    """One kind of run. A new kind is a subclass in a module of its own, registered in
    kinds/__init__.py."""

    name: ClassVar[str]
    summary: ClassVar[str]
    family: ClassVar[str]  # "disks" (image autoencoders), "position" (1-D Diracs) or "gan"
    sides: ClassVar[tuple[str, ...]]  # the networks a run has: "encoder", "decoder"
    groupable: ClassVar[bool] = False  # a family of such runs can train as one grouped model
    # whether inputs and targets get a channel axis on the device (images and signals do, codes don't)
    channel_axes: ClassVar[tuple[bool, bool]] = (True, True)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    def build(self, config: Config) -> nn.Module:
        """The network, with torch's default (unseeded) initialisation."""
        raise NotImplementedError

    def attribute_names(self, config: Config) -> list[str]:
        """The attributes of the data that vary and an encoder reads ([] where no encoder does)."""
        return []

    def angle_period(self, config: Config) -> float | None:
        """The period in degrees of an angle attribute (None: the data have no angle)."""
        return None

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """n fresh exact inputs, attributes drawn from the run's ranges: (inputs, {name: values})."""
        raise RunError(f"a {self.name} run has no encoder to read attributes from")

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(inputs, targets, parameters): numpy arrays, targets the very inputs for an autoencoder."""
        raise NotImplementedError

    def regime(self, config: Config, device: torch.device) -> Regime:
        raise NotImplementedError

    def init_model(self, config: Config) -> nn.Module:
        """The network with its seeded initial weights, independent of the global RNG and the device."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            return self.build(config)

    def device_tensors(self, config: Config, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets on the device; an autoencoder's are one tensor (gathered once a step)."""
        inputs, targets, _ = self.training_set(config)
        input_axis, target_axis = self.channel_axes
        x = _on_device(inputs, device, input_axis)
        if targets is inputs:
            return x, x
        return x, _on_device(targets, device, target_axis)

    @torch.no_grad()
    def encode(self, config: Config, model: nn.Module, x: np.ndarray) -> np.ndarray:
        """(N, H, W) images or (N, n) signals -> (N, d) codes."""
        if getattr(model, "encoder", None) is None:
            raise RunError(f"a {self.name} run has no encoder")
        device = next(model.parameters()).device
        tensor = torch.as_tensor(x, device=device)
        tensor = tensor.unsqueeze(1) if tensor.dim() in (2, 3) else tensor
        return model.encoder(tensor).cpu().numpy()


def _on_device(array: np.ndarray, device: torch.device, channel_axis: bool) -> torch.Tensor:
    tensor = torch.as_tensor(array, device=device)
    if channel_axis:
        tensor = tensor.unsqueeze(1)
    if tensor.dim() == 4:
        # channels-last suits these few-channel convolutions: about 2x faster on CPU
        tensor = tensor.contiguous(memory_format=torch.channels_last)
    return tensor
