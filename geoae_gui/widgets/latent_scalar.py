"""The Latent explorer's scalar view (a code of size 1): its four boxes, built onto the panel in the
way a Qt Designer `setupUi` builds a form, so that latent.py holds what the boxes do.

- decode a code z (the slider, the decoded image, its profile): every run with a decoder;
- the encoder curve z(r), encode a disk, interpolate two disks' codes: a run that encodes a radius.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QWidget,
)

from .live import SteadyRange, ValueLabel, keep_axes_static, keep_static
from .plots import ImagePlot, make_plot, pen

SLIDER_STEPS = 1000


def slider_over_plots(grid: QGridLayout, row: tuple[QWidget, QWidget, QWidget], info: QWidget, left, right) -> None:
    """A box's layout: label, slider and spin box on one row, a line of values, two plots side by side."""
    controls = QHBoxLayout()
    for widget, stretch in zip(row, (0, 1, 0)):
        controls.addWidget(widget, stretch)
    grid.addLayout(controls, 0, 0, 1, 2)
    grid.addWidget(info, 1, 0, 1, 2)
    grid.addWidget(left, 2, 0)
    grid.addWidget(right, 2, 1)


def setup_scalar_view(panel) -> QWidget:
    """Create the scalar view's widgets as attributes of `panel`; the view itself is returned."""
    # --- decode z
    panel.decode_box = QGroupBox("Decode a code z (drag: the disk follows)")
    grid = QGridLayout(panel.decode_box)
    panel.z_label = QLabel("z")
    panel.z_slider = QSlider(Qt.Orientation.Horizontal)
    panel.z_slider.setRange(0, SLIDER_STEPS)
    panel.z_spin = QDoubleSpinBox()
    panel.z_spin.setDecimals(4)
    panel.z_spin.setKeyboardTracking(False)
    panel.z_info = ValueLabel()
    panel.decoded_plot = ImagePlot("Decoded D(z)")
    panel.profile_plot = make_plot("Radial profile of D(z)", "distance to centre (px)", "grey level")
    # A bare thin line through the ~400 distances: Qt strokes a wide antialiased pen on such a
    # zig-zag in about 40 ms, and pyqtgraph lays out 400 symbols in 1 ms, every move.
    panel.profile_curve = pg.PlotCurveItem(pen=pen(0, width=1.0))
    panel.profile_plot.addItem(panel.profile_curve)
    panel.profile_range = SteadyRange(panel.profile_plot)
    keep_axes_static(panel.profile_plot)
    slider_over_plots(
        grid, (panel.z_label, panel.z_slider, panel.z_spin), panel.z_info, panel.decoded_plot, panel.profile_plot
    )

    # --- z(r)
    panel.curve_box = QGroupBox("Encoder curve z(r)")
    curve_layout = QGridLayout(panel.curve_box)
    panel.z_plot = make_plot("", "radius r (px)", "code z", legend=True)
    panel.z_curve = panel.z_plot.plot([], [], pen=pen(0), name="z(r), test radii")
    panel.train_points = pg.ScatterPlotItem(
        size=4, brush=pg.mkBrush(120, 120, 120, 140), pen=None, name="training radii"
    )
    panel.z_plot.addItem(panel.train_points)
    panel.z_curve.setZValue(5)
    panel.marker = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("#d62728"), pen=pg.mkPen("k"), symbol="o")
    panel.z_plot.addItem(panel.marker)
    panel.z_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#2ca02c", width=1.5, style=Qt.PenStyle.DashLine))
    panel.z_plot.addItem(panel.z_line)
    # what changes only with the run is drawn once; the z line and the marker move over it
    keep_static([panel.z_curve, panel.train_points])
    keep_axes_static(panel.z_plot)
    curve_layout.addWidget(panel.z_plot, 0, 0)

    # --- encode a disk
    panel.encode_box = QGroupBox("Encode a disk: input, reconstruction")
    encode = QGridLayout(panel.encode_box)
    panel.r_slider = QSlider(Qt.Orientation.Horizontal)
    panel.r_spin = QDoubleSpinBox()
    panel.r_spin.setDecimals(2)
    panel.r_spin.setSingleStep(0.25)
    panel.r_spin.setKeyboardTracking(False)
    panel.r_info = ValueLabel()
    panel.input_plot = ImagePlot("Input disk")
    panel.recon_plot = ImagePlot("Reconstruction D(E(x))")
    slider_over_plots(
        encode, (QLabel("r"), panel.r_slider, panel.r_spin), panel.r_info, panel.input_plot, panel.recon_plot
    )

    # --- interpolation
    panel.interp_box = QGroupBox("Interpolate between two disks' codes")
    interp = QGridLayout(panel.interp_box)
    panel.ra_spin = QDoubleSpinBox()
    panel.rb_spin = QDoubleSpinBox()
    for spin in (panel.ra_spin, panel.rb_spin):
        spin.setDecimals(2)
        spin.setKeyboardTracking(False)
    panel.steps_spin = QSpinBox()
    panel.steps_spin.setRange(2, 16)
    panel.steps_spin.setValue(8)
    controls = QHBoxLayout()
    for text, widget in (("r₁", panel.ra_spin), ("r₂", panel.rb_spin), ("steps", panel.steps_spin)):
        controls.addWidget(QLabel(text))
        controls.addWidget(widget)
    controls.addStretch(1)
    panel.strip_plot = ImagePlot("D((1-s) E(x₁) + s E(x₂)), s from 0 to 1")
    panel.strip_plot.setMinimumHeight(110)
    interp.addLayout(controls, 0, 0)
    interp.addWidget(panel.strip_plot, 1, 0)

    view = QWidget()
    layout = panel.scalar_layout = QGridLayout(view)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(panel.decode_box, 0, 0)
    layout.addWidget(panel.curve_box, 0, 1)
    layout.addWidget(panel.encode_box, 1, 0)
    layout.addWidget(panel.interp_box, 1, 1)
    layout.setColumnStretch(0, 1)
    layout.setColumnStretch(1, 1)
    layout.setRowStretch(0, 3)
    layout.setRowStretch(1, 2)
    return view


def show_boxes(panel, radius: bool) -> None:
    """All four boxes for a run that encodes a radius; else the decode box alone, over the whole view."""
    for box in (panel.curve_box, panel.encode_box, panel.interp_box):
        box.setVisible(radius)
    panel.scalar_layout.removeWidget(panel.decode_box)
    panel.scalar_layout.addWidget(panel.decode_box, 0, 0, *((1, 1) if radius else (2, 2)))


def show_decoded_as(panel, signal: bool) -> None:
    """Title the decoded plots for an image (its radial profile) or a 1-D signal (drawn along its samples)."""
    if signal:
        panel.decoded_plot.getPlotItem().setTitle("Decoded D(z), as a strip")
        panel.profile_plot.getPlotItem().setTitle("D(z) along the signal")
        panel.profile_plot.getPlotItem().setLabel("bottom", "sample")
        panel.profile_plot.getPlotItem().setLabel("left", "value")
    else:
        panel.decoded_plot.getPlotItem().setTitle("Decoded D(z)")
        panel.profile_plot.getPlotItem().setTitle("Radial profile of D(z)")
        panel.profile_plot.getPlotItem().setLabel("bottom", "distance to centre (px)")
        panel.profile_plot.getPlotItem().setLabel("left", "grey level")
