"""Background work: a training in a worker thread, and one-off engine calls off the UI thread.

Qt signals carry every report back to the UI thread (queued connections), so no widget is ever
touched from a worker. Pause and step-one-epoch block the worker inside the epoch callback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Signal

from geoae_core.config import Config
from geoae_core.loop import Progress, UnsavedRunError
from geoae_core.training import train

# reports are grouped so that a fast training never floods the event loop
REPORT_INTERVAL_S = 0.05


_warm = False
_trained_once = False
_default_threads = 0
_lazy_lock = threading.Lock()


def training_threads() -> int:
    """Intra-op threads for a training: torch's default less one, so the UI keeps a core."""
    return max(1, _default_threads - 1)


def warm_up() -> None:
    """Set torch up for an interactive program, once, on the UI thread (cheap: no optimiser).

    The UI thread's own engine calls (a decode per slider move: a few small convolutions) run
    single-threaded: with OpenMP workers on a busy machine each call waits ~50 ms for them,
    single-threaded it takes well under a millisecond.
    """
    global _warm, _default_threads
    if _warm:
        return
    import torch

    _default_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    _warm = True


def warm_up_training() -> None:
    """Torch's one-time lazy set-up for training (the first Adam step imports torch._dynamo and
    initialises a lot: 1-2 s), done once, when the first training starts, in its thread: never
    at start-up, so that opening a run imports no optimiser machinery."""
    global _trained_once
    with _lazy_lock:
        if _trained_once:
            return
        import torch

        layer = torch.nn.Conv2d(1, 1, 3)
        optimizer = torch.optim.Adam(layer.parameters())
        layer(torch.zeros(1, 1, 4, 4)).sum().backward()
        optimizer.step()
        _trained_once = True


class _Bridge(QObject):
    """Lives as long as its thread needs it; emits from the worker, delivers on the UI thread."""

    progress = Signal(object)  # dict: epoch, epochs, step, steps, losses (new ones), device, paused
    warning = Signal(str)  # a checkpoint not saved, the run folder deleted: the training goes on
    finished = Signal(object)  # dict: status, path, epochs_done, error, unsaved
    done = Signal(object, object)  # (result, error message or None) of a one-off task


