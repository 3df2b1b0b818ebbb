"""File > Export: the main window's panels' plots for the open run, as PNG, SVG, PDF and CSV, into
a folder outside the runs; and waiting for pending computations before drawing them.

Export all draws every panel where it is, hidden or not (the user's tab stays on screen), with a
progress dialog that can cancel, and writes only the plots about the run: a panel says which by
`plots_about_run()` (all of `plots()` when it does not say)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QWidget

from .panels.base import error_text
from .widgets.plots import FORMATS, export_widget
from .worker import Task


class ExportActions:
    """What the main window does to export: it has `panels`, `model`, `current_panel`, `tabs`,
    `user_folder`, `show_error` and a status bar."""

    def export_current_dialog(self) -> None:
        folder = self._ask_export_folder("Export the current panel's plots to")
        if folder is not None:
            self.export_current(folder)

    def export_all_dialog(self) -> None:
        folder = self._ask_export_folder("Export every panel's plots about the run to")
        if folder is not None:
            self.export_all(folder, progress=True)

    def default_export_folder(self) -> Path:
        """Beside the runs folder, so that exports never land among (or inside) the runs."""
        runs = self.user_folder()
        return runs.parent / f"{runs.name}-exports"

    def _ask_export_folder(self, caption: str) -> Path | None:
        """A folder chosen in the dialog, which opens in the default export folder: created for
        it (a folder dialog accepts only folders that exist), removed again if left unused."""
        proposed, created = proposed_folder(self.default_export_folder())
        try:
            folder = QFileDialog.getExistingDirectory(self, caption, str(proposed))
        finally:
            if created is not None and Path(folder or "") != created:
                with contextlib.suppress(OSError):
                    created.rmdir()  # only if still empty
        if not folder:
            return None
        if inside_a_run(Path(folder)):
            self.show_error(f"{folder} is inside a run folder: choose a folder outside the runs")
            return None
        return Path(folder)

    def _report_export(self, written: list[Path], folder: Path, cancelled: bool = False) -> None:
        stop = "export cancelled: " if cancelled else ""
        if not written:
            self.statusBar().showMessage(
                f"{stop}nothing exported (no plot about this run shows data); {folder} unchanged"
            )
            return
        names = ", ".join(p.name for p in written[:3]) + (", …" if len(written) > 3 else "")
        self.statusBar().showMessage(f"{stop}wrote {len(written)} files ({names}) to {written[0].parent}")

    def export_panel(self, name: str, folder: Path, about_run: bool = False) -> list[Path]:
        """One panel's plots (those about the run only, if asked), drawn where the panel is: a
        hidden panel is brought up to date and laid out at the shown one's size, never shown."""
        try:
            panel = self.panels[name]
            self._prepare_hidden(panel)
            plots = plots_about_run(panel) if about_run else panel.plots()
            written: list[Path] = []
            for plot_name, widget in plots.items():
                written.extend(export_widget(widget, Path(folder) / f"{panel.name}-{plot_name}", FORMATS))
            return written
        except Exception as exc:
            self.show_error(f"export of {name} failed: {error_text(exc)}")
            return []

    def _prepare_hidden(self, panel: QWidget) -> None:
        shown = self.tabs.currentWidget()
        if panel is not shown and not panel.isVisible():
            panel.setGeometry(shown.geometry())
            panel.grab(QRect(0, 0, 1, 1))  # a hidden widget's layouts run when it is rendered
        panel.ensure_current()
        wait_idle()
        flush = getattr(panel, "flush_updates", None)
        if callable(flush):
            flush()
        wait_idle()

    def export_current(self, folder: Path) -> list[Path]:
        """The current panel's plots (all it shows) for the current run, in folder/<run name>."""
        target = Path(folder) / self._run_name()
        written = self.export_panel(self.current_panel().name, target)
        self._report_export(written, target)
        return written

    def export_all(self, folder: Path, progress: bool = False) -> list[Path]:
        """Every panel's plots about the current run, as PNG, SVG, PDF and CSV, in folder/<run
        name>, without leaving the tab shown; `progress`: a dialog that reports and can cancel."""
        if inside_a_run(Path(folder)):
            self.show_error(f"{folder} is inside a run folder: choose a folder outside the runs")
            return []
        target = Path(folder) / self._run_name()
        names = list(self.panels)
        dialog = self._export_progress(len(names)) if progress else None
        written: list[Path] = []
        cancelled = False
        try:
            for index, name in enumerate(names):
                if dialog is not None:
                    dialog.setLabelText(f"Exporting {self.panels[name].title} ({index + 1} of {len(names)})…")
                    dialog.setValue(index)
                    QApplication.processEvents()
                    if dialog.wasCanceled():
                        cancelled = True
                        break
                written.extend(self.export_panel(name, target, about_run=True))
        finally:
            if dialog is not None:
                cancelled = cancelled or dialog.wasCanceled()
                dialog.setValue(len(names))
                dialog.close()
                dialog.deleteLater()
        self._report_export(written, target, cancelled)
        return written

    def _export_progress(self, steps: int) -> QProgressDialog:
        dialog = QProgressDialog("Exporting…", "Cancel", 0, steps, self)
        dialog.setWindowTitle("Export all")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        dialog.show()
        self.export_progress = dialog  # for tests
        return dialog

    def _run_name(self) -> str:
        run = self.model.run
        return run.path.name if run is not None and run.path else "no-run"


def plots_about_run(panel) -> dict[str, QWidget]:
    """The plots of a panel that are about the open run (what Export all and --export write)."""
    return panel.plots_about_run()


def proposed_folder(folder: Path) -> tuple[Path, Path | None]:
    """Where a folder dialog can open for `folder`: the folder itself, made if need be (and the
    folder made, to remove if unused), else the nearest folder above it that exists."""
    folder = Path(folder).expanduser().absolute()
    if folder.is_dir():
        return folder, None
    try:
        folder.mkdir(parents=True)
        return folder, folder
    except OSError:
        existing = next((parent for parent in folder.parents if parent.is_dir()), Path.home())
        return existing, None


def run_folder_above(folder: Path) -> Path | None:
    """The run folder a folder is or lies inside (a run folder holds config.json), or None."""
    folder = Path(folder).expanduser().resolve()
    return next((parent for parent in (folder, *folder.parents) if (parent / "config.json").is_file()), None)


def inside_a_run(folder: Path) -> bool:
    """Whether a folder is a run folder or lies inside one."""
    return run_folder_above(folder) is not None


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
