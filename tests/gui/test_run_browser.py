"""The run browser: every column readable in the dock, full names in tooltips, the highlight on
the run that is open, and a folder watched live: runs written by another writer appear, and their
status, epochs and loss follow their files, without a Refresh."""

import json
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from geoae_core.files import atomic_write_text, hold, write_status
from geoae_gui.model import Explorer
from geoae_gui.widgets import run_browser, run_watch
from geoae_gui.widgets.run_browser import COLUMNS, RunBrowser
from geoae_gui.widgets.run_watch import read_summary

STATUS, EPOCHS, LOSS = COLUMNS.index("status"), COLUMNS.index("epochs"), COLUMNS.index("loss")
LONG = "disks-nobias-size64-lr0.003-epochs400-batch300-seed2-psi3"


def write_run(folder: Path, status="running", done=0, epochs=40, losses=()) -> None:
    """The files `geoae train` writes, each replaced atomically: run.json first, then config.json."""
    folder.mkdir(parents=True, exist_ok=True)
    write_status(folder, {"status": status, "epochs_done": done, "epochs": epochs})
    rows = "".join(f"{i + 1},{loss!r},0.1\n" for i, loss in enumerate(losses))
    atomic_write_text(folder / "history.csv", "epoch,loss,seconds\n" + rows)
    if not (folder / "config.json").is_file():
        atomic_write_text(folder / "config.json", json.dumps({"kind": "disks", "epochs": epochs}))


@pytest.fixture
def make_browser(qtbot):
    def factory(folder: Path, width: int = 700) -> RunBrowser:
        browser = RunBrowser(Explorer(folder))
        qtbot.addWidget(browser)
        browser.resize(width, 400)
        browser.show()
        qtbot.waitExposed(browser)
        return browser

    return factory


def cells(browser, path):
    item = browser.item(path)
    return (None, None, None) if item is None else (item.text(STATUS), item.text(EPOCHS), item.text(LOSS))


def test_every_column_fits_the_dock_and_tooltips_hold_the_whole_text(make_window, runs_folder):
    window = make_window(runs_folder)
    tree = window.browser.tree
    header = tree.header()
    assert sum(header.sectionSize(c) for c in range(len(COLUMNS))) <= tree.viewport().width()
    shown = [c for c in range(len(COLUMNS)) if not header.isSectionHidden(c)]
    assert {0, EPOCHS, STATUS} <= set(shown)
    assert all(header.sectionSize(c) >= header.minimumSectionSize() for c in shown)
    item = window.browser.item(runs_folder / "pos-dec")
    assert item.toolTip(0) == f"pos-dec\n{runs_folder / 'pos-dec'}\nposition-decoder"
    assert item.toolTip(COLUMNS.index("kind")) == item.text(COLUMNS.index("kind")) == "position-decoder"
    assert item.text(STATUS) == "finished" and item.text(EPOCHS) == "10/10" and float(item.text(LOSS)) > 0


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


def test_a_run_written_elsewhere_appears_and_follows_its_files_without_refresh(make_browser, tmp_path, qtbot):
    folder = tmp_path / "runs"  # not there yet: it appears with the first run
    browser = make_browser(folder)
    assert browser.names() == []
    out = folder / "cli-run"
    with hold(out):  # the writer's lock, as `geoae train` holds it
        write_run(out)
        qtbot.waitUntil(lambda: cells(browser, out) == ("training", "0/40", ""), timeout=5000)
        write_run(out, done=4, losses=[0.5, 0.25, 0.125, 0.0625])
        qtbot.waitUntil(lambda: cells(browser, out) == ("training", "4/40", "0.0625"), timeout=5000)
        (out / "snapshots").mkdir()  # between checkpoints only the snapshots tell the epoch
        for epoch in (5, 6, 7):
            (out / "snapshots" / f"epoch-{epoch:06d}.safetensors").write_bytes(b"")
        qtbot.waitUntil(lambda: cells(browser, out) == ("training", "7/40", "0.0625"), timeout=5000)
        assert "epoch 4" in browser.item(out).toolTip(LOSS)
        write_run(out, status="finished", done=40, losses=[0.5] * 39 + [0.01])
    qtbot.waitUntil(lambda: cells(browser, out) == ("finished", "40/40", "0.01"), timeout=5000)
    other = folder / "second"
    with hold(other):
        write_run(other)
    # killed: run.json still says running, its lock is gone without a file event: polled
    qtbot.waitUntil(lambda: cells(browser, other) == ("running", "0/40", ""), timeout=5000)
    assert browser.names() == ["cli-run", "second"]
    shutil.rmtree(other)
    qtbot.waitUntil(lambda: browser.names() == ["cli-run"], timeout=5000)
    later = folder / "later"  # made empty, listed as a run only once its config.json is written
    later.mkdir()
    qtbot.waitUntil(lambda: str(later) in browser.watcher.watched(), timeout=5000)
    assert browser.names() == ["cli-run"]
    write_run(later, status="finished", done=40, losses=[0.5])
    qtbot.waitUntil(lambda: cells(browser, later) == ("finished", "40/40", "0.5"), timeout=5000)


