"""A run folder's files with tensors in them: the whole folder written (config.json, history.csv,
weights, checkpoint, run.json), the checkpoint's format (packed from a training's state, unpacked
into one), the snapshots. Tensors are safetensors, never pickled; each file is written atomically
(files.py) and read back with a RunError naming the file when anything is wrong.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from .config import Config
from .files import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    HISTORY_FILE,
    SNAPSHOTS_DIR,
    WEIGHTS_FILE,
    RunError,
    atomic_write_bytes,
    atomic_write_text,
    snapshot_path,
    write_status,
)
from .files import read_config as read_config  # read back without torch: files.py has them
from .files import read_json as read_json
from .files import snapshot_epochs as snapshot_epochs


def tensors_to_bytes(tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> bytes:
    return save({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, metadata=metadata)


def history_csv(history: list[dict[str, float]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", "loss", "seconds"])
    for row in history:
        writer.writerow([row["epoch"], repr(float(row["loss"])), f"{row['seconds']:.6f}"])
    return buffer.getvalue()


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Load a safetensors file; anything else (a pickle, a truncated file) is refused."""
    if not path.is_file():
        raise RunError(f"{path}: missing")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise RunError(f"{path}: not a readable safetensors file ({exc})") from None


def read_history(folder: Path) -> list[dict[str, float]]:
    path = Path(folder) / HISTORY_FILE
    if not path.is_file():
        return []
    try:
        with path.open(newline="") as handle:
            return [
                {"epoch": int(row["epoch"]), "loss": float(row["loss"]), "seconds": float(row["seconds"])}
                for row in csv.DictReader(handle)
            ]
    except (KeyError, ValueError, TypeError) as exc:
        raise RunError(f"{path}: malformed history ({exc})") from None


def load_state(model: torch.nn.Module, tensors: dict[str, torch.Tensor], path: Path) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        problem = f"missing {missing[0]}" if missing else f"unexpected {extra[0]}"
        raise RunError(f"{path}: weights do not match the config ({problem})")
    for name, value in expected.items():
        if tensors[name].shape != value.shape:
            raise RunError(
                f"{path}: {name} has shape {tuple(tensors[name].shape)}, the config needs {tuple(value.shape)}"
            )
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in tensors.items()})


def save_run(
    folder: Path,
    config: Config,
    state: dict[str, torch.Tensor],
    history: list[dict[str, float]],
    info: dict[str, Any],
    checkpoint: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write a run folder, each file atomically: history before the weights and checkpoint (a
    resume trims extra history rows to the checkpoint's epoch), the status last."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / CONFIG_FILE, config.to_json() + "\n")
    atomic_write_text(folder / HISTORY_FILE, history_csv(history))
    atomic_write_bytes(folder / WEIGHTS_FILE, tensors_to_bytes(state))
    if checkpoint is not None:
        atomic_write_bytes(folder / CHECKPOINT_FILE, tensors_to_bytes(checkpoint))
    write_status(folder, info)


# ------------------------------------------------------------------ the checkpoint
# Everything a resume needs, in one file: the weights ("model.NAME"), each optimiser's state
# ("optim.[NAME.]INDEX.KEY", INDEX a parameter's place in its optimiser), the shuffling
# generator ("rng.shuffle") and the epoch. A lone run and each member of a grouped family write it
# with the same `pack_checkpoint`, so a member resumes alone.
def pack_checkpoint(
    optimizers: dict[str, torch.optim.Optimizer],
    generator: torch.Generator,
    epoch: int,
    weights: dict[str, torch.Tensor],
) -> dict[str, torch.Tensor]:
    """A training's state at the end of `epoch`, as the checkpoint file holds it."""
    tensors: dict[str, torch.Tensor] = {"rng.shuffle": generator.get_state(), "epoch": torch.tensor(epoch)}
    tensors.update({f"model.{name}": value for name, value in weights.items()})
    for prefix, optimizer in _optimizer_prefixes(optimizers):
        for index, state in optimizer.state_dict()["state"].items():
            for name, value in state.items():
                tensors[f"{prefix}{index}.{name}"] = torch.as_tensor(value).detach().clone()
    return tensors


def _optimizer_prefixes(optimizers: dict[str, torch.optim.Optimizer]) -> list[tuple[str, torch.optim.Optimizer]]:
    return [(f"optim.{name}." if name else "optim.", optimizer) for name, optimizer in optimizers.items()]


def unpack_checkpoint(
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


def load_checkpoint(
    folder: Path,
    model: torch.nn.Module,
    optimizers: dict[str, torch.optim.Optimizer],
    generator: torch.Generator,
) -> tuple[int, list[dict[str, float]]]:
    """Load a run folder's checkpoint into a training's state: (its epoch, the history up to it).
    No checkpoint yet (killed before the first one): epoch 0, and the training starts again."""
    path = Path(folder) / CHECKPOINT_FILE
    if not path.exists():
        return 0, []
    checkpoint = read_tensors(path)
    # the checkpoint's own copy of the weights: a kill between two files cannot mismatch them
    weights = {k[len("model.") :]: v for k, v in checkpoint.items() if k.startswith("model.")}
    load_state(model, weights, path)
    try:
        epoch = unpack_checkpoint(checkpoint, optimizers, generator)
    except (KeyError, ValueError, RuntimeError) as exc:
        raise RunError(f"{path}: unusable checkpoint ({exc})") from None
    return epoch, read_history(folder)[:epoch]


def save_failure(folder: str | os.PathLike[str], error: OSError) -> RunError:
    """The error for a run folder that could not be written (a full disk, a vanished folder)."""
    return RunError(f"{folder}: could not save the run ({error.strerror or error})")


# ------------------------------------------------------------------ snapshots during training
# One small file per kept epoch (snapshots/epoch-000012.safetensors), each written once,
# atomically: a kill costs at most the file being written, a reader lists the folder while a
# training adds to it, and a 400-epoch run writes each byte once (one file rewritten at every
# epoch would write the whole history again each time).
def save_snapshot(folder: str | os.PathLike[str], epoch: int, state: dict[str, torch.Tensor]) -> None:
    """The weights at `epoch`. The run folder must exist: a snapshot never re-creates a deleted one."""
    (Path(folder) / SNAPSHOTS_DIR).mkdir(exist_ok=True)
    atomic_write_bytes(snapshot_path(folder, epoch), tensors_to_bytes(state, {"epoch": str(epoch)}))
