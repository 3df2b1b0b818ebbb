"""The first-launch guide: three ways in (explore the examples, train your own, reproduce the
paper), shown above the panels until closed; Help > Getting started shows it again.
Only Qt is imported here: the loading window shows the same routes before the engine loads."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QToolButton, QWidget

# (route, button, what it does): the loading window shows the same text
ROUTES = (
    (
        "examples",
        "Explore the examples",
        "Runs trained with geoae, read-only. Drag z on the Latent explorer; Filters shows the kernels "
        "the network learned, Profile the decoder beside the optimal Airy solution.",
    ),
    (
        "train",
        "Train your own",
        "Pick a preset, change what you like and train (a few minutes on a laptop's CPU, faster on CUDA). "
        "Runs are saved in {runs_home}.",
    ),
    (
        "reproduce",
        "Reproduce the paper",
        "Experiments trains and checks each figure of the paper; `geoae reproduce all` does every one "
        "from the command line.",
    ),
)
TITLE = "Welcome to geoae: how autoencoders process the size of a disk and the position of a Dirac."
COPY_TEXT = {False: "Copy the examples into my runs", True: "Copy into my runs"}  # compact: shorter
COMPACT_BELOW = 760  # px of window height: below it the guide shows its buttons only
STYLE = "QFrame#guide { background:#f3f7fc; border:1px solid #c9d9ee; border-radius:4px; }"


def route_text(route: str, runs_home: str = "your runs folder") -> str:
    return next(text for name, _button, text in ROUTES if name == route).format(runs_home=runs_home)


class Guide(QFrame):
    """Emits `chosen(route)` with route in examples, train, reproduce; `copy_requested` copies the
    examples into the user's runs so that they can be trained further."""

    chosen = Signal(str)
    copy_requested = Signal()

    def __init__(self, runs_home: str = "your runs folder", interactive: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("guide")
        self.setStyleSheet(STYLE)
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 6, 6, 8)
        layout.setHorizontalSpacing(14)
        self.title = title = QLabel(f"<b>{TITLE}</b>")
        title.setWordWrap(True)  # two lines in a narrow window, rather than a window too wide
        layout.addWidget(title, 0, 0, 1, len(ROUTES) - 1)
        self.buttons: dict[str, QPushButton] = {}
        self.texts: dict[str, QLabel] = {}
        for column, (route, button_text, _text) in enumerate(ROUTES):
            button = QPushButton(f"{column + 1}. {button_text}")
            button.setEnabled(interactive)
            button.clicked.connect(lambda _c=False, r=route: self.chosen.emit(r))
            button.setToolTip(route_text(route, runs_home))
            text = QLabel(route_text(route, runs_home))
            text.setWordWrap(True)
            text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            text.setStyleSheet("color:#333;")
            layout.addWidget(button, 1, column, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(text, 2, column)
            layout.setColumnStretch(column, 1)
            self.buttons[route], self.texts[route] = button, text
        self.copy_button = QPushButton(COPY_TEXT[False])
        self.copy_button.setToolTip("so that you can resume or retrain them; the originals stay read-only")
        self.copy_button.setEnabled(interactive)
        self.copy_button.clicked.connect(self.copy_requested)
        layout.addWidget(self.copy_button, 0, len(ROUTES) - 1, Qt.AlignmentFlag.AlignRight)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide the guide (Help > Getting started shows it again)")
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.close_button, 0, len(ROUTES), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

    def set_runs_home(self, runs_home: str) -> None:
        self.texts["train"].setText(route_text("train", runs_home))
        self.buttons["train"].setToolTip(route_text("train", runs_home))

    def fit_height(self, window_height: int) -> None:
        """In a short window the title and the routes' texts go, leaving the buttons (their texts
        in tooltips), so that the guide does not push the panels below the screen."""
        compact = window_height < COMPACT_BELOW
        for text in (self.title, *self.texts.values()):
            text.setVisible(not compact)
        # compact: the copy and close buttons join the routes' row, so the guide is one row high
        layout = self.layout()
        layout.setContentsMargins(*((6, 2, 6, 2) if compact else (10, 6, 6, 8)))
        self.copy_button.setText(COPY_TEXT[compact])
        row, column = (1, len(ROUTES)) if compact else (0, len(ROUTES) - 1)
        for widget, at, align in (
            (self.copy_button, column, Qt.AlignmentFlag.AlignRight),
            (self.close_button, column + 1 if compact else len(ROUTES), Qt.AlignmentFlag.AlignRight),
        ):
            layout.removeWidget(widget)
            layout.addWidget(widget, row, at, align | Qt.AlignmentFlag.AlignTop)
