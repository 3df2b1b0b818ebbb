"""The Experiments panel's comparison of several runs' z(r) curves (figure 7): the runs of the folder
whose kind has a z(r) to compare, grouped by setting, each group's mean with a band of one standard
deviation over its seeds (geoae_core.seeds)."""

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

from geoae_core.runs import load_run
from geoae_core.seeds import SeedBand, seed_bands

from .. import engine
from .plots import make_plot, pen
from .run_browser import list_runs

MAX_COMPARED = 6


def has_z_of_r(path: Path) -> bool:
    """Whether the run in `path` has a z(r) curve to compare (its kind says so); False for a bad folder."""
    try:
        config = engine.run_config(path)
        return "z_of_r" in engine.kind_of(config).views(config)
    except Exception:  # a damaged or foreign folder is not listed
        return False


class ZComparison(QGroupBox):
    """The checked runs' z(r) by setting. `warn(text)` shows what could not be plotted."""

    def __init__(self, warn: Callable[[str], None], error_text: Callable[[BaseException], str]):
        super().__init__("Compare the z(r) curves of several disk runs (figure 7)")
        self.warn = warn
        self.error_text = error_text
        layout = QHBoxLayout(self)
        side = QVBoxLayout()
        self.run_list = QListWidget()
        self.run_list.itemChanged.connect(lambda _item: self.plot_compared())
        self.reload_button = QPushButton("Reload runs")
        self.individual_box = QCheckBox("each run too")
        self.individual_box.setToolTip("beside each setting's mean and band, the curve of each of its seeds")
        self.individual_box.toggled.connect(lambda _on: self.plot_compared())
        side.addWidget(QLabel("disk runs in the folder"))
        side.addWidget(self.run_list, 1)
        side.addWidget(self.individual_box)
        side.addWidget(self.reload_button)
        self.compare_plot = make_plot("z(r) of the checked runs", "radius r (px)", "code z", legend=True)
        self.compare_plot.getPlotItem().legend.setOffset((10, 10))  # top left: the curves are drawn growing with r
        self.bands: list[SeedBand] = []  # what the comparison shows, per setting
        layout.addLayout(side, 1)
        layout.addWidget(self.compare_plot, 3)

    def reload_runs(self, folder: Path, current: Path | None) -> None:
        """List the runs of `folder` that have a z(r); the first MAX_COMPARED and `current` checked."""
        self.run_list.blockSignals(True)
        self.run_list.clear()
        shown = 0
        for path in list_runs(Path(folder)):
            if not has_z_of_r(path):
                continue
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = shown < MAX_COMPARED or path == current
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            shown += checked
            self.run_list.addItem(item)
        self.run_list.blockSignals(False)
        self.plot_compared()

    def compared_paths(self) -> list[Path]:
        return [
            Path(self.run_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.run_list.count())
            if self.run_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def plot_compared(self) -> None:
        """The checked runs grouped by setting: each group's mean z(r) with a band of one standard
        deviation over its seeds, and each run's curve when asked."""
        item = self.compare_plot.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.clear()
        holes: set[tuple[float, float]] = set()
        problems = []
        runs = []
        for path in self.compared_paths():
            try:
                run = load_run(path)
            except Exception as exc:
                problems.append(f"{path.name}: {self.error_text(exc)}")
                continue
            if run.config.code_size != 1:
                problems.append(f"{path.name}: a code of size {run.config.code_size} (z(r) compares scalar codes)")
                continue
            runs.append(run)
        try:
            self.bands = seed_bands(runs)
        except Exception as exc:
            self.bands = []
            problems.append(self.error_text(exc))
        for index, band in enumerate(self.bands):
            holes.update((float(lo), float(hi)) for run in band.runs for lo, hi in run.config.holes)
            self._draw_band(index, band)
        flipped = sum(sum(band.flipped) for band in self.bands)
        negated = f"; {flipped} negated to grow with r" if flipped else ""
        item.setTitle(f"z(r) of the checked runs by setting: mean ± 1 sd over the seeds{negated}")
        for lo, hi in sorted(holes):
            region = pg.LinearRegionItem(values=(lo, hi), movable=False, brush=pg.mkBrush(214, 39, 40, 35))
            region.setZValue(-10)
            item.addItem(region)
        if problems:
            self.warn("Not plotted: " + "; ".join(problems))

    def _draw_band(self, index: int, band: SeedBand) -> None:
        item = self.compare_plot.getPlotItem()
        colour = pen(index).color()
        if self.individual_box.isChecked():
            for run, curve in zip(band.runs, band.curves):
                name = run.path.name if run.path is not None else f"seed {run.config.seed}"
                self.compare_plot.plot(band.radii, curve, pen=pen(index, 1.0, Qt.PenStyle.DotLine), name=name)
        if len(band.runs) > 1:
            bounds = [
                pg.PlotDataItem(band.radii, band.mean + sign * band.std, pen=None, name=f"{band.label} mean {text} sd")
                for sign, text in ((1, "+"), (-1, "-"))
            ]
            for bound in bounds:  # in the CSV export, not in the legend
                item.addItem(bound)
                item.legend.removeItem(bound)
            fill = pg.FillBetweenItem(*bounds, brush=pg.mkBrush(colour.red(), colour.green(), colour.blue(), 60))
            fill.setZValue(-5)
            item.addItem(fill)
            name = f"{band.label}: mean ± 1 sd of {len(band.runs)} seeds"
        else:
            only = band.runs[0]
            name = only.path.name if only.path is not None else band.label
        self.compare_plot.plot(
            band.radii, band.mean, pen=pen(index), symbol="o", symbolSize=4, symbolBrush=colour, name=name
        )
