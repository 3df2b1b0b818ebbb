"""The settings form: one row per declared setting (geoae_core.config.SETTINGS), grouped by section.

Labels, editors, ranges and choices come from the declarations, so the form enforces what the
engine validates: on every edit it asks the engine for every problem of the settings at once
(Config.problems) and flags each at its field. A preset box on top loads the named configurations
and names the one the form holds.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from geoae_core.config import SETTINGS, SETTINGS_BY_NAME, Config, ConfigError, Setting
from geoae_core.presets import describe, preset, preset_names
from geoae_core.settings import APPLIES, copy_default, short_label

from ..session import settings_notes
from .setting_editors import Editor, blank_text, make_editor

CUSTOM = "(custom)"


def tooltip(declared: Setting) -> str:
    parts = [f"Config.{declared.name}: {declared.help}", declared.range_text()]
    if declared.applies:  # which kinds, from what the setting is about (the kinds say what they use)
        parts.append(f"only for {APPLIES[declared.applies]}: " + ", ".join(declared.kinds))
    return "\n".join(p for p in parts if p)


NOTE_STYLES = {"error": "color:#b3261e;", "warning": "color:#8a5a00;"}
BAD_FIELD = "border:2px solid #d62728;"
NARROW_CHOICES = 10  # characters a choice box is sized for; longer entries show in its list


class SettingsForm(QWidget):
    """Every Config field, grouped; values() -> dict, config() -> validated Config.

    Each edit is checked at once: every invalid value, and every value that conflicts with another,
    gets a red border, a message under its field and in its tooltip, all at once (`problems`, in
    the labels the user sees; `checked` says them); a value that is valid but does not fit the
    others gets a warning there. Rows that do not apply to the chosen kind are hidden.
    """

    edited = Signal()
    checked = Signal(dict)  # the problems after each check, setting name -> message ({}: none)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QFormLayout()
        self.preset_box = QComboBox()
        self.preset_box.addItems([CUSTOM, *preset_names()])
        self.preset_box.setToolTip("Load a named configuration (one per experiment of the paper)")
        narrow(self.preset_box)
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color:#555;")
        preset_label = QLabel("Preset")
        top.addRow(preset_label, self.preset_box)
        top.addRow(self.preset_note)
        layout.addLayout(top)
        self.editors: dict[str, Editor] = {}
        self.labels: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}  # the message under each field
        self.rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self.problems: dict[str, str] = {}
        self._valid: dict[str, Any] | None = None  # the form's config as a dict, when it has no problem
        self._presets = {name: preset(name).to_dict() for name in preset_names()}
        for section in dict.fromkeys(s.section for s in SETTINGS):
            layout.addWidget(self._group(section, [s for s in SETTINGS if s.section == section]))
        layout.addStretch(1)
        self._align_labels([preset_label, *self.labels.values()])
        self._loading = False
        self.set_values(Config().to_dict())
        for name, editor in self.editors.items():
            editor.changed(lambda *_a, n=name: self._on_edit(n))
        self.preset_box.currentTextChanged.connect(self.load_preset)

    @staticmethod
    def _align_labels(labels: list[QLabel]) -> None:
        """Every section's fields start at the same x: one label width for all the forms."""
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _group(self, title: str, settings: list[Setting]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for declared in settings:
            editor = make_editor(declared)
            editor.widget.setObjectName(f"field_{declared.name}")
            editor.widget.setToolTip(tooltip(declared))
            if isinstance(editor.widget, QComboBox):
                narrow(editor.widget)
            label = QLabel(declared.label)
            label.setToolTip(tooltip(declared))
            field = QWidget()
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(editor.widget)
            note = QLabel()
            note.setWordWrap(True)
            note.setObjectName(f"note_{declared.name}")
            note.hide()
            column.addWidget(note)
            form.addRow(label, field)
            self.editors[declared.name] = editor
            self.labels[declared.name] = label
            self.notes[declared.name] = note
            self.rows[declared.name] = (form, field)
        return box

    # ------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        """The settings as Config takes them; a blank field is its setting's default."""
        return {name: blank_is_default(SETTINGS_BY_NAME[name], editor.get()) for name, editor in self.editors.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, value in values.items():
                if name in self.editors:
                    self.editors[name].set(value)
        finally:
            self._loading = False
        self._follow_kind()
        self._name_preset(edited=False)

    def config(self) -> Config:
        """The validated config; a ConfigError names the setting (every problem is flagged at its field)."""
        problems = self.check()
        try:
            return Config.from_dict(self.values())
        except ConfigError as exc:
            if not problems:  # not among Config.problems (it should be): still said at its field
                self._show_notes({setting_named(exc): str(exc)}, {})
            raise

    # ------------------------------------------------------------ checks
    def check(self) -> dict[str, str]:
        """Check every field now (the engine's Config.problems: all at once); show each problem and
        warning at its field; the problems, setting name -> message in the labels the user sees."""
        values = self.values()
        problems = Config.problems(values)
        # the warnings are about the other fields: check them with each bad field at its default
        repaired = {**values, **{n: copy_default(SETTINGS_BY_NAME[n]) for n in problems if n in SETTINGS_BY_NAME}}
        try:
            config = Config.from_dict(repaired)
        except ConfigError:
            config = None
        self._valid = config.to_dict() if config is not None and not problems else None
        self._show_notes(problems, settings_notes(config) if config else {})
        self.problems = problems
        self.checked.emit(dict(problems))
        return problems

    def problem_text(self) -> str:
        """Every problem in one text, one a line, in the labels the user sees ("" when none)."""
        return "\n".join(self.problems.values())

    def _show_notes(self, problems: dict[str, str], warnings: dict[str, str]) -> None:
        for name, note in self.notes.items():
            text, kind = (problems[name], "error") if name in problems else (warnings.get(name, ""), "warning")
            note.setText(without_name(text, name))
            note.setStyleSheet(NOTE_STYLES[kind])
            note.setVisible(bool(text))
        self.mark_bad(problems)

    def mark_bad(self, problems: dict[str, str]) -> None:
        """Outline every field with a problem; its tooltip starts with the problem."""
        for name, editor in self.editors.items():
            problem = problems.get(name)
            editor.widget.setStyleSheet(BAD_FIELD if problem else "")
            usual = tooltip(SETTINGS_BY_NAME[name])
            editor.widget.setToolTip(f"{problem}\n\n{usual}" if problem else usual)

    # ------------------------------------------------------------ presets
    def load_preset(self, name: str) -> None:
        if name == CUSTOM or not name:
            self.preset_note.setText("")
            return
        self.set_values(preset(name).to_dict())
        self.preset_note.setText(describe(name))

    def preset_name(self) -> str:
        return self.preset_box.currentText()

    def show_preset(self, name: str, note: str | None = None) -> None:
        """Select `name` in the preset box without loading it (the form already holds its settings)."""
        self.preset_box.blockSignals(True)
        self.preset_box.setCurrentText(name)
        self.preset_box.blockSignals(False)
        if note is not None:
            self.preset_note.setText(note)

    def matching_preset(self) -> str:
        """The preset the form's settings equal (the one shown first, if several do), else CUSTOM."""
        if self._valid is None:
            return CUSTOM
        shown = self.preset_box.currentText()
        names = sorted(self._presets, key=lambda name: name != shown)
        return next((name for name in names if self._presets[name] == self._valid), CUSTOM)

    def _name_preset(self, edited: bool) -> None:
        """Show the preset the form equals; an edited preset becomes (custom), and back if undone."""
        name, shown = self.matching_preset(), self.preset_box.currentText()
        if name == shown:
            return
        if name != CUSTOM:
            self.show_preset(name, describe(name))
        else:
            self.show_preset(CUSTOM, "edited from a preset" if edited and shown != CUSTOM else "")

    def _on_edit(self, name: str) -> None:
        if self._loading:
            return
        if name in ("kind", "size"):
            self._follow_kind()
        else:
            self.check()
        self._name_preset(edited=True)
        self.edited.emit()

    # ------------------------------------------------------------ the kind
    def _follow_kind(self) -> None:
        """Show the rows that apply to the chosen kind, its default depths, and the checks."""
        kind = self.editors["kind"].get()
        for declared in SETTINGS:
            form, field = self.rows[declared.name]
            form.setRowVisible(field, declared.applies_to(kind))
        self._update_placeholders()
        self.check()

    def _update_placeholders(self) -> None:
        """Show the default depths (the engine's) for the chosen kind and size when left blank."""
        try:
            base = Config(kind=self.editors["kind"].get(), size=self.editors["size"].get())
            enc, dec = base.hidden_encoder_depths, base.hidden_decoder_depths
        except Exception:
            return
        for name, depths in (("encoder_depths", enc), ("decoder_depths", dec)):
            self.editors[name].widget.setPlaceholderText(blank_text(", ".join(map(str, depths))))

    def is_shown(self, name: str) -> bool:
        """Whether the row of a setting applies to the chosen kind (and so is shown)."""
        form, field = self.rows[name]
        return form.isRowVisible(field)


def narrow(box: QComboBox) -> None:
    """Size a choice box for a few characters, not its longest entry: the form fits its column."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(NARROW_CHOICES)


def blank_is_default(declared: Setting, value: Any) -> Any:
    """A blank field (None) of a setting that takes no None is the setting's default."""
    if value is None and "None" not in declared.type:
        return copy_default(declared)
    return value


def setting_named(exc: ConfigError) -> str:
    return str(exc).split(":", 1)[0].strip()


def without_name(message: str, name: str) -> str:
    """A message shown under its own field need not repeat the setting's label (or name)."""
    label = short_label(SETTINGS_BY_NAME[name]) if name in SETTINGS_BY_NAME else name
    return message.removeprefix(f"{label}: ").removeprefix(f"{name}: ")
