"""The Train panel's state and rules, without Qt: what is trained where, its losses and warnings,
the trained model that could not be saved, what the status line says, which controls are allowed.

TrainPanel presents a TrainingSession; tests drive one with plain Python.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoae_core.config import Config
from geoae_core.files import writer_of
from geoae_core.presets import preset, preset_names
from geoae_core.store import save_failure, save_run

UNFINISHED = ("cancelled", "running")  # as the run browser's: stopped, or killed mid-training
CUSTOM = "(custom)"
RISE = 10.0  # a loss this many times its start (or its lowest) is a training gone wrong


@dataclass(frozen=True)
class Controls:
    """Which controls are enabled, and the pause button's text."""

    start: bool
    pause: bool
    step: bool
    stop: bool
    resume: bool
    form: bool
    pause_text: str


@dataclass(frozen=True)
class Outcome:
    """What a finished training (or a save elsewhere) means: the status line, a message, a saved folder."""

    status: str
    kind: str = ""  # "info", "warning", "error", or "" for no message
    message: str = ""
    saved: Path | None = None  # a run folder now on disk: the window makes it current
    holding_unsaved: bool = False  # a trained model is kept in memory until saved elsewhere or discarded


class TrainingSession:
    """One training at a time, and a trained run whose folder could not be written."""

    def __init__(self) -> None:
        self.out: Path | None = None
        self.losses: list[float] = []
        self.warnings: list[str] = []  # of the current training: checkpoints not saved, folder deleted
        self.unsaved: Any = None  # an UnsavedRunError: a trained run whose folder could not be written
        self.unsaved_name = ""  # its folder's name, reused when it is saved elsewhere
        self.saving = False  # a save elsewhere in flight
        self.announced = False  # run_started was said for `out`
        self.started = 0.0
        self.epochs_before = 0  # epochs a resumed run had already done
        self.loss_ceiling: float | None = None

    # ------------------------------------------------------------ a training
    def start_problem(self) -> str:
        """Why no training may start now, or ""."""
        if self.unsaved is not None:
            return (
                f"{self.unsaved_name} is trained but not saved: “Save elsewhere…” or “Discard” it before training again"
            )
        return ""

    def begin(
        self, out: Path, losses: list[float], now: float | None = None, loss_ceiling: float | None = None
    ) -> None:
        """A training into `out` that has already done len(losses) epochs; `loss_ceiling`: see loss_warning."""
        self.out = out
        self.loss_ceiling = loss_ceiling
        self.announced = False
        self.losses = list(losses)
        self.warnings = []
        self.epochs_before = len(losses)
        self.started = time.perf_counter() if now is None else now
        self.paused_seconds = 0.0  # time spent paused: not training, so not in the rate
        self.paused_since: float | None = None

    def announce(self) -> Path | None:
        """The folder to announce as started, once per training."""
        if self.announced or self.out is None:
            return None
        self.announced = True
        return self.out

    def progress(self, report: dict) -> str:
        """Take a worker report (new losses, epoch, time); return the status line."""
        self.losses.extend(report["losses"])
        epoch, epochs = report["epoch"], report["epochs"]
        self._count_pause(report["paused"], report["time"])
        elapsed = report["time"] - self.started - self.paused_seconds
        rate = (len(self.losses) - self.epochs_before) / elapsed if elapsed > 0 else 0.0
        left = (epochs - epoch) / rate if rate > 0 else float("nan")
        state = "paused" if report["paused"] else "training"
        loss = f"loss {self.losses[-1]:.4g} · " if self.losses else ""
        return (
            f"{state} on {report['device']} · epoch {epoch}/{epochs} · {loss}"
            f"{rate:.1f} epochs/s · {format_seconds(left)} left"
        )

    def _count_pause(self, paused: bool, now: float) -> None:
        if paused and self.paused_since is None:
            self.paused_since = now
        elif not paused and self.paused_since is not None:
            self.paused_seconds += now - self.paused_since
            self.paused_since = None
        if self.paused_since is not None:  # still paused: the pause so far is not training either
            self.paused_seconds += now - self.paused_since
            self.paused_since = now

    def warn(self, text: str) -> str:
        self.warnings.append(text)
        return f"{text}; the training goes on"

    def finish(self, result: dict, elapsed: float) -> Outcome:
        """What the worker's result means."""
        path = Path(result["path"])
        status, done = shown_status(result.get("status")), result.get("epochs_done")
        if result.get("unsaved") is not None:
            self.unsaved, self.unsaved_name = result["unsaved"], path.name
            return Outcome(
                f"{status} after {done} epochs, not saved",
                "error",
                f"{result['error']}. The trained model ({status}, {done} epochs) is kept "
                "in memory: “Save elsewhere…” writes it to another folder.",
                holding_unsaved=True,
            )
        if result.get("error"):
            return Outcome("failed", "error", f"training failed: {result['error']}")
        line = f"{status} after {len(self.losses)} epochs ({elapsed:.1f} s): {path}"
        if status == "diverged":
            return Outcome(line, "warning", divergence_text(path, done), path)
        trend = loss_warning(self.losses, self.loss_ceiling)
        if status == "finished" and trend:
            return Outcome(line, "warning", f"run finished, saved to {path}, but {trend}", path)
        if status == "finished" and self.warnings:
            return Outcome(
                line, "warning", f"run finished, saved to {path}; during the training: {self.warnings[-1]}", path
            )
        if status == "finished":
            return Outcome(line, "info", f"run finished, saved to {path}", path)
        resumable = f"run {status} at epoch {done}, saved to {path}: “Resume run” continues it"
        return Outcome(line, "warning", resumable, path)

    # ------------------------------------------------------- the unsaved run
    def discard(self) -> bool:
        """Forget the unsaved run (not while it is being saved); whether it was forgotten."""
        if self.saving:
            return False
        self.unsaved = None
        return True

    def saved_elsewhere(self, target: Path, error: str | None) -> Outcome:
        self.saving = False
        if error:
            return Outcome(
                "not saved",
                "error",
                f"{error}. The trained model is still in memory: try another folder.",
                holding_unsaved=True,
            )
        self.unsaved = None
        return Outcome(f"saved to {target}", "info", f"run saved to {target}", target)

    def close_question(self) -> str | None:
        """What to ask before the window closes, or None if nothing would be lost."""
        if self.unsaved is None:
            return None
        return (
            f"The trained run {self.unsaved_name} could not be saved: {self.unsaved}."
            "\n\nQuit anyway and lose it? (No: stay, and use “Save elsewhere…” in the Train panel.)"
        )

    # --------------------------------------------------------------- rules
    def controls(self, running: bool, paused: bool, run: Any) -> Controls:
        """Which controls are allowed, given the worker's state and the selected run (a Run or None)."""
        return Controls(
            start=not running,
            pause=running,
            step=running,
            stop=running,
            resume=not running and run is not None and not resume_problem(run),
            form=not running,
            pause_text="Continue" if running and paused else "Pause",
        )

    @staticmethod
    def default_name(config: Config) -> str:
        """The nearest preset and what differs from it: `disks-lr0.003-seed2`, `position-decoder`."""
        return run_name(config)

    @staticmethod
    def run_summary(run: Any) -> tuple[str, str, str]:
        """A selected run, not training: (status line, message kind, message)."""
        history = run.history
        name = run.path.name if run.path else "run"
        device = run.info.get("device", "?")
        seconds = run.info.get("wall_seconds")
        took = f" in {seconds:.1f} s" if isinstance(seconds, int | float) else ""
        line = f"{name}: {shown_status(run.status)}, {len(history)} epochs on {device}{took}"
        if run.status == "diverged":
            return line, "warning", divergence_text(run.path or Path(name), len(history))
        if run.status in UNFINISHED:
            message = resume_problem(run) or (
                f"{name} is unfinished ({shown_status(run.status)}, epoch {len(history)} of "
                f"{run.config.epochs}): “Resume run” continues it from its last checkpoint"
            )
            return line, "info", message
        return line, "", ""


