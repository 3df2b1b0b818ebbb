"""The run browser: the run folders inside the explorer model's folder, the open run highlighted,
kept live like TensorBoard's run list.

The folder is watched (run_watch.RunsWatcher): a run trained anywhere, here or by `geoae train`
in a terminal, appears by itself, and its status, epochs and last loss follow its files; only
the rows whose files changed are read again (their small JSON files and history.csv's last
line), and updated in place, so the selection, the scroll and the columns stay.

A diverged run's status is shown in red, an unfinished one (stopped, or killed mid-training) in
amber; the context menu opens a run or resumes an unfinished one. The name column takes the free
width (a name elided in its middle only when it does not fit, whole in its tooltip); the other
columns fit their content and can be resized; in a narrow dock the name gives way first, then
kind and loss hide, so that epochs and status stay in view.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from geoae_core.examples import is_examples_folder
from geoae_core.files import CHECKPOINT_FILE, CONFIG_FILE, WEIGHTS_FILE

from ..model import Explorer
from ..session import UNFINISHED, shown_status
from .run_watch import RunsWatcher, read_summary

COLUMNS = ("run", "epochs", "status", "loss", "kind")  # the telling columns first: a narrow dock shows them
# in a narrow dock these columns hide, in turn, rather than leave the name less than these px
GIVE_WAY = (("kind", 150), ("loss", 72))
MIN_SECTION = 36
DRAG_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseButtonRelease)
PATH_ROLE = Qt.ItemDataRole.UserRole

# status -> (colour, tooltip) of the status cell
MARKS = {
    "diverged": ("#c62828", "the loss diverged: the weights of the last finite epoch are kept"),
    "cancelled": ("#b26a00", "stopped before the end: right-click > Resume training continues it"),
    "running": ("#b26a00", "interrupted (killed or crashed) mid-training: right-click > Resume training continues it"),
    "training": ("#1565c0", "being trained now"),
}


def run_summary(folder: Path) -> dict[str, Any]:
    """What the list shows for one run folder (read from its small files, no weights loaded)."""
    return read_summary(Path(folder))


def can_resume(folder: Path) -> bool:
    """Unfinished, with weights to open, and nobody training it: it continues from its checkpoint,
    or from epoch 0 if it has none."""
    return run_summary(folder)["status"] in UNFINISHED and (Path(folder) / WEIGHTS_FILE).is_file()


def subfolders(folder: Path) -> list[Path]:
    """The folder's sub-folders, by name (case aside); [] if it is not a folder."""
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries if entry.is_dir()]
    except OSError:
        return []
    folder = Path(folder)
    return [folder / name for name in sorted(names, key=str.lower)]


def list_runs(folder: Path, among: list[Path] | None = None) -> list[Path]:
    """Sub-folders holding a config.json (and the folder itself, if it is a run); `among`: the
    sub-folders, when they are known."""
    folder = Path(folder)
    runs = [p for p in (subfolders(folder) if among is None else among) if os.path.isfile(p / CONFIG_FILE)]
    if (folder / CONFIG_FILE).is_file():
        runs.insert(0, folder)
    return runs


