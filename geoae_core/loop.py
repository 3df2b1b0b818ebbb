"""The one training loop. Every kind of run trains through `run_loop`, and so does a family of
runs trained as one grouped model (batched.py): what differs (the models, their optimisers, one
update) comes in a `Plan`, as a LightningModule's `training_step` and `configure_optimizers` do.
The loop owns the rest, once for all: the shuffling per run, progress events, cancel, the
divergence check and the last finite state of each run, checkpoints (every N epochs or T
seconds), snapshots, resume, and what a failed save does.

Data lives on the device, batches are gathered there, and the loss is read back once per
epoch, so a step never waits for the host.
"""

from __future__ import annotations

import contextlib
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from . import __version__
from .config import Config
from .files import STATUS_FILE, RunError, read_json
from .kinds import Regime
from .runs import Run
from .store import load_checkpoint, pack_checkpoint, save_failure, save_run, save_snapshot, snapshot_path

DENSE_SNAPSHOTS = 32  # every epoch's weights are kept up to here; then 16 per doubling of the epoch


@dataclass
class Progress:
    """One report from the loop. `loss` is the epoch's mean loss (None on step events); for a
    grouped family, the mean over its members still training."""

    event: str  # "start", "step", "epoch", "warning" (see `message`: a checkpoint not saved...) or "end"
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float | None
    seconds: float
    status: str = "running"
    device: str = "cpu"
    message: str = ""


Callback = Callable[[Progress], Any]


class CancelToken(Protocol):
    def is_set(self) -> bool: ...


class UnsavedRunError(RunError):
    """The training ended but its run folder could not be written.

    `run` is the trained model in memory (its `path` is None) and `checkpoint` its optimiser and
    RNG state: `runs.save_run(folder, run.config, run.model.state_dict(), run.history, run.info,
    checkpoint)` writes both elsewhere, as a run that can be resumed.
    """

    def __init__(self, message: str, run: Run, checkpoint: dict[str, torch.Tensor]):
        super().__init__(message)
        self.run = run
        self.checkpoint = checkpoint


@dataclass
class Member:
    """One run the loop trains: a lone run, or one member of a grouped family. `info` goes into
    its run.json ({"batched": True} for a member)."""

    config: Config
    out: Path | None
    model: nn.Module
    optimizers: dict[str, torch.optim.Optimizer]
    info: dict[str, Any] = field(default_factory=dict)


# one update of every member: each member's indices of the epoch's order and its generator in,
# its detached losses out, shape (members, k); the first of a member's losses goes into its history
Step = Callable[[list[torch.Tensor], list[torch.Generator]], torch.Tensor]


@dataclass
class Plan:
    """What the loop trains: its members (sharing every setting but seed, regulariser and lambda),
    how many examples each has, one update of them all, and how a trained model is given back."""

    members: list[Member]
    examples: int
    step: Step
    finish: Callable[[nn.Module], nn.Module] = nn.Module.eval


def lone(config: Config, regime: Regime, out: Path | None) -> Plan:
    """A kind's regime as a plan of one member."""

    def step(indices: list[torch.Tensor], generators: list[torch.Generator]) -> torch.Tensor:
        return regime.step(indices[0], generators[0]).reshape(1, -1)

    return Plan([Member(config, out, regime.model, regime.optimizers)], regime.examples, step, regime.finish)


