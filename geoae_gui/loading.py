"""A window on screen at once: the explorer's frame, saying that the engine is loading, shown
before PyTorch and the panels are imported and closed when the explorer takes its place. Only
Qt is imported here.

The engine is imported in a background thread (`load_beside`) while this window runs Qt's event
loop: it answers at once, and closing it (its close button, Ctrl+Q) ends the wait, so the
program can end without waiting for PyTorch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEventLoop, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from .settings import settings
from .widgets.guide import Guide


class LoadingWindow(QMainWindow):
    """Says that the engine loads; `closed` is emitted when the user closes it (not when the
    explorer replaces it: `replace()` closes it quietly)."""

    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._replaced = False
        self.user_closed = False  # closed by the user, maybe before anyone listened to `closed`
        quit_keys = {QKeySequence(QKeySequence.StandardKey.Quit).toString(), "Ctrl+Q"}  # one shortcut per key
        for keys in quit_keys - {""}:
            QShortcut(QKeySequence(keys), self, self.close)

    def replace(self) -> None:
        """The explorer is on screen: go without telling anyone to quit."""
        self._replaced = True
        self.close()

    def closeEvent(self, event) -> None:
        super().closeEvent(event)
        if not self._replaced:
            self.user_closed = True
            self.closed.emit()


def show_loading_window(app: QApplication, size: tuple[int, int] | None) -> LoadingWindow:
    window = LoadingWindow()
    window.setWindowTitle("geoae explorer (loading)")
    geometry = settings().value("geometry")  # saved by the explorer: absent on a first launch
    central = QWidget()
    layout = QVBoxLayout(central)
    if geometry is None:  # the ways in, to read while the engine loads
        guide = Guide(interactive=False)
        guide.close_button.hide()
        guide.copy_button.hide()
        layout.addWidget(guide)
    label = QLabel("loading the engine (PyTorch) and the panels… (Ctrl+Q quits)")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("color:#555; font-size:15px;")
    layout.addWidget(label, 1)
    window.setCentralWidget(central)
    # where the explorer will open: no jump when it does
    if size is not None or not (isinstance(geometry, QByteArray | bytes) and window.restoreGeometry(geometry)):
        window.resize(*(size or (1400, 900)))
    window.show()
    app.processEvents()
    return window


class Loader(QObject):
    """`load()` in a daemon thread, started at once (before the QApplication if need be: the
    C++ parts of Qt's start-up run beside it); `done` is emitted on the UI thread's loop."""

    done = Signal()

    def __init__(self, load: Callable[[], None]):
        super().__init__()
        self.failure: list[BaseException] = []
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._work, args=(load,), name="geoae-load-engine", daemon=True)
        self.thread.start()

    def _work(self, load: Callable[[], None]) -> None:
        try:
            load()
        except BaseException as exc:  # raised again on the UI thread
            self.failure.append(exc)
        finally:
            self.finished.set()
            self.done.emit()


def load_beside(window: LoadingWindow | None, loader: Loader) -> bool:
    """Wait for `loader` while Qt's event loop keeps `window` live; True once it is done (its
    exception is raised here), False as soon as the user closes `window` (the thread is left
    to the end of the program)."""
    loop = QEventLoop()
    loader.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    closed = threading.Event()

    def on_closed() -> None:
        closed.set()
        loop.quit()

    if window is not None:
        window.closed.connect(on_closed)
        if window.user_closed:
            closed.set()
    if not loader.finished.is_set() and not closed.is_set():
        loop.exec()
    if closed.is_set():
        return False
    loader.thread.join()
    if loader.failure:
        raise loader.failure[0]
    return True
