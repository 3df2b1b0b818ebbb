"""Something to explore in the first second: the example runs shipped with geoae."""

import subprocess
import sys

from geoae_core.examples import EXAMPLES, EXAMPLES_FOLDER, example_runs, is_examples_folder
from geoae_core.presets import preset
from geoae_core.runs import load_run
from geoae_gui.settings import default_runs_folder
from geoae_gui.window import wait_idle


def test_every_example_is_a_finished_run_and_all_fit_in_5_mb():
    assert set(example_runs()) == set(EXAMPLES)
    for name, folder in example_runs().items():
        run = load_run(folder)
        assert run.status == "finished" and run.config == preset(name).replace(device="cpu")  # made from the presets
        assert not (folder / "checkpoint.safetensors").exists()  # opened, never resumed
        assert run.snapshot_epochs()[-1] == run.history[-1]["epoch"]  # the epoch slider replays its training
    size = sum(path.stat().st_size for path in EXAMPLES_FOLDER.rglob("*") if path.is_file())
    assert size < 5 * 2**20


def test_a_first_launch_without_runs_opens_the_disks_example(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs", examples_when_empty=True)
    wait_idle()
    assert window.browser.folder == EXAMPLES_FOLDER and set(window.browser.names()) == set(EXAMPLES)
    assert window.run.path == EXAMPLES_FOLDER / "disks" and window.current_panel().name == "latent"
    assert window.latent_panel.decoded_image() is not None
    assert window.guide.isVisible() and set(window.guide.buttons) == {"examples", "train", "reproduce"}
    assert str(tmp_path / "runs") in window.guide.texts["train"].text()  # where the user's runs will go
    # a training of the user's own goes to the user's folder, which the browser then shows
    assert window.user_folder() == tmp_path / "runs"
    panel = window.show_panel("train")
    panel.form.load_preset("disks")
    for key, value in {"size": 32, "n_train": 300, "epochs": 2, "device": "cpu"}.items():
        panel.form.editors[key].set(value)
    panel.name_edit.setText("mine")
    with qtbot.waitSignal(panel.worker.finished, timeout=60_000):
        panel.start_button.click()
    assert window.browser.folder == tmp_path / "runs" and "mine" in window.browser.names()
    assert not (EXAMPLES_FOLDER / "mine").exists()


def test_a_folder_with_runs_opens_as_before(make_window, runs_folder):
    window = make_window(runs_folder, examples_when_empty=True)
    assert window.browser.folder == runs_folder


def test_geoae_examples_lists_and_copies_them(tmp_path):
    command = [sys.executable, "-m", "geoae_core.cli", "examples"]
    listed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    assert [line.split("\t") for line in listed] == [[name, str(EXAMPLES_FOLDER / name)] for name in EXAMPLES]
    copied = subprocess.run([*command, "--copy", str(tmp_path / "mine")], capture_output=True, text=True, timeout=60)
    assert copied.returncode == 0 and copied.stdout.split() == [str(tmp_path / "mine" / name) for name in EXAMPLES]
    assert load_run(tmp_path / "mine" / "disks").status == "finished"


def test_opened_on_an_example_new_runs_still_go_to_a_folder_of_ones_own(make_window):
    window = make_window(EXAMPLES_FOLDER)  # geoae-gui --run .../example_runs/disks
    assert window.browser.folder == EXAMPLES_FOLDER
    assert window.user_folder() == default_runs_folder() and not is_examples_folder(window.user_folder())
    assert not is_examples_folder(window.default_export_folder())


def test_the_guide_leads_to_each_way_in(make_window, tmp_path):
    window = make_window(tmp_path / "runs", examples_when_empty=True)
    window.guide.buttons["train"].click()
    assert window.current_panel().name == "train"
    window.guide.buttons["reproduce"].click()
    assert window.current_panel().name == "experiments"
    window.guide.buttons["examples"].click()
    assert window.current_panel().name == "latent" and window.run.path == EXAMPLES_FOLDER / "disks"
    window.guide.close_button.click()
    assert not window.guide.isVisible()
    next(a for a in window.menuBar().actions() if a.text() == "&Help").menu().actions()[0].trigger()
    assert window.guide.isVisible()


def test_copying_the_examples_makes_them_runs_of_ones_own(make_window, tmp_path):
    window = make_window(tmp_path / "runs", examples_when_empty=True)
    window.guide.copy_button.click()
    assert window.browser.folder == tmp_path / "runs" and set(window.browser.names()) == set(EXAMPLES)
    assert window.run.path == tmp_path / "runs" / "disks"  # the example that was open, now the user's copy
    assert f"copied {len(EXAMPLES)} example runs" in window.statusBar().currentMessage()
    window.guide.copy_button.click()  # a second copy overwrites nothing
    assert "already there" in window.statusBar().currentMessage()