def run_info(config: Config, device: torch.device, status: str, epoch: int, started: float) -> dict[str, Any]:
    return {
        "status": status,
        "epochs_done": epoch,
        "epochs": config.epochs,
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "versions": {
            "geoae": __version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "wall_seconds": round(time.time() - started, 3),
    }


def finite_members(losses: torch.Tensor, models: Sequence[nn.Module]) -> list[bool]:
    """One read of the device: per member, whether its losses (a row) and every weight are finite."""
    weights = torch.stack([torch.stack([p.detach().pow(2).sum() for p in m.parameters()]).sum() for m in models])
    return torch.isfinite(torch.cat([losses, weights[:, None]], 1)).all(1).tolist()


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def snapshot_due(epoch: int, epochs: int) -> bool:
    """Whether the weights at `epoch` go to the run's snapshots/: every epoch up to 32, then
    log-spaced (every 2nd to 63, every 4th to 127, ...: 90 snapshots of a 400-epoch run), and the
    last epoch always. A rule of the epoch alone, so a resumed run keeps the same ones."""
    if epoch <= DENSE_SNAPSHOTS or epoch >= epochs:
        return True
    return epoch % 2 ** (epoch // DENSE_SNAPSHOTS).bit_length() == 0


class RunRecord:
    """One run being trained: its generator, history, last finite state and checkpoint, and its
    folder. What a checkpoint, a deleted folder and a failed save do is written here once, for a
    lone run and for each member of a family. `warn(message)` hears about a checkpoint not saved;
    the training goes on in memory."""

    def __init__(self, member: Member, device: torch.device, warn: Callable[[str], Any]):
        self.member, self.config, self.device, self.out, self.warn = member, member.config, device, member.out, warn
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(member.config.seed)
        self.history: list[dict[str, float]] = []
        self.extra_info = dict(member.info)
        self.status = "running"
        # the last state known to be finite, at an epoch boundary: what a stop or a divergence keeps
        self.state: dict[str, torch.Tensor] = {}
        self.checkpoint: dict[str, torch.Tensor] = {}
        self.epoch = 0  # the epoch of `state`
        self.started = time.time()
        self.saved = False  # whether the folder has been written: if it then disappears, it was deleted
        self.last_save = time.monotonic()
        self.earlier_seconds = 0.0  # training time of the sessions before a resume

    def resume(self) -> int:
        """Continue from the folder's checkpoint: the state, the history, the time so far; its epoch."""
        epoch, self.history = load_checkpoint(self.out, self.member.model, self.member.optimizers, self.generator)
        if epoch > 0 and (self.out / STATUS_FILE).is_file():  # its time and start are the whole run's
            earlier = read_json(self.out / STATUS_FILE)
            seconds = earlier.get("wall_seconds")
            self.earlier_seconds = float(seconds) if isinstance(seconds, int | float) else 0.0
            if isinstance(earlier.get("started"), str):
                self.extra_info.setdefault("started", earlier["started"])
        return epoch

    def keep(self, epoch: int) -> None:
        """The model's state now, at the end of `epoch`, as the last finite one."""
        self.state = snapshot(self.member.model)
        self.checkpoint = pack_checkpoint(self.member.optimizers, self.generator, epoch, self.state)
        self.epoch = epoch

    def end_epoch(self, epoch: int, loss: float, seconds: float, finite: bool) -> None:
        if not finite:
            self.status = "diverged"  # its last finite epoch stays in the record
            return
        self.history.append({"epoch": epoch, "loss": loss, "seconds": seconds})
        self.keep(epoch)
        if self.checkpoint_due(epoch):
            self.save_checkpoint(epoch)
        self.keep_snapshot()

    def keep_snapshot(self, last: bool = False) -> None:
        """Write the kept state to snapshots/ if the schedule keeps its epoch (or it is the `last`).

        Only into a folder already written and still there. A snapshot that cannot be written is
        skipped without a word: the scrubber shows the nearest one, and the checkpoints report a
        full disk. It reads the kept copy only, so the training (weights, RNG) is untouched."""
        if self.out is None or not self.saved or not (last or snapshot_due(self.epoch, self.config.epochs)):
            return
        if last and snapshot_path(self.out, self.epoch).is_file():
            return
        with contextlib.suppress(OSError):
            save_snapshot(self.out, self.epoch, self.state)

    def info(self) -> dict[str, Any]:
        info = run_info(self.config, self.device, self.status, len(self.history), self.started)
        info["wall_seconds"] = round(info["wall_seconds"] + self.earlier_seconds, 3)  # over every session
        return {**info, **self.extra_info}

    def save(self) -> None:
        """Write the run folder; an OSError (a full disk, a deleted or unwritable folder) is raised
        as a RunError that names the folder and the cause."""
        if self.out is None:
            return
        if self.saved and not self.out.is_dir():
            self.warn(f"{self.out}: the run folder was deleted during training; writing it again")
        self.last_save = time.monotonic()
        try:
            save_run(self.out, self.config, self.state, self.history, self.info(), self.checkpoint)
        except OSError as exc:
            raise save_failure(self.out, exc) from exc
        self.saved = True
        if self.status != "running":  # the run's end: its last epoch is a snapshot too
            self.keep_snapshot(last=True)

    def save_checkpoint(self, epoch: int) -> None:
        try:
            self.save()
        except RunError as exc:  # the training goes on in memory; the next checkpoint may succeed
            self.warn(f"checkpoint at epoch {epoch} not saved: {exc}")

    def checkpoint_due(self, epoch: int) -> bool:
        """Every checkpoint_every epochs or checkpoint_seconds, whichever comes first; not at the end."""
        if epoch >= self.config.epochs:
            return False
        every, seconds = self.config.checkpoint_every, self.config.checkpoint_seconds
        return epoch % every == 0 or time.monotonic() - self.last_save >= seconds


def family_status(records: Sequence[RunRecord]) -> str:
    """A lone run's status; a family's: running while one member is, cancelled if it was, else
    the one status they all have, else finished (some finished, some diverged)."""
    statuses = {record.status for record in records}
    for status in ("running", "cancelled"):
        if status in statuses:
            return status
    return statuses.pop() if len(statuses) == 1 else "finished"


def mean_loss(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def run_loop(
    plan: Plan,
    device: torch.device,
    callbacks: Sequence[Callback],
    cancel: CancelToken | None = None,
    resume: bool = False,
) -> list[Run]:
    """Train `plan` for its config's epochs; write each member's run folder (if it has one) from the
    start; return the members' runs. A save that fails at the end raises UnsavedRunError once every
    member has been given its chance."""
    config = plan.members[0].config
    batch = min(config.batch_size, plan.examples)
    steps = -(-plan.examples // batch)
    epoch = 0

    def emit(event: str, step: int = 0, loss: float | None = None, seconds: float = 0.0, message: str = "") -> None:
        status = family_status(records)
        report = Progress(event, epoch, config.epochs, step, steps, loss, seconds, status, str(device), message)
        for callback in callbacks:
            callback(report)

    records = [RunRecord(m, device, lambda message: emit("warning", message=message)) for m in plan.members]
    epoch = _start(records, resume)
    generators = [record.generator for record in records]
    emit("start")
    for member in plan.members:
        member.model.train()
    while epoch < config.epochs and family_status(records) == "running":
        tick = time.perf_counter()
        orders = [torch.randperm(plan.examples, generator=generator, device=device) for generator in generators]
        loss_sum: torch.Tensor | float = 0.0
        stopped = False
        for step in range(steps):
            if stopped := _cancelled(cancel, records):
                break
            loss_sum = loss_sum + plan.step([order[step * batch : (step + 1) * batch] for order in orders], generators)
            emit("step", step + 1)
        if stopped:
            break
        epoch += 1
        losses = torch.as_tensor(loss_sum, device=device).reshape(len(records), -1)
        finite = finite_members(losses, [m.model for m in plan.members])  # on CUDA the epoch's work is done here
        seconds = time.perf_counter() - tick
        means = [float(value) / steps for value in losses[:, 0].tolist()]
        running = [(record, ok, loss) for record, ok, loss in zip(records, finite, means) if record.status == "running"]
        for record, ok, loss in running:
            record.end_epoch(epoch, loss, seconds, ok)
        emit("epoch", steps, mean_loss([loss for _, _, loss in running]), seconds)
    runs, unsaved = _finish(plan, records)
    emit("end", loss=mean_loss([r.history[-1]["loss"] for r in records if r.history]), seconds=_seconds(records))
    if unsaved is not None:  # the model is not lost: it travels with the error
        error, run, checkpoint = unsaved
        raise UnsavedRunError(str(error), run, checkpoint) from error.__cause__
    return runs


def _cancelled(cancel: CancelToken | None, records: list[RunRecord]) -> bool:
    """Whether to stop now; if so each member still training keeps its last finished epoch."""
    if cancel is None or not cancel.is_set():
        return False
    for record in records:
        if record.status == "running":
            record.status = "cancelled"
    return True


def _start(records: list[RunRecord], resume: bool) -> int:
    """Each member's state at its start (a resume's checkpoint, or its seeded weights), written as
    a checkpoint at once, so the run is on disk, resumable, from the first second; the epoch."""
    epochs = {record.resume() if resume and record.out is not None else 0 for record in records}
    if len(epochs) != 1:
        raise RunError("resume: the members of a family stopped at different epochs; resume each alone")
    epoch = epochs.pop()
    for record in records:
        record.keep(epoch)
        record.save_checkpoint(epoch)
        record.keep_snapshot()
    return epoch


def _seconds(records: Sequence[RunRecord]) -> float:
    return time.time() - min(record.started for record in records)


def _finish(plan: Plan, records: list[RunRecord]) -> tuple[list[Run], tuple[RunError, Run, dict] | None]:
    """Each member's last finite state, given back as `load_run` would, and its folder written."""
    runs, unsaved = [], None
    for member, record in zip(plan.members, records):
        if record.status == "running":
            record.status = "finished"
        member.model.load_state_dict(record.state)
        model = plan.finish(member.model)
        run = Run(config=member.config, model=model, path=member.out, status=record.status, history=record.history)
        try:
            record.save()
        except RunError as exc:
            run.path = None
            unsaved = unsaved or (exc, run, record.checkpoint)
        run.info = record.info()
        runs.append(run)
    return runs, unsaved
