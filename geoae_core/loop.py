"""The one training loop. Every kind of run trains through `run_loop`; what differs between
kinds (the model, its optimisers, one update) comes in a `Regime`, as a LightningModule's
`training_step` and `configure_optimizers` do. The loop owns the rest, once for all kinds:
progress events, cancel, the divergence check and the last finite state, checkpoints (every N
epochs or T seconds), resume, and what a failed save does.

Data lives on the device, batches are gathered there, and the loss is read back once per
epoch, so a step never waits for the host.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from . import __version__
from .config import Config, ConfigError
from .files import CHECKPOINT_FILE, STATUS_FILE, RunError
from .kinds import Regime
from .runs import Run
from .store import (
    load_state,
    read_history,
    read_json,
    read_tensors,
    remove_snapshots,
    save_failure,
    save_run,
    save_snapshot,
    snapshot_path,
)

DENSE_SNAPSHOTS = 32  # every epoch's weights are kept up to here; then 16 per doubling of the epoch


@dataclass
class Progress:
    """One report from the loop. `loss` is the epoch's mean loss (None on step events)."""

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


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: 'cuda' asked for, but this machine has no CUDA device (use auto or cpu)")
    if name not in ("cpu", "cuda"):
        raise ConfigError(f"device: {name!r} is not one of auto, cpu, cuda")
    return torch.device(name)


@functools.cache
def keep_freed_memory() -> bool:
    """Ask glibc to keep freed blocks of up to 32 MiB in the heap instead of returning them.

    A step allocates and frees activations of a few MiB each. By default glibc hands such blocks
    back to the kernel at once, and the next step pays a page fault on every 4 KiB of them:
    about 10% of a CPU epoch of `disks` (bench/bench_train.py). The cost is that the process
    keeps its peak heap. GEOAE_KEEP_FREED_MEMORY=0 turns it off; elsewhere than glibc it is a no-op.
    """
    if os.environ.get("GEOAE_KEEP_FREED_MEMORY", "1") == "0" or platform.system() != "Linux":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # musl and others: no mallopt to call
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 256 << 20))


def _denormals_flushed_here() -> bool:
    return torch.tensor(1e-40, dtype=torch.float32).mul(1.5).item() == 0.0  # a float32 denormal


@contextlib.contextmanager
def denormals_flushed() -> Iterator[None]:
    """Treat numbers below 1.2e-38 as zero on this thread while the block runs.

    A run that collapses under strong weight decay (figure 8's large lambdas) drives weights and
    gradients into the denormal range, where each multiply costs tens of cycles: such an epoch
    took 1.00 s instead of 0.34 s (bench/bench_denormals.py). TensorFlow and XLA flush by
    default for the same reason. Values that small are zero for every figure here.
    The thread's setting is restored on exit, so code after a training (Python floats, numpy)
    sees none of it; torch's worker threads copy the setting when they are created, and those
    started during a training keep it. GEOAE_FLUSH_DENORMALS=0 leaves the setting alone.
    """
    if os.environ.get("GEOAE_FLUSH_DENORMALS", "1") == "0" or _denormals_flushed_here():
        yield
        return
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


@contextlib.contextmanager
def tuned_for(device: torch.device) -> Iterator[None]:
    """What every training loop runs under on the CPU: freed memory kept, denormals flushed."""
    if device.type != "cpu":
        yield
        return
    keep_freed_memory()
    with denormals_flushed():
        yield


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


def pack_checkpoint(
    optimizers: dict[str, torch.optim.Optimizer],
    generator: torch.Generator,
    epoch: int,
    weights: dict[str, torch.Tensor],
) -> dict[str, torch.Tensor]:
    """Everything a resume needs, in one file (written atomically): weights, optimisers, RNG, epoch."""
    tensors: dict[str, torch.Tensor] = {"rng.shuffle": generator.get_state(), "epoch": torch.tensor(epoch)}
    tensors.update({f"model.{name}": value for name, value in weights.items()})
    for prefix, optimizer in _optimizer_prefixes(optimizers):
        for index, state in optimizer.state_dict()["state"].items():
            for name, value in state.items():
                tensors[f"{prefix}{index}.{name}"] = torch.as_tensor(value).detach().clone()
    return tensors


def _optimizer_prefixes(optimizers: dict[str, torch.optim.Optimizer]) -> list[tuple[str, torch.optim.Optimizer]]:
    return [(f"optim.{name}." if name else "optim.", optimizer) for name, optimizer in optimizers.items()]


