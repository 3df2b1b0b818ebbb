"""The explorer's model driven without a window (napari's ViewerModel is the anchor): setters
validate, then emit one event per change; the run is handed at the epoch shown, one copy for all."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from geoae_core.examples import EXAMPLES_FOLDER
from geoae_core.runs import RunError, load_run
from geoae_gui.model import EVENTS, Explorer, final_epoch


@pytest.fixture(scope="module")
def decoder_run():
    return load_run(EXAMPLES_FOLDER / "position-decoder")


@pytest.fixture
def model_and_events():
    model = Explorer(EXAMPLES_FOLDER, Path("/tmp/my-runs"))
    events: list[tuple[str, object]] = []
    for event in EVENTS:
        model.on(event, lambda value, event=event: events.append((event, value)))
    return model, events


def test_the_model_module_imports_no_qt_and_needs_no_application():
    code = (
        "import sys\n"
        "from geoae_gui.model import Explorer\n"
        "from geoae_core.examples import EXAMPLES_FOLDER\n"
        "model = Explorer(EXAMPLES_FOLDER)\n"
        "model.open(EXAMPLES_FOLDER / 'disks')\n"
        "model.set_epoch(model.epochs()[3])\n"
        "assert model.shown.info['snapshot_epoch'] == model.epochs()[3]\n"
        "assert not any(name.startswith('PySide6.QtWidgets') or name == 'pyqtgraph' for name in sys.modules)\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "assert QCoreApplication.instance() is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    source = Path(__file__).parents[1].joinpath("geoae_gui", "model.py").read_text(encoding="utf-8")
    assert "PySide6" not in source and "pyqtgraph" not in source


def test_opening_a_run_is_one_event_with_the_run_at_its_own_weights(model_and_events, decoder_run):
    model, events = model_and_events
    run = model.open(EXAMPLES_FOLDER / "position-decoder")
    assert [event for event, _ in events] == ["run"] and events[0][1] is run
    assert model.run is run and model.shown is run and model.epoch is None and model.code is None
    assert model.shown_epoch == final_epoch(run) == run.history[-1]["epoch"]
    assert model.epochs() == run.snapshot_epochs()


def test_a_bad_run_folder_changes_nothing(model_and_events, tmp_path):
    model, events = model_and_events
    with pytest.raises(RunError):
        model.open(tmp_path / "missing")
    assert model.run is None and events == []


def test_the_epoch_hands_every_view_one_copy_of_the_run_at_that_epoch(model_and_events):
    model, events = model_and_events
    run = model.open(EXAMPLES_FOLDER / "position-decoder")
    events.clear()
    model.set_epoch(3)
    assert events == [("epoch", 3)]
    shown = model.shown
    assert shown is not run and shown.info["snapshot_epoch"] == 3 and shown.path == run.path
    assert model.shown is shown  # one copy, whoever asks
    z = np.array([[5.0]], np.float32)
    np.testing.assert_array_equal(shown.decode(z), run.at_epoch(3).decode(z))
    assert not np.allclose(shown.decode(z), run.decode(z))
    model.set_epoch(3)  # no change: no event
    assert events == [("epoch", 3)]
    model.set_epoch(final_epoch(run))  # the last epoch is the run's own weights
    assert model.epoch is None and model.shown is run and events[-1] == ("epoch", None)


def test_the_epoch_is_validated(model_and_events):
    model, events = model_and_events
    with pytest.raises(ValueError, match="no run is open"):
        model.set_epoch(2)
    model.open(EXAMPLES_FOLDER / "position-decoder")
    events.clear()
    epochs = model.epochs()
    missing = next(e for e in range(epochs[-1]) if e not in epochs)
    with pytest.raises(ValueError, match=f"no snapshot of epoch {missing}"):
        model.set_epoch(missing)
    with pytest.raises(TypeError):
        model.set_epoch(2.5)
    assert events == [] and model.epoch is None
    assert model.nearest_epoch(missing) in epochs


def test_the_code_is_validated_and_reset_by_another_run(model_and_events):
    model, events = model_and_events
    with pytest.raises(ValueError, match="no run is open"):
        model.set_code([1.0])
    model.open(EXAMPLES_FOLDER / "position-decoder")
    events.clear()
    model.set_code([4.5])
    assert events[-1][0] == "code" and events[-1][1].tolist() == [4.5]
    with pytest.raises(ValueError, match="codes of 1 numbers, not 2"):
        model.set_code([1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        model.set_code([np.nan])
    model.set_code([4.5])  # the same code: no event
    assert [event for event, _ in events] == ["code"]
    model.set_epoch(model.epochs()[2])  # another epoch of the same run keeps the code
    assert model.code.tolist() == [4.5]
    model.open(EXAMPLES_FOLDER / "disks")
    assert model.code is None and model.epoch is None and events[-1][0] == "run"


def test_folder_user_folder_and_compared(model_and_events, tmp_path):
    model, events = model_and_events
    assert model.user_folder() == Path("/tmp/my-runs")  # the examples are read-only
    model.set_folder(tmp_path)
    assert events == [("folder", tmp_path)] and model.user_folder() == tmp_path
    model.set_folder(tmp_path)
    assert len(events) == 1
    model.set_compared([tmp_path / "a", str(tmp_path / "b"), tmp_path / "a"])
    assert model.compared == (tmp_path / "a", tmp_path / "b") and events[-1] == ("compared", model.compared)


def test_unsubscribing_and_unknown_events(model_and_events):
    model, _events = model_and_events
    seen = []
    off = model.on("folder", seen.append)
    model.set_folder(Path("/tmp/a"))
    off()
    model.set_folder(Path("/tmp/b"))
    assert seen == [Path("/tmp/a")]
    with pytest.raises(ValueError, match="not an explorer event"):
        model.on("runs", print)


def test_a_training_run_opens_at_its_latest_snapshot(tmp_path, decoder_run):
    """Its weights file lags behind its snapshots: the model shows the latest snapshot."""
    import json
    import shutil

    folder = tmp_path / "training"
    shutil.copytree(EXAMPLES_FOLDER / "position-decoder", folder)
    status = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    (folder / "run.json").write_text(json.dumps({**status, "status": "running"}), encoding="utf-8")
    model = Explorer(tmp_path)
    run = model.open(folder)
    latest = run.snapshot_epochs()[-1]
    assert final_epoch(run) is None and model.epoch == latest == model.shown_epoch
    assert model.shown.info["snapshot_epoch"] == latest


def test_a_change_from_another_thread_is_refused(model_and_events):
    """The views are Qt objects of the GUI thread: no event reaches them from a worker thread."""
    import threading

    model, events = model_and_events
    errors = []

    def change() -> None:
        try:
            model.set_folder(Path("/tmp/elsewhere"))
        except RuntimeError as exc:
            errors.append(str(exc))

    worker = threading.Thread(target=change)
    worker.start()
    worker.join()
    assert events == [] and errors and "thread" in errors[0] and model.folder == EXAMPLES_FOLDER
