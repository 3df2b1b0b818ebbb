"""The Train panel's buttons: start, pause, step one epoch, stop, resume; and, shown only while a
trained run could not be written to its folder, save elsewhere and discard. While the settings
have problems Start is disabled, and a line beside it says why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ..session import Controls
from .rows import FlowLayout

START_TIP = "Train a new run with the settings of the form"
BLOCKED_STYLE = "color:#b3261e;"


class TrainControls(QWidget):
    """The buttons; `allow(controls, blocked)` enables what the session allows (Start only while the
    settings have no problem: `blocked` says them), `show_unsaved(shown)`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip(START_TIP)
        self.blocked_label = ElidedLabel()  # why Start is disabled: one line, whole in its tooltip
        self.blocked_label.setObjectName("start_blocked")
        self.blocked_label.setStyleSheet(BLOCKED_STYLE)
        self.pause_button = QPushButton("Pause")
        self.step_button = QPushButton("Step one epoch")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume run")
        self.resume_button.setToolTip(
            "Continue the selected unfinished run (stopped, or killed mid-training) from its last checkpoint"
        )
        self.save_elsewhere_button = QPushButton("Save elsewhere…")
        self.save_elsewhere_button.setToolTip("Write the trained model, which its own folder could not take, elsewhere")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Forget the trained model that could not be saved")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        buttons = FlowLayout()  # one row, or more in a narrow window
        for button in (self.start_button, self.pause_button, self.step_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        column.addLayout(buttons)
        unsaved_row = QHBoxLayout()
        unsaved_row.addWidget(self.save_elsewhere_button)
        unsaved_row.addWidget(self.discard_button)
        # its line is kept even when empty: a reason that comes or goes moves no control
        unsaved_row.addWidget(self.blocked_label, 1)
        column.addLayout(unsaved_row)
        self.show_unsaved(False)

    def allow(self, allowed: Controls, blocked: list[str] | None = None) -> None:
        """Enable what the session allows; `blocked`: the settings' problems, which disable Start."""
        blocked = blocked or []
        self.start_button.setEnabled(allowed.start and not blocked)
        reason = "Fix the settings first:\n" + "\n".join(blocked) if blocked else ""
        self.start_button.setToolTip(reason or START_TIP)
        shown = allowed.start and bool(blocked)
        self.blocked_label.setText(blocked_line(blocked) if shown else "")
        self.blocked_label.setToolTip(reason if shown else "")
        self.pause_button.setEnabled(allowed.pause)
        self.step_button.setEnabled(allowed.step)
        self.stop_button.setEnabled(allowed.stop)
        self.pause_button.setText(allowed.pause_text)
        self.resume_button.setEnabled(allowed.resume)

    def show_unsaved(self, shown: bool) -> None:
        for button in (self.save_elsewhere_button, self.discard_button):
            button.setVisible(shown)
            button.setEnabled(True)


def blocked_line(problems: list[str]) -> str:
    """Why Start is disabled, in one line: the settings with problems, by label."""
    return "Start is disabled until these settings are fixed: " + ", ".join(p.split(":", 1)[0] for p in problems)


class ElidedLabel(QLabel):
    """One line of text, cut with … where the row is too narrow (never taller: it moves no control)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
