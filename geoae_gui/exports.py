"""File > Export: the main window's panels' plots for the open run, as PNG, SVG, PDF and CSV, into
a folder outside the runs; and waiting for pending computations before drawing them."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog

from .panels.base import error_text
from .worker import Task


class ExportActions:
    """What the main window does to export: it has `panels`, `model`, `show_panel`, `current_panel`,
    `tabs`, `user_folder`, `show_error` and a status bar."""

    def export_current_dialog(self) -> None:
        folder = self._ask_export_folder("Export the current panel's plots to")
        if folder is not None:
            self.export_current(folder)

    def export_all_dialog(self) -> None:
        folder = self._ask_export_folder("Export every panel's plots to")
        if folder is not None:
            self.export_all(folder)

    def default_export_folder(self) -> Path:
        """Beside the runs folder, so that exports never land among (or inside) the runs."""
        runs = self.user_folder()
        return runs.parent / f"{runs.name}-exports"

    def _ask_export_folder(self, caption: str) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, caption, str(self.default_export_folder()))
        if not folder:
            return None
        if inside_a_run(Path(folder)):
            self.show_error(f"{folder} is inside a run folder: choose a folder outside the runs")
            return None
        return Path(folder)

    def _report_export(self, written: list[Path], folder: Path) -> None:
        if not written:
            self.statusBar().showMessage(f"nothing to export for this run (no plot shows data); {folder} unchanged")
            return
        names = ", ".join(p.name for p in written[:3]) + (", …" if len(written) > 3 else "")
        self.statusBar().showMessage(f"wrote {len(written)} files ({names}) to {written[0].parent}")

    def export_panel(self, name: str, folder: Path) -> list[Path]:
        try:
            panel = self.show_panel(name)
            wait_idle()
            return panel.export(folder)
        except Exception as exc:
            self.show_error(f"export of {name} failed: {error_text(exc)}")
            return []

    def export_current(self, folder: Path) -> list[Path]:
        """The current panel's plots for the current run, in folder/<run name>."""
        target = Path(folder) / self._run_name()
        written = self.export_panel(self.current_panel().name, target)
        self._report_export(written, target)
        return written

    def export_all(self, folder: Path) -> list[Path]:
        """Every panel's plots for the current run, as PNG, SVG, PDF and CSV, in folder/<run name>."""
        target = Path(folder) / self._run_name()
        current = self.tabs.currentWidget()
        written: list[Path] = []
        for name in self.panels:
            written.extend(self.export_panel(name, target))
        self.tabs.setCurrentWidget(current)
        self._report_export(written, target)
        return written

    def _run_name(self) -> str:
        run = self.model.run
        return run.path.name if run is not None and run.path else "no-run"


def inside_a_run(folder: Path) -> bool:
    """Whether a folder is a run folder or lies inside one (a run folder holds config.json)."""
    return any((parent / "config.json").is_file() for parent in (folder, *folder.parents))


def wait_idle(timeout: float = 30.0) -> bool:
    """Process events until no background task is pending (for screenshots and exports)."""
    app = QApplication.instance()
    deadline = time.monotonic() + timeout
    while True:
        app.processEvents()
        if not Task.active:
            app.processEvents()
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
