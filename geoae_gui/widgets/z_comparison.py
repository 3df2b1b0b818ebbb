"""The Experiments panel's comparison of several runs' z(r) curves (figure 7): the runs of the folder
on screen whose kind has a z(r) to compare, in groups of distinct seeds of one finished setting,
each group's mean with a band of one standard deviation over its seeds (geoae_core.seeds decides
the groups and computes the bands; this widget draws them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from geoae_core.files import STATUS_FILE, WEIGHTS_FILE
from geoae_core.runs import Run, load_run
from geoae_core.seeds import SeedBand, bands_of, folder_progress, run_name, seed_groups

from .. import engine
from .plots import make_plot, pen
from .run_browser import list_runs

MAX_COMPARED = 6
FILL_ALPHA = 60  # the band's fill; its edges are drawn a little stronger
EDGE_ALPHA = 110
BESIDE_MIN_PLOT = 300  # px: the legend goes right of the plot when the curves keep this width
FLAG_ROLE = Qt.ItemDataRole.UserRole + 1  # an item's "(stopped at 6/400)", "" for a finished run


def has_z_of_r(path: Path) -> bool:
    """Whether the run in `path` has a z(r) curve to compare (its kind says so); False for a bad folder."""
    try:
        config = engine.run_config(path)
        return "z_of_r" in engine.kind_of(config).views(config)
    except Exception:  # a damaged or foreign folder is not listed
        return False


def flag_of(path: Path) -> str:
    """How far the run in `path` got, "" when it finished (or cannot be told: loading will say why)."""
    try:
        return folder_progress(path).flag
    except Exception:
        return ""


def band_colour(index: int, alpha: int) -> tuple[int, int, int, int]:
    colour = pen(index).color()
    return colour.red(), colour.green(), colour.blue(), alpha


class OutsideLegend(pg.LegendItem):
    """A legend with a place of its own in the plot's layout, under the x axis: it never covers
    the data, however many settings are compared."""

    def __init__(self, plot_item: pg.PlotItem):
        super().__init__(offset=None, verSpacing=-4)
        self.plot_item = plot_item
        self.beside = False  # under the x axis (False) or right of the plot (True)
        plot_item.layout.addItem(self, 4, 1)
        plot_item.legend = self  # curves given a name are listed, as with addLegend

    def place(self, beside: bool) -> None:
        """Right of the plot (in a wide, short plot: the curves keep their height) or under it."""
        if beside == self.beside:
            return
        layout = self.plot_item.layout
        layout.removeItem(self)
        if beside:
            layout.addItem(self, 2, 3)
        else:
            layout.addItem(self, 4, 1)
        self.beside = beside
        self.updateSize()

    def updateSize(self) -> None:
        self.layout.invalidate()
        self.updateGeometry()  # the plot's layout sizes and places it from its entries
        self.setVisible(bool(self.items))

    def fit_columns(self, room: float) -> None:
        """As many columns (up to 3) as fit in `room` pixels: fewer rows, more height for the curves."""
        widest = max((sample.width() + label.itemRect().width() + 10 for sample, label in self.items), default=1.0)
        columns = max(1, min(3, len(self.items), int(room // widest)))
        if columns != self.columnCount:
            self.setColumnCount(columns)
            self.updateSize()


class ZComparison(QGroupBox):
    """The checked runs' z(r) by setting. `warn(text)` shows what could not be plotted.
    `follow_model(model)` makes it list the model's folder, and publish the checked runs to it."""

    def __init__(self, warn: Callable[[str], None], error_text: Callable[[BaseException], str]):
        super().__init__("Compare the z(r) curves of several disk runs (figure 7)")
        self.warn = warn
        self.error_text = error_text
        self.model = None
        self.folder: Path | None = None
        self._pending: tuple[Path | None, bool] | None = None  # a reload asked for while hidden
        self._loaded: dict[Path, tuple[tuple[int, int], Run]] = {}  # runs read once per version
        layout = QHBoxLayout(self)
        side = QVBoxLayout()
        self.folder_label = QLabel("disk runs in the folder")
        self.folder_label.setWordWrap(True)
        self.run_list = QListWidget()
        self.run_list.itemChanged.connect(lambda _item: self.plot_compared())
        self.reload_button = QPushButton("Reload runs")
        self.individual_box = QCheckBox("each run too")
        self.individual_box.setToolTip("beside each setting's mean and band, the curve of each of its seeds")
        self.individual_box.toggled.connect(lambda _on: self.plot_compared())
        self.unfinished_box = QCheckBox("include unfinished runs")
        self.unfinished_box.setToolTip(
            "count stopped, failed or training runs (flagged in the list) in their setting's band; left out otherwise"
        )
        self.unfinished_box.toggled.connect(lambda _on: self.plot_compared())
        side.addWidget(self.folder_label)
        side.addWidget(self.run_list, 1)
        side.addWidget(self.individual_box)
        side.addWidget(self.unfinished_box)
        side.addWidget(self.reload_button)
        self.compare_plot = make_plot("z(r) of the checked runs", "radius r (px)", "code z")
        self.legend = OutsideLegend(self.compare_plot.getPlotItem())
        self.note = QLabel()  # which checked runs the bands leave out, and why
        self.note.setWordWrap(True)
        self.note.hide()
        right = QVBoxLayout()
        right.addWidget(self.compare_plot, 1)
        right.addWidget(self.note)
        self.bands: list[SeedBand] = []  # what the comparison shows, per setting
        self.left_out: list[tuple[Run, str]] = []  # checked runs not in the bands, and why
        layout.addLayout(side, 1)
        layout.addLayout(right, 3)

    # ------------------------------------------------------------- the model
    def follow_model(self, model) -> None:
        """List the model's folder (examples included) and follow its "folder" and "compared" events."""
        self.model = model
        model.on("folder", lambda folder: self.reload_runs(folder, self._current()))
        model.on("compared", self._compared_changed)
        if model.folder is not None:
            self.reload_runs(model.folder, self._current())

    def _current(self) -> Path | None:
        run = self.model.run if self.model is not None else None
        return run.path if run is not None else None

    def _compared_changed(self, paths: tuple[Path, ...]) -> None:
        wanted = {Path(p) for p in paths}
        if wanted == set(self.compared_paths()):
            return
        self.run_list.blockSignals(True)
        for item in self._items():
            checked = Path(item.data(Qt.ItemDataRole.UserRole)) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.run_list.blockSignals(False)
        self.plot_compared()

    # ------------------------------------------------------------ the list
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending is not None and self.folder is not None:
            current, force = self._pending
            self.reload_runs(self.folder, current, force)

    def reload_runs(self, folder: Path, current: Path | None, force: bool = False) -> None:
        """List the runs of `folder` that have a z(r), flagging those that did not finish; checked:
        those checked before, else the first MAX_COMPARED, and `current`. Unless `force` (the
        Reload button: runs read again), an unchanged listing keeps its plot. Done when shown."""
        self.folder = Path(folder)
        self.folder_label.setText(f"disk runs in {self.folder}")
        self.folder_label.setToolTip(str(self.folder))
        if not self.isVisible():
            self._pending = (current, force or (self._pending is not None and self._pending[1]))
            return
        self._pending = None
        entries = [(path, flag_of(path)) for path in list_runs(self.folder) if has_z_of_r(path)]
        listed = [(Path(item.data(Qt.ItemDataRole.UserRole)), item.data(FLAG_ROLE)) for item in self._items()]
        if entries == listed and not force:
            item = next((i for i in self._items() if Path(i.data(Qt.ItemDataRole.UserRole)) == current), None)
            if item is not None and item.checkState() != Qt.CheckState.Checked:
                item.setCheckState(Qt.CheckState.Checked)  # plots again
            return
        listed_now = {path for path, _flag in entries}  # runs read once, for the runs listed
        self._loaded = {} if force else {p: v for p, v in self._loaded.items() if p in listed_now}
        before = {Path(item.data(Qt.ItemDataRole.UserRole)): item.checkState() for item in self._items()}
        self.run_list.blockSignals(True)
        self.run_list.clear()
        shown = 0
        for path, flag in entries:
            item = QListWidgetItem(f"{path.name}  {flag}" if flag else path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setData(FLAG_ROLE, flag)
            item.setToolTip(f"{path}\n{flag[1:-1]}: left out of the bands unless asked" if flag else str(path))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if path in before:
                checked = before[path] == Qt.CheckState.Checked or path == current
            else:
                checked = shown < MAX_COMPARED or path == current
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            shown += checked
            self.run_list.addItem(item)
        self.run_list.blockSignals(False)
        self.plot_compared()

    def _items(self) -> list[QListWidgetItem]:
        return [self.run_list.item(i) for i in range(self.run_list.count())]

    def compared_paths(self) -> list[Path]:
        return [
            Path(item.data(Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _load(self, path: Path) -> Run:
        """The run in `path`, read again only when its weights or status changed."""
        stamps = []
        for name in (WEIGHTS_FILE, STATUS_FILE):
            try:
                stamps.append((path / name).stat().st_mtime_ns)
            except OSError:
                stamps.append(0)
        version = (stamps[0], stamps[1])
        cached = self._loaded.get(path)
        if cached is None or cached[0] != version:
            cached = (version, load_run(path))
            self._loaded[path] = cached
        return cached[1]

    # ------------------------------------------------------------ the plot
    def plot_compared(self) -> None:
        """The checked runs in groups of distinct seeds of one setting: each group's mean z(r) with
        a band of one standard deviation over its seeds, and each run's curve when asked."""
        paths = self.compared_paths()
        if self.model is not None:
            self.model.set_compared(paths)
        item = self.compare_plot.getPlotItem()
        item.clear()
        self.legend.clear()
        problems = []
        runs = []
        for path in paths:
            try:
                run = self._load(path)
            except Exception as exc:
                problems.append(f"{path.name}: {self.error_text(exc)}")
                continue
            if run.config.code_size != 1:
                problems.append(f"{path.name}: a code of size {run.config.code_size} (z(r) compares scalar codes)")
                continue
            runs.append(run)
        grouping = seed_groups(runs, include_unfinished=self.unfinished_box.isChecked())
        self.left_out = grouping.left_out
        try:
            self.bands = bands_of(grouping.groups)
        except Exception as exc:
            self.bands = []
            problems.append(self.error_text(exc))
        holes: set[tuple[float, float]] = set()
        for index, band in enumerate(self.bands):
            holes.update((float(lo), float(hi)) for run in band.runs for lo, hi in run.config.holes)
            self._draw_band(index, band)
        item.setTitle("z(r) by setting: mean ± 1 sd over the seeds")  # short: it must fit a narrow plot
        for lo, hi in sorted(holes):
            region = pg.LinearRegionItem(values=(lo, hi), movable=False, brush=pg.mkBrush(214, 39, 40, 35))
            region.setZValue(-10)
            item.addItem(region)
        self._show_note(sum(sum(band.flipped) for band in self.bands))
        self._fit_legend()
        if problems:
            self.warn("Not plotted: " + "; ".join(problems))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def _fit_legend(self) -> None:
        """Beside the plot when it is wide and short (its curves keep their height), under it
        otherwise, in as many columns as fit."""
        axis = self.compare_plot.getPlotItem().getAxis("left")
        room = self.compare_plot.width() - axis.width() - 20
        entries = self.legend.items
        widest = max((sample.width() + label.itemRect().width() + 10 for sample, label in entries), default=0.0)
        beside = bool(self.legend.items) and room - widest >= max(BESIDE_MIN_PLOT, self.compare_plot.height())
        self.legend.place(beside)
        self.legend.fit_columns(room if not beside else widest)

    def _show_note(self, flipped: int) -> None:
        """Under the plot: the curves negated to grow with r, the checked runs left out and why."""
        lines = []
        if flipped:
            lines.append(
                f"{flipped} curve{'s' * (flipped > 1)} negated to grow with r (a code and its negative are one code)."
            )
        if self.left_out:
            why = "; ".join(f"{run_name(run)}, {reason}" for run, reason in self.left_out)
            unfinished = any(reason.startswith("unfinished") for _run, reason in self.left_out)
            lines.append(
                f"Left out of the bands: {why}"
                + (" (tick “include unfinished runs” to count them)." if unfinished else ".")
            )
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))

    def _draw_band(self, index: int, band: SeedBand) -> None:
        item = self.compare_plot.getPlotItem()
        colour = pen(index).color()
        several = len(band.runs) > 1
        if several and self.individual_box.isChecked():
            thin = pg.mkPen(band_colour(index, 160), width=1.0)
            for curve in band.curves:  # unnamed: the legend lists each setting once
                self.compare_plot.plot(band.radii, curve, pen=thin)
        if several:
            # the bounds need a pen: a PlotDataItem without one computes no path to fill between
            edge = pg.mkPen(band_colour(index, EDGE_ALPHA), width=1.0)
            bounds = [
                pg.PlotDataItem(band.radii, band.mean + sign * band.std, pen=edge, name=f"{band.label} mean {text} sd")
                for sign, text in ((1, "+"), (-1, "-"))
            ]
            for bound in bounds:  # in the CSV export, not in the legend
                item.addItem(bound)
                self.legend.removeItem(bound)
            fill = pg.FillBetweenItem(*bounds, brush=pg.mkBrush(*band_colour(index, FILL_ALPHA)))
            fill.setZValue(-5)
            item.addItem(fill)
            unfinished = f", {len(band.unfinished)} unfinished" if band.unfinished else ""
            name = f"{band.label}: mean ± 1 sd of {len(band.runs)} seeds{unfinished}"
        else:
            only = band.runs[0]
            name = only.path.name if only.path is not None else band.label
        self.compare_plot.plot(
            band.radii, band.mean, pen=pen(index), symbol="o", symbolSize=4, symbolBrush=colour, name=name
        )
