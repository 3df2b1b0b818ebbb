"""Runs trained on a Dask cluster: `geoae sweep --cluster` and `geoae reproduce --cluster`.

ADDRESS is a scheduler (`tcp://host:8786`) or `local:N`, a LocalCluster of N worker processes
with one thread each. `distributed` is imported here only, when a cluster is asked for: without
it everything else works, and asking says what to install.

No shared filesystem: each run is one task, which trains into a scratch folder on its worker and
returns the folder's files; the client writes them into the run folder atomically, in the order
a local run writes them (its status last). Each task sets its torch threads (one by default).

Faults. A worker that dies mid-run hands its task back to the scheduler, which runs it again on
another worker (at most `distributed.scheduler.allowed-failures` times, 3 by default), from
scratch: checkpoints are not shipped back mid-run, and a run is deterministic in its seed, so the
retried run ends bitwise equal to a local one. A run that raises is not retried: its status is
"failed" (its run.json says why) and the others go on. A lost client (Ctrl-C) leaves every
finished run on disk; the others hold a config and a status "running" at epoch 0, which
`geoae train --resume` trains from the start.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import queue
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import torch

from .config import Config, ConfigError
from .files import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    HISTORY_FILE,
    LOCK_FILE,
    STATUS_FILE,
    WEIGHTS_FILE,
    RunError,
    atomic_write_bytes,
    hold,
    start_folder,
    write_status,
)
from .loop import Callback, CancelToken, Progress
from .runs import Run, load_run
from .training import train

INSTALL_HINT = 'pip install "geoae[cluster]"'
LOCAL = "local:"
FAILED = "failed"
CONNECT_TIMEOUT_S = 20
# The Dask config of a LocalCluster's workers. Dask's nanny spawns them with
# MALLOC_TRIM_THRESHOLD_=65536, so glibc hands freed memory back to the system at once; a training
# loop frees and reallocates its tensors every step, and paid for it (bench/RESULTS.md). None
# unsets it: the workers allocate as a pool process does.
LOCAL_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
POLL_S = 0.2  # how often the client looks at its futures and the workers' progress
REPORT_INTERVAL_S = 0.5  # a worker reports a run's epochs at most this often (and its last one always)
# the order a local run writes its files in (store.save_run): history before the weights and the
# checkpoint (a resume trims the history to the checkpoint's epoch), the status last
WRITE_ORDER = {CONFIG_FILE: 0, HISTORY_FILE: 1, WEIGHTS_FILE: 3, CHECKPOINT_FILE: 4, STATUS_FILE: 5}


class RunsFailed(RunError):
    """Some runs of a sweep failed on the cluster; `runs` holds the others (None where one failed)."""

    def __init__(self, message: str, runs: list[Run | None]):
        super().__init__(message)
        self.runs = runs


@dataclass(frozen=True)
class Address:
    """Where to train: a scheduler's address, or a number of local worker processes."""

    scheduler: str = ""
    local_workers: int = 0

    def __str__(self) -> str:
        return f"{LOCAL}{self.local_workers}" if self.local_workers else self.scheduler


def parse_address(text: str) -> Address:
    """`tcp://host:port` (any scheme://) or `local:N`; a ConfigError in one line otherwise."""
    text = text.strip()
    if text.startswith(LOCAL):
        count = text[len(LOCAL) :]
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"--cluster {text}: local:N needs a number of workers N of at least 1")
        return Address(local_workers=int(count))
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme or not rest:
        raise ConfigError(f"--cluster {text!r}: expected a scheduler (tcp://HOST:PORT) or local:N")
    return Address(scheduler=text)


def require() -> None:
    """A ConfigError in one line when Dask's distributed is not installed."""
    if importlib.util.find_spec("distributed") is None:
        raise ConfigError(f"--cluster needs Dask's distributed package: {INSTALL_HINT}")


def check_address(text: str) -> Address:
    """The parsed address, once distributed is known to be installed: what the CLI checks first."""
    address = parse_address(text)
    require()
    return address


