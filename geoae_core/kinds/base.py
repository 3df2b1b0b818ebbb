"""What a kind of run is: everything that differs between the disk autoencoder, the position
networks, the GAN and the attribute autoencoder, behind one small class (in the spirit of
Lightning's LightningModule).

A kind builds its network, makes its training tensors, brings a `Regime` to the one training
loop (loop.py) and encodes inputs. It also holds the facts the settings need (its default depths,
which settings apply to it: `uses`) and answers what the panels ask (`title`, `views`, `probe`,
`code_range`), so that no code outside geoae_core/kinds/ compares a kind's name.

Importing a kind loads no torch: torch and the modules that pull it in are imported inside the
methods, so `import geoae_core` registers every kind and still starts fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..config import Config
from ..files import RunError

if TYPE_CHECKING:
    import torch
    from torch import nn


# What a panel can show for a run; a kind answers `views(config)` with a subset of these.
VIEWS = {
    "decode": "a code decoded into an image or a signal, from a slider (every kind with a decoder)",
    "encode_radius": "a disk radius encoded, decoded back and placed on z(r) (the Latent explorer's d = 1 view)",
    "codes": "a code of several axes: sliders per axis, the latent map, traversals, the read-out",
    "profile": "the decoder's radial profile against the optimal Airy profile (figures 11-13)",
    "z_of_r": "z against the disk radius, comparable between runs (figure 7)",
    "position_kernels": "1-D kernels drawn beside [1, 2, 1] (figure 9)",
    "position_decoder": "a position decoded into a Dirac, its peak against the position (figure 10)",
}
CODE_SAMPLES = 512  # training inputs encoded at most to find a run's code range (an even subsample)


@dataclass(frozen=True)
class Probe:
    """What a user varies to feed one side of a run's network, and how that value becomes its input.

    A decoder's probe spans the codes that decoder takes (`Kind.code_range`), so no panel can feed a
    radius as a code.
    """

    label: str  # what the value is, in the user's words: "disk radius r", "Dirac position a", "code z"
    unit: str  # "px", or "" for a code
    low: float
    high: float
    step: float
    decimals: int  # 0: whole numbers only (a one-hot position)
    default: float
    make: Callable[[np.ndarray], np.ndarray]  # values (N,) -> that side's input batch, float32


def _eval(model: nn.Module) -> nn.Module:
    return model.eval()


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
    finish: Callable[[nn.Module], nn.Module] = _eval


class Kind:
    """One kind of run. A new kind is a subclass in a module of its own, registered in
    kinds/__init__.py."""

    name: ClassVar[str]
    summary: ClassVar[str]
    sides: ClassVar[tuple[str, ...]]  # the networks a run has: "encoder", "decoder"
    # the tags of the settings that apply to this kind (settings.APPLIES): "disk images", "diracs", ...
    uses: ClassVar[frozenset[str]] = frozenset()
    evaluation: ClassVar[str]  # which report `geoae eval` prints for it (a key of evaluate.REPORTS)
    groupable: ClassVar[bool] = False  # a family of such runs can train as one grouped model
    # whether inputs and targets get a channel axis on the device (images and signals do, codes don't)
    channel_axes: ClassVar[tuple[bool, bool]] = (True, True)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    # ------------------------------------------------------- what the settings ask
    @property
    def scalar_code(self) -> bool:
        """Whether the code is one number (the code size setting does not apply)."""
        return "code size" not in self.uses

    @property
    def scheduled(self) -> bool:
        """Whether the learning rate follows the cosine schedule down to lr_final."""
        return "lr schedule" in self.uses

    def encoder_depths(self, n_layers: int) -> list[int]:
        """Default hidden depths of the encoder: every hidden layer one channel deep (Table 1's position network)."""
        return [1] * (n_layers - 1)

    def decoder_depths(self, n_layers: int) -> list[int] | None:
        """Default hidden depths of the decoder; None: the encoder's (given or default), reversed."""
        return None

    def scaled_schedule(self, config: Config, scale: dict[str, Any], full_epochs: int) -> dict[str, Any]:
        """The settings a reproduction pass at a scale (`scale`: epochs, n_train, batch_size, lr of the
        disk presets; full_epochs: the full pass's epochs) changes in this kind's preset `config`:
        none by default (the kind keeps its own schedule)."""
        return {}

    # ------------------------------------------------------- what the panels ask
    def title(self, config: Config) -> str:
        """The kind in words, for messages: "a disk autoencoder", "a DCGAN generator"."""
        raise NotImplementedError

    def views(self, config: Config) -> frozenset[str]:
        """Which of VIEWS this run has something for."""
        raise NotImplementedError

    def probe(self, run, side: str) -> Probe | None:
        """What feeds `side` ("encoder" or "decoder") of `run`; None when the run has no such side."""
        if side not in self.sides:
            return None
        return self.decoder_probe(run) if side == "decoder" else self.encoder_probe(run)

    def encoder_probe(self, run) -> Probe:
        raise NotImplementedError

    def decoder_probe(self, run, label: str = "code z") -> Probe:
        """A code over the run's code range, axis 0 varied, the other axes held at their middle."""
        low, high = self.code_range(run)
        middle = (low + high) / 2

        def make(values: np.ndarray) -> np.ndarray:
            codes = np.tile(middle.astype(np.float32), (len(np.atleast_1d(values)), 1))
            codes[:, 0] = np.atleast_1d(values)
            return codes

        step, decimals = _step_for(float(high[0] - low[0]))
        return Probe(label, "", float(low[0]), float(high[0]), step, decimals, float(middle[0]), make)

    def code_range(self, run) -> tuple[np.ndarray, np.ndarray]:
        """(low, high), each of shape (d,): the codes `run`'s decoder takes, read from the codes of its
        training data (an encoder's outputs, a position decoder's inputs) or, for a GAN, N(0, 1) at ±3 sd.
        An encoder's codes are computed once per Run object."""
        cache = getattr(run, "derived", {})  # a Run keeps it; anything else run-like computes it each time
        if "code_range" not in cache:
            codes = np.asarray(run.encode(self.training_inputs(run.config, CODE_SAMPLES)), float)
            low, high = codes.min(0), codes.max(0)
            flat = high - low < 1e-6  # a code that does not move: a unit around it, for a slider to move
            cache["code_range"] = (np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high))
        low, high = cache["code_range"]
        return low.copy(), high.copy()

    def training_inputs(self, config: Config, limit: int) -> np.ndarray:
        """At most `limit` of the run's training inputs, evenly spaced through the set (deterministic)."""
        inputs = self.training_set(config)[0]
        return inputs[even_subsample(len(inputs), limit)]

    def attribute_names(self, config: Config) -> list[str]:
        """The attributes of the data that vary and an encoder reads ([] where no encoder does)."""
        return []

    def angle_period(self, config: Config) -> float | None:
        """The period in degrees of an angle attribute (None: the data have no angle)."""
        return None

    def sample(self, config: Config, n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """n fresh exact inputs, attributes drawn from the run's ranges: (inputs, {name: values})."""
        raise RunError(f"{self.title(config)} has no encoder to read attributes from")

    # ------------------------------------------------------- what the loop asks
    def build(self, config: Config) -> nn.Module:
        """The network, with torch's default (unseeded) initialisation."""
        raise NotImplementedError

    def training_set(self, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(inputs, targets, parameters): numpy arrays, targets the very inputs for an autoencoder."""
        raise NotImplementedError

    def regime(self, config: Config, device: torch.device) -> Regime:
        raise NotImplementedError

    def init_model(self, config: Config) -> nn.Module:
        """The network with its seeded initial weights, independent of the global RNG and the device."""
        import torch

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

    def encode(self, config: Config, model: nn.Module, x: np.ndarray) -> np.ndarray:
        """(N, H, W) images or (N, n) signals -> (N, d) codes."""
        import torch

        if getattr(model, "encoder", None) is None:
            raise RunError(f"{self.title(config)} has no encoder")
        device = next(model.parameters()).device
        with torch.no_grad():
            tensor = torch.as_tensor(x, device=device)
            tensor = tensor.unsqueeze(1) if tensor.dim() in (2, 3) else tensor
            return model.encoder(tensor).cpu().numpy()


def even_subsample(n: int, limit: int) -> np.ndarray:
    """Indices of at most `limit` of n items, evenly spaced from the first to the last."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _step_for(span: float) -> tuple[float, int]:
    """A slider step of about a hundredth of the span, a power of ten, and the decimals that show it."""
    exponent = math.floor(math.log10(span / 100)) if span > 0 else -2
    decimals = max(0, -exponent)
    return 10.0**exponent, decimals


def _on_device(array: np.ndarray, device: torch.device, channel_axis: bool) -> torch.Tensor:
    import torch

    tensor = torch.as_tensor(array, device=device)
    if channel_axis:
        tensor = tensor.unsqueeze(1)
    if tensor.dim() == 4:
        # channels-last suits these few-channel convolutions: about 2x faster on CPU
        tensor = tensor.contiguous(memory_format=torch.channels_last)
    return tensor
