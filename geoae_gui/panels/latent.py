"""Latent explorer: decode z live, the encoder curve z(r), encode a disk, interpolate two codes.
A run whose code has d >= 2 axes is shown by the codes view (latent_codes.py) instead."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStackedLayout,
    QWidget,
)

from geoae_core.theory import radial_profile

from .. import engine
from ..widgets.live import Coalescer, SteadyRange, ValueLabel, keep_axes_static, keep_static
from ..widgets.plots import FORMATS, ImagePlot, make_plot, pen, tile
from .base import Panel, guarded
from .latent_codes import CodesView

SLIDER_STEPS = 1000


class LatentPanel(Panel):
    name = "latent"
    title = "Latent explorer"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.z_small = 0.0  # code of the smallest test disk: the slider's left end
        self.z_large = 1.0  # code of the largest: the right end
        self.decode_ms: list[float] = []
        self._syncing = False

        # --- decode z
        decode_box = QGroupBox("Decode a code z (drag: the disk follows)")
        grid = QGridLayout(decode_box)
        self.z_slider = QSlider(Qt.Orientation.Horizontal)
        self.z_slider.setRange(0, SLIDER_STEPS)
        self.z_slider.setToolTip("left: the code of the smallest test disk, right: of the largest")
        self.z_spin = QDoubleSpinBox()
        self.z_spin.setDecimals(4)
        self.z_spin.setKeyboardTracking(False)
        self.z_info = ValueLabel()
        self.decoded_plot = ImagePlot("Decoded D(z)")
        self.profile_plot = make_plot("Radial profile of D(z)", "distance to centre (px)", "grey level")
        # A bare thin line through the ~400 distances: Qt strokes a wide antialiased pen on such a
        # zig-zag in about 40 ms, and pyqtgraph lays out 400 symbols in 1 ms, every move.
        self.profile_curve = pg.PlotCurveItem(pen=pen(0, width=1.0))
        self.profile_plot.addItem(self.profile_curve)
        self.profile_range = SteadyRange(self.profile_plot)
        keep_axes_static(self.profile_plot)
        row = QHBoxLayout()
        row.addWidget(QLabel("z"))
        row.addWidget(self.z_slider, 1)
        row.addWidget(self.z_spin)
        grid.addLayout(row, 0, 0, 1, 2)
        grid.addWidget(self.z_info, 1, 0, 1, 2)
        grid.addWidget(self.decoded_plot, 2, 0)
        grid.addWidget(self.profile_plot, 2, 1)

        # --- z(r)
        curve_box = QGroupBox("Encoder curve z(r)")
        curve_layout = QGridLayout(curve_box)
        self.z_plot = make_plot("", "radius r (px)", "code z", legend=True)
        self.z_curve = self.z_plot.plot([], [], pen=pen(0), name="z(r), test radii")
        self.train_points = pg.ScatterPlotItem(
            size=4, brush=pg.mkBrush(120, 120, 120, 140), pen=None, name="training radii"
        )
        self.z_plot.addItem(self.train_points)
        self.z_curve.setZValue(5)
        self.marker = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#d62728"), pen=pg.mkPen("k"), symbol="o")
        self.z_plot.addItem(self.marker)
        self.z_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#2ca02c", width=1.5, style=Qt.PenStyle.DashLine))
        self.z_plot.addItem(self.z_line)
        # what changes only with the run is drawn once; the z line and the marker move over it
        keep_static([self.z_curve, self.train_points])
        keep_axes_static(self.z_plot)
        self.hole_regions: list[pg.LinearRegionItem] = []
        curve_layout.addWidget(self.z_plot, 0, 0)

        # --- encode a disk
        encode_box = QGroupBox("Encode a disk: input, reconstruction")
        encode = QGridLayout(encode_box)
        self.r_slider = QSlider(Qt.Orientation.Horizontal)
        self.r_spin = QDoubleSpinBox()
        self.r_spin.setDecimals(2)
        self.r_spin.setSingleStep(0.25)
        self.r_spin.setKeyboardTracking(False)
        self.r_info = ValueLabel()
        r_row = QHBoxLayout()
        r_row.addWidget(QLabel("r"))
        r_row.addWidget(self.r_slider, 1)
        r_row.addWidget(self.r_spin)
        self.input_plot = ImagePlot("Input disk")
        self.recon_plot = ImagePlot("Reconstruction D(E(x))")
        encode.addLayout(r_row, 0, 0, 1, 2)
        encode.addWidget(self.r_info, 1, 0, 1, 2)
        encode.addWidget(self.input_plot, 2, 0)
        encode.addWidget(self.recon_plot, 2, 1)

        # --- interpolation
        interp_box = QGroupBox("Interpolate between two disks' codes")
        interp = QGridLayout(interp_box)
        self.ra_spin = QDoubleSpinBox()
        self.rb_spin = QDoubleSpinBox()
        for spin in (self.ra_spin, self.rb_spin):
            spin.setDecimals(2)
            spin.setKeyboardTracking(False)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(2, 16)
        self.steps_spin.setValue(8)
        controls = QHBoxLayout()
        for text, widget in (("r₁", self.ra_spin), ("r₂", self.rb_spin), ("steps", self.steps_spin)):
            controls.addWidget(QLabel(text))
            controls.addWidget(widget)
        controls.addStretch(1)
        self.strip_plot = ImagePlot("D((1-s) E(x₁) + s E(x₂)), s from 0 to 1")
        self.strip_plot.setMinimumHeight(110)
        interp.addLayout(controls, 0, 0)
        interp.addWidget(self.strip_plot, 1, 0)

        self.scalar_view = QWidget()  # d = 1; the codes view shows d >= 2
        self.codes_view = CodesView(self.show_error)
        self.views = QStackedLayout(self.body)
        self.views.addWidget(self.scalar_view)
        self.views.addWidget(self.codes_view)
        self.show_view(self.scalar_view)
        layout = QGridLayout(self.scalar_view)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(decode_box, 0, 0)
        layout.addWidget(curve_box, 0, 1)
        layout.addWidget(encode_box, 1, 0)
        layout.addWidget(interp_box, 1, 1)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        layout.setRowStretch(0, 3)
        layout.setRowStretch(1, 2)

        # a drag sends more values than a frame shows: each view updates once per frame, last value wins
        self.z_updates = Coalescer(self.set_z, self, [self.decoded_plot, self.profile_plot, self.z_plot])
        self.r_updates = Coalescer(self.set_radius, self, [self.input_plot, self.recon_plot, self.z_plot])
        self.strip_updates = Coalescer(lambda _value: self.update_strip(), self, [self.strip_plot])
        self.z_slider.valueChanged.connect(self._slider_moved)
        self.z_spin.valueChanged.connect(self._spin_changed)
        self.r_slider.valueChanged.connect(lambda v: self.r_spin.setValue(v / 10))
        self.r_spin.valueChanged.connect(self._radius_changed)
        self.ra_spin.valueChanged.connect(self.strip_updates.push)
        self.rb_spin.valueChanged.connect(self.strip_updates.push)
        self.steps_spin.valueChanged.connect(self.strip_updates.push)
        self._enable(False)

    # ------------------------------------------------------------- redraw
    def refresh(self) -> None:
        run = self.run
        self._enable(False)
        for updates in self._updates():
            updates.cancel()
        self.profile_range.reset()
        for widget in (self.decoded_plot, self.input_plot, self.recon_plot, self.strip_plot):
            widget.clear_image()
        self.profile_curve.setData([], [])
        self.z_curve.setData([], [])
        self.train_points.setData([], [])
        self.marker.setData([], [])
        self.z_line.setVisible(False)  # shown again with the first z of a run that applies
        self.z_info.setText("")
        self.r_info.setText("")
        self.z_plot.getPlotItem().setTitle("z against r")
        for region in self.hole_regions:
            self.z_plot.removeItem(region)
        self.hole_regions = []
        autoencoder = run is not None and {"encoder", "decoder"} <= set(run.kind.sides)
        codes = autoencoder and run.config.code_size > 1  # disks, or shapes with several attributes
        self.show_view(self.codes_view if codes else self.scalar_view)
        if not codes:
            self.codes_view.clear()
        if run is None:
            self.show_info("Pick a disk run in the run browser to explore its code.")
            return
        if codes:
            self.codes_view.show_run(run)
            return
        if autoencoder and run.kind.family != "disks":
            self.show_info(f"This {run.config.kind} run has a code of size 1: the latent map needs two axes or more.")
            return
        if run.kind.family != "disks":
            elsewhere = "Filters and Position" if run.kind.family == "position" else "Filters"
            self.show_info(f"The latent explorer is for disk runs; this is a {run.config.kind} run: see {elsewhere}.")
            return
        radii, z = engine.z_curve(run)
        self.z_curve.setData(radii, z)
        train_r, train_z = engine.training_points(run)
        self.train_points.setData(train_r, train_z)
        for lo, hi in run.config.holes:
            region = pg.LinearRegionItem(values=(lo, hi), movable=False, brush=pg.mkBrush(214, 39, 40, 40))
            region.setZValue(-10)
            self.z_plot.addItem(region)
            self.hole_regions.append(region)
        hole = " (holes shaded)" if run.config.holes else ""
        self.z_plot.getPlotItem().setTitle(f"z against r{hole}")
        self.z_small, self.z_large = float(z[0]), float(z[-1])
        span = max(abs(self.z_large - self.z_small), 1e-6)
        lo, hi = min(z.min(), self.z_small) - 0.25 * span, max(z.max(), self.z_large) + 0.25 * span
        r_max = run.config.size / 2
        self._syncing = True
        try:
            self.z_spin.setRange(lo, hi)
            self.z_spin.setSingleStep(span / 100)
            self.r_slider.setRange(1, int(r_max * 10) - 1)
            self.r_spin.setRange(0.1, r_max - 0.1)
            for spin in (self.ra_spin, self.rb_spin):
                spin.setRange(0.1, r_max - 0.1)
            self.ra_spin.setValue(round(r_max * 0.15, 2))
            self.rb_spin.setValue(round(r_max * 0.85, 2))
        finally:
            self._syncing = False
        self._fix_z_plot_range(r_max, (float(np.min(train_z, initial=lo)), float(np.max(train_z, initial=hi))))
        self._enable(True)
        self.z_slider.setValue(SLIDER_STEPS // 2)
        self.set_z(self.slider_to_z(SLIDER_STEPS // 2))
        self.r_spin.setValue(round(r_max / 2, 2))
        self.set_radius(self.r_spin.value())
        self.update_strip()

    def show_view(self, view: QWidget) -> None:
        """The hidden view asks for no room: a d = 1 run's panel is as narrow as its own view."""
        for page in (self.scalar_view, self.codes_view):
            policy = QSizePolicy.Policy.Preferred if page is view else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.views.setCurrentWidget(view)

    def _fix_z_plot_range(self, r_max: float, z_range: tuple[float, float]) -> None:
        """Fit every radius and every z the controls allow once, so moving the line never rescales."""
        view = self.z_plot.getPlotItem().getViewBox()
        view.disableAutoRange()
        view.setRange(xRange=(0.0, r_max), yRange=z_range, padding=0.02)

    # ----------------------------------------------------------- decoding
    def slider_to_z(self, value: int) -> float:
        return self.z_small + (self.z_large - self.z_small) * value / SLIDER_STEPS

    def z_to_slider(self, z: float) -> int:
        span = self.z_large - self.z_small
        if span == 0:
            return 0
        return round(np.clip((z - self.z_small) / span, 0.0, 1.0) * SLIDER_STEPS)

    def _slider_moved(self, value: int) -> None:
        if self._syncing:
            return
        self.z_updates.push(self.slider_to_z(value))

    def _spin_changed(self, z: float) -> None:
        if self._syncing:
            return
        self.z_updates.push(z)

    @guarded
    def set_z(self, z: float) -> None:
        """Decode z and show the disk, its radial profile, and z on the z(r) plot."""
        self.z_updates.cancel()
        if self.run is None or self.run.kind.family != "disks":
            return
        self._syncing = True
        try:
            self.z_spin.setValue(z)
            self.z_slider.setValue(self.z_to_slider(z))
        finally:
            self._syncing = False
        tick = time.perf_counter()
        image = self.run.decode(np.array([[z]], np.float32))[0]
        self.decode_ms.append((time.perf_counter() - tick) * 1000)
        self.decoded_plot.set_image(image)
        t, f = radial_profile(image)
        self.profile_curve.setData(t, f)
        self.profile_range.fit(t, f)
        self.z_line.setValue(z)
        self.z_line.setVisible(True)
        self.z_info.setText(
            f"z = {z:.4g} · decoded in {self.decode_ms[-1]:.1f} ms · grey levels {image.min():.2f} … {image.max():.2f}"
        )

    def decoded_image(self) -> np.ndarray | None:
        self.flush_updates()
        return self.decoded_plot.data

    # ----------------------------------------------------------- encoding
    def _radius_changed(self, r: float) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.r_slider.setValue(round(r * 10))
        finally:
            self._syncing = False
        self.r_updates.push(r)

    @guarded
    def set_radius(self, r: float) -> None:
        self.r_updates.cancel()
        if self.run is None or self.run.kind.family != "disks":
            return
        x = engine.disk_inputs(self.run, np.array([r]))
        z = self.run.encode(x)
        y = self.run.decode(z)
        self.input_plot.set_image(x[0])
        self.recon_plot.set_image(y[0])
        self.marker.setData([r], [float(z[0, 0])])
        where = " (in a hole: not seen in training)" if engine.hole_mask(np.array([r]), self.run)[0] else ""
        self.r_info.setText(f"r = {r:.2f} → z = {float(z[0, 0]):.4g}{where}")

    @guarded
    def update_strip(self, *_args) -> None:
        self.strip_updates.cancel()
        if self._syncing or self.run is None or self.run.kind.family != "disks" or self.run.config.code_size != 1:
            return
        radii = np.array([self.ra_spin.value(), self.rb_spin.value()])
        za, zb = self.run.encode(engine.disk_inputs(self.run, radii))[:, 0]
        codes = np.linspace(za, zb, self.steps_spin.value(), dtype=np.float32)[:, None]
        images = self.run.decode(codes)
        self.strip_plot.set_image(tile(list(images), columns=len(images), gap=2, fill=1.0))

    # -------------------------------------------------------------- misc
    def _updates(self) -> tuple[Coalescer, ...]:
        return (self.z_updates, self.r_updates, self.strip_updates)

    def update_pending(self) -> bool:
        return any(updates.pending for updates in self._updates()) or self.codes_view.update_pending()

    def flush_updates(self) -> None:
        """Show now what the controls asked for and the next frame would have shown."""
        for updates in self._updates():
            updates.flush()
        self.codes_view.flush_updates()

    def export(self, folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
        self.flush_updates()
        return super().export(folder, formats)

    def _enable(self, on: bool) -> None:
        for widget in (
            self.z_slider,
            self.z_spin,
            self.r_slider,
            self.r_spin,
            self.ra_spin,
            self.rb_spin,
            self.steps_spin,
        ):
            widget.setEnabled(on)

    def plots(self) -> dict[str, QWidget]:
        return {
            "decoded": self.decoded_plot,
            "profile": self.profile_plot,
            "z_of_r": self.z_plot,
            "input": self.input_plot,
            "reconstruction": self.recon_plot,
            "interpolation": self.strip_plot,
            **self.codes_view.plots(),
        }
