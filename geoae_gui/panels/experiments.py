"""Experiments: run `geoae reproduce` ids from the app and view their figures and verdicts;
compare several runs' z(r) curves on one plot (figure 7's panels)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from geoae_core.seeds import SeedBand

from .. import engine
from ..widgets.figure_view import FigureView, ScaledImage
from ..widgets.z_comparison import MAX_COMPARED, ZComparison
from ..worker import run_task
from .base import Panel, error_text, guarded

__all__ = ["MAX_COMPARED", "ExperimentsPanel", "ScaledImage", "describe_report", "find_results", "format_verdict"]


ID_ROWS = 8  # the ids the reproduce list shows when the window has room
COMPARE_HEIGHT = 280  # the least the z(r) comparison gets by default (its plot, its legend, its list)


class _Reports(QObject):
    report = Signal(object)


def describe_report(report: Any) -> tuple[str, float | None]:
    """A progress report from reproduce (a training Progress, or a stage line) as (text, fraction or None)."""
    if isinstance(report, str):
        return report, None
    epoch, epochs = getattr(report, "epoch", None), getattr(report, "epochs", None)
    if isinstance(epoch, int) and isinstance(epochs, int) and epochs > 0:
        return f"training: epoch {epoch}/{epochs}", epoch / epochs
    return str(report), None


def format_verdict(record: dict[str, Any]) -> str:
    """A reproduce record (DIR/ID.json) as readable lines: claim, verdict, each number."""
    lines = [f"{record.get('id', '?')}: {record.get('claim', '')}", f"verdict: {record.get('verdict', '?')}"]
    for check in record.get("checks", []):
        mark = {True: "✔", False: "✘"}.get(check.get("passed"), "·")
        value = check.get("value")
        value = f"{value:.4g}" if isinstance(value, float) else value
        lines.append(f"  {mark} {check.get('name')}: {value}  ({check.get('expectation', '')})")
    if record.get("error"):
        lines.append(f"error: {record['error']}")
    return "\n".join(lines)


def find_results(out: Path, ids: list[str], returned: Any = None) -> list[dict[str, Any]]:
    """One entry per id: its figure (OUT/ID.png) and its verdict (the returned record or OUT/ID.json)."""
    entries = []
    for exp_id in ids:
        record = returned.get(exp_id) if isinstance(returned, dict) else None
        json_path = out / f"{exp_id}.json"
        if not isinstance(record, dict) and json_path.is_file():
            try:
                record = json.loads(json_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = None
        figure = out / f"{exp_id}.png"
        if not isinstance(record, dict) and not figure.is_file():
            continue
        entries.append(
            {
                "id": exp_id,
                "figure": figure if figure.is_file() else None,
                "verdict": format_verdict(record) if isinstance(record, dict) else None,
                "passed": record.get("verdict") if isinstance(record, dict) else None,
            }
        )
    return entries


class _Throttle:
    """Forward reports to a signal from the worker thread: stage lines always, progress at most every 0.1 s."""

    def __init__(self, emit: Callable[[Any], None]):
        self.emit = emit
        self.last = 0.0

    def __call__(self, report: Any) -> None:
        now = time.perf_counter()
        if isinstance(report, str) or getattr(report, "event", "") in ("start", "end") or now - self.last > 0.1:
            self.last = now
            self.emit(report)


class ExperimentsPanel(Panel):
    name = "experiments"
    title = "Experiments"
    follows_epoch = False  # it shows whole runs of the folder, not the weights at an epoch

    def __init__(self, runs_folder: Callable[[], Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.runs_folder = runs_folder
        self.results: list[dict[str, Any]] = []
        self._running = False

        # --- reproduce
        repro = QGroupBox("Reproduce a figure of the paper (geoae reproduce)")
        repro_layout = QHBoxLayout(repro)
        left = QVBoxLayout()
        self.id_list = QListWidget()
        for exp_id in engine.experiment_ids():
            claim = engine.experiment_claim(exp_id)
            item = QListWidgetItem(f"{exp_id}: {claim}")
            item.setData(Qt.ItemDataRole.UserRole, exp_id)
            item.setToolTip(claim)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.id_list.addItem(item)
        self.quick_box = QCheckBox("quick (small trainings)")
        self.quick_box.setChecked(True)
        self.cluster_edit = QLineEdit()
        self.cluster_edit.setPlaceholderText("this machine (or local:N, tcp://host:8786)")
        self.cluster_edit.setToolTip('Train the runs on a Dask cluster (pip install "geoae[cluster]"; docs/cluster.md)')
        self.run_button = QPushButton("Run checked")
        self.run_button.clicked.connect(self.run_checked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current step; finished ids and trained runs are kept")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self._cancel = threading.Event()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.log = QLabel()
        self.log.setWordWrap(True)
        self.available = QLabel()
        self.available.setWordWrap(True)
        left.addWidget(self.available)
        left.addWidget(self.id_list, 1)
        # the list scrolls: it asks for ID_ROWS rows, and elides a claim too long for its width
        # (whole in its tooltip) rather than adding a horizontal scroll bar
        self.id_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.id_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.id_list.setMinimumHeight(self._rows_height(3))
        options = QHBoxLayout()  # one row each: the options, then the buttons and the progress
        options.addWidget(self.quick_box)
        options.addWidget(QLabel("Cluster"))
        options.addWidget(self.cluster_edit, 1)
        left.addLayout(options)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        left.addLayout(buttons)
        left.addWidget(self.log)
        self.result_list = QListWidget()
        self.result_list.currentRowChanged.connect(self.show_result)
        self.figure_view = FigureView("no figure yet")
        self.figure = self.figure_view.image  # the thumbnail; a click opens it full size
        self.verdict = QPlainTextEdit()
        self.verdict.setReadOnly(True)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(QLabel("results (id: verdict)"))
        results_layout.addWidget(self.result_list, 1)
        results_layout.addWidget(self.verdict, 2)
        right = QSplitter(Qt.Orientation.Horizontal)
        right.addWidget(self.figure_view)
        right.addWidget(results)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([600, 400])
        right.setChildrenCollapsible(False)
        repro_layout.addLayout(left, 2)  # the ids and their claims are read here: room for them
        repro_layout.addWidget(right, 3)
        self.repro = repro

        # --- compare z(r)
        self.comparison = ZComparison(self.show_warning, error_text)
        self.comparison.reload_button.clicked.connect(lambda: self.reload_runs(force=True))
        # the comparison's parts, as tests and export reach them
        self.run_list = self.comparison.run_list
        self.individual_box = self.comparison.individual_box
        self.unfinished_box = self.comparison.unfinished_box
        self.reload_button = self.comparison.reload_button
        self.compare_plot = self.comparison.compare_plot

        # the reproduce box over the comparison: sized by what each needs (see _balance) until
        # the user drags the handle
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(repro)
        self.splitter.addWidget(self.comparison)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._dragged)
        self._user_split = False
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._check_available()

    # -------------------------------------------------------------- layout
    def _rows_height(self, rows: int) -> int:
        return self.id_list.sizeHintForRow(0) * rows + 2 * self.id_list.frameWidth() if self.id_list.count() else 0

    def _dragged(self, *_args) -> None:
        self._user_split = True

    def _balance(self) -> None:
        """The reproduce box as tall as ID_ROWS rows of ids need, the comparison the rest, but at
        least COMPARE_HEIGHT (its plot shrinks no further: the list of ids scrolls instead)."""
        total = self.splitter.height() - self.splitter.handleWidth()
        if self._user_split or total <= 0:
            return
        wanted = self.repro.sizeHint().height() - self.id_list.sizeHint().height() + self._rows_height(ID_ROWS)
        repro = max(min(wanted, total - COMPARE_HEIGHT), self.repro.minimumSizeHint().height())
        self.splitter.setSizes([repro, total - repro])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._balance()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._balance()

    # ------------------------------------------------------------ reproduce
    def _check_available(self) -> bool:
        self.available.setText("Check ids, then run them; figures and verdicts appear on the right.")
        self.run_button.setEnabled(not self._running)
        self.cancel_button.setEnabled(self._running and not self._cancel.is_set())
        return True

    def checked_ids(self) -> list[str]:
        return [
            self.id_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.id_list.count())
            if self.id_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    @guarded
    def run_checked(self) -> None:
        ids = self.checked_ids()
        if not ids:
            self.show_info("check at least one experiment id")
            return
        run_ids = engine.run_ids
        out = Path(self.runs_folder()) / "reproduce"
        reports = _Reports(self)
        reports.report.connect(self._on_report)
        self._running = True
        self._cancel = threading.Event()
        self._check_available()
        self.progress.setRange(0, 0)  # busy until a report says how far
        self.log.setText(f"running {', '.join(ids)} into {out}…")

        quick = self.quick_box.isChecked()
        forward = _Throttle(reports.report.emit)
        kwargs: dict[str, Any] = {"quick": quick, "callbacks": [forward], "on_stage": forward, "cancel": self._cancel}
        if self.cluster_edit.text().strip():  # empty: this machine, as before the field
            kwargs["cluster"] = self.cluster_edit.text().strip()

        def work() -> Any:
            return run_ids(ids, out, **kwargs)

        run_task(work, on_done=lambda result, error: self._on_done(ids, out, result, error))

    def cancel(self) -> None:
        """Ask the running reproduce to stop (checked between ids and inside each training)."""
        self._cancel.set()
        self.log.setText("cancelling…")
        self._check_available()

    def _on_report(self, report: Any) -> None:
        text, fraction = describe_report(report)
        if fraction is not None:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))
        self.log.setText(text)

    def _on_done(self, ids: list[str], out: Path, result: Any, error: str | None) -> None:
        self._running = False
        self.progress.setRange(0, 100)
        if error is not None:
            self.progress.setValue(0)
        elif not self._cancel.is_set():
            self.progress.setValue(100)  # a stopped pass keeps the share it had done
        self._check_available()
        if error:
            self.show_error(f"reproduce failed: {error}")
            self.log.setText("failed")
            return
        if self._cancel.is_set():
            self.log.setText(f"stopped after {len(result or {})} of {len(ids)} ids: results in {out}")
        else:
            self.log.setText(f"done: results in {out}")
        self.set_results(find_results(out, ids, result))

    def set_results(self, entries: list[dict[str, Any]]) -> None:
        self.results = entries
        self.result_list.clear()
        for entry in entries:
            self.result_list.addItem(f"{entry['id']}: {entry.get('passed') or '?'}")
        if entries:
            self.result_list.setCurrentRow(0)

    def show_result(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            return
        entry = self.results[row]
        figure = entry.get("figure")
        if figure and Path(figure).is_file():
            self.figure_view.set_picture(QPixmap(str(figure)), Path(figure))
        else:
            self.figure_view.set_picture(QPixmap())
            self.figure.setText("no figure for this id")
        self.verdict.setPlainText(entry.get("verdict") or "no verdict")

    # ------------------------------------------------------------- compare
    def refresh(self) -> None:
        self._check_available()
        self.reload_runs()
        if not self.results and not self._running:
            # results of an earlier `geoae reproduce` into this folder
            self.set_results(find_results(Path(self.runs_folder()) / "reproduce", engine.experiment_ids()))

    @property
    def bands(self) -> list[SeedBand]:
        """What the comparison shows, per setting."""
        return self.comparison.bands

    def compared_folder(self) -> Path:
        """The runs folder on screen (the model's, examples included), where the comparison looks."""
        if self.model is not None and self.model.folder is not None:
            return Path(self.model.folder)
        return Path(self.runs_folder())

    def reload_runs(self, force: bool = False) -> None:
        """List the folder on screen again (`force`: read its runs again too); done when shown."""
        current = self.run.path if self.run is not None else None
        self.comparison.reload_runs(self.compared_folder(), current, force)

    def compared_paths(self) -> list[Path]:
        return self.comparison.compared_paths()

    def plot_compared(self) -> None:
        self.comparison.plot_compared()

    def plots(self) -> dict[str, QWidget]:
        return {"compare_z": self.compare_plot}

    def plots_about_run(self) -> dict[str, QWidget]:
        return {}  # the comparison is about the runs of the folder, not the open run
