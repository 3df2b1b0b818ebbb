"""Many disk runs of one architecture trained as one grouped model (issue 5, `sweep --batched`).

Member g's layers become group g of grouped convolutions, so a step runs G small networks in
one kernel launch per layer: on a GPU that is what keeps the device busy. The total loss is the
sum of the members' losses; each member's parameters only reach its own term, and Adam is
elementwise, so every member follows the same updates as its own `train` (up to rounding). Each
member keeps its own shuffling generator, data, regulariser and lambda, and ends as its own run
folder whose checkpoint `train(..., resume=True)` continues alone. On CPU the grouped
convolutions are slower than separate runs (bench/bench_sweep.py), so `sweep` uses this on CUDA.
"""

from __future__ import annotations

import contextlib
import copy
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .config import Config, ConfigError
from .files import hold
from .kinds import kind_of
from .loop import Callback, CancelToken, Progress, RunRecord, resolve_device, tuned_for
from .losses import locality_penalty
from .models import Autoencoder

# settings members may differ in; everything else (architecture, data shape, schedule) is shared
MEMBER_SETTINGS = ("seed", "regulariser", "lam")


def can_batch(configs: Sequence[Config]) -> bool:
    """Whether the configs are disk runs that differ only in seed, regulariser and lambda."""
    if len(configs) < 2 or not all(kind_of(c).groupable for c in configs):
        return False
    shared = [c.replace(**{key: getattr(configs[0], key) for key in MEMBER_SETTINGS}) for c in configs]
    return all(s == shared[0] for s in shared)


def _grouped(layers: list[nn.Module]) -> nn.Module:
    """One convolution whose group g is layers[g] (weights concatenated along the first axis)."""
    first = layers[0]
    options = {
        "kernel_size": first.kernel_size,
        "stride": first.stride,
        "padding": first.padding,
        "groups": len(layers),
        "bias": first.bias is not None,
    }
    if isinstance(first, nn.ConvTranspose2d):
        options["output_padding"] = first.output_padding
    grouped = type(first)(first.in_channels * len(layers), first.out_channels * len(layers), **options)
    with torch.no_grad():
        for name, value in grouped.named_parameters():
            value.copy_(torch.cat([getattr(layer, name) for layer in layers]))
    return grouped


def grouped_model(members: Sequence[Autoencoder]) -> Autoencoder:
    """(N, G, m, m) -> (N, G, m, m): member g reads and writes channel g."""
    model = copy.deepcopy(members[0])
    for part in ("encoder", "decoder"):
        stacks = zip(*(getattr(m, part).layers for m in members))
        getattr(model, part).layers = nn.ModuleList(_grouped(list(layers)) for layers in stacks)
    return model


def member_tensor(grouped: torch.Tensor, groups: int, g: int) -> torch.Tensor:
    """Member g's block of a grouped parameter (or of its Adam moment): rows g*k .. (g+1)*k."""
    return grouped.detach().unflatten(0, (groups, -1))[g].clone()


def _regularisers(configs: Sequence[Config], model: Autoencoder, x, z, partners) -> torch.Tensor:
    """psi of every member (0 where it has none), as in train.regulariser."""
    groups = len(configs)

    def squared_norms(part) -> torch.Tensor:
        return sum(layer.weight.unflatten(0, (groups, -1)).pow(2).flatten(1).sum(1) for layer in part.layers)

    encoder = squared_norms(model.encoder)
    decoder = squared_norms(model.decoder)
    codes = z.unflatten(1, (groups, -1))
    psi = []
    for g, config in enumerate(configs):
        if config.regulariser == "psi1" and partners[g] is not None:
            psi.append(locality_penalty(x[:, g], codes[:, g], partners[g]))
        elif config.regulariser == "psi2":
            psi.append(encoder[g] + decoder[g])
        elif config.regulariser == "psi3":
            psi.append(encoder[g])
        else:
            psi.append(torch.zeros((), device=x.device))
    return torch.stack(psi)


class _Member:
    """One run inside the grouped model: its data, its generator, and its record (history, last
    finite state, folder) kept as any lone run keeps it."""

    def __init__(self, config: Config, out: Path, device: torch.device, warn: Callable[[str], Any]):
        self.config = config
        self.x, _ = kind_of(config).device_tensors(config, device)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(config.seed)
        self.regularised = config.regulariser != "none" and config.lam > 0
        self.record = RunRecord(config, device, out, warn, info={"batched": True})


def _snapshot(member: _Member, g: int, groups: int, model: Autoencoder, optimizer, epoch: int) -> None:
    """Keep member g's weights and a checkpoint `train(..., resume=True)` can continue from."""
    grouped = dict(model.named_parameters())  # named as a single member's, in the same order
    names = list(grouped)
    state = {name: member_tensor(grouped[name], groups, g) for name in names}
    checkpoint = {"rng.shuffle": member.generator.get_state(), "epoch": torch.tensor(epoch)}
    checkpoint.update({f"model.{name}": value for name, value in state.items()})
    for index, name in enumerate(names):
        for key, value in optimizer.state.get(grouped[name], {}).items():
            value = torch.as_tensor(value)  # "step" is one number shared by all members
            block = value.clone() if value.dim() == 0 else member_tensor(value, groups, g)
            checkpoint[f"optim.{index}.{key}"] = block
    member.record.keep(state, checkpoint)