@contextlib.contextmanager
def connect(text: str) -> Iterator[Any]:
    """A distributed Client of the cluster at `text` (a LocalCluster started for local:N)."""
    address = check_address(text)
    import dask
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        try:
            if address.local_workers:
                stack.enter_context(dask.config.set(LOCAL_WORKER_CONFIG))
                cluster = LocalCluster(
                    n_workers=address.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    worker_dashboard_address=None,
                    silence_logs=logging.ERROR,  # not its workers' shutdown notes
                )
                stack.callback(cluster.close)
                client = Client(cluster)
            else:
                client = Client(address.scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise RunError(f"--cluster {address}: cannot reach the scheduler ({exc})") from None
        stack.callback(client.close)
        yield client


def describe(client: Any, text: str) -> str:
    return f"cluster {text} ({len(client.nthreads())} workers)"


# ------------------------------------------------------------------------------ on a worker
def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a run folder (sub-folders too), by its path relative to the folder."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != LOCK_FILE
    }


class _Reporter:
    """A training callback on the worker: the run's epochs, sent to the client as Dask events."""

    def __init__(self, topic: str, index: int):
        self.topic, self.index, self.last = topic, index, 0.0

    def __call__(self, report: Progress) -> None:
        if report.event != "epoch":
            return
        now = time.monotonic()
        if now - self.last < REPORT_INTERVAL_S and report.epoch < report.epochs:
            return
        self.last = now
        from distributed import get_worker

        with contextlib.suppress(ValueError):  # not on a worker (called directly): nobody to tell
            get_worker().log_event(self.topic, {"run": self.index, "epoch": report.epoch, "loss": report.loss})


def train_remote(config: dict[str, Any], threads: int, topic: str, index: int) -> dict[str, Any]:
    """One run, on a worker: trained into a scratch folder; its status, error and files."""
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory(prefix="geoae-run-") as scratch:
        folder = Path(scratch) / "run"
        try:
            run = train(Config.from_dict(config), out=folder, callbacks=[_Reporter(topic, index)])
        except Exception as exc:  # reported as the run's status, never retried
            return {"status": FAILED, "error": f"{type(exc).__name__}: {exc}", "files": {}}
        return {"status": run.status, "error": "", "files": folder_files(folder)}


# ------------------------------------------------------------------------------ on the client
def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """A run's files, each written atomically, in a local run's order (its status last)."""
    for name in sorted(files, key=lambda n: (WRITE_ORDER.get(n, 2), n)):
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise RunError(f"{folder}: the worker sent a file outside the run folder ({name})")
        path = folder.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, files[name])


class _Progress:
    """The progress of every run together, as one training's Progress events: epochs done across
    all workers out of all runs' epochs (a run that ends counts all of its epochs)."""

    def __init__(self, configs: Sequence[Config], callbacks: Iterable[Callback], device: str):
        self.planned = [c.epochs for c in configs]
        self.done = [0] * len(configs)
        self.ended = [False] * len(configs)
        self.callbacks, self.device = list(callbacks), device
        self.loss: float | None = None
        self.started = time.time()

    def emit(self, event: str, status: str = "running") -> None:
        report = Progress(
            event, sum(self.done), sum(self.planned), 0, 0, self.loss, time.time() - self.started, status, self.device
        )
        for callback in self.callbacks:
            callback(report)

    def hear(self, events: queue.SimpleQueue) -> None:
        """The workers' reports since the last call (waiting up to POLL_S for the first)."""
        heard = False
        with contextlib.suppress(queue.Empty):
            message = events.get(timeout=POLL_S)
            while True:
                _, body = message
                index = int(body["run"])
                if not self.ended[index]:  # a late report of a run that has ended changes nothing
                    self.done[index], self.loss, heard = int(body["epoch"]), body["loss"], True
                message = events.get_nowait()
        if heard:
            self.emit("epoch")

    def end_run(self, index: int) -> None:
        self.ended[index] = True
        if self.done[index] != self.planned[index]:
            self.done[index] = self.planned[index]
            self.emit("epoch")


