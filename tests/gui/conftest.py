"""pytest-qt fixtures for the explorer: offscreen Qt, isolated settings, tiny trained runs."""

import gc
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from pathlib import Path

import pytest

from geoae_core import train


@pytest.fixture(autouse=True, scope="session")
def collect_on_gui_thread(qapp):
    """As in the app: Python's cyclic collector runs on the GUI thread only, for every widget the
    tests build (windows install it too; panels built alone need it as well)."""
    from geoae_gui.collector import keep_collection_on_gui_thread

    keep_collection_on_gui_thread()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Each test gets its own settings file, never the user's."""
    monkeypatch.setenv("GEOAE_GUI_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture(scope="session")
def runs_folder(tmp_path_factory) -> Path:
    """One folder of small trained runs shared by the tests: a no-bias disk run (trained enough
    that its decoded disk grows along the code), a position encoder and a position decoder."""
    import torch

    folder = tmp_path_factory.mktemp("runs")
    # single-threaded, as the explorer runs engine calls: far faster for these small networks on
    # a busy machine, where OpenMP threads wait for each other on every operation
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    common = {"device": "cpu", "seed": 1}
    train("disks-nobias", out=folder / "disk", size=32, n_train=300, epochs=40, lr=0.01, **common)
    train("disks-hole", out=folder / "disk-hole", size=32, n_train=300, epochs=5, holes=[[5.0, 9.0]], **common)
    train("position-encoder", out=folder / "pos-enc", size=16, epochs=60, **common)
    train("position-decoder", out=folder / "pos-dec", size=16, n_train=300, epochs=10, **common)
    torch.set_num_threads(threads)
    return folder


@pytest.fixture
def make_window(qtbot):
    """Build main windows on a runs folder; each is closed (and its training stopped) at the end."""
    from geoae_gui.window import MainWindow

    windows = []

    def factory(folder: Path, persist: bool = False, examples_when_empty: bool = False) -> MainWindow:
        window = MainWindow(runs_folder=folder, persist=persist, examples_when_empty=examples_when_empty)
        qtbot.addWidget(window)
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        # The app builds one window and its collector freezes it at the first tick; here every
        # test builds its own: move its 100,000 new objects out of the young generations now,
        # or the first collections during the test scan them all (~100 ms on the GUI thread)
        gc.collect(1)
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.train_panel.unsaved = None  # closing would ask first, in a modal dialog nobody answers
        window.train_panel.shutdown(timeout=20)
        window.close()
    windows.clear()
    gc.collect()  # this test's windows go now, on this thread, not in the middle of the next test


@pytest.fixture(scope="session")
def codes_folder(tmp_path_factory) -> Path:
    """Tiny runs for the Latent explorer's codes view, 16 x 16 and trained for seconds: disk runs
    `d3` (a code of size 3) and `d1` (a scalar code), and `xy`, disks-xy (r, cx, cy; d = 3)."""
    import torch

    folder = tmp_path_factory.mktemp("codes-runs")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    common = {"size": 16, "n_train": 300, "lr": 0.01, "device": "cpu", "seed": 1}
    train("disks", out=folder / "d3", code_size=3, epochs=15, **common)
    train("disks", out=folder / "d1", epochs=5, **common)
    small_xy = {"r_min": 1.0, "r_max": 3.0, "cx_range": [-3.0, 3.0], "cy_range": [-3.0, 3.0], "encoder_depths": None}
    train("disks-xy", out=folder / "xy", epochs=10, **small_xy, **common)
    torch.set_num_threads(threads)
    return folder
