"""How a setting is declared: its label, section, help, constraint and the kinds it applies to.

Config's fields carry these declarations (`setting(...)` as their default); validation, the CLI's
help and the GUI's form are generated from them, so a range or a choice is written down once.
Pure Python: nothing of geoae_core, torch or Qt is imported here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SECTIONS = ("Data", "Model", "Training")
# a rule over the whole config (compound settings: holes, r_max, depths); gets the config and the setting's name
Check = Callable[[Any, str], None]


class ConfigError(ValueError):
    """A setting is invalid; the message names the setting, the value and what is allowed."""


@dataclass(frozen=True)
class Setting:
    """One setting of a run. name, type and default are filled in from its Config field."""

    label: str
    section: str
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    above_minimum: bool = False  # strict: the minimum itself is refused
    below_maximum: bool = False  # strict: the maximum itself is refused
    check: Check | None = None
    kinds: tuple[str, ...] = ()  # the run kinds it applies to; empty: every kind
    blank: str = ""  # what no value (None, an empty list) means
    offered: tuple[Any, ...] = ()  # values the form offers in a list (the constraint still decides)
    step: float = 1.0  # the form's spin-box step and decimals
    decimals: int = 3
    name: str = ""
    type: str = ""
    default: Any = None

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

    def check_value(self, value: Any) -> None:
        """The generic checks: type, choices, range. Compound rules are `check`, run by Config."""
        if value is None and "None" in self.type:
            return
        if self.choices:
            if value not in self.choices:
                raise ConfigError(f"{self.name}: {value!r} is not one of {', '.join(self.choices)}")
        elif self.type == "int":
            if not is_int(value):
                raise ConfigError(f"{self.name}: {value!r} is not an integer")
            self._check_range(value)
        elif self.type.startswith("float"):
            if not is_number(value) or not math.isfinite(value):
                raise ConfigError(f"{self.name}: {value!r} is not a finite number")
            self._check_range(value)
        elif self.type == "bool" and not isinstance(value, bool):
            raise ConfigError(f"{self.name}: {value!r} is not true or false")

    def _check_range(self, value: float) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and (value < low or (self.above_minimum and value == low)):
            relation = "above" if self.above_minimum else "at least"
            raise ConfigError(f"{self.name}: {value} must be {relation} {low}")
        if high is not None and (value > high or (self.below_maximum and value == high)):
            relation = "below" if self.below_maximum else "at most"
            raise ConfigError(f"{self.name}: {value!r} must be {relation} {high}")


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


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
