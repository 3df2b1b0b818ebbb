"""A run folder's files without tensors: their names, atomic writes, the first files of a run,
config.json and run.json read back, and the folder's one-writer lock. No torch: the CLI writes a
run's first files with this before the engine has loaded (store.py has the tensor files).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .config import ADDED_LATER, FIELD_TYPES, Config, ConfigError

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"
CHECKPOINT_FILE = "checkpoint.safetensors"
HISTORY_FILE = "history.csv"
STATUS_FILE = "run.json"
LOCK_FILE = ".writer.lock"
SNAPSHOTS_DIR = "snapshots"  # the weights during training, one file per kept epoch
_SNAPSHOT_NAME = re.compile(r"epoch-(\d+)\.safetensors")


class RunError(Exception):
    """A run folder cannot be used; the message names the file and the problem."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_status(folder: Path, info: dict[str, Any]) -> None:
    atomic_write_text(Path(folder) / STATUS_FILE, json.dumps(info, indent=2, sort_keys=True) + "\n")


def start_folder(folder: Path, config_json: str, epochs: int) -> None:
    """A new run's first files: its config and a status `running` at epoch 0. Files of an earlier
    run in the folder go (its snapshots too), so that a resume can never continue it under the
    new config."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in (CHECKPOINT_FILE, WEIGHTS_FILE, HISTORY_FILE):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / SNAPSHOTS_DIR, ignore_errors=True)
    # the status first: a folder with a config.json is listed as a run, and shows its status
    write_status(folder, {"status": "running", "epochs_done": 0, "epochs": epochs})
    atomic_write_text(folder / CONFIG_FILE, config_json + "\n")


def abandon_start(folder: Path) -> None:
    """The first files of a new run that failed before any checkpoint was written (refused, or
    not saved at all) go: a folder listed as a run that holds nothing to resume would mislead."""
    folder = Path(folder)
    if not (folder / CHECKPOINT_FILE).exists():
        for name in (CONFIG_FILE, STATUS_FILE):
            (folder / name).unlink(missing_ok=True)


def read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
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


# ------------------------------------------------------------------------------ one writer
# A folder is held through an OS lock on LOCK_FILE (flock: it dies with its process, so a
# SIGKILL leaves no stale lock). flock conflicts between two opens in one process too, which
# refuses a second training thread; the thread that holds a folder may take it again.
_held: dict[Path, tuple[int, Any, int]] = {}  # folder -> (thread id, open lock file, depth)
_held_guard = threading.Lock()


def _try_lock(handle: Any) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def writer_of(folder: Path) -> int | None:
    """The pid of the process training into `folder`, or None when nobody is."""
    folder = Path(folder).resolve()
    if folder in _held:
        return os.getpid()
    path = folder / LOCK_FILE
    if not path.is_file():
        return None
    try:
        with path.open("r+") as handle:
            if _try_lock(handle):  # free: released at once by closing
                return None
            text = handle.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else -1


def _busy_error(folder: Path, holder: int | None) -> RunError:
    who = "this program" if holder == os.getpid() else f"pid {holder}" if holder and holder > 0 else "another process"
    return RunError(f"{folder}: another training is writing this run ({who}); wait for it or stop it first")


@contextlib.contextmanager
def hold(folder: Path) -> Iterator[None]:
    """Be the only writer of `folder` (created if missing) while the block runs; RunError if taken."""
    folder = Path(folder)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunError(f"{folder}: cannot create the run folder ({exc.strerror or exc})") from None
    key = folder.resolve()
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(key)
        if held is not None:
            if held[0] != me:
                raise _busy_error(folder, os.getpid())
            _held[key] = (me, held[1], held[2] + 1)
        else:
            _held[key] = (me, _acquire(folder), 1)
    try:
        yield
    finally:
        with _held_guard:
            thread, handle, depth = _held[key]
            if depth > 1:
                _held[key] = (thread, handle, depth - 1)
            else:
                del _held[key]
                handle.close()  # releases the lock; the file stays, harmless and reused
                if created:
                    _remove_if_unused(folder)


def _remove_if_unused(folder: Path) -> None:
    """A folder made for a run that never wrote a file (refused, or a full disk) is not left behind."""
    with contextlib.suppress(OSError):
        if [p.name for p in folder.iterdir()] == [LOCK_FILE]:
            (folder / LOCK_FILE).unlink()
            folder.rmdir()


def _acquire(folder: Path) -> Any:
    try:
        handle = (folder / LOCK_FILE).open("a+")
    except OSError as exc:
        raise RunError(f"{folder}: cannot lock the run folder ({exc.strerror or exc})") from None
    if not _try_lock(handle):
        handle.seek(0)
        text = handle.read().strip()
        handle.close()
        raise _busy_error(folder, int(text) if text.isdigit() else None)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


# ------------------------------------------------------------------ snapshots' names
def snapshot_path(folder: str | os.PathLike[str], epoch: int) -> Path:
    return Path(folder) / SNAPSHOTS_DIR / f"epoch-{epoch:06d}.safetensors"


def snapshot_epochs(folder: str | os.PathLike[str]) -> list[int]:
    """The epochs a run folder keeps the weights of, ascending; [] when it keeps none."""
    try:
        names = os.listdir(Path(folder) / SNAPSHOTS_DIR)
    except OSError:
        return []
    return sorted(int(match[1]) for name in names if (match := _SNAPSHOT_NAME.fullmatch(name)))
