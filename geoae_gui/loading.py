"""A window on screen at once: the explorer's frame, saying that the engine is loading, shown
before PyTorch and the panels are imported (about 3.5 s of a 4 s start) and closed when the
explorer takes its place. Only Qt is imported here."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from .settings import settings
from .widgets.guide import Guide


def show_loading_window(app: QApplication, size: tuple[int, int] | None) -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle("geoae explorer (loading)")
    geometry = settings().value("geometry")  # saved by the explorer: absent on a first launch
    central = QWidget()
    layout = QVBoxLayout(central)
    if geometry is None:  # the ways in, to read while the engine loads
        guide = Guide(interactive=False)
        guide.close_button.hide()
        guide.copy_button.hide()
        layout.addWidget(guide)
    label = QLabel("loading the engine (PyTorch) and the panels…")
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
