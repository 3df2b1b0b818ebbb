"""Run configuration: one flat, validated record of everything needed to rebuild a run."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

KINDS = ("disk", "position-encoder", "position-decoder", "gan")
SHAPES = ("disk", "square", "ellipse")
REGULARISERS = ("none", "psi1", "psi2", "psi3")
DEVICES = ("auto", "cpu", "cuda")
DIRAC_KINDS = ("triangle", "onehot")
POSITION_TARGETS = ("position", "reversed")


class ConfigError(ValueError):
    """A setting is invalid; the message names the setting, the value and what is allowed."""


def default_encoder_depths(n_layers: int) -> list[int]:
    """Hidden depths of the disk encoder (Table 1: 8, 4, 4, 3, 2 for six layers)."""
    base = [8, 4, 4, 3, 2]
    hidden = n_layers - 1
    if hidden <= len(base):
        return base[:hidden]
    return [8] * (hidden - len(base)) + base


@dataclass
class Config:
    """Every setting of a run. Defaults are the paper's (Table 1, Section 4.1)."""

    kind: str = "disk"
    # data
    size: int = 64
    shape: str = "disk"
    sigma: float = 1.0
    n_train: int = 3000
    r_min: float = 0.0
    r_max: float | None = None
    holes: list[list[float]] = field(default_factory=list)
    mc_samples: int = 0
    dirac: str = "triangle"
    position_target: str = "position"
    # model
    encoder_depths: list[int] | None = None
    decoder_depths: list[int] | None = None
    code_size: int = 1
    bias: bool = True
    alpha: float = 0.2
    # training
    epochs: int = 400
    batch_size: int = 300
    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    regulariser: str = "none"
    lam: float = 0.0
    seed: int = 0
    device: str = "auto"
    checkpoint_every: int = 25
    checkpoint_seconds: float = 30.0  # and at least this often: a kill loses half a minute at most

    # ----------------------------------------------------------------- derived
    @property
    def n_layers(self) -> int:
        return round(math.log2(self.size))

    @property
    def radius_max(self) -> float:
        return self.size / 2 if self.r_max is None else float(self.r_max)

    @property
    def hidden_encoder_depths(self) -> list[int]:
        if self.encoder_depths is not None:
            return list(self.encoder_depths)
        if self.kind == "disk":
            return default_encoder_depths(self.n_layers)
        return [1] * (self.n_layers - 1)

    @property
    def hidden_decoder_depths(self) -> list[int]:
        if self.decoder_depths is not None:
            return list(self.decoder_depths)
        if self.kind == "position-decoder":
            return ([2] + [4] * (self.n_layers - 3) + [8])[: self.n_layers - 1]
        return self.hidden_encoder_depths[::-1]

    # -------------------------------------------------------------- validation
    def validate(self) -> Config:
        """Check every setting; raise ConfigError naming the first bad one."""
        _choice("kind", self.kind, KINDS)
        _choice("shape", self.shape, SHAPES)
        _choice("regulariser", self.regulariser, REGULARISERS)
        _choice("device", self.device, DEVICES)
        _choice("dirac", self.dirac, DIRAC_KINDS)
        _choice("position_target", self.position_target, POSITION_TARGETS)
        _int("size", self.size, 2)
        if self.size & (self.size - 1):
            raise ConfigError(f"size: {self.size} is not a power of two (the encoder halves it down to 1)")
        _int("n_train", self.n_train, 1)
        _int("mc_samples", self.mc_samples, 0)
        _int("code_size", self.code_size, 1)
        _int("epochs", self.epochs, 0)
        _int("batch_size", self.batch_size, 1)
        _int("seed", self.seed, 0)
        _int("checkpoint_every", self.checkpoint_every, 1)
        _number("checkpoint_seconds", self.checkpoint_seconds, 0.0)
        _number("sigma", self.sigma, 0.0, strict=True)
        _number("alpha", self.alpha, 0.0)
        _number("lr", self.lr, 0.0, strict=True)
        _number("lam", self.lam, 0.0)
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            _number(name, value, 0.0)
            if value >= 1:
                raise ConfigError(f"{name}: {value!r} must be below 1")
        if not isinstance(self.bias, bool):
            raise ConfigError(f"bias: {self.bias!r} is not true or false")
        self._validate_radii()
        for name in ("encoder_depths", "decoder_depths"):
            depths = getattr(self, name)
            if depths is None:
                continue
            if not isinstance(depths, list) or not all(_is_int(d) and d >= 1 for d in depths):
                raise ConfigError(f"{name}: {depths!r} must be a list of positive integers")
            if len(depths) != self.n_layers - 1:
                raise ConfigError(
                    f"{name}: {len(depths)} depths given, size {self.size} needs "
                    f"{self.n_layers - 1} (one per hidden layer)"
                )
        if self.kind != "disk" and self.code_size != 1:
            raise ConfigError(f"code_size: {self.code_size} given, position networks have a scalar code")
        return self

    def _validate_radii(self) -> None:
        _number("r_min", self.r_min, 0.0)
        if self.r_max is not None:
            _number("r_max", self.r_max, 0.0, strict=True)
        lo, hi = self.r_min, self.radius_max
        if hi > self.size / 2:
            raise ConfigError(f"r_max: {hi} exceeds half the image size ({self.size / 2})")
        if lo >= hi:
            raise ConfigError(f"r_min: {lo} must be below the largest radius ({hi})")
        if not isinstance(self.holes, list):
            raise ConfigError(f"holes: {self.holes!r} must be a list of [low, high] intervals")
        kept = hi - lo
        for hole in self.holes:
            if (
                not isinstance(hole, list | tuple)
                or len(hole) != 2
                or not all(_is_number(v) for v in hole)
                or not hole[0] < hole[1]
            ):
                raise ConfigError(f"holes: {hole!r} is not an interval [low, high] with low < high")
            if hole[1] <= lo or hole[0] >= hi:
                raise ConfigError(f"holes: {list(hole)} lies outside the radius range ({lo}, {hi})")
            kept -= min(hole[1], hi) - max(hole[0], lo)
        if kept <= 0:
            raise ConfigError(f"holes: {self.holes} cover the whole radius range ({lo}, {hi})")

    # ----------------------------------------------------------- (de)serialise
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        if not isinstance(data, dict):
            raise ConfigError(f"config: expected an object of settings, got {type(data).__name__}")
        unknown = sorted(set(data) - set(FIELD_TYPES))
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(FIELD_TYPES))})")
        return cls(**{k: _coerce(k, v) for k, v in data.items()}).validate()

    def replace(self, **changes: Any) -> Config:
        return Config.from_dict({**self.to_dict(), **changes})

    def with_overrides(self, assignments: list[str]) -> Config:
        """Apply `key=value` strings (values parsed as JSON, else taken as text)."""
        changes = {}
        for item in assignments:
            key, sep, text = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not key:
                raise ConfigError(f"--set {item!r}: expected key=value")
            if key not in FIELD_TYPES:
                raise ConfigError(f"{key}: unknown setting (known: {', '.join(sorted(FIELD_TYPES))})")
            changes[key] = parse_value(text)
        return self.replace(**changes)


FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Config)}
# settings added after run folders were first written: a config.json without them takes the default
ADDED_LATER = ("checkpoint_seconds",)


def parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        lowered = text.strip().lower()
        if lowered in ("none", "null"):
            return None
        if lowered in ("true", "false"):
            return lowered == "true"
        return text.strip()


def _coerce(name: str, value: Any) -> Any:
    """Accept ints for floats; reject everything else of the wrong type."""
    kind = FIELD_TYPES[name]
    if value is None:
        if "None" in kind:
            return None
        raise ConfigError(f"{name}: a value is required")
    if kind.startswith("float"):
        if not _is_number(value):
            raise ConfigError(f"{name}: {value!r} is not a number")
        if not math.isfinite(value):
            raise ConfigError(f"{name}: {value!r} is not finite")
        return float(value)
    if kind == "int":
        if not _is_int(value):
            raise ConfigError(f"{name}: {value!r} is not an integer")
        return int(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{name}: {value!r} is not true or false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{name}: {value!r} is not text")
        return value
    if kind.startswith("list[int]"):
        if not isinstance(value, list) or not all(_is_int(v) for v in value):
            raise ConfigError(f"{name}: {value!r} must be a list of integers")
        return [int(v) for v in value]
    if kind.startswith("list[list[float]]"):
        if not isinstance(value, list) or not all(isinstance(h, list | tuple) for h in value):
            raise ConfigError(f"{name}: {value!r} must be a list of [low, high] intervals")
        return [list(h) for h in value]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")


def _int(name: str, value: Any, minimum: int) -> None:
    if not _is_int(value):
        raise ConfigError(f"{name}: {value!r} is not an integer")
    if value < minimum:
        raise ConfigError(f"{name}: {value} must be at least {minimum}")


def _number(name: str, value: Any, minimum: float, strict: bool = False) -> None:
    if not _is_number(value) or not math.isfinite(value):
        raise ConfigError(f"{name}: {value!r} is not a finite number")
    if value < minimum or (strict and value == minimum):
        relation = "above" if strict else "at least"
        raise ConfigError(f"{name}: {value} must be {relation} {minimum}")