def restore_checkpoint(
    tensors: dict[str, torch.Tensor], optimizers: dict[str, torch.optim.Optimizer], generator: torch.Generator
) -> int:
    """Put the optimisers' and the generator's state back; return the checkpoint's epoch."""
    for prefix, optimizer in _optimizer_prefixes(optimizers):
        state: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            rest = key[len(prefix) :] if key.startswith(prefix) else ""
            if rest[:1].isdigit():
                index, name = rest.split(".", 1)
                state.setdefault(int(index), {})[name] = value
        optimizer.load_state_dict({"state": state, "param_groups": optimizer.state_dict()["param_groups"]})
        _match_moments(optimizer)
    generator.set_state(tensors["rng.shuffle"])
    return int(tensors["epoch"])


def _match_moments(optimizer: torch.optim.Optimizer) -> None:
    # fused Adam checks neither shapes nor strides: a moment of the wrong size is written out of
    # bounds, and a contiguous moment of a channels-last weight is silently scrambled
    for param, moments in optimizer.state.items():
        for name, value in moments.items():
            if name == "step":
                continue
            if value.shape != param.shape:
                raise ValueError(f"optimiser {name} of shape {tuple(value.shape)} for a weight {tuple(param.shape)}")
            if value.stride() != param.stride():
                moments[name] = torch.empty_like(param).copy_(value)


