"""Position panel (Table 2 with an editable kernel, a trained decoder) and Experiments panel."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from geoae_gui import engine


def shown(qtbot, panel) -> None:
    """Let the event loop show what the controls asked for (edits are drawn once per frame)."""
    qtbot.waitUntil(lambda: not panel.update_pending(), timeout=5000)


def test_table2_and_an_edited_kernel(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    panel = window.show_panel("position")
    assert panel.n_box.currentText() == "8" and panel.table.rowCount() == 8
    last = panel.table.columnCount() - 1
    assert [panel.table.item(a, last).text() for a in range(8)] == [str(8 - a) for a in range(8)]
    assert panel.table.item(0, 2).text() == "[2, 0, 0, 0]" and panel.table.item(3, 3).text() == "[1, 3]"
    assert "distinct" in panel.verdict.text() and "8 − a" in panel.verdict.text()
    # a student's filter that forgets the neighbours: positions stop being encoded
    for spin, value in zip(panel.kernel_spins, (0.0, 1.0, 0.0)):
        spin.setValue(value)
    shown(qtbot, panel)
    assert "Only" in panel.verdict.text()
    panel.reset_button.click()
    panel.n_box.setCurrentText("16")
    shown(qtbot, panel)
    assert panel.table.rowCount() == 16
    assert [panel.table.item(a, panel.table.columnCount() - 1).text() for a in (0, 15)] == ["16", "1"]


def test_trained_position_decoder_follows_the_slider(make_window, runs_folder, qtbot):
    window = make_window(runs_folder)
    panel = window.show_panel("position")
    assert not panel.z_slider.isEnabled()
    window.set_run(runs_folder / "pos-dec")
    assert panel.z_slider.isEnabled()
    panel.z_slider.setValue(200)
    shown(qtbot, panel)
    first = panel.dec_curve.getData()[1].copy()
    target = panel.target_curve.getData()[1]
    assert abs(np.argmax(target) - 15 * 0.2) <= 1
    panel.z_slider.setValue(800)
    shown(qtbot, panel)
    assert not np.array_equal(first, panel.dec_curve.getData()[1])
    assert "peak at t" in panel.dec_info.text()
    # another kind of run: the panel shows what the model hands it, no decoder of its own
    window.set_run(runs_folder / "disk")
    window.show_panel("position")
    assert panel.decoder is None and not panel.z_slider.isEnabled()
    assert panel.dec_curve.getData()[0] is None or len(panel.dec_curve.getData()[0]) == 0
    assert "Pick a position-decoder run" in panel.dec_info.text()


def test_compare_z_curves_of_disk_runs(make_window, runs_folder):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("experiments")
    names = [panel.run_list.item(i).text() for i in range(panel.run_list.count())]
    assert names == ["disk", "disk-hole"]  # position runs are not disk runs
    curves = panel.compare_plot.getPlotItem().listDataItems()
    assert [c.name() for c in curves] == ["disk", "disk-hole"]
    panel.run_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert [c.name() for c in panel.compare_plot.getPlotItem().listDataItems()] == ["disk"]


@pytest.fixture
def fake_reproduce(monkeypatch):
    """A stand-in run_ids with the engine's contract: OUT/ID.png, OUT/ID.json, records returned."""
    calls = []

    def run_ids(ids, out, quick=False, callbacks=(), on_stage=None, cancel=None):
        calls.append((list(ids), quick))
        records = {}
        for exp_id in ids:
            if on_stage:
                on_stage(f"[1/1] {exp_id}")
            image = QImage(40, 30, QImage.Format.Format_RGB32)
            image.fill(Qt.GlobalColor.darkGreen)
            out.mkdir(parents=True, exist_ok=True)
            image.save(str(out / f"{exp_id}.png"))
            record = {
                "id": exp_id,
                "claim": "a claim",
                "verdict": "pass",
                "checks": [{"name": "exact", "value": 1.0, "expectation": "1", "passed": True}],
            }
            (out / f"{exp_id}.json").write_text(json.dumps(record))
            records[exp_id] = record
        return records

    monkeypatch.setattr(engine, "run_ids", run_ids)
    return calls


def test_run_a_reproduce_id_and_view_its_figure(make_window, tmp_path, qtbot, fake_reproduce):
    window = make_window(tmp_path)
    panel = window.show_panel("experiments")
    assert panel.run_button.isEnabled()
    panel.run_checked()
    assert "check at least one" in panel.message.label.text()
    item = next(item for item in id_items(panel) if item.data(Qt.ItemDataRole.UserRole) == "table2")
    assert item.text().startswith("table2: ") and item.toolTip() == item.text()[len("table2: ") :]
    item.setCheckState(Qt.CheckState.Checked)
    panel.run_button.click()
    qtbot.waitUntil(lambda: bool(panel.results), timeout=10_000)
    assert fake_reproduce == [(["table2"], True)]
    assert panel.result_list.item(0).text() == "table2: pass"
    assert not panel.figure.original.isNull() and not panel.figure.pixmap().isNull()
    assert "verdict: pass" in panel.verdict.toPlainText() and "✔ exact" in panel.verdict.toPlainText()
    assert panel.run_button.isEnabled()


def id_items(panel):
    return [panel.id_list.item(i) for i in range(panel.id_list.count())]


def test_a_running_reproduce_can_be_cancelled(make_window, tmp_path, qtbot):
    window = make_window(tmp_path)
    panel = window.show_panel("experiments")
    for item in id_items(panel):
        if item.data(Qt.ItemDataRole.UserRole) in ("fig2", "fig3"):
            item.setCheckState(Qt.CheckState.Checked)
    assert not panel.cancel_button.isEnabled()
    panel.run_button.click()
    assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    qtbot.waitUntil(lambda: "epoch" in panel.log.text(), timeout=60_000)  # inside fig2's training
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel._running, timeout=30_000)
    assert panel.log.text() == f"stopped after 0 of 2 ids: results in {tmp_path / 'reproduce'}"
    assert panel.progress.value() < 100  # a stopped pass does not read as done
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert not (tmp_path / "reproduce" / "fig2.json").exists()
    status = json.loads((tmp_path / "reproduce" / "runs" / "fig2" / "disks" / "run.json").read_text())
    assert status["status"] == "cancelled"  # kept, and resumable
