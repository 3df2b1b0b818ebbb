"""Filters: every layer's kernels on a shared colour scale; position kernels against [1, 2, 1];
per-layer activations for a chosen input disk, Dirac or code."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from geoae_core import analysis
from geoae_core.kinds.base import Probe

from ..widgets.fit import fit_texts
from ..widgets.plots import DIVERGING, GREY, pen, tile
from .base import Panel, guarded

REFERENCE = (1.0, 2.0, 1.0)
PER_ROW = 6
POSITION_PER_ROW = 3
SIDES = ("encoder", "decoder")


def kernel_grid(weights: np.ndarray) -> np.ndarray:
    """(out, in, 3[, 3]) kernels laid out as a grid: one row per output channel, one column per input."""
    out_ch, in_ch = weights.shape[:2]
    blocks = [np.atleast_2d(weights[o, i]) for o in range(out_ch) for i in range(in_ch)]
    return tile(blocks, columns=in_ch, gap=1)


def channel_strip(activation: np.ndarray) -> np.ndarray:
    """One layer's output: (C, H, W) maps side by side, (C, n) signals one above the other."""
    blocks = [np.atleast_2d(c) for c in activation]
    return tile(blocks, columns=min(len(blocks), 4) if activation.ndim == 3 else 1, gap=1)


def image_plot_item(title: str) -> tuple[pg.PlotItem, pg.ImageItem]:
    item = fit_texts(pg.PlotItem(title=title))  # titles elided to their column: every layer shows
    item.setAspectLocked(True)
    item.invertY(True)
    item.hideAxis("left")
    item.hideAxis("bottom")
    image = pg.ImageItem()
    item.addItem(image)
    return item, image


