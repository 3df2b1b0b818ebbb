"""Python's cyclic collector never runs on a worker thread of a process that shows widgets.

A collection on the training thread destroys the Qt objects of unreachable cycles there (a menu
of an earlier window, say), and the two threads deadlock: a frozen window, a CI run that never
ends. The app disables automatic collection and collects from a timer on the GUI thread.
"""

import gc
import threading

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from test_train_panel import fill_form  # (tests/gui is on sys.path: pytest's prepend import mode)


def qt_garbage(count: int) -> None:
    """Unreachable cycles holding Qt objects, as closed windows and their menus leave behind."""
    for _ in range(count):
        menu = QMenu()
        action = QAction("item", menu)
        menu.addAction(action)
        menu.cycle = menu  # only the cyclic collector can free it
        action.cycle = menu


def test_collections_run_on_the_gui_thread_only_while_training(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    collecting_threads: set[str] = set()

    def note_thread(phase, info):
        if phase == "start":
            collecting_threads.add(threading.current_thread().name)

    threshold = gc.get_threshold()
    gc.set_threshold(5, 2, 2)  # with automatic collection on, the training thread collects constantly
    gc.callbacks.append(note_thread)
    try:
        fill_form(window, "collected", epochs=6, batch_size=60)
        panel = window.train_panel
        with qtbot.waitSignal(panel.worker.finished, timeout=120_000):
            panel.start_button.click()
            for _ in range(40):
                qt_garbage(10)
                qtbot.wait(25)
    finally:
        gc.callbacks.remove(note_thread)
        gc.set_threshold(*threshold)
    assert panel.worker.join(10)
    assert collecting_threads == {threading.main_thread().name}  # collections happened, all on the GUI thread
    assert len(panel.losses) == 6