def all_finite(losses: torch.Tensor, model: nn.Module) -> bool:
    """One read of the device: whether the losses and every weight are finite."""
    params = torch.stack([p.detach().pow(2).sum() for p in model.parameters()]).sum()
    return bool(torch.isfinite(torch.cat([losses.reshape(-1), params.reshape(1)])).all())


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def snapshot_due(epoch: int, epochs: int) -> bool:
    """Whether the weights at `epoch` go to the run's snapshots/: every epoch up to 32, then
    log-spaced (every 2nd to 63, every 4th to 127, ...: 90 snapshots of a 400-epoch run), and the
    last epoch always. A rule of the epoch alone, so a resumed run keeps the same ones."""
    if epoch <= DENSE_SNAPSHOTS or epoch >= epochs:
        return True
    return epoch % 2 ** (epoch // DENSE_SNAPSHOTS).bit_length() == 0


def _resume_from(out: Path, regime: Regime, generator: torch.Generator) -> tuple[int, list[dict[str, float]]]:
    """Load the run's checkpoint into the regime; (epoch, history). No checkpoint yet: epoch 0."""
    path = out / CHECKPOINT_FILE
    if not path.exists():  # killed before its first checkpoint: start again, as the seed dictates
        return 0, []
    checkpoint = read_tensors(path)
    # the checkpoint's own copy of the weights: a kill between two files cannot mismatch them
    weights = {k[len("model.") :]: v for k, v in checkpoint.items() if k.startswith("model.")}
    load_state(regime.model, weights, path)
    try:
        epoch = restore_checkpoint(checkpoint, regime.optimizers, generator)
    except (KeyError, ValueError, RuntimeError) as exc:
        raise RunError(f"{path}: unusable checkpoint ({exc})") from None
    return epoch, read_history(out)[:epoch]


class RunRecord:
    """One run being trained: its history, the last finite state and checkpoint, and its folder.

    What a checkpoint, a deleted folder and a failed save do is written here once, for a lone
    run (`run_loop`) and for each member of a family trained as one grouped model (batched.py).
    `warn(message)` hears about a checkpoint not saved; the training goes on in memory.
    """

    def __init__(
        self,
        config: Config,
        device: torch.device,
        out: Path | None,
        warn: Callable[[str], Any],
        history: list[dict[str, float]] | None = None,
        info: dict[str, Any] | None = None,
    ):
        self.config, self.device, self.out, self.warn = config, device, out, warn
        self.history = list(history or [])
        self.extra_info = dict(info or {})
        self.status = "running"
        # the last state known to be finite, at an epoch boundary: what a stop or a divergence keeps
        self.state: dict[str, torch.Tensor] = {}
        self.checkpoint: dict[str, torch.Tensor] = {}
        self.epoch = 0  # the epoch of `state`
        self.started = time.time()
        self.saved = False  # whether the folder has been written: if it then disappears, it was deleted
        self.last_save = time.monotonic()
        self.earlier_seconds = 0.0  # training time of the sessions before a resume

    def keep(self, state: dict[str, torch.Tensor], checkpoint: dict[str, torch.Tensor]) -> None:
        self.state, self.checkpoint = state, checkpoint
        self.epoch = int(checkpoint["epoch"])

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

    def forget_snapshots(self) -> None:
        """A run starting from epoch 0: snapshots of an earlier run in the folder go."""
        if self.out is not None:
            remove_snapshots(self.out)

    def info(self) -> dict[str, Any]:
        info = run_info(self.config, self.device, self.status, len(self.history), self.started)
        info["wall_seconds"] = round(info["wall_seconds"] + self.earlier_seconds, 3)  # over every session
        return {**info, **self.extra_info}

    def continues(self, earlier: dict[str, Any]) -> None:
        """A resumed run: its time and its start are the whole run's, not this session's."""
        seconds = earlier.get("wall_seconds")
        self.earlier_seconds = float(seconds) if isinstance(seconds, int | float) else 0.0
        if isinstance(earlier.get("started"), str):
            self.extra_info.setdefault("started", earlier["started"])

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


def run_loop(
    config: Config,
    regime: Regime,
    device: torch.device,
    out: Path | None,
    callbacks: list[Callback],
    cancel: CancelToken | None,
    resume: bool,
) -> Run:
    """Train `regime` for config.epochs; write the run folder `out` (if given) from the start."""
    model = regime.model
    generator = torch.Generator(device=device)
    generator.manual_seed(config.seed)
    epoch, history = _resume_from(out, regime, generator) if resume and out is not None else (0, [])
    n = regime.examples
    batch = min(config.batch_size, n)
    steps = -(-n // batch)

    def emit(event: str, step: int = 0, loss: float | None = None, seconds: float = 0.0, message: str = "") -> None:
        report = Progress(event, epoch, config.epochs, step, steps, loss, seconds, record.status, str(device), message)
        for callback in callbacks:
            callback(report)

    record = RunRecord(config, device, out, lambda message: emit("warning", message=message), history)
    if resume and out is not None and epoch > 0 and (out / STATUS_FILE).is_file():
        record.continues(read_json(out / STATUS_FILE))
    state = snapshot(model)
    record.keep(state, pack_checkpoint(regime.optimizers, generator, epoch, state))
    if epoch == 0:
        record.forget_snapshots()
    record.save_checkpoint(epoch)  # on disk, resumable, from the first second
    record.keep_snapshot()
    emit("start")
    model.train()
    while epoch < config.epochs and record.status == "running":
        tick = time.perf_counter()
        order = torch.randperm(n, generator=generator, device=device)
        loss_sum: torch.Tensor | float = 0.0
        for step in range(steps):
            if cancel is not None and cancel.is_set():
                record.status = "cancelled"
                break
            loss_sum = loss_sum + regime.step(order[step * batch : (step + 1) * batch], generator)
            emit("step", step + 1)
        if record.status == "cancelled":
            break
        epoch += 1
        losses = torch.as_tensor(loss_sum, device=device).reshape(-1)
        finite = all_finite(losses, model)  # reads the device: on CUDA the epoch's work is done here
        seconds = time.perf_counter() - tick
        loss = float(losses[0]) / steps
        if not finite:
            record.status = "diverged"
            emit("epoch", steps, loss, seconds)
            break
        record.history.append({"epoch": epoch, "loss": loss, "seconds": seconds})
        state = snapshot(model)
        record.keep(state, pack_checkpoint(regime.optimizers, generator, epoch, state))
        if record.checkpoint_due(epoch):
            record.save_checkpoint(epoch)
        record.keep_snapshot()
        emit("epoch", steps, loss, seconds)

    if record.status == "running":
        record.status = "finished"
    model.load_state_dict(record.state)
    model = regime.finish(model)
    unsaved: RunError | None = None
    try:
        record.save()
    except RunError as exc:
        unsaved = exc
    history = record.history
    emit("end", loss=history[-1]["loss"] if history else None, seconds=time.time() - record.started)
    run = Run(config=config, model=model, path=out, status=record.status, history=history, info=record.info())
    if unsaved is not None:  # the model is not lost: it travels with the error
        run.path = None
        raise UnsavedRunError(str(unsaved), run, record.checkpoint) from unsaved.__cause__
    return run
