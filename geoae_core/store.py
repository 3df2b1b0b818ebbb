"""A run folder's files with tensors in them: config.json, history.csv, weights and checkpoint
(safetensors, never pickled), run.json; each written atomically (files.py), read back with a
RunError naming the file when anything is wrong.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from .config import ADDED_LATER, FIELD_TYPES, Config, ConfigError
from .files import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    HISTORY_FILE,
    SNAPSHOTS_DIR,
    WEIGHTS_FILE,
    RunError,
    atomic_write_bytes,
    atomic_write_text,
    write_status,
)


def tensors_to_bytes(tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> bytes:
    return save({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, metadata=metadata)


def history_csv(history: list[dict[str, float]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", "loss", "seconds"])
    for row in history:
        writer.writerow([row["epoch"], repr(float(row["loss"])), f"{row['seconds']:.6f}"])
    return buffer.getvalue()


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path}: missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunError(f"{path}: not valid JSON ({exc})") from None


def read_config(folder: Path) -> Config:
    """A run's config.json, which must hold every setting (a partial one may be a damaged file)."""
    path = Path(folder) / CONFIG_FILE
    data = read_json(path)
    if isinstance(data, dict):
        missing = sorted(set(FIELD_TYPES) - set(data) - set(ADDED_LATER))
        if missing:
            raise RunError(f"{path}: missing setting {missing[0]!r}")
    try:
        return Config.from_dict(data)
    except (ConfigError, TypeError) as exc:
        raise RunError(f"{path}: {exc}") from None


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


def save_failure(folder: str | os.PathLike[str], error: OSError) -> RunError:
    """The error for a run folder that could not be written (a full disk, a vanished folder)."""
    return RunError(f"{folder}: could not save the run ({error.strerror or error})")


# ------------------------------------------------------------------ snapshots during training
# One small file per kept epoch (snapshots/epoch-000012.safetensors), each written once,
# atomically: a kill costs at most the file being written, a reader lists the folder while a
# training adds to it, and a 400-epoch run writes each byte once (one file rewritten at every
# epoch would write the whole history again each time).
_SNAPSHOT_NAME = re.compile(r"epoch-(\d+)\.safetensors")


def snapshot_path(folder: str | os.PathLike[str], epoch: int) -> Path:
    return Path(folder) / SNAPSHOTS_DIR / f"epoch-{epoch:06d}.safetensors"


def save_snapshot(folder: str | os.PathLike[str], epoch: int, state: dict[str, torch.Tensor]) -> None:
    """The weights at `epoch`. The run folder must exist: a snapshot never re-creates a deleted one."""
    (Path(folder) / SNAPSHOTS_DIR).mkdir(exist_ok=True)
    atomic_write_bytes(snapshot_path(folder, epoch), tensors_to_bytes(state, {"epoch": str(epoch)}))


def snapshot_epochs(folder: str | os.PathLike[str]) -> list[int]:
    """The epochs a run folder keeps the weights of, ascending; [] when it keeps none."""
    try:
        names = os.listdir(Path(folder) / SNAPSHOTS_DIR)
    except OSError:
        return []
    return sorted(int(match[1]) for name in names if (match := _SNAPSHOT_NAME.fullmatch(name)))


def remove_snapshots(folder: str | os.PathLike[str]) -> None:
    """A new run in the folder: the snapshots of an earlier one go."""
    shutil.rmtree(Path(folder) / SNAPSHOTS_DIR, ignore_errors=True)