def train_batched(
    configs: Sequence[Config],
    outs: Sequence[str | Path],
    on_warning: Callable[[str], Any] | None = None,
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
) -> list[str]:
    """Train `configs` (see can_batch) as one grouped model; write each run folder; return statuses.

    Each folder is written at the start and checkpointed as a lone run's is; `on_warning(message)`
    hears of a checkpoint not saved (by default a Python warning), and the training goes on.
    `callbacks` get a Progress at the start, after each epoch (the members' mean loss) and at
    the end; `cancel` is checked between steps, and a cancelled family keeps every member
    resumable, as `train` does."""
    configs = [c.validate() for c in configs]
    if not can_batch(configs):
        raise ConfigError("batched: the runs must be disk runs that differ only in seed, regulariser and lambda")
    device = resolve_device(configs[0].device)
    with contextlib.ExitStack() as stack:
        for out in outs:
            stack.enter_context(hold(Path(out)))  # one writer per run folder
        stack.enter_context(tuned_for(device))
        family = _Family(list(callbacks), cancel, device)
        return _train_members(configs, outs, device, on_warning or _warn, family)


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=2)


@dataclass
class _Family:
    """What the caller follows the family's training by: its callbacks and cancel token."""

    callbacks: list[Callback]
    cancel: CancelToken | None
    device: torch.device

    def emit(self, event: str, epoch: int, epochs: int, steps: int, loss: float | None, status: str) -> None:
        report = Progress(event, epoch, epochs, steps, steps, loss, 0.0, status, str(self.device))
        for callback in self.callbacks:
            callback(report)

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()


def _train_members(
    configs: list[Config],
    outs: Sequence[str | Path],
    device: torch.device,
    warn: Callable[[str], Any],
    family: _Family,
) -> list[str]:
    base = configs[0]
    groups = len(configs)
    members = [_Member(c, Path(o), device, warn) for c, o in zip(configs, outs)]
    templates = [kind_of(c).init_model(c) for c in configs]
    model = grouped_model(templates).to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=base.lr, betas=(base.beta1, base.beta2))
    n = members[0].x.shape[0]
    batch = min(base.batch_size, n)
    steps = -(-n // batch)
    for g, member in enumerate(members):
        _snapshot(member, g, groups, model, optimizer, 0)
        member.record.forget_snapshots()
        member.record.save_checkpoint(0)  # on disk, resumable, from the first second
        member.record.keep_snapshot()
    lams = torch.tensor([c.lam if m.regularised else 0.0 for c, m in zip(configs, members)], device=device)
    family.emit("start", 0, base.epochs, steps, None, "running")
    epoch = 0
    for epoch in range(1, base.epochs + 1):
        tick = time.perf_counter()
        orders = [torch.randperm(n, generator=m.generator, device=device) for m in members]
        loss_sum = torch.zeros(groups, device=device)
        for step in range(steps):
            if family.cancelled():
                break
            window = slice(step * batch, (step + 1) * batch)
            x = torch.cat([m.x[order[window]] for m, order in zip(members, orders)], 1)
            x = x.contiguous(memory_format=torch.channels_last)
            z = model.encoder(x)
            data_terms = (model.decoder(z) - x).pow(2).sum((2, 3)).mean(0)
            partners = [
                torch.randperm(x.shape[0], generator=m.generator, device=device) if m.regularised else None
                for m in members
            ]
            losses = data_terms + lams * _regularisers(configs, model, x, z, partners)
            optimizer.zero_grad(set_to_none=True)
            losses.sum().backward()
            optimizer.step()
            loss_sum += losses.detach()
        if family.cancelled():  # each member keeps its last finished epoch, as a lone run does
            for member in members:
                if member.record.status == "running":
                    member.record.status = "cancelled"
            break
        losses = (loss_sum / steps).cpu()  # waits for the device, so `seconds` is the epoch's
        seconds = time.perf_counter() - tick
        _end_epoch(members, model, optimizer, epoch, losses, seconds)
        family.emit("epoch", epoch, base.epochs, steps, float(losses.mean()), "running")
        if not any(m.record.status == "running" for m in members):
            break

    for member in members:
        if member.record.status == "running":
            member.record.status = "finished"
        member.record.save()
    family.emit("end", epoch, base.epochs, steps, None, "finished")
    return [m.record.status for m in members]


def _end_epoch(members, model, optimizer, epoch, losses, seconds) -> None:
    groups = len(members)
    # one read of the device: per member, whether its loss and every one of its weights are finite
    flags = [torch.isfinite(p.detach().unflatten(0, (groups, -1))).flatten(1).all(1) for p in model.parameters()]
    finite = (torch.stack(flags).all(0).cpu() & torch.isfinite(losses)).tolist()
    for g, member in enumerate(members):
        record = member.record
        if record.status != "running":
            continue
        if not finite[g]:
            record.status = "diverged"  # its last finite epoch stays in the record
            continue
        record.history.append({"epoch": epoch, "loss": float(losses[g]), "seconds": seconds})
        _snapshot(member, g, groups, model, optimizer, epoch)
        if record.checkpoint_due(epoch):
            record.save_checkpoint(epoch)
        record.keep_snapshot()
