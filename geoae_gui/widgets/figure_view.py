"""A figure shown as a thumbnail that fits its box, and opened full size on a click (or with its
"Open full size" button): a dialog that shows it whole, fitted to the dialog, or at its own size
in a scroll area."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class ScaledImage(QLabel):
    """A picture that always fits its box, keeping its aspect ratio; a click on it asks for it
    full size (`clicked`)."""

    clicked = Signal()

    def __init__(self, text: str = ""):
        super().__init__(text)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 120)
        # the picture never asks for its own size: it shrinks with the window
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.original = QPixmap()
        self.path: Path | None = None

    def set_picture(self, pixmap: QPixmap, path: Path | None = None) -> None:
        self.original = pixmap
        self.path = Path(path) if path is not None and not pixmap.isNull() else None
        self.setCursor(Qt.CursorShape.ArrowCursor if pixmap.isNull() else Qt.CursorShape.PointingHandCursor)
        self.setToolTip("" if pixmap.isNull() else "Click to open the figure full size")
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.original.isNull():
            self.clicked.emit()

    def _fit(self) -> None:
        if self.original.isNull():
            self.setPixmap(QPixmap())
            return
        self.setPixmap(
            self.original.scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )


class FigureDialog(QDialog):
    """A figure full size: fitted to the dialog (the default: whole at a glance), or at its own
    size, scrolled ("Actual size")."""

    def __init__(self, pixmap: QPixmap, title: str = "Figure", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.pixmap = pixmap
        self.fitted = ScaledImage()
        self.fitted.set_picture(pixmap)
        self.fitted.setToolTip("")
        self.fitted.setCursor(Qt.CursorShape.ArrowCursor)
        self.actual = QLabel()
        self.actual.setPixmap(pixmap)
        self.actual.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.actual)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.hide()
        self.actual_box = QCheckBox("Actual size (scroll)")
        self.actual_box.toggled.connect(self.show_actual_size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.actual_box, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fitted, 1)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(buttons)
        # as large as the figure, within the screen
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() * 0.9 if screen is not None else pixmap.size()
        self.resize(min(pixmap.width() + 40, room.width()), min(pixmap.height() + 80, room.height()))

    def show_actual_size(self, actual: bool) -> None:
        self.scroll.setVisible(actual)
        self.fitted.setVisible(not actual)


class FigureView(QWidget):
    """A thumbnail of a figure over an "Open full size" button; a click on either opens it."""

    def __init__(self, text: str = "no figure yet", parent: QWidget | None = None):
        super().__init__(parent)
        self.image = ScaledImage(text)
        self.image.clicked.connect(self.open_full_size)
        self.open_button = QPushButton("Open full size")
        self.open_button.setToolTip("The figure at its own size, in a window of its own")
        self.open_button.clicked.connect(self.open_full_size)
        self.open_button.setEnabled(False)
        self.dialog: FigureDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)

    def set_picture(self, pixmap: QPixmap, path: Path | None = None) -> None:
        self.image.set_picture(pixmap, path)
        self.open_button.setEnabled(not pixmap.isNull())

    def open_full_size(self) -> FigureDialog | None:
        if self.image.original.isNull():
            return None
        if self.dialog is not None:  # one at a time: the last figure asked for
            self.dialog.close()
            self.dialog.deleteLater()
        title = self.image.path.name if self.image.path is not None else "Figure"
        self.dialog = FigureDialog(self.image.original, title, self.window())
        self.dialog.show()
        return self.dialog
