"""Position: the hand-crafted [1, 2, 1] network on every one-hot vector (Table 2), kernel editable;
and a trained position decoder's output for a z slider (figure 10), at the epoch the explorer
shows (the epoch slider), its z the explorer model's code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from geoae_core.data import triangle_diracs
from geoae_core.evaluate import peak_positions
from geoae_core.runs import Run
from geoae_core.theory import handcrafted_table

from ..model import Explorer
from ..widgets.live import Coalescer, SteadyRange, ValueLabel, keep_axes_static
from ..widgets.plots import FORMATS, make_plot, pen
from .base import Panel, guarded

SIZES = [2, 4, 8, 16, 32, 64]
SLIDER_STEPS = 1000
POSITION_PLOT_HEIGHT = 140


def number(value: float) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


class PositionPanel(Panel):
    name = "position"
    title = "Position"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # --- the hand-crafted network
        hand = QGroupBox("Hand-crafted encoder: filter, stride 2, no bias, no non-linearity (Table 2)")
        hand_layout = QVBoxLayout(hand)
        controls = QHBoxLayout()
        self.n_box = QComboBox()
        self.n_box.addItems([str(n) for n in SIZES])
        self.n_box.setCurrentText("8")
        controls.addWidget(QLabel("n"))
        controls.addWidget(self.n_box)
        controls.addSpacing(16)
        controls.addWidget(QLabel("kernel"))
        self.kernel_spins = []
        for value in (1.0, 2.0, 1.0):
            spin = QDoubleSpinBox()
            spin.setRange(-100, 100)
            spin.setDecimals(3)
            spin.setSingleStep(0.5)
            spin.setValue(value)
            spin.setKeyboardTracking(False)
            self.kernel_spins.append(spin)
            controls.addWidget(spin)
        self.reset_button = QPushButton("[1, 2, 1]")
        self.reset_button.setToolTip("Back to the filter of Proposition 3")
        controls.addWidget(self.reset_button)
        controls.addStretch(1)
        self.verdict = ValueLabel(lines=2)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._headers: list[str] = []
        self.hand_plot = make_plot("Network output against the Dirac's position", "position a", "output")
        self.hand_curve = self.hand_plot.plot([], [], pen=pen(0), symbol="o", symbolSize=6, name="output")
        self.hand_range = SteadyRange(self.hand_plot)
        keep_axes_static(self.hand_plot)
        hand_layout.addLayout(controls)
        hand_layout.addWidget(self.verdict)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addWidget(self.hand_plot, 2)
        hand_layout.addLayout(body, 1)

        # --- a trained position decoder
        dec = QGroupBox("Trained position decoder: output for a code z (figure 10)")
        dec_layout = QGridLayout(dec)
        self.z_slider = QSlider(Qt.Orientation.Horizontal)
        self.z_slider.setRange(0, SLIDER_STEPS)
        self.z_spin = QDoubleSpinBox()
        self.z_spin.setDecimals(3)
        self.z_spin.setKeyboardTracking(False)
        self.dec_info = ValueLabel("Pick a position-decoder run in the run browser.")
        self.dec_plot = make_plot("Decoded signal D(z)", "t", "value", legend=True)
        # thin pens on the curves that follow the slider: Qt strokes wider antialiased pens slowly
        self.dec_curve = self.dec_plot.plot([], [], pen=pen(0, 1.0), symbol="o", symbolSize=4, name="decoded D(z)")
        self.target_curve = self.dec_plot.plot([], [], pen=pen(1, 1.0, Qt.PenStyle.DashLine), name="triangle at z")
        self.dec_range = SteadyRange(self.dec_plot)
        keep_axes_static(self.dec_plot)
        row = QHBoxLayout()
        row.addWidget(QLabel("z"))
        row.addWidget(self.z_slider, 1)
        row.addWidget(self.z_spin)
        dec_layout.addLayout(row, 0, 0)
        dec_layout.addWidget(self.dec_info, 1, 0)
        dec_layout.addWidget(self.dec_plot, 2, 0)

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        # the two halves alike: at 1000 x 640 each plot keeps about 150 px of height
        self.dec_plot.setMinimumHeight(POSITION_PLOT_HEIGHT)
        self.hand_plot.setMinimumHeight(POSITION_PLOT_HEIGHT)
        self.table.setMinimumHeight(POSITION_PLOT_HEIGHT)
        layout.addWidget(hand, 1)
        layout.addWidget(dec, 1)
        self._syncing = False

        # kernel edits and z moves come faster than frames: one update per frame, the last value wins
        self.table_updates = Coalescer(lambda _value: self.update_table(), self, [self.hand_plot])
        self.z_updates = Coalescer(self.set_z, self, [self.dec_plot])
        self.n_box.currentTextChanged.connect(self.table_updates.push)
        for spin in self.kernel_spins:
            spin.valueChanged.connect(self.table_updates.push)
        self.reset_button.clicked.connect(self.reset_kernel)
        self.z_slider.valueChanged.connect(self._slider_moved)
        self.z_spin.valueChanged.connect(self._spin_changed)
        self.update_table()
        self._enable_decoder(False)

    # ----------------------------------------------------------- Table 2
    def kernel(self) -> tuple[float, float, float]:
        return tuple(spin.value() for spin in self.kernel_spins)

    def reset_kernel(self) -> None:
        for spin, value in zip(self.kernel_spins, (1.0, 2.0, 1.0)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.update_table()

    @guarded
    def update_table(self) -> None:
        self.table_updates.cancel()
        n = int(self.n_box.currentText())
        rows = handcrafted_table(n, self.kernel())
        n_layers = len(rows[0]["layers"])
        headers = ["a", "input (one-hot)"] + [f"layer {i + 1}" for i in range(n_layers)]
        self._shape_table(headers, len(rows))
        outputs = []
        for r, row in enumerate(rows):
            a = row["position"]
            cells = [str(a), "".join("1" if i == a else "0" for i in range(n)) if n <= 16 else f"e_{a}"]
            cells += [
                "[" + ", ".join(number(v) for v in layer) + "]" if len(layer) > 1 else number(layer[0])
                for layer in row["layers"]
            ]
            for c, text in enumerate(cells):
                self._set_cell(r, c, text)
            outputs.append(float(row["layers"][-1][0]))
        self._widen_columns()
        distinct = len(set(outputs))
        if distinct == n:
            text = f"All {n} positions give distinct outputs: the network encodes the position."
            colour = "#2ca02c"
        else:
            text = f"Only {distinct} distinct outputs for {n} positions: some positions can no longer be told apart."
            colour = "#d62728"
        last = self.table.columnCount() - 1
        for r, value in enumerate(outputs):
            clash = outputs.count(value) > 1
            self.table.item(r, last).setBackground(QBrush(QColor("#fde2e1")) if clash else QBrush())
        if tuple(self.kernel()) == (1.0, 2.0, 1.0):
            text += f" With [1, 2, 1] the output is {n} − a (Proposition 3)."
        self.verdict.setText(text, colour)
        self.hand_curve.setData(np.arange(n), np.asarray(outputs))
        self.hand_range.fit(np.arange(n), np.asarray(outputs))
        self.outputs = outputs

    def _shape_table(self, headers: list[str], n_rows: int) -> None:
        """Resize the table only when n changes: a kernel edit rewrites the cells' text in place."""
        if self.table.rowCount() == n_rows and self._headers == headers:
            return
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(n_rows)
        self.table.setHorizontalHeaderLabels(headers)
        self._headers = headers
        self.hand_range.reset()

    def _widen_columns(self) -> None:
        """Widen a column its new text no longer fits; never narrow one while the kernel is edited
        (a column that changes width at every step repaints the table twice a step)."""
        header = self.table.horizontalHeader()
        for column in range(self.table.columnCount() - 1):  # the last one stretches
            width = max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            if width > header.sectionSize(column):
                header.resizeSection(column, width)

    def _set_cell(self, row: int, column: int, text: str) -> None:
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, column, item)
        else:
            item.setText(text)  # a no-op, and no repaint, when the text is the same

    # ------------------------------------------------------ position decoder
    @property
    def decoder(self) -> Run | None:
        """The run the model hands this panel, if it decodes a position (else None)."""
        run = self.run
        return run if run is not None and "position_decoder" in run.kind.views(run.config) else None

    def bind(self, model: Explorer) -> None:
        super().bind(model)
        model.on("code", self._code_changed)

    def refresh(self) -> None:
        decoder = self.decoder
        if decoder is None:
            self._enable_decoder(False)
            self.dec_curve.setData([], [])
            self.target_curve.setData([], [])
            self.dec_info.setText("Pick a position-decoder run in the run browser (e.g. the position-decoder preset).")
            return
        n = decoder.config.size
        self._enable_decoder(True)
        self._syncing = True
        self.z_spin.setRange(0, n - 1)
        self._syncing = False
        self.z_updates.cancel()
        self.dec_range.reset()
        code = self.model.code if self.model is not None else None
        # another epoch of the same run keeps its code: the same z, decoded by these weights
        self.set_z(float(code[0]) if code is not None and code.shape == (1,) else n / 3)

    def _code_changed(self, code: np.ndarray | None) -> None:
        """The model's code moved (not by this panel): decode it here too."""
        if code is not None and code.shape == (1,) and self.decoder is not None and code[0] != self.z_spin.value():
            self.z_updates.push(float(code[0]))

    def _slider_moved(self, value: int) -> None:
        if not self._syncing and self.decoder is not None:
            self.z_updates.push((self.decoder.config.size - 1) * value / SLIDER_STEPS)

    def _spin_changed(self, z: float) -> None:
        if not self._syncing:
            self.z_updates.push(z)

    @guarded
    def set_z(self, z: float) -> None:
        self.z_updates.cancel()
        decoder = self.decoder
        if decoder is None:
            return
        n = decoder.config.size
        self._syncing = True
        try:
            self.z_spin.setValue(z)
            self.z_slider.setValue(round(z / (n - 1) * SLIDER_STEPS))
        finally:
            self._syncing = False
        if self.model is not None and self.model.shown is decoder:
            self.model.set_code([z])  # the code being decoded
        signal = decoder.decode(np.array([[z]], np.float32))
        target = triangle_diracs(np.array([z]), n)[0]
        self.dec_curve.setData(np.arange(n), signal[0])
        self.target_curve.setData(np.arange(n), target)
        self.dec_range.fit(np.arange(n), np.concatenate([signal[0], target]))
        peak = peak_positions(signal)[0]
        name = decoder.path.name if decoder.path else "decoder"
        epoch = decoder.info.get("snapshot_epoch")
        name += "" if epoch is None else f" at epoch {epoch}"
        self.dec_info.setText(f"{name}: z = {z:.3f} → peak at t = {peak:g} (error {abs(peak - z):.2f})")

    def _enable_decoder(self, on: bool) -> None:
        self.z_slider.setEnabled(on)
        self.z_spin.setEnabled(on)

    def update_pending(self) -> bool:
        return self.table_updates.pending or self.z_updates.pending

    def flush_updates(self) -> None:
        """Show now what the controls asked for and the next frame would have shown."""
        self.table_updates.flush()
        self.z_updates.flush()

    def export(self, folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
        self.flush_updates()
        return super().export(folder, formats)

    def plots(self) -> dict[str, QWidget]:
        return {"handcrafted_output": self.hand_plot, "decoder_output": self.dec_plot}

    def plots_about_run(self) -> dict[str, QWidget]:
        """The trained decoder's output; Table 2's hand-made kernel is about no run."""
        return {"decoder_output": self.dec_plot}
