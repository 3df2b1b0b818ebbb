"""Position: the hand-crafted [1, 2, 1] network on every one-hot vector (Table 2), kernel editable;
and a trained position decoder's output for a z slider (figure 10)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
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

from ..widgets.plots import make_plot, pen
from .base import Panel, guarded

SIZES = [2, 4, 8, 16, 32, 64]
SLIDER_STEPS = 1000


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
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.hand_plot = make_plot("Network output against the Dirac's position", "position a", "output")
        self.hand_curve = self.hand_plot.plot([], [], pen=pen(0), symbol="o", symbolSize=6, name="output")
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
        self.dec_info = QLabel("Pick a position-decoder run in the run browser.")
        self.dec_info.setWordWrap(True)
        self.dec_plot = make_plot("Decoded signal D(z)", "t", "value", legend=True)
        self.dec_curve = self.dec_plot.plot([], [], pen=pen(0), symbol="o", symbolSize=4, name="decoded D(z)")
        self.target_curve = self.dec_plot.plot([], [], pen=pen(1, 1.5, Qt.PenStyle.DashLine), name="triangle at z")
        row = QHBoxLayout()
        row.addWidget(QLabel("z"))
        row.addWidget(self.z_slider, 1)
        row.addWidget(self.z_spin)
        dec_layout.addLayout(row, 0, 0)
        dec_layout.addWidget(self.dec_info, 1, 0)
        dec_layout.addWidget(self.dec_plot, 2, 0)

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hand, 3)
        layout.addWidget(dec, 2)
        self.decoder: Run | None = None
        self._syncing = False

        self.n_box.currentTextChanged.connect(lambda _t: self.update_table())
        for spin in self.kernel_spins:
            spin.valueChanged.connect(lambda _v: self.update_table())
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
        n = int(self.n_box.currentText())
        rows = handcrafted_table(n, self.kernel())
        n_layers = len(rows[0]["layers"])
        headers = ["a", "input (one-hot)"] + [f"layer {i + 1}" for i in range(n_layers)]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(headers)
        outputs = []
        for r, row in enumerate(rows):
            a = row["position"]
            cells = [str(a), "".join("1" if i == a else "0" for i in range(n)) if n <= 16 else f"e_{a}"]
            cells += [
                "[" + ", ".join(number(v) for v in layer) + "]" if len(layer) > 1 else number(layer[0])
                for layer in row["layers"]
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
            outputs.append(float(row["layers"][-1][0]))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        distinct = len(set(outputs))
        if distinct == n:
            text = f"All {n} positions give distinct outputs: the network encodes the position."
            colour = "#2ca02c"
        else:
            text = f"Only {distinct} distinct outputs for {n} positions: some positions can no longer be told apart."
            colour = "#d62728"
            for r, value in enumerate(outputs):
                if outputs.count(value) > 1:
                    self.table.item(r, self.table.columnCount() - 1).setBackground(QColor("#fde2e1"))
        if tuple(self.kernel()) == (1.0, 2.0, 1.0):
            text += f" With [1, 2, 1] the output is {n} − a (Proposition 3)."
        self.verdict.setText(f"<span style='color:{colour}'>{text}</span>")
        self.hand_curve.setData(np.arange(n), np.asarray(outputs))
        self.outputs = outputs

    # ------------------------------------------------------ position decoder
    def refresh(self) -> None:
        run = self.run
        if run is not None and run.config.kind == "position-decoder":
            self.decoder = run
        if self.decoder is None:
            self._enable_decoder(False)
            self.dec_curve.setData([], [])
            self.target_curve.setData([], [])
            self.dec_info.setText("Pick a position-decoder run in the run browser (e.g. the position-decoder preset).")
            return
        n = self.decoder.config.size
        self._enable_decoder(True)
        self._syncing = True
        self.z_spin.setRange(0, n - 1)
        self._syncing = False
        self.set_z(n / 3)

    def _slider_moved(self, value: int) -> None:
        if not self._syncing and self.decoder is not None:
            self.set_z((self.decoder.config.size - 1) * value / SLIDER_STEPS)

    def _spin_changed(self, z: float) -> None:
        if not self._syncing:
            self.set_z(z)

    @guarded
    def set_z(self, z: float) -> None:
        if self.decoder is None:
            return
        n = self.decoder.config.size
        self._syncing = True
        try:
            self.z_spin.setValue(z)
            self.z_slider.setValue(round(z / (n - 1) * SLIDER_STEPS))
        finally:
            self._syncing = False
        signal = self.decoder.decode(np.array([[z]], np.float32))
        self.dec_curve.setData(np.arange(n), signal[0])
        self.target_curve.setData(np.arange(n), triangle_diracs(np.array([z]), n)[0])
        peak = peak_positions(signal)[0]
        name = self.decoder.path.name if self.decoder.path else "decoder"
        self.dec_info.setText(f"{name}: z = {z:.3f} → peak at t = {peak:g} (error {abs(peak - z):.2f})")

    def _enable_decoder(self, on: bool) -> None:
        self.z_slider.setEnabled(on)
        self.z_spin.setEnabled(on)

    def plots(self) -> dict[str, QWidget]:
        return {"handcrafted_output": self.hand_plot, "decoder_output": self.dec_plot}