def test_a_command_line_training_appears_trains_and_finishes_without_refresh(make_browser, tmp_path, qtbot):
    from test_run_folder import start_training  # tests/ is on sys.path

    folder = tmp_path / "runs"
    browser = make_browser(folder)
    out = folder / "from-the-terminal"
    process = start_training(out, epochs=60)
    try:
        qtbot.waitUntil(lambda: cells(browser, out)[0] == "training", timeout=60_000)
        assert f"pid {process.pid}" in browser.item(out).toolTip(STATUS)
        seen = set()
        browser.watcher.changed.connect(lambda *_: seen.add(cells(browser, out)[1]))
        qtbot.waitUntil(lambda: cells(browser, out)[:2] == ("finished", "60/60"), timeout=120_000)
        assert process.wait(30) == 0
    finally:
        process.kill()
        process.wait()
    assert len(seen - {"0/60", "60/60"}) >= 1  # epochs in between were shown, live
    assert float(cells(browser, out)[2]) > 0


def test_only_the_run_that_changed_is_read_again(make_browser, tmp_path, qtbot, monkeypatch):
    folder = tmp_path / "runs"
    for i in range(50):
        write_run(folder / f"run-{i:02d}", status="finished", done=40, losses=[0.1])
    browser = make_browser(folder)
    assert len(browser.names()) == 50
    read = []
    monkeypatch.setattr(
        run_browser, "read_summary", lambda path, previous=None: read.append(path) or read_summary(path, previous)
    )
    write_run(folder / "run-07", status="finished", done=40, losses=[0.1, 0.05])
    qtbot.waitUntil(lambda: browser.item(folder / "run-07").text(LOSS) == "0.05", timeout=5000)
    assert set(read) == {folder / "run-07"}


def test_a_run_being_replaced_never_shows_an_error(make_browser, tmp_path, qtbot):
    folder = tmp_path / "runs"
    out = folder / "busy"
    write_run(out)
    browser = make_browser(folder)
    seen = set()
    browser.watcher.changed.connect(lambda *_: seen.add(cells(browser, out)[0]))
    done = threading.Event()

    def writer():
        for epoch in range(1, 200):
            write_status(out, {"status": "running", "epochs_done": epoch, "epochs": 200})
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    qtbot.waitUntil(done.is_set, timeout=20_000)
    thread.join()
    qtbot.waitUntil(lambda: cells(browser, out)[1] == "199/200", timeout=5000)
    assert seen <= {"running"}
    (out / "run.json").write_text('{"status": "fin')  # a writer that does not replace, caught midway
    assert read_summary(out, browser.summaries[out])["epochs"] == "199/200"


