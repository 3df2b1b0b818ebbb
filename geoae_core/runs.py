"""A trained run in memory: `Run` (numpy in, numpy out) and `load_run`, which opens a run folder."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .config import Config
from .files import STATUS_FILE, WEIGHTS_FILE, RunError
from .kinds import kind_of
from .store import load_state, read_config, read_history, read_json, read_tensors, snapshot_epochs, snapshot_path


@dataclass
class Run:
    """A trained (or training) model with its config; numpy in, numpy out."""

    config: Config
    model: nn.Module
    path: Path | None = None
    status: str = "finished"
    history: list[dict[str, float]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    # the snapshots read so far (epoch -> weights), shared with the runs at_epoch returns
    _snapshots: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict, repr=False, compare=False)
    # what the kind computed once from these weights (its code range); at_epoch's copies start empty
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def kind(self):
        """What kind of run this is, and what applies to it (see geoae_core.kinds)."""
        return kind_of(self.config)

    def encode(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W) images or (N, n) signals -> (N, d) codes."""
        return self.kind.encode(self.config, self.model, np.asarray(x, np.float32))

    @torch.no_grad()
    def decode(self, z: np.ndarray) -> np.ndarray:
        """(N, d) codes -> (N, H, W) images or (N, n) signals."""
        net = self._network("decoder")
        z = torch.as_tensor(np.asarray(z, np.float32), device=self.device).reshape(-1, self.config.code_size)
        return net(z)[:, 0].cpu().numpy()

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        return self.decode(self.encode(x))

    @torch.no_grad()
    def activations(self, x: np.ndarray, side: str = "encoder") -> list[np.ndarray]:
        """Every layer's output for one batch of inputs (or codes, for the decoder)."""
        net = self._network(side)
        x = torch.as_tensor(np.asarray(x, np.float32), device=self.device)
        if side == "encoder":
            x = x.unsqueeze(1) if x.dim() in (2, 3) else x
        else:
            x = x.reshape(-1, self.config.code_size)
        return [a.cpu().numpy() for a in net.activations(x)]

    def filters(self, side: str = "encoder") -> list[np.ndarray]:
        """Each layer's kernels, shape (out, in, k[, k]) in the convolution's own layout."""
        net = getattr(self.model, side, None)
        if net is None:
            return []
        kernels = []
        for layer in net.layers:
            w = layer.weight.detach().cpu().numpy()
            # transposed convolutions store (in, out, k): present every layer as (out, in, k)
            kernels.append(w.swapaxes(0, 1) if side == "decoder" else w)
        return kernels

    def snapshot_epochs(self) -> list[int]:
        """The epochs whose weights the run folder keeps (snapshots/), ascending: [] for a run in
        memory or one trained before geoae kept snapshots."""
        return snapshot_epochs(self.path) if self.path is not None else []

    def at_epoch(self, epoch: int) -> Run:
        """The model as it was at the snapshot nearest to `epoch` (the earlier one on a tie): a Run
        with the same config, its history up to that epoch, and info["snapshot_epoch"]. Each
        snapshot is read from disk once, then served from memory."""
        epochs = self.snapshot_epochs()
        if not epochs:
            return self._final_only(epoch)
        nearest = min(epochs, key=lambda e: (abs(e - epoch), e))
        state = self._snapshots.get(nearest)
        if state is None:
            state = read_tensors(snapshot_path(self.path, nearest))
            self._snapshots[nearest] = state
        model = copy.deepcopy(self.model)  # same layout and device; no RNG drawn, unlike a fresh build
        load_state(model, state, snapshot_path(self.path, nearest))
        return Run(
            config=self.config,
            model=model.eval(),
            path=self.path,
            status=self.status,
            history=[row for row in self.history if row["epoch"] <= nearest],
            info={**self.info, "snapshot_epoch": nearest},
            _snapshots=self._snapshots,
        )

    def _final_only(self, epoch: int) -> Run:
        """A run without snapshots has its final weights only."""
        if self.path is None:
            raise RunError("this run is in memory, not in a run folder: it has no snapshots of its training")
        final = int(self.history[-1]["epoch"]) if self.history else 0
        if epoch == final:
            return self
        raise RunError(
            f"{self.path}: no snapshots of the weights during training (trained before geoae kept them); "
            f"only the final epoch {final} is there"
        )

    def _network(self, side: str) -> nn.Module:
        net = getattr(self.model, side, None)
        if net is None:
            raise RunError(f"{self.kind.title(self.config)} has no {side}")
        return net


def load_run(path: str | os.PathLike[str], device: str = "cpu") -> Run:
    """Open a run folder. Raises RunError naming the file when anything is missing or wrong."""
    folder = Path(path)
    if not folder.is_dir():
        raise RunError(f"{folder}: no such run folder")
    config = read_config(folder)
    model = kind_of(config).build(config)
    load_state(model, read_tensors(folder / WEIGHTS_FILE), folder / WEIGHTS_FILE)
    info = read_json(folder / STATUS_FILE) if (folder / STATUS_FILE).exists() else {}
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