def _outcome(future: Any) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as exc:  # KilledWorker (its workers died too often), or the cluster lost the task
        return {"status": FAILED, "error": f"{type(exc).__name__}: {exc}", "files": {}}


def _record(folder: Path, config: Config, outcome: dict[str, Any]) -> str:
    """Write a finished task's run folder; the status on_done hears (a failure with its error)."""
    if outcome["status"] == FAILED:
        write_status(folder, {"status": FAILED, "error": outcome["error"], "epochs_done": 0, "epochs": config.epochs})
        return f"{FAILED}: {outcome['error']}"
    try:
        write_files(folder, outcome["files"])
    except OSError as exc:  # a full disk on this side: the run trained, but is not kept
        raise RunError(f"{folder}: could not write the run sent back ({exc.strerror or exc})") from None
    return str(outcome["status"])


def train_on_cluster(
    configs: Sequence[Config],
    outs: Sequence[str | Path],
    cluster: str,
    on_done: Callable[[int, str], Any] | None = None,
    callbacks: Iterable[Callback] = (),
    cancel: CancelToken | None = None,
    threads: int = 1,
) -> list[str]:
    """Train every config into its folder on the cluster; return each run's status, in order
    (finished, diverged, failed, or cancelled for one not trained when `cancel` was set).

    `on_done(index, status)` hears each run as it ends (a failed one as "failed: ERROR");
    `callbacks` hear the runs' progress together (see _Progress). Once the cluster is reached,
    every folder is held (one writer) and started (config, status running) before the first task
    is sent.
    """
    if len(configs) != len(outs):
        raise ValueError("train_on_cluster: one output folder per config")
    configs = [c.validate() for c in configs]
    folders = [Path(out) for out in outs]
    statuses = ["cancelled"] * len(configs)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(connect(cluster))  # first: an unreachable cluster leaves no folder
        for config, folder in zip(configs, folders):
            stack.enter_context(hold(folder))
            start_folder(folder, config.to_json(), config.epochs)
        topic = f"geoae-progress-{uuid.uuid4().hex}"
        events: queue.SimpleQueue = queue.SimpleQueue()
        client.subscribe_topic(topic, events.put)
        stack.callback(client.unsubscribe_topic, topic)
        progress = _Progress(configs, callbacks, describe(client, cluster))
        pending = {
            client.submit(train_remote, c.to_dict(), threads, topic, i, key=f"geoae-run-{i}-{topic}", pure=False): i
            for i, c in enumerate(configs)
        }
        progress.emit("start")
        try:
            while pending and not (cancel is not None and cancel.is_set()):
                progress.hear(events)
                for future in [f for f in pending if f.done()]:
                    index = pending.pop(future)
                    status = _record(folders[index], configs[index], _outcome(future))
                    statuses[index] = status.partition(":")[0]
                    progress.end_run(index)
                    if on_done:
                        on_done(index, status)
        finally:  # a cancel or a Ctrl-C: the runs not finished are dropped; the finished are on disk
            for future in pending:
                future.cancel()
        progress.emit("end", "finished" if all(s == "finished" for s in statuses) else "incomplete")
    return statuses


def load_runs(folders: Sequence[str | Path], statuses: Sequence[str]) -> list[Run]:
    """The runs a cluster trained; RunsFailed (after every other run is on disk) if some failed."""
    runs = [
        load_run(folder) if status not in (FAILED, "cancelled") else None for folder, status in zip(folders, statuses)
    ]
    failed = [str(folder) for folder, run in zip(folders, runs) if run is None]
    if failed:
        raise RunsFailed(f"{len(failed)} of {len(runs)} runs did not finish on the cluster: {', '.join(failed)}", runs)
    return [run for run in runs if run is not None]