def test_a_training_in_progress_shows_its_epoch_between_checkpoints(make_browser, tmp_path, qtbot):
    """run.json is written at checkpoints only: at epoch 21 of 30 it still says 0/30."""
    import torch

    from geoae_core.training import train

    folder = tmp_path / "runs"
    browser = make_browser(folder)
    at_21, go_on = threading.Event(), threading.Event()

    def pause_at_21(progress):
        if progress.event == "epoch" and progress.epoch == 21:
            at_21.set()
            go_on.wait(30)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    settings = {"size": 16, "n_train": 100, "epochs": 30, "device": "cpu", "checkpoint_seconds": 1000}
    thread = threading.Thread(
        target=train, args=("disks",), kwargs={"out": folder / "gui", "callbacks": [pause_at_21], **settings}
    )
    thread.start()
    try:
        qtbot.waitUntil(at_21.is_set, timeout=60_000)
        assert json.loads((folder / "gui" / "run.json").read_text())["epochs_done"] == 0
        qtbot.waitUntil(lambda: cells(browser, folder / "gui")[:2] == ("training", "21/30"), timeout=5000)
    finally:
        go_on.set()
        thread.join(60)
        torch.set_num_threads(threads)
    qtbot.waitUntil(lambda: cells(browser, folder / "gui")[:2] == ("finished", "30/30"), timeout=5000)
    assert float(cells(browser, folder / "gui")[2]) > 0


def test_long_names_whole_when_they_fit_and_status_in_view_when_narrow(make_browser, tmp_path, qtbot):
    folder = tmp_path / "runs"
    write_run(folder / LONG, status="cancelled", done=12, losses=[0.02])
    write_run(folder / "short", status="finished", done=40, losses=[0.01])
    browser = make_browser(folder, width=900)
    tree, header = browser.tree, browser.tree.header()
    item = browser.item(folder / LONG)
    assert item.toolTip(0).splitlines()[0] == LONG
    margin = tree.style().pixelMetric(tree.style().PixelMetric.PM_FocusFrameHMargin) + 1  # the delegate's

    def drawn_whole(text):  # the width a cell needs to draw `text` unelided
        return QFontMetrics(item.font(0)).horizontalAdvance(text) + 2 * margin

    needed = drawn_whole(LONG)
    assert header.sectionSize(0) >= needed  # wide enough: drawn whole, not elided
    assert not tree.horizontalScrollBar().isVisible()
    for width in (320, 240, browser.minimumSizeHint().width()):
        browser.resize(width, 400)
        qtbot.waitUntil(lambda w=width: browser.width() == w)
        QApplication.processEvents()
        viewport = tree.viewport().width()
        for column in (EPOCHS, STATUS):
            assert not header.isSectionHidden(column)
            left = header.sectionViewportPosition(column)
            assert left >= 0 and left + header.sectionSize(column) <= viewport, (width, column)
        assert header.sectionSize(0) < needed  # the name gave way, elided in its middle
    browser.resize(900, 400)
    qtbot.waitUntil(lambda: header.sectionSize(0) >= needed)  # and the columns come back as they were
    assert not any(header.isSectionHidden(c) for c in range(len(COLUMNS)))
    assert header.sectionSize(COLUMNS.index("kind")) >= drawn_whole("disks")  # back at its width


def test_a_column_resized_by_the_user_keeps_its_width(make_browser, tmp_path, qtbot):
    write_run(tmp_path / "runs" / "a", status="finished", done=40, losses=[0.01])
    browser = make_browser(tmp_path / "runs", width=700)
    header = browser.tree.header()
    edge = QPoint(header.sectionViewportPosition(STATUS) + header.sectionSize(STATUS) - 1, header.height() // 2)
    QTest.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=edge)  # the user drags its edge
    QTest.mouseMove(header.viewport(), edge + QPoint(150 - header.sectionSize(STATUS), 0))
    QTest.mouseRelease(
        header.viewport(), Qt.MouseButton.LeftButton, pos=edge + QPoint(150 - header.sectionSize(STATUS), 0)
    )
    browser.resize(650, 400)
    qtbot.waitUntil(lambda: browser.tree.viewport().width() < 660)
    assert header.sectionSize(STATUS) == 150 and header.sectionSize(0) > 150


def test_the_watcher_polls_what_it_cannot_watch(qtbot, tmp_path, monkeypatch):
    watcher = run_watch.RunsWatcher()
    monkeypatch.setattr(watcher._watcher, "addPaths", lambda paths: list(paths))  # refuses them all
    reports = []
    watcher.changed.connect(lambda listing, runs: reports.append((listing, runs)))
    watcher.set_folder(tmp_path)
    watcher.track([], set())
    (tmp_path / "new").mkdir()
    qtbot.waitUntil(lambda: any(listing for listing, _ in reports), timeout=5000)
