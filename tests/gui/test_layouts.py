"""Every panel usable at 1400x900, 1280x720 and 1000x640: the window takes the size asked, the
run browser keeps its names readable, every plot keeps its title and axis labels inside itself
and inside the window, with room for its data; lists scroll; legends off the data; the
experiment's result figure opens full size."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPixmap

from geoae_gui.widgets.figure_view import FigureDialog
from geoae_gui.window import RUNS_DOCK_MIN_WIDTH, wait_idle

SIZES = [(1400, 900), (1280, 720), (1000, 640)]
MIN_PLOT_HEIGHT = 120


def settle(qtbot, window):
    wait_idle()
    window.current_panel().ensure_current()
    wait_idle()
    qtbot.wait(30)


def plot_items(widget):
    if isinstance(widget, pg.PlotWidget):
        return [widget.getPlotItem()]
    return [item for item in widget.ci.items if isinstance(item, pg.PlotItem)]


def texts_of(item):
    """The title and the shown axis labels of a PlotItem, as (what, scene rect)."""
    shown = []
    if item.titleLabel.isVisible() and item.titleLabel.text.strip():
        shown.append(("title", item.titleLabel.item.sceneBoundingRect()))
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        if axis.isVisible() and axis.label is not None and axis.label.isVisible() and axis.labelText:
            shown.append((f"{side} label", axis.label.sceneBoundingRect()))
    return shown


def cut_by_parents(widget, window) -> bool:
    """Whether some widget between `widget` and `window` hides part of it (a scroll area, a box
    smaller than its child)."""
    rect = QRect(widget.rect())
    child = widget
    while child is not window and child.parentWidget() is not None:
        rect = QRect(child.mapToParent(rect.topLeft()), rect.size())
        child = child.parentWidget()
        if not child.rect().contains(rect):
            return True
    return False


def check_plots(window, panel):
    window_rect = window.rect()
    views = [w for w in panel.findChildren(pg.GraphicsView) if w.isVisible()]
    assert views, panel.name
    for view in views:
        where = f"{panel.name}: {type(view).__name__}"
        top_left = view.mapTo(window, view.rect().topLeft())
        assert window_rect.contains(QRect(top_left, view.size())), where  # inside the window
        assert not cut_by_parents(view, window), where
        if isinstance(view, pg.PlotWidget) and not view.getPlotItem().getAxis("left").isVisible():
            continue  # an image: its size follows its aspect
        if isinstance(view, pg.PlotWidget):
            assert view.height() >= MIN_PLOT_HEIGHT, (where, view.height())
        seen = QRectF(view.mapToScene(view.viewport().rect()).boundingRect()).adjusted(-1, -1, 1, 1)
        for item in plot_items(view):
            for what, rect in texts_of(item):
                rect = rect.adjusted(4, 4, -4, -4)  # a text item's document margin is blank
                assert seen.contains(rect), (where, item.titleLabel.text, what, rect, seen)


def check_legends(panel):
    """A legend inside its plot covers none of the plot's data points."""
    for view in panel.findChildren(pg.PlotWidget):
        item = view.getPlotItem()
        legend = item.legend
        if not view.isVisible() or legend is None or not legend.isVisible() or not legend.items:
            continue
        if legend.parentItem() is not item.getViewBox():
            continue  # a legend with a place of its own in the layout (outside the data)
        rect = legend.sceneBoundingRect()
        for data in item.listDataItems():
            x, y = data.getData()
            if x is None or len(x) == 0:
                continue
            step = max(1, len(x) // 400)
            for px, py in zip(x[::step], y[::step]):
                if np.isfinite(px) and np.isfinite(py):
                    point = item.getViewBox().mapViewToScene(QPointF(float(px), float(py)))
                    assert not rect.contains(point), (panel.name, view.getPlotItem().titleLabel.text, px, py)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_panel_fits(make_window, runs_folder, qtbot, size):
    window = make_window(runs_folder)
    window.resize(*size)
    window.set_run(runs_folder / "disk")
    qtbot.wait(30)
    assert (window.width(), window.height()) == size  # no panel forces a larger window
    assert window.runs_dock.width() >= RUNS_DOCK_MIN_WIDTH
    header = window.browser.findChild(pg.QtWidgets.QTreeView) or window.browser.findChild(pg.QtWidgets.QTableView)
    if header is not None:  # the browser's columns (epochs, status) visible
        columns = header.model().columnCount()
        last = header.header().sectionViewportPosition(columns - 1) + header.header().sectionSize(columns - 1)
        assert last <= header.viewport().width() + 2
    for name in window.panels:
        panel = window.show_panel(name)
        settle(qtbot, window)
        check_plots(window, panel)
        check_legends(panel)
    experiments = window.experiments_panel
    ids = experiments.id_list
    rows = ids.viewport().height() // max(ids.sizeHintForRow(0), 1)
    assert rows >= 8 or ids.verticalScrollBar().maximum() > 0
    assert rows >= 5


@pytest.mark.parametrize("run", ["pos-dec", "pos-enc"])
def test_position_runs_fit_the_small_window(make_window, runs_folder, qtbot, run):
    window = make_window(runs_folder)
    window.resize(1000, 640)
    window.set_run(runs_folder / run)
    for name in ("position", "filters", "latent"):
        panel = window.show_panel(name)
        settle(qtbot, window)
        check_plots(window, panel)
        check_legends(panel)


def test_the_first_launch_guide_keeps_the_small_window_small(make_window, runs_folder, qtbot):
    """The guide above the panels (first launch) pushed a 1000x640 window to 692 px, cutting the
    panels' bottom: in a short window it keeps its buttons only (their texts in tooltips)."""
    window = make_window(runs_folder)
    window.resize(1000, 640)
    window.guide.show()
    window.set_run(runs_folder / "disk")
    for name in ("latent", "profile", "position"):
        panel = window.show_panel(name)
        settle(qtbot, window)
        assert (window.width(), window.height()) == (1000, 640)
        check_plots(window, panel)
    assert all(not text.isVisible() for text in window.guide.texts.values())
    assert all(button.toolTip() for button in window.guide.buttons.values())
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: all(text.isVisible() for text in window.guide.texts.values()))


