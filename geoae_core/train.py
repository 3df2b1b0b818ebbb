"""The one training loop: the CLI, the GUI, `reproduce` and the sweeps all call `train`.

Data lives on the device, batches are gathered there, and the loss is read back once per
epoch, so a step never waits for the host.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch.nn import functional as F

from . import __version__
from .config import Config, ConfigError
from .data import training_set
from .models import Autoencoder, build_model
from .presets import preset
from .runs import (
    CHECKPOINT_FILE,
    Run,
    RunError,
    load_state,
    read_config,
    read_history,
    read_tensors,
    save_failure,
    save_run,
)


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


def as_config(config_or_preset: Config | str | dict) -> Config:
    if isinstance(config_or_preset, Config):
        return config_or_preset.validate()
    if isinstance(config_or_preset, str):
        return preset(config_or_preset)
    return Config.from_dict(config_or_preset)


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


def init_model(config: Config) -> Autoencoder:
    """The model with its seeded initial weights, independent of the global RNG and the device."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return build_model(config)


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


def _checkpoint(
    optimizer: torch.optim.Optimizer, generator: torch.Generator, epoch: int, weights: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Everything a resume needs, in one file (written atomically): weights, optimiser, RNG, epoch."""
    tensors: dict[str, torch.Tensor] = {"rng.shuffle": generator.get_state(), "epoch": torch.tensor(epoch)}
    tensors.update({f"model.{name}": value for name, value in weights.items()})
    for index, state in optimizer.state_dict()["state"].items():
        for name, value in state.items():
            tensors[f"optim.{index}.{name}"] = torch.as_tensor(value).detach().clone()
    return tensors


def _restore_checkpoint(
    tensors: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer, generator: torch.Generator
) -> int:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": optimizer.state_dict()["param_groups"]})
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
    generator.set_state(tensors["rng.shuffle"])
    return int(tensors["epoch"])


def _all_finite(loss_sum: torch.Tensor, model: torch.nn.Module) -> bool:
    params = torch.stack([p.detach().pow(2).sum() for p in model.parameters()]).sum()
    return bool(torch.isfinite(torch.stack([loss_sum, params])).all())


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
    with tuned_for(device):
        return _train(config, device, out, list(callbacks), cancel, resume)


def _train(
    config: Config, device: torch.device, out: Path | None, callbacks: list[Callback], cancel, resume: bool
) -> Run:
    if config.kind == "gan":
        from .gan import train_gan  # adversarial training needs its own loop

        return train_gan(config, out=out, callbacks=callbacks, cancel=cancel, resume=resume)

    model = init_model(config).to(device)
    if config.kind == "disk":
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(config.beta1, config.beta2), fused=True)
    generator = torch.Generator(device=device)
    generator.manual_seed(config.seed)
    history: list[dict[str, float]] = []
    start_epoch = 0
    if resume:
        checkpoint = read_tensors(out / CHECKPOINT_FILE)
        # the checkpoint's own copy of the weights: a kill between two files cannot mismatch them
        weights = {k[len("model.") :]: v for k, v in checkpoint.items() if k.startswith("model.")}
        load_state(model, weights, out / CHECKPOINT_FILE)
        try:
            start_epoch = _restore_checkpoint(checkpoint, optimizer, generator)
        except (KeyError, ValueError, RuntimeError) as exc:
            raise RunError(f"{out / CHECKPOINT_FILE}: unusable checkpoint ({exc})") from None
        history = read_history(out)[:start_epoch]

    x, y = device_tensors(config, device)
    n = x.shape[0]
    batch = min(config.batch_size, n)
    steps = math.ceil(n / batch)
    started = time.time()
    status = "running"
    epoch = start_epoch
    # the last state known to be finite, at an epoch boundary: what a stop or a divergence keeps
    good_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    good_checkpoint = _checkpoint(optimizer, generator, epoch, good_state)

    saved = resume  # whether the folder has been written: if it then disappears, it was deleted

    def emit(event: str, step: int = 0, loss: float | None = None, seconds: float = 0.0, message: str = "") -> None:
        report = Progress(event, epoch, config.epochs, step, steps, loss, seconds, status, str(device), message)
        for callback in callbacks:
            callback(report)

    def save() -> None:
        """Write the run folder; an OSError (a full disk, a deleted or unwritable folder) is raised
        as a RunError that names the folder and the cause."""
        nonlocal saved
        if out is None:
            return
        if saved and not out.is_dir():
            emit("warning", message=f"{out}: the run folder was deleted during training; writing it again")
        info = run_info(config, device, status, len(history), started)
        try:
            save_run(out, config, good_state, history, info, good_checkpoint)
        except OSError as exc:
            raise save_failure(out, exc) from exc
        saved = True

    emit("start")
    model.train()
    while epoch < config.epochs and status == "running":
        tick = time.perf_counter()
        order = torch.randperm(n, generator=generator, device=device)
        loss_sum = torch.zeros((), device=device)
        for step in range(steps):
            if cancel is not None and cancel.is_set():
                status = "cancelled"
                break
            index = order[step * batch : (step + 1) * batch]
            inputs = x[index]
            loss = batch_loss(config, model, inputs, inputs if y is x else y[index], generator)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
            emit("step", step + 1)
        if status == "cancelled":
            break
        epoch += 1
        finite = _all_finite(loss_sum, model)  # reads the device: on CUDA the epoch's work is done here
        seconds = time.perf_counter() - tick
        if not finite:
            status = "diverged"
            emit("epoch", steps, float(loss_sum) / steps, seconds)
            break
        history.append({"epoch": epoch, "loss": float(loss_sum) / steps, "seconds": seconds})
        good_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        good_checkpoint = _checkpoint(optimizer, generator, epoch, good_state)
        if epoch % config.checkpoint_every == 0 and epoch < config.epochs:
            try:
                save()
            except RunError as exc:  # the training goes on in memory; the next checkpoint may succeed
                emit("warning", message=f"checkpoint at epoch {epoch} not saved: {exc}")
        emit("epoch", steps, history[-1]["loss"], seconds)

    if status == "running":
        status = "finished"
    model.load_state_dict(good_state)
    model = model.to(memory_format=torch.contiguous_format).eval()  # as load_run gives it back
    unsaved: RunError | None = None
    try:
        save()
    except RunError as exc:
        unsaved = exc
    emit("end", loss=history[-1]["loss"] if history else None, seconds=time.time() - started)
    info = run_info(config, device, status, len(history), started)
    if unsaved is not None:  # the model is not lost: it travels with the error
        run = Run(config=config, model=model, path=None, status=status, history=history, info=info)
        raise UnsavedRunError(str(unsaved), run, good_checkpoint) from unsaved.__cause__
    return Run(config=config, model=model, path=out, status=status, history=history, info=info)
