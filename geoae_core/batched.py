"""Many disk runs of one architecture trained as one grouped model (issue 5, `sweep --batched`).

A grouped family is a regime of the one loop (loop.py): each member is a model of its own, with
its own Adam, generator, data, regulariser and lambda, and the loop shuffles, checkpoints,
snapshots and checks divergence per member as it does for a lone run. Only the forward pass is
shared: layer l of every member runs as one grouped convolution whose group g is member g's own
layer (its weights concatenated at each step), so a step runs G small networks in one kernel
launch per layer; on a GPU that is what keeps the device busy. The loss of each member is eq. 1
by losses.py, each member's gradient reaches only its own weights, and its learning rate follows
the same schedule (`lr_final`) as a lone run's: every member makes the updates of its own `train`
(up to rounding), and its checkpoint is a lone run's, which `train(..., resume=True)` continues
alone. On CPU the grouped convolutions are slower than separate runs (bench/bench_sweep.py), so
`sweep` uses this on CUDA.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from .config import Config, ConfigError
from .device import resolve_device, tuned_for
from .kinds import kind_of
from .kinds.autoencoder import adam_model, cosine_schedule
from .loop import Callback, CancelToken, Member, Plan, Progress, run_loop
from .losses import family_loss
from .models import Autoencoder
from .start import started

# settings members may differ in; everything else (architecture, data shape, schedule) is shared
MEMBER_SETTINGS = ("seed", "regulariser", "lam")


def check_family(configs: Sequence[Config]) -> None:
    """Refuse, in one line, a family that cannot train as one grouped model."""
    if len(configs) < 2:
        raise ConfigError("batched: a grouped family needs at least two runs")
    for config in configs:
        if not kind_of(config).groupable:
            raise ConfigError(f"batched: a {config.kind} run cannot be a member of a grouped family (disk runs can)")
    first = configs[0].to_dict()
    for config in configs[1:]:
        for name, value in config.to_dict().items():
            if name not in MEMBER_SETTINGS and value != first[name]:
                raise ConfigError(
                    f"batched: the runs differ in {name} ({first[name]!r}, {value!r}); the members of a grouped"
                    " family differ only in seed, regulariser and lambda"
                )


def can_batch(configs: Sequence[Config]) -> bool:
    """Whether the configs are disk runs that differ only in seed, regulariser and lambda."""
    try:
        check_family(configs)
    except ConfigError:
        return False
    return True


class GroupedLayer(nn.Module):
    """Layer l of every member as one grouped convolution: (N, G*c_in, ...) -> (N, G*c_out, ...)."""

    def __init__(self, layers: Sequence[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first, groups = self.members[0], len(self.members)
        weight = torch.cat([layer.weight for layer in self.members])
        bias = torch.cat([layer.bias for layer in self.members]) if first.bias is not None else None
        if isinstance(first, nn.ConvTranspose2d):
            return F.conv_transpose2d(
                x, weight, bias, first.stride, first.padding, first.output_padding, groups, first.dilation
            )
        return F.conv2d(x, weight, bias, first.stride, first.padding, first.dilation, groups)


def grouped_model(members: Sequence[Autoencoder]) -> Autoencoder:
    """(N, G, m, m) -> (N, G, m, m): member g reads and writes channel g, through its own weights."""
    model = copy.deepcopy(members[0])  # the encoder's and decoder's forward passes, layers replaced
    for part in ("encoder", "decoder"):
        stacks = zip(*(getattr(m, part).layers for m in members))
        getattr(model, part).layers = nn.ModuleList(GroupedLayer(layers) for layers in stacks)
    return model


def _member(config: Config, out: Path, device: torch.device) -> tuple[Member, torch.Tensor]:
    """A member as its lone run starts it (adam_regime): seeded weights, fused Adam; and its data."""
    model, optimizer = adam_model(kind_of(config), config, device, channels_last=True)
    x, _ = kind_of(config).device_tensors(config, device)
    return Member(config, out, model, {"": optimizer}, {"batched": True}), x


def family_plan(configs: Sequence[Config], outs: Sequence[Path], device: torch.device) -> Plan:
    """The family as a plan of the one loop: one grouped forward pass, each member's loss and update."""
    members, data = zip(*(_member(c, o, device) for c, o in zip(configs, outs)))
    models = [member.model for member in members]
    optimizers = [member.optimizers[""] for member in members]
    grouped = grouped_model(models)
    examples = data[0].shape[0]
    steps_per_epoch = -(-examples // min(configs[0].batch_size, examples))
    schedule = cosine_schedule(configs[0], optimizers, steps_per_epoch)

    def step(indices: list[torch.Tensor], generators: list[torch.Generator]) -> torch.Tensor:
        schedule()
        x = torch.cat([x[index] for x, index in zip(data, indices)], 1).contiguous(memory_format=torch.channels_last)
        z = grouped.encoder(x)
        losses = family_loss(configs, models, x, z, grouped.decoder(z), generators)
        for optimizer in optimizers:
            optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()  # member g's loss reaches only member g's weights
        for optimizer in optimizers:
            optimizer.step()
        return losses.detach().reshape(-1, 1)

    def finish(model: nn.Module) -> nn.Module:
        return model.to(memory_format=torch.contiguous_format).eval()  # as load_run gives it back

    return Plan(list(members), examples, step, finish)


def train_batched(
    configs: Sequence[Config],
    outs: Sequence[str | Path],
    on_warning: Callable[[str], Any] | None = None,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
) -> list[str]:
    """Train `configs` (see check_family) as one grouped model; write each run folder; return statuses.

    Each folder is started and checkpointed as a lone run's is; `on_warning(message)` hears of a
    checkpoint not saved (by default a Python warning), and the training goes on. `callbacks`
    get the loop's Progress (the members' mean loss); `cancel` is checked between steps, and a
    cancelled family keeps every member resumable alone, as `train` does."""
    configs = [c.validate() for c in configs]
    check_family(configs)
    outs = [Path(out) for out in outs]
    device = resolve_device(configs[0].device)
    with contextlib.ExitStack() as stack:
        for config, out in zip(configs, outs):
            stack.enter_context(started(config, out))  # one writer per run folder, its first files
        stack.enter_context(tuned_for(device))
        plan = family_plan(configs, outs, device)
        runs = run_loop(plan, device, [*callbacks, _warnings_to(on_warning or _warn)], cancel)
        return [run.status for run in runs]


def _warnings_to(warn: Callable[[str], Any]) -> Callback:
    def callback(report: Progress) -> None:
        if report.event == "warning":
            warn(report.message)

    return callback


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=2)
