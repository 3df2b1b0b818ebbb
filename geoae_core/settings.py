"""How a setting is declared: its label, section, help, constraint and the data it applies to.

Config's fields carry these declarations (`setting(...)` as their default); validation (one
`Setting.coerce` per value), the CLI's help and the GUI's form are generated from them, so a type,
a range or a choice is written down once.

The kinds of run register here (geoae_core.kinds does it on import): a setting declares the tag of
what it is about (`applies`, one of APPLIES) and a kind declares the tags it uses, so which
settings apply to which kind is answered without the settings knowing the kinds.
Pure Python: nothing of geoae_core, torch or Qt is imported here.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

SECTIONS = ("Data", "Model", "Training")
# what a setting can be about, when it is not about every kind of run; a kind's `uses` names those it has
APPLIES = {
    "disk images": "images of shapes of one size r (the disk data set)",
    "diracs": "1-D Diracs (the position networks)",
    "attributes": "shapes with several attributes (size, centre, angle, grey level)",
    "code size": "a code of any size d",
    "lr schedule": "Adam's learning rate, decayed down to lr_final",
}
# a rule over the whole config (compound settings: holes, r_max, depths); gets the config and the setting's name
Check = Callable[[Any, str], None]


class ConfigError(ValueError):
    """A setting is invalid; the message names the setting, the value and what is allowed."""


# ---------------------------------------------------------------- the kinds of run, registered
_KINDS: dict[str, Any] = {}  # name -> geoae_core.kinds.Kind, in registration order


def register_kind(kind: Any) -> Any:
    """Make a kind of run known to the settings (its name, `uses`, default depths); returns it."""
    unknown = set(kind.uses) - set(APPLIES)
    if unknown:
        raise ValueError(f"kind {kind.name}: uses {sorted(unknown)}, not among {', '.join(APPLIES)}")
    _KINDS[kind.name] = kind
    return kind


def registered_kind(name: str) -> Any:
    """The kind registered under `name`; a ConfigError names the known ones otherwise."""
    if name not in _KINDS:
        raise ConfigError(f"kind: {name!r} is not one of {', '.join(_KINDS)}")
    return _KINDS[name]


def registered_kinds() -> dict[str, Any]:
    return dict(_KINDS)


class KindNames(Sequence[str]):
    """The names of the registered kinds, read when asked (the choices of the kind setting)."""

    def __getitem__(self, index):  # type: ignore[override]
        return tuple(_KINDS)[index]

    def __len__(self) -> int:
        return len(_KINDS)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_KINDS))

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in _KINDS

    def __repr__(self) -> str:
        return repr(tuple(_KINDS))


KIND_NAMES = KindNames()


# ---------------------------------------------------------------- one setting
@dataclass(frozen=True)
class Setting:
    """One setting of a run. name, type and default are filled in from its Config field."""

    label: str
    section: str
    help: str
    choices: Sequence[str] = ()
    minimum: float | None = None
    maximum: float | None = None
    above_minimum: bool = False  # strict: the minimum itself is refused
    below_maximum: bool = False  # strict: the maximum itself is refused
    check: Check | None = None
    applies: str = ""  # what it is about (a key of APPLIES): it applies to the kinds that use it; "": every kind
    added_later: bool = False  # added after run folders were first written: a config.json may lack it
    blank: str = ""  # what no value (None, an empty list) means
    offered: tuple[Any, ...] = ()  # values the form offers in a list (the constraint still decides)
    step: float = 1.0  # the form's spin-box step and decimals
    decimals: int = 3
    name: str = ""
    type: str = ""
    default: Any = None

    def __post_init__(self) -> None:
        if self.applies and self.applies not in APPLIES:
            raise ValueError(f"applies={self.applies!r} is not one of {', '.join(APPLIES)}")

    def applies_to(self, kind_name: str) -> bool:
        """Whether this setting means something for a run of that kind."""
        return not self.applies or (kind_name in _KINDS and self.applies in _KINDS[kind_name].uses)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The registered kinds it applies to; empty: every kind."""
        return tuple(name for name in _KINDS if self.applies_to(name)) if self.applies else ()

    def range_text(self) -> str:
        """The constraint in words: 'one of a, b', '> 0', '0 .. < 1', or ''."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.above_minimum else '>='} {self.minimum}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.below_maximum else '<='} {self.maximum}")
        return ", ".join(parts)

    def coerce(self, value: Any) -> Any:
        """The value as the setting keeps it (ints accepted for floats), after the generic checks:
        type, choices, range. A ConfigError names the setting. Compound rules are `check`, run by Config."""
        if value is None:
            if "None" in self.type:
                return None
            raise ConfigError(f"{self.name}: a value is required")
        if self.choices:
            if value not in self.choices:
                raise ConfigError(f"{self.name}: {value!r} is not one of {', '.join(self.choices)}")
            return value
        coerce = _COERCERS.get(self.type.removesuffix(" | None"), _as_is)
        value = coerce(self.name, value)
        if is_number(value):
            self._check_range(value)
        return value

    def check_value(self, value: Any) -> None:
        """`coerce` without its result: a ConfigError if the value is refused (the form's per-field check)."""
        self.coerce(value)

    def _check_range(self, value: float) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and (value < low or (self.above_minimum and value == low)):
            relation = "above" if self.above_minimum else "at least"
            raise ConfigError(f"{self.name}: {plain(value)} must be {relation} {plain(low)}")
        if high is not None and (value > high or (self.below_maximum and value == high)):
            relation = "below" if self.below_maximum else "at most"
            raise ConfigError(f"{self.name}: {plain(value)} must be {relation} {plain(high)}")


# ---------------------------------------------------------------- one coercion per declared type
def _as_float(name: str, value: Any) -> float:
    if not is_number(value):
        raise ConfigError(f"{name}: {value!r} is not a number")
    if not math.isfinite(value):
        raise ConfigError(f"{name}: {value!r} is not a finite number")
    return float(value)


def _as_int(name: str, value: Any) -> int:
    if not is_int(value):
        raise ConfigError(f"{name}: {value!r} is not an integer")
    return int(value)


def _as_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name}: {value!r} is not true or false")
    return value