def resume_problem(run: Any) -> str:
    """Why this run cannot be resumed, or "" if it can."""
    name = run.path.name if run.path is not None else "this run"
    if run.path is None:
        return "this run has no folder to resume in"
    if run.status == "finished":
        return f"{name} is finished: there is nothing to resume"
    if run.status == "diverged":
        return (
            f"{divergence_text(run.path, len(run.history))} Resuming would repeat the same steps: "
            "start a new run with a smaller learning rate or λ instead."
        )
    if run.status not in UNFINISHED:
        return f"{name}: a run with status {run.status!r} cannot be resumed"
    writer = writer_of(run.path)
    if writer is not None:
        who = "in this window" if writer == os.getpid() else f"by pid {writer}"
        return f"{name} is being trained {who}: wait for it or stop it first"
    return ""


def loss_warning(losses: list[float], ceiling: float | None = None) -> str:
    """What is wrong with a training's losses, or "": it ended far above where it started, it is
    exploding (far above its lowest), or it never came below `ceiling` (e.g. the pixel count: with
    images in [0, 1], a summed squared error above it means the outputs are far off the images)."""
    finite = [loss for loss in losses if math.isfinite(loss)]
    if not finite:
        return ""
    first, last, lowest = finite[0], finite[-1], min(finite)
    advice = "try a smaller learning rate (or λ)"
    if len(finite) > 1 and last > RISE * first:
        return f"the loss ended at {last:.3g}, far above where it started ({first:.3g}): {advice}"
    if len(finite) > 1 and last > RISE * lowest:
        return (
            f"the loss is exploding: it ended at {last:.3g}, {last / lowest:.0f}× its lowest ({lowest:.3g}): {advice}"
        )
    if ceiling is not None and lowest > ceiling:
        return f"the loss never came below {ceiling:.3g} (it ended at {last:.3g}): {advice}"
    return ""


