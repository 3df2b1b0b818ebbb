"""What the run browser shows of a run folder, read cheaply, and a watcher of a folder of runs.

Reading a run never touches its weights: config.json and run.json (small JSON files), the last
line of history.csv (read from its end) and the names in snapshots/. A training writes run.json
and history.csv only at its checkpoints (every `checkpoint_every` epochs or `checkpoint_seconds`,
geoae_core.loop.RunRecord.save): between them run.json still says the epoch of the last one (a
new run: 0), so the epoch of a run being trained is the latest of run.json's, history.csv's last
row and its newest snapshot (written at every epoch up to 32, then log-spaced). Every file is
replaced atomically (os.replace), so a read sees the old file or the new one; a file that cannot
be parsed (a writer that does not replace) keeps what was shown before, never an error.

`RunsWatcher` follows a folder with Qt's QFileSystemWatcher (inotify on Linux) on directories
only: the runs folder (runs appear, go), each sub-folder (an atomic replace of run.json or
history.csv renames a file inside it) and the snapshots/ folder of a run being trained (its
epochs). Watching the files themselves is unreliable: a replaced file is a new inode, which
the watcher loses. What a watcher cannot see is polled every POLL_MS: the lock of a run being
trained (it goes with its writer's process, killed or not, without a file event) and the mtime
of any path the watcher refused (inotify's limit, a file system without notifications).
Events are gathered for SETTLE_MS and handed over at once, as one `changed` signal.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from geoae_core.files import CONFIG_FILE, HISTORY_FILE, SNAPSHOTS_DIR, STATUS_FILE, snapshot_epochs, writer_of

POLL_MS = 1500
SETTLE_MS = 80
TAIL_BYTES = 4096  # the end of history.csv read for its last row


def last_history_row(path: Path) -> tuple[int, float] | None:
    """(epoch, loss) of history.csv's last complete row, read from the file's end; None if none."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
    except OSError:
        return None
    lines = tail.split(b"\n")
    lines.pop()  # after the last newline: empty, or a row still being written
    for line in reversed(lines):
        parts = line.split(b",")
        if len(parts) >= 3:
            try:
                return int(parts[0]), float(parts[1])
            except ValueError:
                continue  # the header, or a row cut by the read's start
    return None


def newest_snapshot(folder: Path) -> int:
    return max(snapshot_epochs(folder), default=0)


def format_loss(loss: float | None) -> str:
    if loss is None:
        return ""
    return f"{loss:.3g}" if math.isfinite(loss) else str(loss)


