"""The run browser: the run folders inside the explorer model's folder, the open run highlighted.

A diverged run's status is shown in red, an unfinished one (stopped, or killed mid-training) in
amber; the context menu opens a run or resumes an unfinished one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from geoae_core.examples import is_examples_folder
from geoae_core.files import CHECKPOINT_FILE, CONFIG_FILE, STATUS_FILE, WEIGHTS_FILE, writer_of

from ..model import Explorer
from ..session import UNFINISHED, shown_status

COLUMNS = ("run", "epochs", "status", "kind")  # the short, telling columns first: a narrow dock shows them

# status -> (colour, tooltip) of the status cell
MARKS = {
    "diverged": ("#c62828", "the loss diverged: the weights of the last finite epoch are kept"),
    "cancelled": ("#b26a00", "stopped before the end: right-click > Resume training continues it"),
    "running": ("#b26a00", "interrupted (killed or crashed) mid-training: right-click > Resume training continues it"),
    "training": ("#1565c0", "being trained now"),
}


def run_summary(folder: Path) -> dict[str, str]:
    """What the list shows for one run folder (read from its JSON files, nothing loaded)."""
    summary = {"run": folder.name, "kind": "?", "status": "?", "epochs": ""}
    try:
        config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        summary["kind"] = str(config.get("kind", "disk"))
        if config.get("bias") is False:
            summary["kind"] += ", no bias"
        if config.get("holes"):
            summary["kind"] += ", hole"
    except (OSError, ValueError, AttributeError):
        summary["kind"] = "unreadable config"
    try:
        info = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
        summary["status"] = str(info.get("status", "?"))
        summary["epochs"] = f"{info.get('epochs_done', '?')}/{info.get('epochs', '?')}"
    except (OSError, ValueError, AttributeError):
        summary["status"] = "no run.json"
    if summary["status"] == "running" and writer_of(folder) is not None:
        summary["status"] = "training"  # "running" with nobody writing it: interrupted
    return summary


def can_resume(folder: Path) -> bool:
    """Unfinished, with weights to open, and nobody training it: it continues from its checkpoint,
    or from epoch 0 if it has none."""
    return run_summary(folder)["status"] in UNFINISHED and (Path(folder) / WEIGHTS_FILE).is_file()


def list_runs(folder: Path) -> list[Path]:
    """Sub-folders holding a config.json (and the folder itself, if it is a run)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    runs = [p for p in sorted(folder.iterdir(), key=lambda p: p.name.lower()) if (p / CONFIG_FILE).is_file()]
    if (folder / CONFIG_FILE).is_file():
        runs.insert(0, folder)
    return runs


class RunBrowser(QWidget):
    """Lists the runs of the model's folder and follows its "folder" and "run" events;
    `run_activated(path)` when the user picks one, `resume_requested(path)`."""

    run_activated = Signal(Path)
    resume_requested = Signal(Path)

    def __init__(self, model: Explorer, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.current: Path | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.choose_button = QPushButton("Folder…")
        self.choose_button.setToolTip("Choose the folder whose run folders are listed")
        self.choose_button.clicked.connect(self.choose_folder)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.refresh_button)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a run's name differs at its end
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.folder_label)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        model.on("folder", self._show_folder)
        model.on("run", lambda run: self.mark_current(run.path if run is not None else None))
        self._show_folder(model.folder)

    # ----------------------------------------------------------------- api
    @property
    def folder(self) -> Path:
        return Path(self.model.folder)

    def set_folder(self, folder: Path) -> None:
        """Show another folder (the model's): listed again even if it is the same."""
        if Path(folder) == self.model.folder:
            self.refresh()
        else:
            self.model.set_folder(Path(folder))

    def _show_folder(self, folder: Path | None) -> None:
        folder = Path(folder) if folder is not None else Path()
        if is_examples_folder(folder):
            self.folder_label.setText("<b>Example runs</b> shipped with geoae (read-only)")
        else:
            self.folder_label.setText(f"Runs in <b>{folder}</b>")
        self.folder_label.setToolTip(str(folder))
        self.refresh()

    def runs(self) -> list[Path]:
        return [
            Path(self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole))
            for i in range(self.tree.topLevelItemCount())
        ]

    def names(self) -> list[str]:
        return [p.name for p in self.runs()]

    def refresh(self) -> None:
        self.tree.clear()
        for path in list_runs(self.folder):
            summary = run_summary(path)
            item = QTreeWidgetItem([shown_status(summary[c]) if c == "status" else summary[c] for c in COLUMNS])
            item.setData(0, Qt.ItemDataRole.UserRole, str(path))
            for column, name in enumerate(COLUMNS):
                item.setToolTip(column, summary[name])  # the whole text, however narrow the column
            item.setToolTip(0, str(path))
            status_column = COLUMNS.index("status")
            if summary["status"] in MARKS:
                colour, tip = MARKS[summary["status"]]
                if summary["status"] in UNFINISHED and not (path / CHECKPOINT_FILE).is_file():
                    tip = f"unfinished, with no {CHECKPOINT_FILE}: Resume training starts it again from epoch 0"
                elif summary["status"] == "training":
                    writer = writer_of(path)
                    tip = f"being trained now ({'here' if writer == os.getpid() else f'pid {writer}'})"
                item.setForeground(status_column, QBrush(QColor(colour)))
                item.setToolTip(status_column, tip)
            self.tree.addTopLevelItem(item)
        self.mark_current(self.current)

    def mark_current(self, path: Path | None) -> None:
        """Bold and select the current run's row."""
        self.current = Path(path) if path is not None else None
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            is_current = self.current is not None and Path(item.data(0, Qt.ItemDataRole.UserRole)) == self.current
            font = QFont(item.font(0))
            font.setBold(is_current)
            for column in range(len(COLUMNS)):
                item.setFont(column, font)
            if is_current:
                self.tree.setCurrentItem(item)

    def item(self, path: Path) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if Path(item.data(0, Qt.ItemDataRole.UserRole)) == Path(path):
                return item
        return None

    def context_actions(self, path: Path) -> list[QAction]:
        """The context menu of one run: open it; resume it if it is unfinished and has a checkpoint."""
        path = Path(path)
        open_action = QAction("Open", self)
        open_action.triggered.connect(lambda: self.run_activated.emit(path))
        resume = QAction("Resume training", self)
        resume.setEnabled(can_resume(path))
        resume.triggered.connect(lambda: self.resume_requested.emit(path))
        return [open_action, resume]

    def _context_menu(self, position: QPoint) -> None:
        item = self.tree.itemAt(position)
        if item is None:
            return
        menu = QMenu(self)
        for action in self.context_actions(Path(item.data(0, Qt.ItemDataRole.UserRole))):
            action.setParent(menu)
            menu.addAction(action)
        menu.exec(self.tree.viewport().mapToGlobal(position))
        self.mark_current(self.current)  # the highlight goes back to the run that is open

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of runs", str(self.folder))
        if folder:
            self.set_folder(Path(folder))

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        path = Path(item.data(0, Qt.ItemDataRole.UserRole))
        if path != self.current:
            self.run_activated.emit(path)