class RunBrowser(QWidget):
    """Lists the runs of the model's folder, follows its "folder" and "run" events and the files
    of the folder; `run_activated(path)` when the user picks one, `resume_requested(path)`."""

    run_activated = Signal(Path)
    resume_requested = Signal(Path)

    def __init__(self, model: Explorer, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.current: Path | None = None
        self.summaries: dict[Path, dict[str, Any]] = {}  # what each row shows
        self._user_widths: dict[int, int] = {}  # columns the user resized
        self._content_widths: dict[int, int] = {}
        self._fitting = False
        self._dragging = False
        self._rows: list[Path] = []  # the runs listed, in the rows' order
        self._items: dict[Path, QTreeWidgetItem] = {}
        self._subfolders: list[Path] = []  # watched: a run folder is one before its config.json is written
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.folder_label = QLabel()  # the path elided in its middle: a long one never widens the dock
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.installEventFilter(self)
        buttons = QHBoxLayout()
        self.choose_button = QPushButton("Folder…")
        self.choose_button.setToolTip("Choose the folder whose run folders are listed")
        self.choose_button.clicked.connect(self.choose_folder)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip(
            "Read every run again (the folder is watched: runs appear and update by themselves)"
        )
        self.refresh_button.clicked.connect(self.refresh)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.refresh_button)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a run's name differs at its end
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(MIN_SECTION)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name takes the free width
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._section_resized)
        self.tree.viewport().installEventFilter(self)
        header.viewport().installEventFilter(self)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        layout.addWidget(self.folder_label)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        self.watcher = RunsWatcher(self)  # a child: made and destroyed on the GUI thread
        self.watcher.changed.connect(self._files_changed)
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
        self.folder_label.setToolTip(str(folder))
        self._label_folder()
        self.watcher.set_folder(folder if self.model.folder is not None else None)
        self.tree.clear()
        self.summaries.clear()
        self._rows, self._items = [], {}
        self.refresh()

    def _label_folder(self) -> None:
        folder = self.model.folder
        if folder is not None and is_examples_folder(folder):
            self.folder_label.setText("<b>Example runs</b> shipped with geoae (read-only)")
            return
        bold = QFont(self.folder_label.font())
        bold.setBold(True)
        room = self.folder_label.width() - self.folder_label.fontMetrics().horizontalAdvance("Runs in ") - 4
        path = QFontMetrics(bold).elidedText(str(folder or ""), Qt.TextElideMode.ElideMiddle, max(room, 24))
        self.folder_label.setText(f"Runs in <b>{html.escape(path)}</b>")

    def runs(self) -> list[Path]:
        return list(self._rows)

    def names(self) -> list[str]:
        return [p.name for p in self.runs()]

    def refresh(self) -> None:
        """Read every run of the folder again, now."""
        self._subfolders = subfolders(self.folder)
        self._update(list_runs(self.folder, self._subfolders), reread=None)

    # ------------------------------------------------------------ live rows
    def _files_changed(self, listing: bool, changed: list[Path]) -> None:
        """The watcher's report: read again the runs whose files changed (and list the folder
        again if its entries did); the other rows are left as they are."""
        changed_set = {Path(p) for p in changed}
        # a folder that just became a run (its config.json written), or stopped being one
        listing = listing or any(p not in self.summaries or not (p / CONFIG_FILE).is_file() for p in changed_set)
        if listing:
            self._subfolders = subfolders(self.folder)
        runs = list_runs(self.folder, self._subfolders) if listing else self._rows
        self._update(runs, reread=changed_set)

    def _update(self, runs: list[Path], reread: set[Path] | None) -> None:
        """Make the rows the `runs`, in order: new rows read, the `reread` ones (None: all)
        read again, the others kept; the rows of runs gone removed."""
        fresh = self._relist(runs) if runs is not self._rows else set()
        todo = self._rows if reread is None else [p for p in self._rows if p in reread or p in fresh]
        changed = bool(fresh)
        for path in todo:
            summary = read_summary(path, self.summaries.get(path))
            if summary != self.summaries.get(path):
                self.summaries[path] = summary
                self._fill(self._items[path], path, summary)
                changed = True
        live = {p for p, s in self.summaries.items() if s["status"] == "training"}
        self.watcher.track(self._subfolders, live)
        if changed:
            self.mark_current(self.current)
            self._measure_contents()

    def _relist(self, runs: list[Path]) -> set[Path]:
        """The rows made those of `runs`, in order (both are sorted by name); the new ones."""
        wanted = set(runs)
        for path in [p for p in self._rows if p not in wanted]:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self._items.pop(path)))
            self.summaries.pop(path, None)
        fresh = set()
        for i, path in enumerate(runs):
            if path not in self._items:
                item = QTreeWidgetItem()
                item.setData(0, PATH_ROLE, str(path))
                self.tree.insertTopLevelItem(i, item)
                self._items[path] = item
                fresh.add(path)
            elif self.tree.topLevelItem(i) is not self._items[path]:  # out of place: moved
                self.tree.insertTopLevelItem(
                    i, self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self._items[path]))
                )
        self._rows = list(runs)
        return fresh

    def _fill(self, item: QTreeWidgetItem, path: Path, summary: dict[str, Any]) -> None:
        for column, name in enumerate(COLUMNS):
            text = shown_status(summary[name]) if name == "status" else str(summary[name])
            item.setText(column, text)
            item.setToolTip(column, text)  # the whole text, however narrow the column
            item.setForeground(column, QBrush())
        item.setToolTip(0, f"{path.name}\n{path}\n{summary['kind']}")
        loss_epoch, done = summary.get("loss_epoch"), summary.get("epochs_done")
        if loss_epoch is not None:
            tip = f"the loss at epoch {loss_epoch}"
            if done is not None and loss_epoch < done:
                tip += " (history.csv is written at each checkpoint)"
            item.setToolTip(COLUMNS.index("loss"), tip)
        item.setTextAlignment(COLUMNS.index("epochs"), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setTextAlignment(COLUMNS.index("loss"), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status, status_column = summary["status"], COLUMNS.index("status")
        if status in MARKS:
            colour, tip = MARKS[status]
            if status in UNFINISHED and not (path / CHECKPOINT_FILE).is_file():
                tip = f"unfinished, with no {CHECKPOINT_FILE}: Resume training starts it again from epoch 0"
            elif status == "training":
                writer = summary.get("writer")
                tip = f"being trained now ({'here' if writer == os.getpid() else f'pid {writer}'})"
            item.setForeground(status_column, QBrush(QColor(colour)))
            item.setToolTip(status_column, tip)

    # -------------------------------------------------------------- columns
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree.header().viewport() and event.type() in DRAG_EVENTS:
            self._dragging = event.type() != QEvent.Type.MouseButtonRelease  # the user resizing a column
        elif event.type() == QEvent.Type.Resize:
            if watched is self.tree.viewport():
                self._fit_columns()
            elif watched is self.folder_label:
                self._label_folder()
        return super().eventFilter(watched, event)

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if self._dragging and not self._fitting and column != 0 and new > 0:
            self._user_widths[column] = new  # the user's width, kept (the column hides if it cannot fit)

    def _measure_contents(self) -> None:
        """Each column's content width: its widest text in bold (the open run's row) and its
        header, measured with the font, not the view (which measures only the rows in sight)."""
        header, style = self.tree.header(), self.tree.style()
        font = QFont(self.tree.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        padding = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.tree) + 1) + 4
        for column in range(len(COLUMNS)):
            texts = {self.tree.topLevelItem(i).text(column) for i in range(self.tree.topLevelItemCount())}
            widest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
            self._content_widths[column] = max(widest + padding, header.sectionSizeHint(column))
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column but the name at its content width (or the user's); the name column takes
        what is left. Where the name would get less than a GIVE_WAY threshold (or its own width),
        that column hides (its text stays in the name's tooltip); epochs and status always show."""
        if not self._content_widths:
            return
        header = self.tree.header()
        available = self.tree.viewport().width()
        widths = {c: self._user_widths.get(c, self._content_widths[c]) for c in range(1, len(COLUMNS))}
        name_room = available - sum(widths.values())
        hidden = set()
        for name, floor in GIVE_WAY:
            if name_room < min(self._content_widths[0], floor):
                hidden.add(COLUMNS.index(name))
                name_room += widths[COLUMNS.index(name)]
        self._fitting = True
        try:
            for column, width in widths.items():
                header.setSectionHidden(column, column in hidden)
                if column not in hidden and header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def mark_current(self, path: Path | None) -> None:
        """Bold and select the current run's row."""
        self.current = Path(path) if path is not None else None
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            is_current = self.current is not None and Path(item.data(0, PATH_ROLE)) == self.current
            font = QFont(item.font(0))
            font.setBold(is_current)
            for column in range(len(COLUMNS)):
                item.setFont(column, font)
            if is_current:
                self.tree.setCurrentItem(item)

    def item(self, path: Path) -> QTreeWidgetItem | None:
        return self._items.get(Path(path))

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
        for action in self.context_actions(Path(item.data(0, PATH_ROLE))):
            action.setParent(menu)
            menu.addAction(action)
        menu.exec(self.tree.viewport().mapToGlobal(position))
        self.mark_current(self.current)  # the highlight goes back to the run that is open

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of runs", str(self.folder))
        if folder:
            self.set_folder(Path(folder))

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        path = Path(item.data(0, PATH_ROLE))
        if path != self.current:
            self.run_activated.emit(path)
