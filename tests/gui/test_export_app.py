"""Export (PNG, SVG, PDF, CSV; File > Export all), the --screenshot command, bad run folders,
and settings that persist between launches."""

import csv
import json
import shutil
from pathlib import Path

from PySide6.QtGui import QImage

from geoae_gui import app
from geoae_gui.widgets.plots import export_widget


def test_export_one_plot_to_png_svg_csv(make_window, runs_folder, tmp_path):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    panel = window.show_panel("latent")
    written = export_widget(panel.z_plot, tmp_path / "z")
    assert [p.name for p in written] == ["z.png", "z.svg", "z.pdf", "z.csv"]
    image = QImage(str(tmp_path / "z.png"))
    assert not image.isNull() and image.width() >= 400
    svg = (tmp_path / "z.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "</svg>" in svg
    with (tmp_path / "z.csv").open() as handle:
        rows = list(csv.reader(handle))
    radii, z = panel.z_curve.getData()
    assert len(rows) >= len(radii) + 1
    assert abs(float(rows[1][0]) - radii[0]) < 1e-4 and abs(float(rows[1][1]) - z[0]) < 1e-3 * (1 + abs(z[0]))
    # an image plot exports its array as CSV
    written = export_widget(panel.decoded_plot, tmp_path / "decoded", ("csv",))
    assert len((tmp_path / "decoded.csv").read_text().splitlines()) == 32


def test_export_all_writes_every_panel(make_window, runs_folder, tmp_path, qtbot):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    window.show_panel("position")
    tabs_shown = []
    window.tabs.currentChanged.connect(tabs_shown.append)
    written = window.export_all(tmp_path / "export", progress=True)
    assert tabs_shown == []  # drawn where they are: the user's tab never left the screen
    assert window.current_panel().name == "position"
    folder = tmp_path / "export" / "disk"
    names = {p.name for p in written}
    for stem in ("train-loss", "latent-z_of_r", "filters-kernels", "filters-activations", "profile-profile"):
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.pdf"} <= names, stem
    # only the plots about the run: not Table 2's hand-made kernel, not the folder's comparison
    assert not any(name.startswith(("position-handcrafted", "experiments-")) for name in names)
    assert all(p.parent == folder and p.stat().st_size > 2 for p in written)
    assert {p.name for p in folder.iterdir()} == names
    assert not window.message.isVisible()
    assert not window.export_progress.isVisible()
    status = window.statusBar().currentMessage()
    assert f"wrote {len(written)} files" in status and str(folder) in status


def test_hidden_panels_export_at_the_shown_size(make_window, runs_folder, tmp_path):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    window.show_panel("train")
    written = window.export_all(tmp_path)
    png = next(p for p in written if p.name == "profile-profile.png")
    image = QImage(str(png))
    assert image.width() >= 2 * 300 and image.height() >= 2 * 300  # laid out, not a never-shown 100 x 30


def test_export_all_can_be_cancelled(make_window, runs_folder, tmp_path, monkeypatch):
    window = make_window(runs_folder)
    window.set_run(runs_folder / "disk")
    export_panel = type(window).export_panel

    def export_then_cancel(self, name, folder, about_run=False):
        written = export_panel(self, name, folder, about_run)
        self.export_progress.cancel()
        return written

    monkeypatch.setattr(type(window), "export_panel", export_then_cancel)
    written = window.export_all(tmp_path, progress=True)
    assert {p.name.split("-")[0] for p in written} == {"train"}  # the first panel only
    assert "cancelled" in window.statusBar().currentMessage()


def test_export_dialog_opens_in_a_folder_that_exists(make_window, runs_folder, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = make_window(runs_folder)
    proposed = window.default_export_folder()
    assert not proposed.exists()
    seen = []

    def ask(parent, caption, folder):
        seen.append((folder, Path(folder).is_dir()))
        return ""  # cancelled

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", ask)
    window.export_all_dialog()
    assert seen == [(str(proposed), True)]
    assert not proposed.exists()  # made for the dialog, removed when unused
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda parent, caption, folder: folder)
    window.set_run(runs_folder / "pos-enc")
    window.export_all_dialog()
    assert (proposed / "pos-enc" / "train-loss.png").is_file()
    shutil.rmtree(proposed)


def test_exports_go_beside_the_runs(make_window, runs_folder):
    from geoae_gui.window import inside_a_run

    window = make_window(runs_folder)
    target = window.default_export_folder()
    assert target.parent == runs_folder.parent and not inside_a_run(target)
    assert inside_a_run(runs_folder / "disk") and inside_a_run(runs_folder / "disk" / "plots")


def test_export_command(runs_folder, tmp_path, qapp, capsys):
    assert app.main(["--export", str(tmp_path / "out"), "--run", str(runs_folder / "disk")]) == 0
    printed = capsys.readouterr().out.split()
    assert printed and all(path.startswith(str(tmp_path / "out" / "disk")) for path in printed)
    names = {path.rsplit("/", 1)[-1] for path in printed}
    assert {"latent-z_of_r.png", "latent-z_of_r.svg", "latent-z_of_r.pdf", "latent-z_of_r.csv"} <= names
    assert not any(name.startswith("position-decoder_output") for name in names)  # not a position run


def test_export_command_with_a_bad_run(tmp_path, qapp, capsys):
    assert app.main(["--export", str(tmp_path / "out"), "--run", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such run folder" in err[0]
    assert not (tmp_path / "out").exists()


def test_export_command_refuses_a_folder_inside_a_run(runs_folder, qapp, capsys):
    inside = runs_folder / "disk" / "plots"
    assert app.main(["--export", str(inside), "--run", str(runs_folder / "disk")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "inside the run folder" in err[0] and str(runs_folder / "disk") in err[0]
    assert not inside.exists()


def test_screenshot_command(runs_folder, tmp_path, qapp):
    out = tmp_path / "shots" / "latent.png"
    assert (
        app.main(
            ["--screenshot", str(out), "--panel", "latent", "--run", str(runs_folder / "disk"), "--size", "1000x640"]
        )
        == 0
    )
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 640)


def test_screenshot_of_a_bad_run_shows_the_error(tmp_path, qapp, capsys):
    bad = tmp_path / "runs" / "broken"
    bad.mkdir(parents=True)
    (bad / "config.json").write_text("{not json")
    out = tmp_path / "bad.png"
    assert app.main(["--screenshot", str(out), "--run", str(bad)]) == 0
    assert not QImage(str(out)).isNull()
    assert "config.json" in capsys.readouterr().err


def test_bad_run_folders_are_messages(make_window, runs_folder, tmp_path):
    window = make_window(runs_folder)
    assert not window.set_run(tmp_path / "missing")
    assert window.message.isVisible() and "no such run folder" in window.message.label.text()
    broken = tmp_path / "broken"
    broken.mkdir()
    config = json.loads((runs_folder / "disk" / "config.json").read_text())
    (broken / "config.json").write_text(json.dumps({**config, "size": 3}))
    assert not window.set_run(broken)
    assert "size" in window.message.label.text()
    assert window.set_run(runs_folder / "disk") and not window.message.isVisible()


def test_settings_and_layout_persist(make_window, runs_folder, tmp_path):
    first = make_window(runs_folder, persist=True)
    first.set_run(runs_folder / "pos-enc")
    first.show_panel("filters")
    first.train_panel.form.editors["epochs"].set(7)
    first.train_panel.form.editors["bias"].set(False)
    first.close()
    second = make_window(tmp_path / "elsewhere-ignored", persist=True)
    # an explicit folder wins; the rest comes back
    assert second.current_panel().name == "filters"
    assert second.run is not None and second.run.path == runs_folder / "pos-enc"
    assert second.train_panel.form.editors["epochs"].get() == 7
    assert second.train_panel.form.editors["bias"].get() is False
    second.close()
    third = make_window(None, persist=True)
    assert third.browser.folder == tmp_path / "elsewhere-ignored"


def test_every_plot_has_a_save_entry_in_its_menu(make_window, runs_folder, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = make_window(runs_folder)
    window.set_run(runs_folder / "pos-dec")
    for panel in window.panels.values():
        for widget in panel.plots().values():
            texts = [a.text() for a in widget.scene().contextMenu]
            assert "Save as PNG, SVG, PDF and CSV…" in texts
    panel = window.show_panel("position")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "dec.png"), ""))
    action = next(a for a in panel.dec_plot.scene().contextMenu if a.text().startswith("Save as"))
    action.trigger()
    assert {p.name for p in tmp_path.glob("dec.*")} == {"dec.png", "dec.svg", "dec.pdf", "dec.csv"}
    header = (tmp_path / "dec.csv").read_text().splitlines()[0]
    assert header.count(",") == 3  # two curves: decoded and target, x and y each
