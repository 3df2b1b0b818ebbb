"""The guard against PySide6 6.12.0's lost references on CPython < 3.12 (see geoae_gui/compat.py)."""

import sys

from PySide6.QtCore import QObject, Signal

import geoae_gui  # noqa: F401 - importing the package applies the guard
from geoae_gui import compat


class Emitter(QObject):
    ping = Signal(object)


def test_many_emits_and_none_payloads_do_not_exhaust_the_singletons():
    emitter = Emitter()
    received = []
    emitter.ping.connect(received.append)
    for _ in range(5000):  # more than True's whole reference count on a fresh 3.11 interpreter
        emitter.ping.emit(None)
    assert len(received) == 5000
    assert min(sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)) > 1000
    # applied exactly where the defect shows, and nowhere else
    assert compat.guard() == compat._applied
    if sys.version_info >= (3, 12):
        assert not compat._applied
