"""A guard against a reference-counting defect of PySide6 6.12.0 on CPython 3.11 and older.

That build drops a reference to None, True or False on many calls: every Python-side
`Signal.emit()` loses one on the bool it returns, and pyqtgraph's redraws lose hundreds on None
per slider move. From CPython 3.12 these objects are immortal and nothing happens; before 3.12
their count reaches zero after a minute of dragging a slider, and the interpreter aborts
("Fatal Python error: none_dealloc" / "bool_dealloc"). PySide6 6.11.3 does not have the defect:
the real fix is the pin `PySide6-Essentials!=6.12.0` (for python_version < "3.12").

Until then, `guard()` detects the defect with a small probe and, only where it shows, gives
None, True and False a reference count no program can exhaust, which is what CPython 3.12
does for them by design. It does nothing anywhere else.
"""

from __future__ import annotations

import ctypes
import sys

_applied = False
HEADROOM = 1 << 40


def defect_present(emits: int = 64) -> bool:
    """True when emitting a Qt signal from Python loses references to the bool it returns."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(emits):
        probe.ping.emit()
    after = sys.getrefcount(True) + sys.getrefcount(False)
    return before - after >= emits // 2


def guard() -> bool:
    """Apply the headroom where the defect shows; returns whether it was applied (now or before)."""
    global _applied
    if _applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12) or hasattr(sys, "getobjects"):
        return False  # immortal singletons, or a debug build whose object header differs
    if not defect_present():
        return False
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))
        before = sys.getrefcount(obj)
        count.value += HEADROOM
        if sys.getrefcount(obj) - before != HEADROOM:  # not the layout we expect: undo, leave alone
            count.value -= HEADROOM
            return False
    _applied = True
    return True
