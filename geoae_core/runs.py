"""Runs on disk: a folder with config.json, weights.safetensors, history.csv and run.json.

Every file is written atomically (a temporary file, then a rename), so a crash or a kill
leaves the previous good version readable. Nothing is ever unpickled: weights and optimiser
state are safetensors, everything else is JSON or CSV.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from .config import ADDED_LATER, FIELD_TYPES, Config, ConfigError
from .files import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    HISTORY_FILE,
    STATUS_FILE,
    WEIGHTS_FILE,
    RunError,
    atomic_write_bytes,
    atomic_write_text,
    write_status,
)
from .models import Autoencoder, build_model


def tensors_to_bytes(tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> bytes:
    return save({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, metadata=metadata)


def history_csv(history: list[dict[str, float]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", "loss", "seconds"])
    for row in history:
        writer.writerow([row["epoch"], repr(float(row["loss"])), f"{row['seconds']:.6f}"])
    return buffer.getvalue()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path}: missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunError(f"{path}: not valid JSON ({exc})") from None


def read_config(folder: Path) -> Config:
    """A run's config.json, which must hold every setting (a partial one may be a damaged file)."""
    path = Path(folder) / CONFIG_FILE
    data = _read_json(path)
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


@dataclass
class Run:
    """A trained (or training) model with its config; numpy in, numpy out."""

    config: Config
    model: Autoencoder
    path: Path | None = None
    status: str = "finished"
    history: list[dict[str, float]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _tensor(self, array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(array, np.float32), device=self.device)

    def encode(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W) images or (N, n) signals -> (N, d) codes."""
        if self.config.kind == "gan":
            from .gan import project  # a generator "encodes" by optimising z (Appendix D)

            return project(self, x)
        if self.model.encoder is None:
            raise RunError(f"a {self.config.kind} run has no encoder")
        x = self._tensor(x)
        x = x.unsqueeze(1) if x.dim() in (2, 3) else x
        with torch.no_grad():
            return self.model.encoder(x).cpu().numpy()

    @torch.no_grad()
    def decode(self, z: np.ndarray) -> np.ndarray:
        """(N, d) codes -> (N, H, W) images or (N, n) signals."""
        if self.model.decoder is None:
            raise RunError(f"a {self.config.kind} run has no decoder")
        z = self._tensor(z)
        z = z.reshape(-1, self.config.code_size)
        return self.model.decoder(z)[:, 0].cpu().numpy()

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        return self.decode(self.encode(x))

    @torch.no_grad()
    def activations(self, x: np.ndarray, side: str = "encoder") -> list[np.ndarray]:
        """Every layer's output for one batch of inputs (or codes, for the decoder)."""
        net = self.model.encoder if side == "encoder" else self.model.decoder
        if net is None:
            raise RunError(f"a {self.config.kind} run has no {side}")
        x = self._tensor(x)
        if side == "encoder":
            x = x.unsqueeze(1) if x.dim() in (2, 3) else x
        else:
            x = x.reshape(-1, self.config.code_size)
        return [a.cpu().numpy() for a in net.activations(x)]

    def filters(self, side: str = "encoder") -> list[np.ndarray]:
        """Each layer's kernels, shape (out, in, 3[, 3]) in the convolution's own layout."""
        net = self.model.encoder if side == "encoder" else self.model.decoder
        if net is None:
            return []
        kernels = []
        for layer in net.layers:
            w = layer.weight.detach().cpu().numpy()
            # transposed convolutions store (in, out, k): present every layer as (out, in, k)
            kernels.append(w.swapaxes(0, 1) if side == "decoder" else w)
        return kernels


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


def load_run(path: str | os.PathLike[str], device: str = "cpu") -> Run:
    """Open a run folder. Raises RunError naming the file when anything is missing or wrong."""
    folder = Path(path)
    if not folder.is_dir():
        raise RunError(f"{folder}: no such run folder")
    config = read_config(folder)
    model = build_model(config)
    load_state(model, read_tensors(folder / WEIGHTS_FILE), folder / WEIGHTS_FILE)
    info = _read_json(folder / STATUS_FILE) if (folder / STATUS_FILE).exists() else {}
    if not isinstance(info, dict):
        raise RunError(f"{folder / STATUS_FILE}: expected an object")
    model.eval()
    return Run(
        config=config,
        model=model.to(device),
        path=folder,
        status=str(info.get("status", "finished")),
        history=read_history(folder),
        info=info,
    )