def test_long_titles_are_elided_not_cut(qtbot):
    from geoae_gui.widgets.plots import make_plot

    plot = make_plot("a very long title that cannot fit in a small plot at all, however hard it tries", "x", "y")
    qtbot.addWidget(plot)
    plot.resize(200, 150)
    plot.show()
    qtbot.waitExposed(plot)
    label = plot.getPlotItem().titleLabel
    assert label.text.endswith("…") and label.toolTip().startswith("a very long title")
    seen = QRectF(plot.mapToScene(plot.viewport().rect()).boundingRect())
    assert seen.adjusted(-1, -1, 1, 1).contains(label.item.sceneBoundingRect())
    plot.resize(900, 300)
    qtbot.wait(20)
    assert label.text == label.fitted.full_text  # whole again when there is room


def test_result_figure_opens_full_size(make_window, runs_folder, qtbot, tmp_path):
    window = make_window(runs_folder)
    panel = window.show_panel("experiments")
    picture = QPixmap(1200, 900)
    picture.fill(QColor("white"))
    figure = tmp_path / "fig2.png"
    picture.save(str(figure))
    panel.set_results([{"id": "fig2", "figure": figure, "verdict": "ok", "passed": "reproduced"}])
    view = panel.figure_view
    assert view.open_button.isEnabled()
    assert panel.figure.pixmap().width() < 1200  # a thumbnail in the panel
    qtbot.mouseClick(panel.figure, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, FigureDialog) and dialog.isVisible()
    assert dialog.pixmap.size() == picture.size()
    dialog.actual_box.setChecked(True)
    assert dialog.scroll.isVisible() and dialog.actual.pixmap().size() == picture.size()
    dialog.close()
    view.open_button.click()
    assert view.dialog is not dialog and view.dialog.isVisible()
    view.dialog.close()
