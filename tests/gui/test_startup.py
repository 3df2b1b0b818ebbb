"""Start-up and shut-down: a loading window that can be closed, no training machinery imported
to open a run, Profile's optimal profiles cached, a process that ends with its window."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from geoae_core import theory
from geoae_core.examples import example_runs
from geoae_core.runs import load_run
from geoae_gui.loading import Loader, load_beside, show_loading_window

ROOT = Path(__file__).resolve().parents[2]


def _slow_load() -> None:
    time.sleep(5.0)


@pytest.mark.parametrize("how", ["ctrl+q", "close button"])
def test_closing_the_loading_window_ends_the_wait_at_once(qapp, how):
    window = show_loading_window(qapp, (600, 400))
    window.activateWindow()
    if how == "ctrl+q":
        QTimer.singleShot(100, lambda: QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier))
    else:
        QTimer.singleShot(100, window.close)  # what the title bar's close button does
    started = time.perf_counter()
    assert load_beside(window, Loader(_slow_load)) is False
    assert time.perf_counter() - started < 1.0
    assert not window.isVisible()


def test_the_loading_window_waits_for_the_engine_and_reraises_its_error(qapp):
    window = show_loading_window(qapp, (600, 400))
    assert load_beside(window, Loader(lambda: time.sleep(0.2))) is True

    def broken() -> None:
        raise ImportError("no torch here")

    with pytest.raises(ImportError, match="no torch here"):
        load_beside(window, Loader(broken))
    window.replace()


def _child(code: str, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GEOAE_GUI_SETTINGS": str(tmp_path / "settings.ini"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=timeout,
    )


def test_opening_the_disks_example_needs_no_optimiser_nor_dynamo(tmp_path):
    done = _child(
        """
        import sys
        import torch
        made = []
        original = torch.optim.Optimizer.__init__
        def counting(self, *args, **kwargs):
            made.append(type(self).__name__)
            original(self, *args, **kwargs)
        torch.optim.Optimizer.__init__ = counting
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from geoae_gui.window import MainWindow
        window = MainWindow(runs_folder=None, persist=False, examples_when_empty=True)
        window.show()
        app.processEvents()
        assert window.current_panel().name == "latent" and window.latent_panel.decode_ms, "disks not decoded"
        print("optimisers", made)
        print("dynamo", sorted(m for m in sys.modules if m.startswith("torch._dynamo"))[:3])
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "optimisers []" in done.stdout
    assert "dynamo []" in done.stdout


def test_a_second_profile_with_the_same_training_set_recomputes_nothing(monkeypatch):
    from geoae_gui.panels import profile

    runs = example_runs()
    first, second = load_run(runs["disks-nobias"]), load_run(runs["disks"])
    assert first.config.radius_max == second.config.radius_max and first.config.size == second.config.size
    calls = []
    real = theory.singular_vector_profile
    monkeypatch.setattr(theory, "singular_vector_profile", lambda images: calls.append(1) or real(images))
    theory.clear_profile_caches()
    one = profile.compute(first)
    assert len(calls) == 2  # the optimal profiles' training set, and the run's own
    two = profile.compute(second)
    assert len(calls) == 2, "the optimal profiles and the training set's profile were recomputed"
    assert (one["optimal"]["singular"] == two["optimal"]["singular"]).all()
    assert one["agreement"]["singular"] == pytest.approx(two["agreement"]["singular"])
    two["optimal"]["singular"][:] = 0  # callers get copies: the cache stays whole
    assert profile.compute(second)["optimal"]["singular"].any()


def _program(runs: Path, close: str) -> str:
    """geoae-gui as a program (main() reading sys.argv), with a timer that closes a window and
    prints the time it did."""
    return f"""
        import sys, time
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        def close():
            for widget in app.topLevelWidgets():
                if type(widget).__name__ == {close!r} and widget.isVisible():
                    print("closing", time.time(), flush=True)
                    widget.close()
                    return
            QTimer.singleShot(20, close)
        QTimer.singleShot(20, close)
        sys.argv = ["geoae-gui", "--runs", {str(runs)!r}]
        from geoae_gui.app import main
        sys.exit(main())
        """


@pytest.mark.parametrize("window", ["MainWindow", "LoadingWindow"])
def test_the_process_ends_soon_after_its_window(tmp_path, window):
    done = _child(_program(tmp_path / "runs", window), tmp_path)
    ended = time.time()
    assert done.returncode == 0, done.stderr
    closing = [line for line in done.stdout.splitlines() if line.startswith("closing")]
    assert closing, done.stdout + done.stderr
    assert ended - float(closing[0].split()[1]) < 2.0
    if window == "MainWindow":
        assert (tmp_path / "settings.ini").read_text().count("geometry") == 1  # settings written first