class TrainingWorker(QObject):
    """One training at a time: start(config, out), pause(), resume(), step_epoch(), stop().

    `start(None, out, resume=True)` continues the unfinished run in `out` from its checkpoint.
    `finished` carries {"status", "path", "epochs_done", "error", "unsaved"}: `error` is a message
    (None when the run was saved), `unsaved` an UnsavedRunError whose run could not be written.
    """

    progress = Signal(object)
    warning = Signal(str)
    finished = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        warm_up()
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._gate = threading.Event()  # set: may run; cleared: paused at the next epoch end
        self._gate.set()
        self._step_once = False
        self._bridge: _Bridge | None = None
        self.paused = False

    # --------------------------------------------------------------- control
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, config: Config | None, out: Path, resume: bool = False) -> None:
        if self.running:
            raise RuntimeError("a training is already running")
        self._cancel = threading.Event()
        self._gate.set()
        self._step_once = False
        self.paused = False
        bridge = _Bridge()
        bridge.progress.connect(self.progress)
        bridge.warning.connect(self.warning)
        bridge.finished.connect(self._finished)
        self._bridge = bridge
        self._thread = threading.Thread(
            target=self._work, args=(config, Path(out), resume, bridge), name="geoae-train", daemon=True
        )
        self._thread.start()

    def pause(self) -> None:
        self.paused = True
        self._gate.clear()

    def resume(self) -> None:
        self.paused = False
        self._step_once = False
        self._gate.set()

    def step_epoch(self) -> None:
        """Run exactly one more epoch, then pause (from running: pause after the current one)."""
        self.paused = True
        self._step_once = True
        self._gate.set()

    def stop(self) -> None:
        self._cancel.set()
        self._gate.set()

    def _finished(self, result: dict) -> None:
        """On the UI thread: the thread has sent its last word; let it end, then announce."""
        if self._thread is not None:
            self._thread.join(5.0)
        self.paused = False
        self.finished.emit(result)

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    # ------------------------------------------------------------ the thread
    def _work(self, config: Config | None, out: Path, resume: bool, bridge: _Bridge) -> None:
        import torch

        torch.set_num_threads(training_threads())  # this thread's own setting
        warm_up_training()
        pending: list[float] = []
        last = {"time": 0.0, "epoch": 0, "step": 0, "steps": 0, "device": ""}

        def flush(report: Progress, force: bool = False) -> None:
            now = time.perf_counter()
            if not force and now - last["time"] < REPORT_INTERVAL_S:
                return
            last["time"] = now
            bridge.progress.emit(
                {
                    "epoch": report.epoch,
                    "epochs": report.epochs,
                    "step": report.step,
                    "steps": report.steps,
                    "losses": list(pending),
                    "device": report.device,
                    "paused": self.paused and not self._gate.is_set(),
                    "time": now,
                }
            )
            pending.clear()

        def callback(report: Progress) -> None:
            if report.event == "warning":
                bridge.warning.emit(report.message)
                return
            if report.event == "epoch" and report.loss is not None and report.status != "diverged":
                pending.append(report.loss)  # a diverged epoch is not in the run's history: not drawn either
            flush(report, force=report.event in ("start", "end"))
            if report.event != "epoch":
                return
            if self._step_once:
                self._step_once = False
                self._gate.clear()
            if not self._gate.is_set():
                flush(report, force=True)
                while not self._gate.wait(0.05):
                    if self._cancel.is_set():
                        break

        result: dict[str, Any] = {
            "status": "failed",
            "path": str(out),
            "epochs_done": 0,
            "error": None,
            "unsaved": None,
        }
        try:
            run = train(config, out=out, callbacks=[callback], cancel=self._cancel, resume=resume)
            result.update(status=run.status, epochs_done=len(run.history))
        except UnsavedRunError as exc:  # trained, but the folder could not be written: keep the model
            exc.__traceback__ = None  # (not the training's frames)
            result.update(status=exc.run.status, epochs_done=len(exc.run.history), error=str(exc), unsaved=exc)
        except Exception as exc:  # a bad setting, a broken run folder: reported, never raised into Qt
            result["error"] = str(exc) if _plain(exc) else f"{type(exc).__name__}: {exc}"
        finally:
            bridge.finished.emit(result)


class Task(QObject):
    """Run fn(*args) in a daemon thread; deliver (result, error) to `done` on the UI thread."""

    done = Signal(object, object)
    active: ClassVar[set[Task]] = set()  # kept alive until delivered; also lets the screenshot wait for them

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._bridge = _Bridge()
        self._bridge.done.connect(self._deliver)
        self.thread: threading.Thread | None = None

    def start(self) -> Task:
        Task.active.add(self)
        self.thread = threading.Thread(target=self._work, name="geoae-task", daemon=True)
        self.thread.start()
        return self

    def _work(self) -> None:
        try:
            result, error = self._fn(*self._args, **self._kwargs), None
        except Exception as exc:
            result, error = None, f"{type(exc).__name__}: {exc}" if not _plain(exc) else str(exc)
        self._bridge.done.emit(result, error)

    def _deliver(self, result: Any, error: Any) -> None:
        # the thread is past its last line; let it end while `active` still holds this task, so
        # that the task (a QObject) is never freed on the worker thread by its last reference
        if self.thread is not None:
            self.thread.join()
        Task.active.discard(self)
        self.done.emit(result, error)


def _plain(exc: Exception) -> bool:
    """Engine errors already name the setting or file: show them without the class name."""
    from geoae_core.config import ConfigError
    from geoae_core.runs import RunError

    return isinstance(exc, ConfigError | RunError)


def read_only(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a task's function as writing nothing: the program may end while it runs."""
    fn.read_only = True
    return fn


def run_task(fn: Callable[..., Any], *args: Any, on_done: Callable[[Any, Any], None], **kwargs: Any) -> Task:
    task = Task(fn, *args, **kwargs)
    task.done.connect(on_done)
    return task.start()
