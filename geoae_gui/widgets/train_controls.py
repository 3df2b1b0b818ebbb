"""The Train panel's buttons: start, pause, step one epoch, stop, resume; and, shown only while a
trained run could not be written to its folder, save elsewhere and discard."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..session import Controls


class TrainControls(QWidget):
    """The buttons; `allow(controls)` enables what the session allows, `show_unsaved(shown)`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.start_button = QPushButton("Start")
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
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.step_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        unsaved_row = QHBoxLayout()
        unsaved_row.addWidget(self.save_elsewhere_button)
        unsaved_row.addWidget(self.discard_button)
        unsaved_row.addStretch(1)
        column.addLayout(unsaved_row)
        self.show_unsaved(False)

    def allow(self, allowed: Controls) -> None:
        self.start_button.setEnabled(allowed.start)
        self.pause_button.setEnabled(allowed.pause)
        self.step_button.setEnabled(allowed.step)
        self.stop_button.setEnabled(allowed.stop)
        self.pause_button.setText(allowed.pause_text)
        self.resume_button.setEnabled(allowed.resume)

    def show_unsaved(self, shown: bool) -> None:
        for button in (self.save_elsewhere_button, self.discard_button):
            button.setVisible(shown)
            button.setEnabled(True)
