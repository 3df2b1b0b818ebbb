"""The training loss's log axis is labelled whatever the range of the losses."""

import numpy as np
import pyqtgraph as pg

from geoae_gui.widgets.plots import LogAxis


def labelled_ticks(axis: pg.AxisItem, low: float, high: float) -> list[str]:
    levels = axis.tickValues(np.log10(low), np.log10(high), 400)
    values = [v for _spacing, level in levels for v in level]
    return axis.tickStrings(values, 1.0, 1.0)


def test_a_loss_within_one_decade_gets_readable_labels(qtbot):
    axis = LogAxis("left")
    axis.setLogMode(False, True)
    labels = labelled_ticks(axis, 230.9, 258.1)  # the end of a short training
    plain = pg.AxisItem("left")
    plain.setLogMode(False, True)
    assert labelled_ticks(plain, 230.9, 258.1) == []  # pyqtgraph's own: not one label
    assert len(labels) >= 3
    assert all(230.9 <= float(text) <= 258.1 for text in labels)


def test_a_loss_over_decades_keeps_the_powers_of_ten(qtbot):
    axis = LogAxis("left")
    axis.setLogMode(False, True)
    labels = labelled_ticks(axis, 0.5, 2e4)
    assert {"1", "10", "100", "1000", "1e+04"} <= set(labels)