def pixel_count(config: Any) -> float:
    """An image's pixels, the ceiling of loss_warning: a summed squared error above it means outputs
    far off images in [0, 1]."""
    return float(config.size**2)


def settings_notes(config: Any) -> dict[str, str]:
    """Settings that are valid but do not fit together, by name: the run may still start."""
    notes = {}
    if config.batch_size > config.n_train:
        notes["batch_size"] = f"larger than the {config.n_train} training samples: each step takes the whole set"
    if config.lam > 0 and config.regulariser == "none":
        notes["lam"] = "no regulariser is chosen: λ has no effect"
    if config.lam == 0 and config.regulariser != "none":
        notes["regulariser"] = f"λ is 0: {config.regulariser} has no effect"
    return notes


def divergence_text(path: Path, epochs_done: int) -> str:
    kept = f"the last finite epoch ({epochs_done}) is kept" if epochs_done else "the initial weights are kept"
    return (
        f"{Path(path).name} diverged: the loss or the weights stopped being finite in epoch {epochs_done + 1}; "
        f"{kept} in {path}."
    )


def write_run(target: Path, unsaved: Any) -> Path:
    """Save a run whose own folder could not be written (in a worker thread) as a resumable run folder."""
    run = unsaved.run
    try:
        save_run(target, run.config, run.model.state_dict(), run.history, run.info, unsaved.checkpoint)
    except OSError as exc:
        raise save_failure(target, exc) from None
    return target


def format_seconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


# settings that change where or how often a run is saved, not what it learns: left out of its name
NOT_IN_NAMES = ("device", "checkpoint_every", "checkpoint_seconds", "tensorboard")  # where, not what, is trained
MOST_IN_A_NAME = 3


def run_name(config: Config) -> str:
    """A folder name that tells runs apart: the preset whose settings differ least from the
    config, then each differing setting and its value (at most three, then how many more)."""
    wanted = config.to_dict()

    def differences(name: str) -> list[str]:
        base = preset(name).to_dict()
        return [key for key in wanted if key not in NOT_IN_NAMES and wanted[key] != base[key]]

    nearest = min(preset_names(), key=lambda name: len(differences(name)))
    changed = differences(nearest)
    parts = [nearest, *(f"{key}{_compact(wanted[key])}" for key in changed[:MOST_IN_A_NAME])]
    if len(changed) > MOST_IN_A_NAME:
        parts.append(f"{len(changed) - MOST_IN_A_NAME}more")
    return "-".join(parts).replace("_", "")


def _compact(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "x".join(_compact(v) for v in value) or "none"
    return str(value)


def shown_status(status: str | None) -> str:
    """A run's status as the window says it: a run the user stopped is "stopped" (its run.json
    keeps the engine's word, "cancelled")."""
    return "stopped" if status == "cancelled" else str(status)
