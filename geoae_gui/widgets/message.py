"""A one-line message strip: errors and notes shown in the window, never as a crash."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

STYLES = {
    "error": "background:#fde2e1; color:#7a1712; border:1px solid #f0a8a4;",
    "warning": "background:#fff4d6; color:#6b4c00; border:1px solid #f0d48a;",
    "info": "background:#e3effc; color:#123e6b; border:1px solid #a9c8ee;",
}


class MessageBar(QWidget):
    """Hidden until a message arrives; `kind` is error, warning or info."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.kind = kind
        self.label.setText(text)
        self.label.setStyleSheet(STYLES.get(kind, STYLES["info"]) + "padding:4px; border-radius:3px;")
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() or self.kind else ""

    def clear(self) -> None:
        self.kind = ""
        self.label.clear()
        self.hide()