class FiltersPanel(Panel):
    name = "filters"
    title = "Filters"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        controls = QHBoxLayout()
        self.side_box = QComboBox()
        self.side_box.addItems(["encoder", "decoder"])
        self.input_label = QLabel("input")
        self.input_spin = QDoubleSpinBox()
        self.input_spin.setKeyboardTracking(False)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        controls.addWidget(QLabel("Network side"))
        controls.addWidget(self.side_box)
        controls.addSpacing(20)
        controls.addWidget(self.input_label)
        controls.addWidget(self.input_spin)
        controls.addStretch(1)
        self.kernels = pg.GraphicsLayoutWidget()
        self.activations = pg.GraphicsLayoutWidget()
        self.kernels.setMinimumHeight(200)
        self.activations.setMinimumHeight(160)
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.kernels_title = QLabel("<b>Learned kernels</b>")
        self.kernels_title.setWordWrap(True)
        top_layout.addWidget(self.kernels_title)
        top_layout.addWidget(self.kernels, 1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.activations_title = QLabel("<b>Activations</b>")
        self.activations_title.setWordWrap(True)
        bottom_layout.addWidget(self.activations_title)
        bottom_layout.addWidget(self.activations, 1)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.side_box.currentTextChanged.connect(lambda _t: self._redraw())
        self.input_spin.valueChanged.connect(lambda _v: self._redraw_activations())
        # what is on screen, for tests and export
        self.shown_kernels: list[np.ndarray] = []
        self.shown_cosines: list[float | None] = []
        self.colorbar: pg.ColorBarItem | None = None
        self.probes: dict[str, Probe] = {}  # side -> what feeds it, from the run's kind
        self.kind_views: frozenset[str] = frozenset()
        self._kept = ("", "", 0.0)  # (side, input label, value) shown before a refresh

    # ------------------------------------------------------------- redraw
    def refresh(self) -> None:
        self.kernels.clear()
        self.activations.clear()
        self.shown_kernels, self.shown_cosines = [], []
        self.summary.setText("")
        shown = (self.side_box.currentText(), self.input_label.text(), self.input_spin.value())
        self.probes = {}
        run = self.run
        if run is None:
            self.show_info("Pick a run in the run browser to see its filters.")
            return
        # the sides the run has are the sides that take an input (the kind says what that input is)
        self.probes = {side: probe for side in SIDES if (probe := run.kind.probe(run, side)) is not None}
        self.kind_views = run.kind.views(run.config)
        self.side_box.blockSignals(True)
        self.side_box.clear()
        self.side_box.addItems(list(self.probes))
        if shown[0] in self.probes:  # another epoch of the same run keeps the side and the input shown
            self.side_box.setCurrentText(shown[0])
        self.side_box.blockSignals(False)
        self._kept = shown
        if "encoder" not in self.probes:
            title = run.kind.title(run.config)
            self.show_info(f"{title[:1].upper()}{title[1:]}: no encoder, the decoder side is its whole network.")
        self._redraw()

    def _set_input(self, probe: Probe) -> None:
        """The input control as the side's probe describes it: label, unit, range, step, decimals."""
        unit = f" ({probe.unit})" if probe.unit else ""
        label = f"input {probe.label}{unit}"
        side, kept_label, kept_value = self._kept
        keep = side == self.side_box.currentText() and kept_label == label and probe.low <= kept_value <= probe.high
        self._kept = ("", "", 0.0)
        self.input_label.setText(label)
        self.input_spin.blockSignals(True)
        self.input_spin.setDecimals(probe.decimals)
        self.input_spin.setRange(probe.low, probe.high)
        self.input_spin.setSingleStep(probe.step)
        self.input_spin.setValue(kept_value if keep else probe.default)
        self.input_spin.setToolTip(f"{probe.label} from {probe.low:.4g} to {probe.high:.4g}{unit}")
        self.input_spin.blockSignals(False)

    @guarded
    def _redraw(self) -> None:
        if self.run is None:
            return
        self.kernels.clear()
        self.shown_kernels, self.shown_cosines = [], []
        self.colorbar = None
        side = self.side_box.currentText()
        if side not in self.probes:
            return
        self._set_input(self.probes[side])
        weights = self.run.filters(side)
        self.shown_kernels = [np.array(w) for w in weights]
        if self._position_encoder():
            self._draw_position_kernels(weights)
        else:
            self._draw_kernel_grids(weights, side)
        self._redraw_activations()

    def _draw_kernel_grids(self, weights: list[np.ndarray], side: str) -> None:
        bound = max(float(np.abs(w).max()) for w in weights) or 1.0
        images = []
        for index, w in enumerate(weights):
            item, image = image_plot_item(f"layer {index + 1}: {w.shape[0]}×{w.shape[1]}")
            image.setImage(kernel_grid(w), levels=(-bound, bound))
            image.setColorMap(DIVERGING)
            images.append(image)
            self.kernels.addItem(item, row=index // PER_ROW, col=index % PER_ROW)
        self.colorbar = pg.ColorBarItem(values=(-bound, bound), colorMap=DIVERGING, interactive=False, label="weight")
        self.colorbar.setImageItem(images)
        rows = -(-len(weights) // PER_ROW)
        self.kernels.addItem(self.colorbar, row=0, col=min(len(weights), PER_ROW), rowspan=rows)
        width = weights[0].shape[-1]
        shape = f"{width} × {width}" if weights[0].ndim == 4 else f"1 × {width}"
        self.kernels_title.setText(
            f"<b>Learned {side} kernels</b> ({shape}; rows: output channels, columns: input channels; "
            f"one colour scale, ±{bound:.3g})"
        )
        self.summary.setText("")

    def _draw_position_kernels(self, weights: list[np.ndarray]) -> None:
        rows = analysis.filter_cosines(self.run, REFERENCE)
        cosines = []
        for index, w in enumerate(weights):
            kernel = np.asarray(w, float).reshape(-1, 3)[0]
            row = rows[index] if rows else None
            cosine = row["cosine"] if row else None
            cosines.append(cosine)
            title = f"layer {index + 1}" + (f": |cos| {cosine:.3f}" if cosine is not None else "")
            item = fit_texts(pg.PlotItem(title=title))
            item.showGrid(y=True, alpha=0.2)
            taps = np.arange(3)
            bars = pg.BarGraphItem(x=taps, height=kernel, width=0.5, brush=pg.mkBrush("#1f77b4"))
            item.addItem(bars)
            item.plot(taps, kernel, pen=None, symbol="o", symbolBrush="#1f77b4", name="learned")
            if row is not None:
                scaled = np.asarray(REFERENCE) * row["scale"]
                item.plot(
                    taps,
                    scaled,
                    pen=pen(1, 2, Qt.PenStyle.DashLine),
                    symbol="x",
                    symbolPen="#d62728",
                    name="[1, 2, 1] × b",
                )
            item.getAxis("bottom").setTicks([[(0, "w₀"), (1, "w₁"), (2, "w₂")]])
            self.kernels.addItem(item, row=index // POSITION_PER_ROW, col=index % POSITION_PER_ROW)
        self.shown_cosines = cosines
        self.kernels_title.setText(
            "<b>Learned encoder kernels</b> (blue bars) beside [1, 2, 1] × b, b fitted by least squares (red crosses)"
        )
        if rows:
            text = ", ".join(f"{c:.3f}" for c in cosines)
            self.summary.setText(f"|cosine| with [1, 2, 1] per layer (taps that see data): {text}")

    @guarded
    def _redraw_activations(self) -> None:
        self.activations.clear()
        if self.run is None:
            return
        side = self.side_box.currentText()
        probe = self.probes.get(side)
        if probe is None:
            return
        value = self.input_spin.value()
        x = probe.make(np.array([value], float))
        unit = f" {probe.unit}" if probe.unit else ""
        what = f"{probe.label} = {value:.{probe.decimals}f}{unit}"
        layers = analysis.layer_activations(self.run, x, side)
        self.activations_title.setText(f"<b>Activations of each {side} layer</b> for {what} (own scale per layer)")
        for index, a in enumerate(layers):
            a = np.asarray(a)[0]  # (C, H, W) or (C, n)
            col, row = index % PER_ROW, index // PER_ROW
            if self._position_encoder():
                item = fit_texts(pg.PlotItem(title=f"layer {index + 1}: {a.shape[-1]}"))
                item.plot(np.arange(a.shape[-1]), a.reshape(-1), pen=pen(0), symbol="o", symbolSize=5)
                item.showGrid(y=True, alpha=0.2)
                self.activations.addItem(item, row=row, col=col)
                continue
            if a.size == 1:
                title = f"layer {index + 1}: {float(a.ravel()[0]):.4g}"
            else:
                title = f"layer {index + 1}: {a.shape[0]}×{'×'.join(map(str, a.shape[1:]))}"
            item, image = image_plot_item(title)
            image.setColorMap(GREY)
            image.setImage(channel_strip(a), autoLevels=True)
            self.activations.addItem(item, row=row, col=col)

    def _position_encoder(self) -> bool:
        """The 1-D encoder: its kernels are drawn as bars beside [1, 2, 1], its activations as curves."""
        return "position_kernels" in self.kind_views and self.side_box.currentText() == "encoder"

    def plots(self) -> dict[str, QWidget]:
        return {"kernels": self.kernels, "activations": self.activations}
