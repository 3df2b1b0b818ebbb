"""The Latent explorer for codes of size d >= 2: a slider per axis, the latent map over two axes,
a traversal along one axis, the interpolation between two test inputs, the attribute read-out.
The point decoded is the explorer model's code: set here, followed when set elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QVBoxLayout,
    QWidget,
)

from geoae_core.runs import Run, RunError

from .. import engine
from ..model import Explorer
from ..widgets.code_sliders import CodeSliders, axis_name
from ..widgets.interpolation_box import InterpolationBox
from ..widgets.latent_map import LatentMap
from ..widgets.live import Coalescer, ValueLabel
from ..widgets.plots import ImagePlot, tile
from ..widgets.readout_box import ReadoutBox
from ..widgets.rows import labelled, spin
from .base import guarded

GRID_SIZES = (6, 8, 12)
DEFAULT_GRID = 8
TEST_INPUTS = 400
MARGIN = 0.1  # the sliders reach this fraction of the test codes' range beyond it, each way
# Another epoch of the same run (the training scrubber) redraws the read-out, the slowest part,
# once the epochs stop changing for this long: the map and sliders follow every epoch
READOUT_DELAY_MS = 200


class CodesView(QWidget):
    """Everything the explorer shows of a run whose code has d >= 2 axes: the run it is handed by
    its panel (`show_run`; `run` is the one drawn, forgotten by `clear`). `show_error(text)` reports
    a failure of a live update (the panel's message bar)."""

    def __init__(self, show_error: Callable[[str], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.show_error = show_error
        self.model: Explorer | None = None
        self.run: Run | None = None
        self.codes = np.zeros((0, 0))  # the encoded test inputs, (n, d)
        self.attributes: dict[str, np.ndarray] = {}
        self.decode_ms: list[float] = []
        self.map_ms: list[float] = []
        self._syncing = False

        # --- decode z
        code_box = QGroupBox("Decode a code z (drag any axis)")
        self.sliders = CodeSliders()
        self.z_info = ValueLabel()
        self.decoded_plot = ImagePlot("Decoded D(z)")
        code_layout = QVBoxLayout(code_box)
        code_layout.addWidget(self.sliders)
        code_layout.addWidget(self.z_info)
        code_layout.addWidget(self.decoded_plot, 1)

        # --- the latent map
        map_box = QGroupBox("Latent map (click: decode there)")
        self.axis_a = QComboBox()
        self.axis_b = QComboBox()
        self.grid_box = QComboBox()
        for n in GRID_SIZES:
            self.grid_box.addItem(f"{n} × {n}", n)
        self.grid_box.setCurrentIndex(GRID_SIZES.index(DEFAULT_GRID))
        self.colour_box = QComboBox()
        self.colour_box.setToolTip("the attribute that colours the test inputs")
        self.map = LatentMap("")
        map_layout = QVBoxLayout(map_box)
        map_box.setToolTip("decoded images over two code axes, the other axes held at z; the encoded test inputs on it")
        map_layout.addLayout(labelled(("x", self.axis_a), ("y", self.axis_b), ("grid", self.grid_box)))
        map_layout.addLayout(labelled(("colour by", self.colour_box)))
        map_layout.addWidget(self.map, 1)

        # --- the read-out
        readout_box = self.readout_box = ReadoutBox()
        self.readout, self.readout_info, self.readout_timer = readout_box.view, readout_box.info, readout_box.timer
        self.readout_timer.timeout.connect(self.show_readout)

        # --- traversal
        traversal_box = QGroupBox("Traverse one axis (the others held at z)")
        self.traverse_axis = QComboBox()
        self.traverse_steps = spin(2, 16, 8)
        self.traversal_plot = ImagePlot("")
        self.traversal_plot.setMinimumHeight(90)
        traversal_layout = QVBoxLayout(traversal_box)
        traversal_layout.addLayout(labelled(("axis", self.traverse_axis), ("steps", self.traverse_steps)))
        traversal_layout.addWidget(self.traversal_plot, 1)

        # --- interpolation
        interp_box = InterpolationBox()
        self.end_spins, self.interp_steps = interp_box.end_spins, interp_box.steps
        self.interp_info, self.interp_plot = interp_box.info, interp_box.plot
        self.interp_box = interp_box

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(code_box, 0, 0)
        layout.addWidget(map_box, 0, 1)
        layout.addWidget(readout_box, 0, 2)
        layout.addWidget(traversal_box, 1, 0, 1, 2)
        layout.addWidget(interp_box, 1, 2)
        layout.setColumnStretch(0, 2)
        layout.setColumnStretch(1, 3)
        layout.setColumnStretch(2, 3)
        layout.setRowStretch(0, 3)
        layout.setRowStretch(1, 1)

        # a drag sends more values than a frame shows: each view updates once per frame, last value wins
        self.point_updates = Coalescer(self.show_point, self, [self.decoded_plot, self.map])
        self.map_updates = Coalescer(lambda _value: self.draw_map(), self, [self.map])
        self.traversal_updates = Coalescer(lambda _value: self.draw_traversal(), self, [self.traversal_plot])
        self.interp_updates = Coalescer(lambda _value: self.draw_interpolation(), self, [self.interp_plot, self.map])
        self.sliders.moved.connect(self._axis_moved)
        self.map.clicked.connect(self.decode_at)
        self.map.point_clicked.connect(self.pick_end)
        self.axis_a.currentIndexChanged.connect(lambda _index: self._map_axes_changed(self.axis_a, self.axis_b))
        self.axis_b.currentIndexChanged.connect(lambda _index: self._map_axes_changed(self.axis_b, self.axis_a))
        self.grid_box.currentIndexChanged.connect(self.map_updates.push)
        self.colour_box.currentIndexChanged.connect(lambda _index: self.colour_points())
        self.traverse_axis.currentIndexChanged.connect(self.traversal_updates.push)
        self.traverse_steps.valueChanged.connect(self.traversal_updates.push)
        for box in (*self.end_spins, self.interp_steps):
            box.valueChanged.connect(self.interp_updates.push)
        self._axes = (0, 1)

    # ---------------------------------------------------------------- run
    def show_run(self, run: Run) -> None:
        """Show a run; the axes, grid and attribute chosen stay if the new run has them, and the
        point too if it is another epoch of the same run (the training scrubber)."""
        self._cancel_updates()
        try:
            z, attributes = engine.encoded_test_set(run, TEST_INPUTS)
            if not np.isfinite(z).all():
                raise RunError("the encoder gives codes that are not finite numbers: a diverged training?")
        except Exception:
            self.clear()  # nothing of the last run stays beside the error
            raise
        same_code = self.run is not None and self.codes.shape[1:] == z.shape[1:]
        same_run = same_code and self.run.path == run.path and self.run.config == run.config  # another epoch
        same_attributes = list(attributes) == list(self.attributes)
        self.run, self.codes, self.attributes = run, np.asarray(z, float), attributes
        lo, hi = self.codes.min(axis=0), self.codes.max(axis=0)
        spread = np.maximum(hi - lo, 1e-6)
        self.sliders.set_ranges(lo - MARGIN * spread, hi + MARGIN * spread)
        code = self.model.code if self.model is not None else None
        if code is not None and code.shape == lo.shape:  # the model's code: the same, decoded by this epoch
            self.sliders.set_point(np.clip(code, self.sliders.lo, self.sliders.hi))
        elif not same_run:  # else the point stays (inside the new ranges): the same code, decoded by this epoch
            self.sliders.set_point(self.codes[self.middle_input()])
        self._fill_choices(same_code, same_attributes, same_run)
        self.map.set_axes(axis_name(self._axes[0]), axis_name(self._axes[1]))
        self.show_point(self.sliders.point())
        self.draw_map()
        self.draw_points()
        self.draw_traversal()
        self.draw_interpolation()
        if same_run:
            self.readout_timer.start(READOUT_DELAY_MS)
        else:
            self.show_readout()
        self.setEnabled(True)

    def middle_input(self) -> int:
        """The test input whose first attribute is the median one: the explorer starts at its code,
        a code the encoder gives (a point between the data's may decode to no shape at all)."""
        first = next(iter(self.attributes.values()))
        return int(np.argsort(first)[len(first) // 2])

    def _fill_choices(self, same_code: bool, same_attributes: bool, same_run: bool) -> None:
        d = self.codes.shape[1]
        self._syncing = True
        try:
            if not same_code:
                names = [axis_name(axis) for axis in range(d)]
                for box, index in ((self.axis_a, 0), (self.axis_b, 1), (self.traverse_axis, 0)):
                    box.clear()
                    box.addItems(names)
                    box.setCurrentIndex(index)
                self._axes = (0, 1)
            if not same_attributes:
                self.colour_box.clear()
                self.colour_box.addItems(list(self.attributes))
            first = next(iter(self.attributes.values()))  # from its smallest to its largest
            ends = None if same_run else (int(np.argmin(first)), int(np.argmax(first)))
            self.interp_box.set_inputs(len(self.codes), ends)
        finally:
            self._syncing = False

    def clear(self) -> None:
        """Forget the run: nothing of it stays on screen."""
        self._cancel_updates()
        self.run = None
        self.codes = np.zeros((0, 0))
        self.attributes = {}
        self.sliders.clear()
        self.map.clear_map()
        self.readout_box.clear()
        self.interp_box.clear()
        for plot in (self.decoded_plot, self.traversal_plot):
            plot.clear_image()
        self.z_info.setText("")
        self._syncing = True
        try:
            for box in (self.axis_a, self.axis_b, self.traverse_axis, self.colour_box):
                box.clear()
        finally:
            self._syncing = False
        self.setEnabled(False)

    # ------------------------------------------------------- the model
    def follow_model(self, model: Explorer) -> None:
        """Decode the model's code: this view sets it, and follows it when it is set elsewhere."""
        self.model = model
        model.on("code", self._code_changed)

    def _code_changed(self, code: np.ndarray | None) -> None:
        if code is None or self.run is None or code.shape != self.sliders.lo.shape:
            return
        if np.allclose(code, self.sliders.point(), rtol=1e-6, atol=1e-6):
            return  # the code this view set
        self.sliders.set_point(np.clip(code, self.sliders.lo, self.sliders.hi))
        for updates in (self.point_updates, self.map_updates, self.traversal_updates):
            updates.push(self.sliders.point())

    # -------------------------------------------------------- decode z
    def _axis_moved(self, axis: int) -> None:
        self.point_updates.push(self.sliders.point())
        if axis not in self._axes:
            self.map_updates.push(True)
        if axis != self.traverse_axis.currentIndex():
            self.traversal_updates.push(True)

    @guarded
    def show_point(self, z: np.ndarray) -> None:
        """Decode code z, show it, and mark it on the map."""
        self.point_updates.cancel()
        if self.run is None:
            return
        if self.model is not None and self.model.shown is self.run:
            self.model.set_code(z)  # the code being decoded
        tick = time.perf_counter()
        image = self.run.decode(np.asarray(z, np.float32)[None])[0]
        self.decode_ms.append((time.perf_counter() - tick) * 1000)
        self.decoded_plot.set_image(image)
        a, b = self._axes
        self.map.set_marker(z[a], z[b])
        code = ", ".join(f"{value:.3g}" for value in z)
        self.z_info.setText(f"z = ({code}) · decoded in {self.decode_ms[-1]:.1f} ms")

    def decoded_image(self) -> np.ndarray | None:
        self.flush_updates()
        return self.decoded_plot.data

    def decode_at(self, a_value: float, b_value: float) -> None:
        """A click on the map: the two axes shown take the clicked code (within their ranges)."""
        if self.run is None:
            return
        a, b = self._axes
        z = self.sliders.point()
        z[a] = np.clip(a_value, self.sliders.lo[a], self.sliders.hi[a])
        z[b] = np.clip(b_value, self.sliders.lo[b], self.sliders.hi[b])
        self.sliders.set_point(z, axes=[a, b])
        self.point_updates.push(self.sliders.point())
        self.traversal_updates.push(True)  # one of the two axes is held in it

    # ------------------------------------------------------------- map
    def _map_axes_changed(self, changed: QComboBox, other: QComboBox) -> None:
        if self._syncing or changed.currentIndex() < 0:
            return
        if changed.currentIndex() == other.currentIndex():  # two different axes: the other takes the old one
            old = self._axes[0] if changed is self.axis_a else self._axes[1]
            self._syncing = True
            try:
                other.setCurrentIndex(old)
            finally:
                self._syncing = False
        self._axes = (self.axis_a.currentIndex(), self.axis_b.currentIndex())
        self.map.set_axes(axis_name(self._axes[0]), axis_name(self._axes[1]))
        self.draw_points()
        self.map_updates.push(True)
        self.point_updates.push(self.sliders.point())
        self.interp_updates.push(True)

    def grid_size(self) -> int:
        return int(self.grid_box.currentData())

    def grid_values(self) -> tuple[np.ndarray, np.ndarray]:
        """The codes of the grid's columns (axis a) and rows (axis b): each axis's slider range."""
        n = self.grid_size()
        a, b = self._axes
        lo, hi = self.sliders.lo, self.sliders.hi
        return np.linspace(lo[a], hi[a], n), np.linspace(lo[b], hi[b], n)

    @guarded
    def draw_map(self) -> None:
        """Decode the grid in one batch (the other axes at the sliders' point) and show it as one image."""
        self.map_updates.cancel()
        if self.run is None:
            return
        tick = time.perf_counter()
        values_a, values_b = self.grid_values()
        images = engine.decode_grid(self.run, self._axes, values_a, values_b, self.sliders.point())
        self.map.set_grid(images, values_a, values_b)
        self.map_ms.append((time.perf_counter() - tick) * 1000)

    def draw_points(self) -> None:
        a, b = self._axes
        name = self.colour_box.currentText()
        self.map.set_points(self.codes[:, a], self.codes[:, b], self.attributes[name], name)

    @guarded
    def colour_points(self) -> None:
        name = self.colour_box.currentText()
        if self._syncing or self.run is None or name not in self.attributes:
            return
        self.map.colour_points(self.attributes[name], name)

    # ------------------------------------------------ traversal, interpolation
    @guarded
    def draw_traversal(self) -> None:
        self.traversal_updates.cancel()
        if self.run is None or self._syncing:
            return
        axis, steps = self.traverse_axis.currentIndex(), self.traverse_steps.value()
        other = 1 if axis == 0 else 0
        held = self.sliders.point()
        values = np.linspace(self.sliders.lo[axis], self.sliders.hi[axis], steps)
        images = engine.decode_grid(self.run, (axis, other), values, held[[other]], held)[0]
        self.traversal_plot.set_image(tile(list(images), columns=steps, gap=2, fill=1.0))
        self.traversal_plot.getPlotItem().setTitle(
            f"D(z) as {axis_name(axis)} runs from {values[0]:.3g} to {values[-1]:.3g}"
        )

    def pick_end(self, index: int) -> None:
        """A click on a test input's point: it becomes the interpolation's next end (1, 2, 1, …)."""
        self.interp_box.pick_end(index)

    def describe(self, index: int) -> str:
        values = ", ".join(f"{name} {values[index]:.3g}" for name, values in self.attributes.items())
        return f"#{index} ({values})"

    @guarded
    def draw_interpolation(self) -> None:
        self.interp_updates.cancel()
        if self.run is None or self._syncing:
            return
        first, second = self.interp_box.ends()
        start, end = self.codes[first], self.codes[second]
        images = engine.interpolate(self.run, start, end, self.interp_steps.value())
        self.interp_box.show(images, self.describe(first), self.describe(second))
        a, b = self._axes
        self.map.set_path((start[a], start[b]), (end[a], end[b]))

    # ------------------------------------------------------------ read-out
    @guarded
    def show_readout(self) -> None:
        self.readout_timer.stop()
        if self.run is None:
            return
        self.readout_box.show_readout(engine.attribute_readout(self.run), self.run.info.get("snapshot_epoch"))

    # -------------------------------------------------------------- misc
    def _updates(self) -> tuple[Coalescer, ...]:
        return (self.point_updates, self.map_updates, self.traversal_updates, self.interp_updates)

    def _cancel_updates(self) -> None:
        for updates in self._updates():
            updates.cancel()
        self.readout_timer.stop()

    def update_pending(self) -> bool:
        return any(updates.pending for updates in self._updates()) or self.readout_timer.isActive()

    def flush_updates(self) -> None:
        for updates in self._updates():
            updates.flush()
        if self.readout_timer.isActive():
            self.show_readout()

    def plots(self) -> dict[str, QWidget]:
        return {
            "code-decoded": self.decoded_plot,
            "map": self.map,
            "traversal": self.traversal_plot,
            "code-interpolation": self.interp_plot,
            "readout": self.readout.heatmap,
        }
