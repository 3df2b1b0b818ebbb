"""Python's cyclic garbage collector, run on the GUI thread only (pyqtgraph's GarbageCollector
pattern).

A collection runs on whichever thread happens to allocate. Run on the training thread, it
destroys the Qt objects of unreachable cycles (a closed window's menus) off the GUI thread, and
the two threads deadlock: the window freezes mid-training. So automatic collection is off in
every process that shows widgets, and a timer on the GUI thread collects instead, by the same
thresholds Python would use.

At its first tick the collector freezes what exists then (gc.freeze: the modules of torch, Qt
and the window, 370,000 objects): a full collection over them stalls the window 200-260 ms, and
they live as long as the program. Collections then scan only what came after.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

INTERVAL_MS = 250
# A full collection waits at least this long after the last one. Python defers its own the same
# way (until the long-lived objects have grown by a quarter); each costs tens of milliseconds.
FULL_INTERVAL_S = 10.0

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, interval_ms: int = INTERVAL_MS):
        super().__init__()
        gc.disable()
        self.frozen = False
        self.last_full = time.monotonic()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(interval_ms)

    def collect_due(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        if gc.isenabled():  # something turned automatic collection back on
            gc.disable()
        if not self.frozen:
            gc.freeze()
            self.frozen = True
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for level in range(3):
            if counts[level] <= thresholds[level]:
                break
            generation = level
        if generation == 2:
            if time.monotonic() - self.last_full < FULL_INTERVAL_S:
                generation = 1
            else:
                self.last_full = time.monotonic()
        if generation >= 0:
            gc.collect(generation)


def keep_collection_on_gui_thread() -> GuiThreadCollector:
    """Install the collector once per process; call on the GUI thread, with a QApplication."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        raise RuntimeError("keep_collection_on_gui_thread: call it on the GUI thread of a running QApplication")
    if _collector is None:
        _collector = GuiThreadCollector()
    gc.disable()
    return _collector
