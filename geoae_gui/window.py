"""The main window: a run browser dock, one tab per panel (panels.PANELS), File > Export all,
persistent layout. What it shows lives in one explorer model (model.py): the window, the panels,
the epoch slider and the browser subscribe to it."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from geoae_core import __version__
from geoae_core.examples import EXAMPLES_FOLDER, copy_examples, example_runs, is_examples_folder
from geoae_core.runs import Run

from .collector import keep_collection_on_gui_thread
from .exports import ExportActions, inside_a_run, wait_idle
from .model import Explorer
from .panels import PANELS, make_panel
from .panels.base import Panel, error_text
from .session import shown_status
from .settings import default_runs_folder, settings
from .widgets.guide import Guide
from .widgets.message import MessageBar
from .widgets.plots import add_export_action
from .widgets.run_browser import RunBrowser, list_runs
from .widgets.scrubber import Scrubber

__all__ = ["MainWindow", "inside_a_run", "wait_idle"]

RUNS_DOCK_MIN_WIDTH = 260  # px: the run browser never gets narrower than its names need


class MainWindow(ExportActions, QMainWindow):
    def __init__(self, runs_folder: Path | None = None, persist: bool = True, examples_when_empty: bool = False):
        super().__init__()
        keep_collection_on_gui_thread()  # before any worker thread starts
        self.persist = persist
        self.setWindowTitle("geoae explorer")
        self.setObjectName("geoae_main_window")
        store = settings() if persist else None
        if runs_folder is None and store is not None and store.value("runs_folder"):
            runs_folder = Path(str(store.value("runs_folder")))
        # where the user's own runs go: the browser may show the read-only examples instead
        browsed = Path(runs_folder or default_runs_folder())
        home = default_runs_folder() if is_examples_folder(browsed) else browsed
        self.model = Explorer(browsed, home)
        self.browser = RunBrowser(self.model)
        self.browser.run_activated.connect(self.set_run)
        self.browser.resume_requested.connect(self.resume_run)
        dock = QDockWidget("Runs", self)
        dock.setObjectName("runs_dock")
        dock.setWidget(self.browser)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [340], Qt.Orientation.Horizontal)
        dock.setMinimumWidth(RUNS_DOCK_MIN_WIDTH)  # the names stay readable: the panels shrink instead
        self.runs_dock = dock

        self.panels: dict[str, Panel] = {panel.name: make_panel(panel, self.model) for panel in PANELS}
        self.train_panel.run_saved.connect(self._run_saved)
        self.train_panel.run_started.connect(self._leave_examples)
        self.model.on("folder", lambda _folder: self.experiments_panel.reload_runs())
        self.model.on("run", self._run_changed)
        for panel in self.panels.values():
            for plot_name, widget in panel.plots().items():
                add_export_action(widget, f"{panel.name}-{plot_name}", panel.show_error)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("panels")
        for panel in self.panels.values():
            self.tabs.addTab(panel, panel.title)
        self.message = MessageBar()
        self.guide = Guide(str(home))
        self.guide.chosen.connect(self.follow_guide)
        self.guide.copy_requested.connect(self.copy_examples_to_runs)
        self.guide.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.guide)
        layout.addWidget(self.message)
        # an epoch slider over the run's snapshots, above the panels that show weights
        self.scrubber = Scrubber(self.model)
        self.scrubber.watch(self.tabs)
        layout.addWidget(self.scrubber)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.run_label = QLabel("no run selected")
        self.statusBar().addPermanentWidget(self.run_label)
        self._build_menus()
        self.resize(1400, 900)
        if store is not None:
            self._restore(store)
        if examples_when_empty and not list_runs(self.model.folder) and example_runs():
            self.open_examples()

    def __getattr__(self, name: str):
        """`window.<name>_panel`: the panel of that name."""
        panels = self.__dict__.get("panels", {})
        if name.endswith("_panel") and name[: -len("_panel")] in panels:
            return panels[name[: -len("_panel")]]
        raise AttributeError(name)

    @property
    def run(self) -> Run | None:
        """The open run (the model's)."""
        return self.model.run

    @property
    def runs_home(self) -> Path:
        return self.model.home

    # ----------------------------------------------------------- examples
    def user_folder(self) -> Path:
        """The folder new runs (and exports) go to: the browsed one, unless it is the examples."""
        return self.model.user_folder()

    def open_examples(self) -> None:
        """Show the example runs shipped with geoae, the disks example on the Latent explorer, and
        the guide to the three ways in."""
        self.model.set_folder(EXAMPLES_FOLDER)
        runs = example_runs()
        if "disks" in runs:
            self.set_run(runs["disks"])
            self.show_panel("latent")
        self.guide.show()

    def follow_guide(self, route: str) -> None:
        if route == "examples":
            self.open_examples()
        elif route == "train":
            self.show_panel("train")
        elif route == "reproduce":
            self.show_panel("experiments")

    def copy_examples_to_runs(self) -> None:
        """The examples become runs of the user's own, in the runs folder, shown there."""
        target = self.user_folder()
        try:
            written = copy_examples(target)
        except Exception as exc:
            self.show_error(error_text(exc))
            return
        current = self.run.path.name if self.run is not None and self.run.path else None
        self.model.set_folder(target)
        self.browser.refresh()  # the copies are listed, whichever folder was shown
        if current and (target / current).is_dir():
            self.set_run(target / current)
        copied = f"copied {len(written)} example runs" if written else "the examples were already there"
        self.statusBar().showMessage(f"{copied} into {target}", 10_000)

    def _leave_examples(self, path: Path) -> None:
        """A training has started in the user's folder: show it there."""
        if is_examples_folder(self.model.folder):
            self.model.set_folder(self.runs_home)
        self.browser.refresh()

    # ------------------------------------------------------------- menus
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        actions = [
            ("Open run folder…", QKeySequence.StandardKey.Open, self.open_run_dialog),
            ("Choose runs folder…", None, self.browser.choose_folder),
            ("Open the example runs", None, self.open_examples),
            (None, None, None),
            ("Export current panel…", None, self.export_current_dialog),
            ("Export all…", QKeySequence("Ctrl+E"), self.export_all_dialog),
            (None, None, None),
            ("Quit", QKeySequence.StandardKey.Quit, self.close),
        ]
        for text, shortcut, slot in actions:
            if text is None:
                file_menu.addSeparator()
                continue
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            file_menu.addAction(action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.runs_dock.toggleViewAction())
        for index, panel in enumerate(self.panels.values()):
            action = QAction(panel.title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _c=False, p=panel: self.show_panel(p.name))
            view_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        getting_started = QAction("Getting started", self)
        getting_started.triggered.connect(self.guide.show)
        help_menu.addAction(getting_started)
        about = QAction("About", self)
        about.triggered.connect(
            lambda: QMessageBox.about(
                self,
                "geoae explorer",
                f"geoae {__version__}: how autoencoders process the size of a disk and the position of a Dirac "
                "(Newson, Almansa, Gousseau, Ladjal).",
            )
        )
        help_menu.addAction(about)

    # ---------------------------------------------------------------- runs
    def set_run(self, path: Path | str | None) -> bool:
        """Open a run folder in the model (every panel follows); a bad folder is a message, not a crash."""
        if path is None:
            self.model.set_run(None)
            return True
        path = Path(path)
        try:
            self.model.open(path)
        except Exception as exc:
            self.show_error(f"cannot open {path}: {error_text(exc)}")
            return False
        self.message.clear()
        return True

    def _run_changed(self, run: Run | None) -> None:
        if run is None:
            self.run_label.setText("no run selected")
            return
        name = run.path.name if run.path is not None else "run"
        self.run_label.setText(f"{name} · {run.config.kind} · {shown_status(run.status)}")
        self.setWindowTitle(f"geoae explorer: {name}")

    def open_run_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a run folder", str(self.model.folder))
        if folder:
            self.open_run(Path(folder))

    def open_run(self, path: Path) -> bool:
        """Show a run's siblings in the browser and make it current."""
        path = Path(path)
        if path.parent != self.model.folder and path != self.model.folder:
            self.model.set_folder(path.parent)
        return self.set_run(path)

    def resume_run(self, path: Path) -> None:
        """Continue an unfinished run in the Train panel (refused there, with a message, while one trains)."""
        if not self.train_panel.worker.running and not self.set_run(path):
            return  # the folder cannot be opened: the window says why
        self.show_panel("train")
        self.train_panel.resume_run(path)

    def _run_saved(self, path: Path) -> None:
        self.browser.refresh()
        self.set_run(path)

    def show_panel(self, name: str) -> Panel:
        panel = self.panels[name]
        self.tabs.setCurrentWidget(panel)
        return panel

    def current_panel(self) -> Panel:
        return self.tabs.currentWidget()

    def show_error(self, text: str) -> None:
        self.message.show_message(text, "error")
        self.statusBar().showMessage(text, 10_000)

    # --------------------------------------------------- settings, closing
    def _restore(self, store) -> None:
        geometry = store.value("geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        state = store.value("window_state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        train_state = {"preset": store.value("train_preset")}
        form = store.value("train_form")
        if form:
            with contextlib.suppress(ValueError, TypeError):
                train_state["form"] = json.loads(str(form))
        self.train_panel.restore_state(train_state)
        panel = store.value("panel")
        if panel in self.panels:
            self.show_panel(str(panel))
        last = store.value("run")
        if last and Path(str(last)).is_dir():
            self.set_run(Path(str(last)))

    def save_settings(self) -> None:
        if not self.persist:
            return
        store = settings()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("window_state", self.saveState())
        store.setValue("runs_folder", str(self.model.folder))
        store.setValue("panel", self.current_panel().name)
        train_state = self.train_panel.state()
        shown = str(self.run.path) if self.run is not None and self.run.path else ""
        store.setValue("run", train_state["training"] or shown)
        store.setValue("train_form", json.dumps(train_state["form"]))
        store.setValue("train_preset", train_state["preset"])
        store.sync()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.guide.fit_height(self.height())

    def closeEvent(self, event) -> None:
        question = self.train_panel.can_close()
        if question is not None:
            answer = QMessageBox.question(
                self,
                "Quit without saving the run?",
                question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.show_panel("train")
                event.ignore()
                return
        self.save_settings()
        if not self.train_panel.shutdown(timeout=15.0):
            self.statusBar().showMessage("the training thread is still stopping; it ends with the program")
        event.accept()
