"""What the explorer shows, without Qt (in the spirit of napari's ViewerModel): the runs folder on
screen, the open run, the epoch shown, the code being decoded, the runs checked for comparison.

Setters validate, then emit one event per change to the callbacks registered with `on`; the
window, the panels, the epoch slider and the run browser subscribe and keep no state of their own
beyond what the model hands them. A test drives an `Explorer` with plain Python.

Events, each callback called with the new value:
- "folder": the runs folder shown (a Path);
- "run": another run opened, or None. It resets the epoch (the run's own weights; a training's
  latest snapshot, newer than its weights file) and the code, without an "epoch" or "code" event
  of their own: a subscriber to "run" reads `shown`, `epoch` and `code`;
- "epoch": the epoch shown (None: the run's own weights); `shown` is the run at that epoch;
- "code": the code being decoded, an array of shape (d,), or None;
- "compared": the run folders checked for comparison, a tuple of Paths.

The subscribers are Qt views, whose objects live on the GUI thread: a change made on another
thread than the model's own raises RuntimeError instead of reaching them there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from geoae_core.examples import is_examples_folder
from geoae_core.runs import Run, load_run

EVENTS = ("folder", "run", "epoch", "code", "compared")


class Explorer:
    """The state of the explorer. `home` is where the user's own runs go when `folder` shows the
    read-only examples."""

    def __init__(self, folder: Path | None = None, home: Path | None = None):
        self._callbacks: dict[str, list[Callable[[Any], None]]] = {event: [] for event in EVENTS}
        self.folder: Path | None = Path(folder) if folder is not None else None
        self.home: Path | None = Path(home) if home is not None else None
        self.run: Run | None = None
        self.epoch: int | None = None
        self.code: np.ndarray | None = None
        self.compared: tuple[Path, ...] = ()
        self._shown: Run | None = None
        self._thread = threading.get_ident()  # the views' thread: changes are made, and emitted, here

    # ---------------------------------------------------------------- events
    def on(self, event: str, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call `callback(value)` after each change of `event`; returns what unsubscribes it."""
        self._check_event(event)
        self._callbacks[event].append(callback)
        return lambda: self.off(event, callback)

    def off(self, event: str, callback: Callable[[Any], None]) -> None:
        self._check_event(event)
        if callback in self._callbacks[event]:
            self._callbacks[event].remove(callback)

    def _on_views_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise RuntimeError("the explorer model is changed on the thread its views live on, not this one")

    def _emit(self, event: str, value: Any) -> None:
        for callback in list(self._callbacks[event]):
            callback(value)

    @staticmethod
    def _check_event(event: str) -> None:
        if event not in EVENTS:
            raise ValueError(f"{event!r} is not an explorer event: one of {', '.join(EVENTS)}")

    # ---------------------------------------------------------------- folder
    def set_folder(self, folder: Path) -> None:
        self._on_views_thread()
        folder = Path(folder)
        if folder == self.folder:
            return
        self.folder = folder
        self._emit("folder", folder)

    def user_folder(self) -> Path:
        """Where new runs (and exports) go: the folder shown, unless it is the read-only examples."""
        if self.folder is None or (is_examples_folder(self.folder) and self.home is not None):
            if self.home is None:
                raise ValueError("the explorer has no runs folder yet")
            return self.home
        return self.folder

    # ------------------------------------------------------------------- run
    def open(self, path: Path) -> Run:
        """Load a run folder and make it the open run; a bad folder raises RunError, nothing changes."""
        run = load_run(Path(path))
        self.set_run(run)
        return run

    def set_run(self, run: Run | None) -> None:
        """Open `run` (None: no run), at its own weights, or at the latest snapshot of a training."""
        self._on_views_thread()
        if run is not None and not isinstance(run, Run):
            raise TypeError(f"a Run or None, not {type(run).__name__}")
        self.run = run
        self.code = None
        self.epoch = None
        self._shown = run
        if run is not None and final_epoch(run) is None:
            epochs = run.snapshot_epochs()
            if epochs:  # a training's latest snapshot is newer than its weights file
                self.epoch = epochs[-1]
                self._shown = run.at_epoch(epochs[-1])
        self._emit("run", run)

    @property
    def shown(self) -> Run | None:
        """The open run at the epoch shown: the run itself at its own weights, else one
        `Run.at_epoch` copy made here for every panel."""
        return self._shown

    # ----------------------------------------------------------------- epoch
    def epochs(self) -> list[int]:
        """The epochs the open run's folder keeps snapshots of (read now: a training adds some)."""
        return self.run.snapshot_epochs() if self.run is not None else []

    def nearest_epoch(self, epoch: int) -> int | None:
        """The snapshot epoch nearest to `epoch` (the earlier one on a tie); None without snapshots."""
        epochs = self.epochs()
        if not epochs:
            return None
        return min(epochs, key=lambda e: (abs(e - epoch), e))

    @property
    def shown_epoch(self) -> int | None:
        """The epoch of the weights shown: `epoch`, or the run's final one (None while it trains)."""
        if self.epoch is not None:
            return self.epoch
        return final_epoch(self.run) if self.run is not None else None

    def set_epoch(self, epoch: int | None) -> None:
        """Show the weights of a snapshot epoch of the open run (None, or the run's final epoch: its
        own weights). An epoch the run keeps no snapshot of raises ValueError."""
        self._on_views_thread()
        if epoch is not None:
            if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer):
                raise TypeError(f"an epoch is a whole number, not {epoch!r}")
            epoch = int(epoch)
            if self.run is None:
                raise ValueError("no run is open: there is no epoch to show")
            if epoch == final_epoch(self.run):
                epoch = None
            elif epoch not in self.epochs():
                raise ValueError(f"{self._run_name()} keeps no snapshot of epoch {epoch}")
        if epoch == self.epoch:
            return
        self.epoch = epoch
        self._shown = self.run if epoch is None else self.run.at_epoch(epoch)
        self._emit("epoch", epoch)

    # ------------------------------------------------------------------ code
    def set_code(self, code: np.ndarray | Iterable[float] | None) -> None:
        """The code being decoded: d finite numbers for the open run's decoder (None: none)."""
        self._on_views_thread()
        if code is not None:
            code = np.array(code, dtype=np.float32).reshape(-1)
            if self.run is None:
                raise ValueError("no run is open: there is no decoder for a code")
            d = int(self.run.config.code_size)
            if code.shape != (d,):
                raise ValueError(f"{self._run_name()} decodes codes of {d} numbers, not {code.size}")
            if not np.isfinite(code).all():
                raise ValueError("a code is finite numbers")
        if _same_code(code, self.code):
            return
        self.code = code
        self._emit("code", None if code is None else code.copy())

    # ------------------------------------------------------------- compared
    def set_compared(self, paths: Iterable[Path | str]) -> None:
        """The run folders checked for comparison, in order, each once."""
        self._on_views_thread()
        compared = tuple(dict.fromkeys(Path(p) for p in paths))
        if compared == self.compared:
            return
        self.compared = compared
        self._emit("compared", compared)

    def _run_name(self) -> str:
        if self.run is None:
            return "no run"
        return self.run.path.name if self.run.path is not None else "this run"


def final_epoch(run: Run) -> int | None:
    """The epoch of the run's own weights (weights.safetensors); None while it trains, whose
    weights file lags behind its snapshots."""
    if run.status == "running":
        return None
    return int(run.history[-1]["epoch"]) if run.history else 0


def _same_code(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.array_equal(a, b))
