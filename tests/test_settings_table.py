"""The settings are declared once: every Config field has a declaration and a form row, and a range
declared in the table is the one the form's spin box and the validation both enforce."""

import dataclasses
import os

import pytest

from geoae_core.config import ADDED_LATER, FIELD_TYPES, KINDS, SETTINGS, SETTINGS_BY_NAME, Config, ConfigError
from geoae_core.kinds import kind_of
from geoae_core.settings import SECTIONS

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the form tests below build widgets

RANGED = [s for s in SETTINGS if s.type in ("int", "float") and not s.offered and not s.choices]


def test_every_field_is_declared_once_with_its_default():
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(Config)]
    defaults = Config().to_dict()
    for declared in SETTINGS:
        assert declared.default == defaults[declared.name]
        assert declared.type == FIELD_TYPES[declared.name]
        assert declared.label and declared.help and declared.section in SECTIONS


@pytest.mark.parametrize("declared", RANGED, ids=lambda s: s.name)
def test_validation_enforces_the_declared_range(declared):
    if declared.minimum is not None:
        low = declared.minimum
        if declared.above_minimum:
            with pytest.raises(ConfigError, match=f"^{declared.name}: .* must be above"):
                Config().replace(**{declared.name: low})
        else:
            with pytest.raises(ConfigError, match=f"^{declared.name}: .* must be at least"):
                Config().replace(**{declared.name: low - 1})
    if declared.maximum is not None:
        with pytest.raises(ConfigError, match=f"^{declared.name}: "):
            Config().replace(**{declared.name: declared.maximum + (0 if declared.below_maximum else 1)})


def test_the_disk_data_settings_apply_to_the_kinds_without_diracs():
    disk_data = tuple(name for name in KINDS if "diracs" not in kind_of(name).uses)
    assert disk_data and len(disk_data) < len(KINDS)
    for name in ("shape", "sigma", "r_min", "r_max", "holes", "mc_samples"):
        assert SETTINGS_BY_NAME[name].kinds == disk_data, name
        assert all(SETTINGS_BY_NAME[name].applies_to(kind) == (kind in disk_data) for kind in KINDS)


def test_settings_without_a_tag_apply_to_every_kind_and_tags_are_used_by_some_kind():
    for declared in SETTINGS:
        if not declared.applies:
            assert declared.kinds == () and all(declared.applies_to(kind) for kind in KINDS), declared.name
        else:
            assert 0 < len(declared.kinds) < len(KINDS), declared.name


def test_the_settings_a_config_json_may_lack_are_read_from_the_declarations():
    assert set(ADDED_LATER) == {
        "checkpoint_seconds", "cx_range", "cy_range", "b_range", "angle_range", "grey_range", "attribute_holes",
        "lr_final", "tensorboard",
    }  # fmt: skip
    assert all(SETTINGS_BY_NAME[name].added_later for name in ADDED_LATER)


def test_one_coercion_per_declaration():
    assert SETTINGS_BY_NAME["lr"].coerce(1) == 1.0 and isinstance(SETTINGS_BY_NAME["lr"].coerce(1), float)
    assert SETTINGS_BY_NAME["encoder_depths"].coerce(None) is None
    for name, value, message in [
        ("size", 2.5, "is not an integer"),
        ("lr", "x", "is not a number"),
        ("lr", float("inf"), "is not a finite number"),
        ("bias", 1, "is not true or false"),
        ("epochs", None, "a value is required"),
        ("encoder_depths", [1.5], "must be a list of integers"),
        ("holes", [3], "must be a list of"),
        ("kind", "nonsense", "is not one of disk, position-encoder"),
        ("beta1", 1.0, "must be below 1"),
    ]:
        with pytest.raises(ConfigError, match=f"^{name}: .*{message}"):
            SETTINGS_BY_NAME[name].coerce(value)


def test_choices_are_validated():
    for declared in (s for s in SETTINGS if s.choices):
        with pytest.raises(ConfigError, match=f"^{declared.name}: 'nonsense' is not one of"):
            Config().replace(**{declared.name: "nonsense"})


def test_cli_help_lists_every_setting():
    from geoae_core.cli import build_parser

    train = build_parser()._subparsers._group_actions[0].choices["train"]
    text = train.format_help()
    for declared in SETTINGS:
        assert f"    {declared.name} " in text
        assert declared.range_text() in text


# ------------------------------------------------ the GUI's form, generated from the same table
@pytest.fixture
def form(qtbot):
    from geoae_gui.widgets.settings_form import SettingsForm

    widget = SettingsForm()
    qtbot.addWidget(widget)
    return widget


def test_every_setting_has_a_row_with_its_label(form):
    assert list(form.editors) == [s.name for s in SETTINGS]
    for declared in SETTINGS:
        assert form.labels[declared.name].text() == declared.label
    assert Config.from_dict(form.values()) == Config()


def test_spin_boxes_enforce_the_declared_ranges(form):
    for declared in SETTINGS:
        widget = form.editors[declared.name].widget
        if not hasattr(widget, "minimum") or declared.choices or declared.offered:
            continue
        for end, strict, bound in (
            (widget.minimum(), declared.above_minimum, declared.minimum),
            (widget.maximum(), declared.below_maximum, declared.maximum),
        ):
            if bound is None:
                continue
            assert end != bound if strict else end == bound, declared.name
            Config().replace(**{declared.name: end})  # the spin box's own end is valid
            if strict:
                with pytest.raises(ConfigError, match=f"^{declared.name}: "):
                    Config().replace(**{declared.name: bound})


def test_choices_are_the_declared_ones(form):
    for declared in SETTINGS:
        if declared.choices and declared.name != "device":
            box = form.editors[declared.name].widget
            assert [box.itemText(i) for i in range(box.count())] == list(declared.choices)