def read_summary(folder: Path, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the browser shows of one run folder: "run", "kind", "status" (run.json's word, or
    "training" while a process holds the folder), "epochs" ("done/total"), "loss" (history's
    last), and "loss_epoch", "epochs_done", "writer" for the tooltips. What cannot be read keeps
    `previous`'s value (the row shown), else says what is wrong."""
    folder = Path(folder)
    previous = previous or {}
    summary: dict[str, Any] = {"run": folder.name, "kind": "?", "status": "?", "epochs": "", "loss": ""}
    summary.update(loss_epoch=None, epochs_done=None, writer=None)
    try:
        config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        kind = str(config.get("kind", "disk"))
        if config.get("bias") is False:
            kind += ", no bias"
        if config.get("holes"):
            kind += ", hole"
        summary["kind"] = kind
    except (OSError, ValueError, AttributeError):
        summary["kind"] = previous.get("kind", "unreadable config")
    done: int | None = None
    total: Any = "?"
    try:
        info = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
        summary["status"] = str(info.get("status", "?"))
        done_value, total = info.get("epochs_done"), info.get("epochs", "?")
        done = done_value if isinstance(done_value, int) else None
    except FileNotFoundError:
        summary["status"] = "no run.json"
    except (OSError, ValueError, AttributeError):
        if previous:  # being written by a writer that does not replace: the row stays as it was
            return {**previous, "run": folder.name}
        summary["status"] = "unreadable run.json"
    row = last_history_row(folder / HISTORY_FILE)
    if row is not None:
        summary["loss_epoch"], loss = row
        summary["loss"] = format_loss(loss)
    if summary["status"] == "running":
        # between checkpoints run.json lags behind: the newest snapshot, or history, is later
        done = max(done or 0, row[0] if row else 0, newest_snapshot(folder))
        if isinstance(total, int):
            done = min(done, total)
        summary["writer"] = writer_of(folder)
        if summary["writer"] is not None:
            summary["status"] = "training"  # "running" with nobody writing it: interrupted
    if summary["status"] not in ("no run.json", "unreadable run.json"):
        summary["epochs"] = f"{'?' if done is None else done}/{total}"
    summary["epochs_done"] = done
    return summary


class RunsWatcher(QObject):
    """Watches a folder of runs: `changed(listing, runs)` with `listing` True when the folder's
    entries may have changed (runs added, removed) and `runs` the run folders whose files did.
    Lives on the GUI thread, a child of the widget that shows the runs."""

    changed = Signal(bool, list)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.folder: Path | None = None
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._directory_changed)
        self._live: set[Path] = set()  # runs being trained: their writer's lock polled
        self._snapshots: set[Path] = set()  # their snapshots/ folders, watched for their epochs
        self._tracked: tuple[Any, ...] = ()
        self._unwatched: dict[Path, int | None] = {}  # paths the watcher refused -> their mtime
        self._listing = False
        self._dirty: set[Path] = set()
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._flush)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._poll_now)

    def set_folder(self, folder: Path | None) -> None:
        """Follow another folder (None: none); `track` says which of its runs to follow."""
        self.folder = Path(folder) if folder is not None else None
        self._live.clear()
        self._tracked = ()
        self._dirty.clear()
        self._listing = False
        self._settle.stop()
        self.track([], set())

    def track(self, subfolders: list[Path], live: set[Path]) -> None:
        """Watch the folder, these sub-folders of it, and the snapshots of the `live` runs."""
        key = (self.folder, tuple(subfolders), frozenset(live))
        if key == self._tracked:
            return  # as it is: a poll of the runs being trained changes nothing here
        self._tracked = key
        self._live = {Path(p) for p in live}
        wanted: set[Path] = set()
        if self.folder is not None:
            wanted = {self.folder, *map(Path, subfolders)}
            self._snapshots = {p / SNAPSHOTS_DIR for p in self._live if (p / SNAPSHOTS_DIR).is_dir()}
            wanted |= self._snapshots
        wanted_text = {str(p) for p in wanted}
        watched = set(self._watcher.directories())
        gone = sorted(watched - wanted_text)
        if gone:
            self._watcher.removePaths(gone)
        new = sorted(wanted_text - watched)  # those refused before are tried again
        missing = [p for p in new if not os.path.isdir(p)]  # the folder, before its first run
        present = [p for p in new if p not in missing]
        refused = [*missing, *(self._watcher.addPaths(present) if present else [])]  # Qt warns of an empty list
        earlier = self._unwatched
        self._unwatched = {path: earlier.get(path, _mtime(path)) for path in map(Path, refused)}
        if self._live or self._unwatched:
            if not self._poll.isActive():
                self._poll.start()
        else:
            self._poll.stop()

    def watched(self) -> list[str]:
        return sorted(self._watcher.directories())

    # ------------------------------------------------------------ events
    def _directory_changed(self, text: str) -> None:
        self._mark(Path(text))

    def _mark(self, path: Path) -> None:
        if self.folder is None:
            return
        if path == self.folder:
            self._listing = True
            self._dirty.add(path)  # the folder itself may be a run
        elif path in self._snapshots:
            self._dirty.add(path.parent)
        elif path.parent == self.folder:
            self._dirty.add(path)
            if not path.is_dir():  # a run folder deleted: the watcher dropped it by itself
                self._listing = True
        if self._listing:
            self._tracked = ()  # watch again what is there now (a folder deleted and made again)
        if not self._settle.isActive():  # not restarted: a steady stream of writes still shows
            self._settle.start()

    def _poll_now(self) -> None:
        self._dirty |= {path for path in self._live if writer_of(path) is None}  # its writer is gone
        for path, stamp in list(self._unwatched.items()):
            now = _mtime(path)
            if now != stamp:
                self._unwatched[path] = now
                self._mark(path)
        self._flush()

    def _flush(self) -> None:
        self._settle.stop()
        listing, dirty = self._listing, sorted(self._dirty)
        self._listing, self._dirty = False, set()
        if listing or dirty:
            self.changed.emit(listing, dirty)


def _mtime(path: Path) -> int | None:
    with contextlib.suppress(OSError):
        return os.stat(path).st_mtime_ns
    return None
