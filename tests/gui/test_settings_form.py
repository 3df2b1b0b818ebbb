"""The settings form explains itself: a value is never changed silently, a bad one is refused at
its field, blank means the default, rows that do not apply to the kind are hidden, and the form
fits its column at the default window size."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from geoae_core.config import SETTINGS, SETTINGS_BY_NAME, Config, ConfigError
from geoae_core.settings import short_label


@pytest.fixture
def form(qtbot):
    from geoae_gui.widgets.settings_form import SettingsForm

    widget = SettingsForm()
    qtbot.addWidget(widget)
    return widget


def type_into(form, name, text):
    form.editors[name].widget.setText(text)


@pytest.mark.parametrize(("name", "text"), [("lr", "-0.5"), ("beta1", "1.5"), ("n_train", "0"), ("epochs", "2.5")])
def test_an_out_of_range_value_is_kept_and_refused_at_its_field(form, name, text):
    type_into(form, name, text)
    assert form.editors[name].widget.text() == text  # as typed: not clamped
    note = form.notes[name]
    assert not note.isHidden() and text in note.text()
    assert "border" in form.editors[name].widget.styleSheet()
    with pytest.raises(ConfigError, match=f"^{name}: "):
        form.config()


def test_a_large_learning_rate_is_taken_as_typed(form):
    type_into(form, "lr", "1000")
    assert form.config().lr == 1000.0
    assert form.notes["lr"].isHidden()


def test_blank_means_the_default(form):
    for name in ("holes", "n_train", "lr", "r_max"):
        type_into(form, name, "")
    config = form.config()
    assert config.holes == [] and config.n_train == 3000 and config.lr == Config().lr and config.r_max is None
    assert all(note.isHidden() for note in form.notes.values())


def test_placeholders_cannot_pass_for_values(form):
    for name in ("holes", "r_max", "encoder_depths"):
        assert form.editors[name].widget.placeholderText().startswith("blank: ")


def test_a_batch_larger_than_the_set_is_a_warning_not_a_refusal(form):
    type_into(form, "n_train", "3000")
    type_into(form, "batch_size", "5000")
    assert "whole set" in form.notes["batch_size"].text() and not form.notes["batch_size"].isHidden()
    assert "border" not in form.editors["batch_size"].widget.styleSheet()
    assert form.config().batch_size == 5000  # the run may start: each step takes the whole set
    type_into(form, "batch_size", "300")
    assert form.notes["batch_size"].isHidden()


def test_a_compound_rule_is_said_at_its_field(form):
    type_into(form, "holes", "[[5]]")
    assert "interval" in form.notes["holes"].text()


@pytest.mark.parametrize("preset_name", ["disks", "position-decoder", "position-encoder", "gan-hole"])
def test_only_the_rows_of_the_chosen_kind_are_shown(form, preset_name):
    form.preset_box.setCurrentText(preset_name)
    kind = form.editors["kind"].get()
    for declared in SETTINGS:
        assert form.is_shown(declared.name) == (not declared.kinds or kind in declared.kinds), declared.name


def test_the_position_kinds_hide_the_disk_settings(form):
    form.preset_box.setCurrentText("position-decoder")
    for name in ("shape", "sigma", "r_min", "r_max", "holes", "mc_samples", "code_size"):
        assert not form.is_shown(name)
    assert form.is_shown("dirac") and form.is_shown("position_target")


def test_up_and_down_step_within_the_declared_range(form, qtbot):
    field = form.editors["beta1"].widget
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert field.text() == "0.91"  # the declared step, at the declared decimals
    field.setText("0.995")
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert float(field.text()) == field.maximum() < 1
    type_into(form, "epochs", "3")
    for _ in range(5):
        qtbot.keyClick(form.editors["epochs"].widget, Qt.Key.Key_Down)
    assert form.editors["epochs"].get() == 1  # epochs 0 would train nothing: refused
    type_into(form, "batch_size", "")
    qtbot.keyClick(form.editors["batch_size"].widget, Qt.Key.Key_Up)
    assert form.editors["batch_size"].get() == 301  # a blank field steps from its default


def test_the_form_fits_its_column_and_messages_move_no_control(make_window, tmp_path, qtbot):
    window = make_window(tmp_path / "runs")
    window.resize(1400, 900)
    panel = window.show_panel("train")
    qtbot.wait(50)
    scroll = panel.form.parentWidget().parentWidget()
    assert scroll.horizontalScrollBar().maximum() == 0 or not scroll.horizontalScrollBar().isVisible()
    assert panel.form.width() <= scroll.viewport().width()
    controls = (panel.start_button, panel.form)
    before = [w.mapTo(window, w.rect().topLeft()) for w in controls]
    panel.show_error("a long message " * 20)
    qtbot.wait(50)
    assert [w.mapTo(window, w.rect().topLeft()) for w in controls] == before
    panel.clear_message()


def test_every_section_starts_its_fields_at_the_same_x(form, qtbot):
    form.resize(420, 1600)
    form.show()
    qtbot.waitExposed(form)
    shown = [name for name, (_, field) in form.rows.items() if field.isVisibleTo(form)]
    starts = {field.mapTo(form, field.rect().topLeft()).x() for _, field in (form.rows[n] for n in shown)}
    assert len({s.section for s in SETTINGS if s.name in shown}) > 2  # several sections compared
    assert len(starts) == 1, starts


@pytest.mark.parametrize(("name", "shown"), [("epochs", "400"), ("batch_size", "300"), ("lr", "0.001")])
def test_every_number_field_shows_its_default_when_blank(form, name, shown):
    type_into(form, name, "")
    assert form.editors[name].widget.placeholderText() == f"blank: {shown}"
    assert form.config().to_dict()[name] == SETTINGS_BY_NAME[name].default


def test_every_field_that_can_be_blank_says_what_blank_means(form):
    for declared in SETTINGS:
        widget = form.editors[declared.name].widget
        if isinstance(widget, QLineEdit):  # (choice boxes and check boxes always hold a value)
            text = widget.placeholderText()
            assert text.startswith("blank: ") and len(text) > len("blank: "), declared.name
            assert not text.startswith("blank: ,"), declared.name


def test_epochs_0_is_refused_at_its_field(form):
    type_into(form, "epochs", "0")
    assert "must be at least 1" in form.notes["epochs"].text()
    assert form.problems == {"epochs": "Epochs: 0 must be at least 1"}


def test_a_conflict_is_flagged_live_at_its_field_with_its_label(form):
    type_into(form, "r_min", "40")  # above the largest radius, m/2 = 32: no Start needed to see it
    assert form.problems == {"r_min": "Smallest radius: 40 must be below the largest radius (32)"}
    assert not form.notes["r_min"].isHidden()
    assert form.notes["r_min"].text() == "40 must be below the largest radius (32)"
    assert "border" in form.editors["r_min"].widget.styleSheet()
    assert form.editors["r_min"].widget.toolTip().startswith("Smallest radius: 40 must be below")
    type_into(form, "r_min", "2")
    assert form.problems == {} and form.notes["r_min"].isHidden()
    assert "border" not in form.editors["r_min"].widget.styleSheet()


def test_every_problem_is_flagged_at_once(form):
    bad = {"r_min": "40", "lr": "-1", "epochs": "0", "n_train": "x"}
    for name, text in bad.items():
        type_into(form, name, text)
    assert set(form.problems) == set(bad)
    for name in bad:
        label = short_label(SETTINGS_BY_NAME[name])
        assert form.problems[name].startswith(f"{label}: "), form.problems[name]
        assert not form.notes[name].isHidden() and "border" in form.editors[name].widget.styleSheet()
        assert name not in form.problem_text()  # the user's words, not the engine's names
    flagged = [n for n, e in form.editors.items() if "border" in e.widget.styleSheet()]
    assert sorted(flagged) == sorted(bad)


def test_the_preset_box_names_the_preset_the_form_holds(form):
    assert form.preset_name() == "disks"  # the defaults are the disks preset, from the first launch
    type_into(form, "lr", "0.005")
    assert form.preset_name() == "(custom)" and "edited" in form.preset_note.text()
    type_into(form, "lr", "0.001")
    assert form.preset_name() == "disks"  # undone: the preset again
    form.preset_box.setCurrentText("gan-hole")
    assert form.preset_name() == "gan-hole" and form.editors["kind"].get() == "gan"
    form.set_values(Config().to_dict())
    assert form.preset_name() == "disks"
