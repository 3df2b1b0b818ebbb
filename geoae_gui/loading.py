"""A window on screen at once: the explorer's frame, saying that the engine is loading, shown
before PyTorch and the panels are imported (about 3.5 s of a 4 s start) and closed when the
explorer takes its place. Only Qt is imported here."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from .settings import settings


def show_loading_window(app: QApplication, size: tuple[int, int] | None) -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle("geoae explorer (loading)")
    label = QLabel("geoae explorer\n\nloading the engine (PyTorch) and the panels…")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("color:#555; font-size:15px;")
    window.setCentralWidget(label)
    geometry = settings().value("geometry")  # where the explorer will open: no jump when it does
    if size is not None or not (isinstance(geometry, QByteArray | bytes) and window.restoreGeometry(geometry)):
        window.resize(*(size or (1400, 900)))
    window.show()
    app.processEvents()
    return window
