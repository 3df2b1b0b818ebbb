"""Latent explorer: decode z live, the encoder curve z(r), encode a disk, interpolate two codes.
A run whose code has d >= 2 axes is shown by the codes view (latent_codes.py) instead."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QSizePolicy, QStackedLayout, QWidget

from geoae_core.kinds.base import Probe
from geoae_core.theory import radial_profile

from .. import engine
from ..widgets.latent_scalar import SLIDER_STEPS, setup_scalar_view, show_boxes, show_decoded_as
from ..widgets.live import Coalescer
from ..widgets.plots import FORMATS, tile
from .base import Panel, guarded
from .latent_codes import CodesView

__all__ = ["SLIDER_STEPS", "LatentPanel"]

# what the scalar view shows: nothing, a decoder alone (a slider over the codes it takes), or a
# decoder with an encoder of disk radii (z(r), encode a disk, interpolate)
OFF, DECODE, RADIUS = "", "decode", "radius"


class LatentPanel(Panel):
    name = "latent"
    title = "Latent explorer"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.z_small = 0.0  # the slider's left end: the code of the smallest test disk, or the probe's low
        self.z_large = 1.0  # the right end: of the largest, or the probe's high
        self.decode_ms: list[float] = []
        self._syncing = False
        self.mode = OFF
        self.probe: Probe | None = None  # what the decoder takes, from the run's kind
        self._signal: bool | None = None  # the decoded output is a 1-D signal (not an image)

        self.scalar_view = setup_scalar_view(self)  # d = 1; the codes view shows d >= 2
        self.hole_regions: list[pg.LinearRegionItem] = []
        self.codes_view = CodesView(self.show_error)
        self.views = QStackedLayout(self.body)
        self.views.addWidget(self.scalar_view)
        self.views.addWidget(self.codes_view)
        self.show_view(self.scalar_view)

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
        self.mode, self.probe = OFF, None
        views = run.kind.views(run.config) if run is not None else frozenset()
        codes = "codes" in views  # disks, or shapes with several attributes
        self.show_view(self.codes_view if codes else self.scalar_view)
        if not codes:
            self.codes_view.clear()
        if run is None:
            self.show_info("Pick a run in the run browser to explore its code.")
            return
        if codes:
            self.codes_view.show_run(run)
            return
        title = run.kind.title(run.config)
        self.probe = run.kind.probe(run, "decoder") if "decode" in views else None
        if self.probe is None:
            elsewhere = "Filters and Position" if views & {"position_kernels", "position_decoder"} else "Filters"
            self.show_info(f"{title[:1].upper()}{title[1:]} has no decoder to explore here: see {elsewhere}.")
            return
        radius = "encode_radius" in views
        show_boxes(self, radius)
        self.z_label.setText(self.probe.label)
        if not radius:
            self._show_decoder(title)
            return
        self.mode = RADIUS
        self.decode_box.setTitle("Decode a code z (drag: the disk follows)")
        self.z_slider.setToolTip("left: the code of the smallest test disk, right: of the largest")
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
            self.z_spin.setDecimals(4)
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

    def _show_decoder(self, title: str) -> None:
        """A decoder without an encoder of radii: the slider spans the codes it takes (the probe)."""
        probe = self.probe
        self.mode = DECODE
        self.decode_box.setTitle(f"Decode a {probe.label} (drag: the output follows)")
        self.z_slider.setToolTip(f"{probe.label} from {probe.low:.4g} (left) to {probe.high:.4g} (right)")
        self.z_small, self.z_large = probe.low, probe.high
        self._syncing = True
        try:
            self.z_spin.setDecimals(max(probe.decimals, 2))
            self.z_spin.setRange(probe.low, probe.high)
            self.z_spin.setSingleStep(probe.step)
        finally:
            self._syncing = False
        self.show_info(
            f"{title[:1].upper()}{title[1:]}: its decoder is explored alone here (no disk radius to encode),"
            f" over the codes it takes ({probe.low:.3g} … {probe.high:.3g})."
        )
        for widget in (self.z_slider, self.z_spin):
            widget.setEnabled(True)
        self.set_z(probe.default)

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
        if self.run is None or self.mode == OFF:
            return
        self._syncing = True
        try:
            self.z_spin.setValue(z)
            self.z_slider.setValue(self.z_to_slider(z))
        finally:
            self._syncing = False
        tick = time.perf_counter()
        image = self.run.decode(self.probe.make(np.array([z], float)))[0]
        self.decode_ms.append((time.perf_counter() - tick) * 1000)
        signal = image.ndim == 1  # a Dirac: drawn as a strip, and along its samples
        if signal != self._signal:
            self._signal = signal
            show_decoded_as(self, signal)
        self.decoded_plot.set_image(image[None, :] if signal else image)
        t, f = (np.arange(len(image)), image) if signal else radial_profile(image)
        self.profile_curve.setData(t, f)
        self.profile_range.fit(t, f)
        if self.mode == RADIUS:
            self.z_line.setValue(z)
            self.z_line.setVisible(True)
        name = "z" if self.mode == RADIUS else self.probe.label
        levels = "values" if signal else "grey levels"
        self.z_info.setText(
            f"{name} = {z:.4g} · decoded in {self.decode_ms[-1]:.1f} ms · "
            f"{levels} {image.min():.2f} … {image.max():.2f}"
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
        if self.run is None or self.mode != RADIUS:
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
        if self._syncing or self.run is None or self.mode != RADIUS:
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

    def plots_about_run(self) -> dict[str, QWidget]:
        """The plots of the view on display: the other still holds what it showed of another run."""
        codes = self.codes_view.plots()
        shown = self.views.currentWidget() is self.codes_view
        return {name: plot for name, plot in self.plots().items() if (name in codes) == shown}
