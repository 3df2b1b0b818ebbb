"""The run browser: every column readable in the dock, full texts in tooltips, and the highlight
on the run that is open."""

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from geoae_gui.widgets.run_browser import COLUMNS


def test_every_column_fits_the_dock_and_tooltips_hold_the_whole_text(make_window, runs_folder):
    window = make_window(runs_folder)
    tree = window.browser.tree
    header = tree.header()
    assert sum(header.sectionSize(c) for c in range(len(COLUMNS))) <= tree.viewport().width()
    assert all(header.sectionSize(c) >= header.minimumSectionSize() for c in range(len(COLUMNS)))
    item = window.browser.item(runs_folder / "pos-dec")
    assert item.toolTip(0) == str(runs_folder / "pos-dec")
    assert item.toolTip(COLUMNS.index("kind")) == item.text(COLUMNS.index("kind")) == "position-decoder"


def test_a_right_click_leaves_the_highlight_on_the_open_run(make_window, runs_folder):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    browser = window.browser
    other = browser.item(runs_folder / "pos-enc")
    QTimer.singleShot(200, lambda: QApplication.activePopupWidget().close())  # the menu opens, is dismissed
    position = browser.tree.visualItemRect(other).center()
    browser.tree.setCurrentItem(other)  # what the press under the mouse does
    browser._context_menu(position)
    current = browser.tree.currentItem()
    assert Path(current.data(0, Qt.ItemDataRole.UserRole)) == runs_folder / "disk"
    assert current.font(0).bold()
