"""The settings form explains itself: a value is never changed silently, a bad one is refused at
its field, blank means the default, rows that do not apply to the kind are hidden, and the form
fits its column at the default window size."""

import pytest
from PySide6.QtCore import Qt

from geoae_core.config import SETTINGS, Config, ConfigError


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


@pytest.mark.parametrize("preset_name", ["disks", "position-decoder", "position-encoder", "gan"])
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
    type_into(form, "epochs", "1")
    for _ in range(3):
        qtbot.keyClick(form.editors["epochs"].widget, Qt.Key.Key_Down)
    assert form.editors["epochs"].get() == 0


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