def _as_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name}: {value!r} is not text")
    return value


def _as_ints(name: str, value: Any) -> list[int]:
    if not isinstance(value, list) or not all(is_int(v) for v in value):
        raise ConfigError(f"{name}: {value!r} must be a list of integers")
    return [int(v) for v in value]


def _as_range(name: str, value: Any) -> Any:
    """A range [low, high]: ints become floats; its shape is checked by its rule (which names it)."""
    return [float(v) if is_number(v) else v for v in value] if isinstance(value, list) else value


def _as_intervals(name: str, value: Any) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(h, list | tuple) for h in value):
        raise ConfigError(f"{name}: {value!r} must be a list of [low, high] intervals")
    return [list(h) for h in value]


def _as_is(name: str, value: Any) -> Any:
    return value


_COERCERS: dict[str, Callable[[str, Any], Any]] = {
    "float": _as_float,
    "int": _as_int,
    "bool": _as_bool,
    "str": _as_text,
    "list[int]": _as_ints,
    "list[float]": _as_range,
    "list[list[float]]": _as_intervals,
}


def setting(default: Any, label: str, section: str, help: str, **constraint: Any) -> Any:
    """A Config field declared with its setting (mutable defaults are copied for each Config)."""
    declared = Setting(label, section, help, **constraint)
    metadata = {"setting": declared}
    if isinstance(default, list):
        return dataclasses.field(default_factory=lambda: list(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def declared_settings(record: type) -> tuple[Setting, ...]:
    """The settings of a dataclass's fields, in their order, with name, type and default filled in."""
    found = []
    for f in dataclasses.fields(record):
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        found.append(dataclasses.replace(f.metadata["setting"], name=f.name, type=str(f.type), default=default))
    return tuple(found)


# ---------------------------------------------------------------- every problem at once, in the user's words
def all_problems(record: type, settings: Sequence[Setting], data: dict[str, Any]) -> dict[str, str]:
    """Every problem of `data` (a record's settings, by name) at once: setting name -> message, each
    message naming its setting by its label ("Smallest radius: 40 must be below ...").

    Each value is coerced; the compound checks then run in declaration order on the record built with
    every refused value at its default, and a value a check refuses is put back to its default before
    the next check. The first problem `validate` would raise is among them, with the same text (in words).
    """
    by_name = {s.name: s for s in settings}
    if not isinstance(data, dict):
        return {"config": f"config: expected an object of settings, got {type(data).__name__}"}
    found: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in by_name:
            found[name] = f"{name}: unknown setting"
            continue
        try:
            values[name] = by_name[name].coerce(value)
        except ConfigError as exc:
            found[name] = in_words(str(exc), by_name)
    config = record(**values)
    for declared in settings:
        if declared.check is None:
            continue
        try:
            declared.check(config, declared.name)
        except ConfigError as exc:
            named = setting_named(str(exc))
            name = named if named in by_name else declared.name
            found.setdefault(name, in_words(str(exc), by_name))
            config = dataclasses.replace(config, **{name: copy_default(by_name[name])})
        except Exception:  # a rule tripping over a value already refused (its cause): that one is said
            if not found:
                raise
    order = {name: index for index, name in enumerate(by_name)}
    return dict(sorted(found.items(), key=lambda item: order.get(item[0], len(order))))


def in_words(message: str, by_name: dict[str, Setting]) -> str:
    """A ConfigError's text with its setting named by its label, without the label's input hint:
    "r_min: 40 must be ..." -> "Smallest radius: 40 must be ...", "holes: ..." -> "Holes: ..."."""
    name, sep, rest = message.partition(":")
    if not sep or name.strip() not in by_name:
        return message
    return f"{short_label(by_name[name.strip()])}:{rest}"


def short_label(declared: Setting) -> str:
    """The label without its input hint: "Holes [[lo, hi], …]" -> "Holes", "Angle [lo, hi] (°)" -> "Angle (°)"."""
    return re.sub(r"\s*\[.*\]", "", declared.label).strip() or declared.label


def setting_named(message: str) -> str:
    """The setting a ConfigError's text names first ("r_min: ..." -> "r_min")."""
    return message.split(":", 1)[0].strip()


def copy_default(declared: Setting) -> Any:
    return list(declared.default) if isinstance(declared.default, list) else declared.default


def plain(number: float) -> str:
    """A number as a person writes it: 0 for 0.0, 1 for 1.0, -0.5, 1e-06, 3000."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
