"""Run configuration: one flat, validated record of everything needed to rebuild a run.

Each field is declared once, with its label, section, help and constraint (see settings.py);
validation, `geoae train --help` and the GUI's form are generated from these declarations.
What depends on the kind of run (its default depths, which settings apply) is asked of the kind
registered under that name (settings.register_kind: geoae_core.kinds registers them on import).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

from .settings import (
    KIND_NAMES,
    ConfigError,
    Setting,
    all_problems,
    declared_settings,
    is_int,
    is_number,
    registered_kind,
    setting,
)

__all__ = ["ADDED_LATER", "FIELD_TYPES", "KINDS", "SETTINGS", "Config", "ConfigError", "Setting"]

SHAPES = ("disk", "square", "ellipse")
REGULARISERS = ("none", "psi1", "psi2", "psi3")
DEVICES = ("auto", "cpu", "cuda")
DIRAC_KINDS = ("triangle", "onehot")
POSITION_TARGETS = ("position", "reversed")


# ------------------------------------------------ compound rules, named in the declarations below
def power_of_two(config: Config, name: str) -> None:
    if config.size & (config.size - 1):
        raise ConfigError(f"size: {config.size} is not a power of two (the encoder halves it down to 1)")


def radii_in_image(config: Config, name: str) -> None:
    if config.radius_max > config.size / 2:
        raise ConfigError(f"r_max: {config.radius_max:g} exceeds half the image size ({config.size / 2:g})")


def smallest_below_largest(config: Config, name: str) -> None:
    if config.r_min >= config.radius_max:
        raise ConfigError(f"r_min: {config.r_min:g} must be below the largest radius ({config.radius_max:g})")


def holes_inside_radii(config: Config, name: str) -> None:
    lo, hi = config.r_min, config.radius_max
    if not isinstance(config.holes, list):
        raise ConfigError(f"holes: {config.holes!r} must be a list of [low, high] intervals")
    kept = hi - lo
    for hole in config.holes:
        if (
            not isinstance(hole, list | tuple)
            or len(hole) != 2
            or not all(is_number(v) for v in hole)
            or not hole[0] < hole[1]
        ):
            raise ConfigError(f"holes: {hole!r} is not an interval [low, high] with low < high")
        if hole[1] <= lo or hole[0] >= hi:
            raise ConfigError(f"holes: {list(hole)} lies outside the radius range ({lo}, {hi})")
        kept -= min(hole[1], hi) - max(hole[0], lo)
    if kept <= 0:
        raise ConfigError(f"holes: {config.holes} cover the whole radius range ({lo}, {hi})")


def one_depth_per_layer(config: Config, name: str) -> None:
    depths = getattr(config, name)
    if depths is None:
        return
    if not isinstance(depths, list) or not all(is_int(d) and d >= 1 for d in depths):
        raise ConfigError(f"{name}: {depths!r} must be a list of positive integers")
    if len(depths) != config.n_layers - 1:
        raise ConfigError(
            f"{name}: {len(depths)} depths given, size {config.size} needs {config.n_layers - 1} (one per hidden layer)"
        )


def scalar_code_where_declared(config: Config, name: str) -> None:
    if not SETTINGS_BY_NAME[name].applies_to(config.kind) and config.code_size != 1:
        raise ConfigError(f"code_size: {config.code_size} given, a {config.kind} run has a scalar code")


# ---------------------------------------- the attribute kinds' ranges: one [low, high] setting per attribute
RANGE_SETTINGS = {"cx": "cx_range", "cy": "cy_range", "b": "b_range", "angle": "angle_range", "grey": "grey_range"}
POSITIVE_RANGES = ("b_range", "grey_range")


def attribute_range(config: Config, name: str) -> None:
    value = getattr(config, name)
    if value is None:
        return
    if not isinstance(value, list) or len(value) != 2 or not all(is_number(v) and math.isfinite(v) for v in value):
        raise ConfigError(f"{name}: {value!r} is not a range [low, high] of two numbers")
    if value[0] > value[1]:
        raise ConfigError(f"{name}: {value} has low above high")
    if name in POSITIVE_RANGES and value[0] <= 0:
        raise ConfigError(f"{name}: {value} must lie above 0")
    if not SETTINGS_BY_NAME[name].applies_to(config.kind):
        return
    if name == "b_range" and config.shape != "ellipse":
        raise ConfigError(f"b_range: only an ellipse has a second semi-axis (shape is {config.shape})")
    if name == "angle_range" and config.shape == "disk" and value != [0.0, 0.0]:
        raise ConfigError("angle_range: a disk has no angle (give [0, 0] or another shape)")


def shape_extent(config: Config) -> float:
    """How far the shape reaches from its centre along x or y, at most: a rotated square reaches its
    half-diagonal, an ellipse its larger semi-axis."""
    size = max(config.radius_max, config.b_range[1] if config.b_range else 0.0)
    if config.shape == "square" and config.angle_range != [0.0, 0.0]:
        size *= math.sqrt(2.0)
    return size


def position_in_image(config: Config, name: str) -> None:
    """A centre range, and the shape kept inside the image wherever its centre falls."""
    attribute_range(config, name)
    if not SETTINGS_BY_NAME[name].applies_to(config.kind):
        return
    span = getattr(config, name)
    reach = shape_extent(config) + max(abs(v) for v in span)
    if reach > config.size / 2:
        raise ConfigError(
            f"{name}: {span} takes the shape (reaching {shape_extent(config):g} px from its centre)"
            f" {reach - config.size / 2:g} px beyond the image's edge"
        )


def attribute_holes_inside(config: Config, name: str) -> None:
    holes = config.attribute_holes
    if not isinstance(holes, list):
        raise ConfigError(f"attribute_holes: {holes!r} must be a list of [attribute, low, high]")
    for hole in holes:
        if (
            not isinstance(hole, list | tuple)
            or len(hole) != 3
            or hole[0] not in RANGE_SETTINGS
            or not all(is_number(v) and math.isfinite(v) for v in hole[1:])
            or not hole[1] < hole[2]
        ):
            raise ConfigError(
                f"attribute_holes: {hole!r} is not [attribute, low, high] with low < high, attribute one of"
                f" {', '.join(RANGE_SETTINGS)} (holes in r: the holes setting)"
            )
        span = getattr(config, RANGE_SETTINGS[hole[0]]) or [0.0, 0.0]
        if hole[2] <= span[0] or hole[1] >= span[1]:
            raise ConfigError(f"attribute_holes: {list(hole)} lies outside the {hole[0]} range {span}")
    for attribute, setting_name in RANGE_SETTINGS.items():
        span = getattr(config, setting_name) or [0.0, 0.0]
        ranges = [h[1:] for h in holes if h[0] == attribute]
        covered = sum(min(hi, span[1]) - max(lo, span[0]) for lo, hi in ranges)
        if ranges and covered >= span[1] - span[0]:
            raise ConfigError(f"attribute_holes: the holes in {attribute} cover its whole range {span}")


@dataclass
class Config:
    """Every setting of a run. Defaults are the paper's (Table 1, Section 4.1)."""

    # one declaration per setting, laid out as a table; setting() returns a dataclasses.field
    # fmt: off
    kind: str = setting("disk", "Run kind", "Data", "what is trained", choices=KIND_NAMES)
    # data
    size: int = setting(
        64, "Image size m", "Data", "image side in pixels, a power of two", minimum=2, check=power_of_two,
        offered=(4, 8, 16, 32, 64, 128, 256),
    )
    shape: str = setting(
        "disk", "Shape", "Data", "the shape drawn in the images", choices=SHAPES, applies="disk images"
    )
    sigma: float = setting(
        1.0, "Blur σ (px)", "Data", "Gaussian blur of the edges", minimum=0.0, above_minimum=True, applies="disk images"
    )
    n_train: int = setting(3000, "Training samples", "Data", "images in the training set", minimum=1)
    r_min: float = setting(
        0.0, "Smallest radius", "Data", "smallest disk radius", minimum=0.0, step=0.5, decimals=2,
        check=smallest_below_largest, applies="disk images",
    )
    r_max: float | None = setting(
        None, "Largest radius R", "Data", "largest disk radius, at most m/2", minimum=0.0, above_minimum=True,
        check=radii_in_image, blank="m/2", applies="disk images",
    )
    holes: list[list[float]] = setting(  # noqa: RUF009
        [], "Holes [[lo, hi], …]", "Data", "radius intervals left out of training, e.g. [[11, 18]]",
        check=holes_inside_radii, blank="none", applies="disk images",
    )
    mc_samples: int = setting(
        0, "Monte Carlo samples", "Data", "samples per pixel (0: exact disks)", minimum=0, applies="disk images"
    )
    dirac: str = setting(
        "triangle", "Dirac targets", "Data", "how a position is drawn", choices=DIRAC_KINDS, applies="diracs"
    )
    position_target: str = setting(
        "position", "Position target", "Data", "what the position code should be", choices=POSITION_TARGETS,
        applies="diracs",
    )
    b_range: list[float] | None = setting(  # noqa: RUF009
        None, "Semi-axis b [lo, hi]", "Data", "an ellipse's semi-axis along y (r is along x), e.g. [2, 14]",
        check=attribute_range, blank="0.6 × the radius", applies="attributes", added_later=True,
    )
    angle_range: list[float] = setting(  # noqa: RUF009
        [0.0, 0.0], "Angle [lo, hi] (°)", "Data", "the shape's angle in degrees, anticlockwise, e.g. [0, 90]",
        check=attribute_range, applies="attributes", added_later=True,
    )
    grey_range: list[float] = setting(  # noqa: RUF009
        [1.0, 1.0], "Grey level [lo, hi]", "Data", "the shape's intensity, e.g. [0.2, 1]", check=attribute_range,
        applies="attributes", added_later=True,
    )
    cx_range: list[float] = setting(  # noqa: RUF009
        [0.0, 0.0], "Centre x [lo, hi]", "Data", "the shape's centre x in px from the image centre, e.g. [-12, 12]",
        check=position_in_image, applies="attributes", added_later=True,
    )
    cy_range: list[float] = setting(  # noqa: RUF009
        [0.0, 0.0], "Centre y [lo, hi]", "Data", "the shape's centre y in px from the image centre, e.g. [-12, 12]",
        check=position_in_image, applies="attributes", added_later=True,
    )
    attribute_holes: list[list[str | float]] = setting(  # noqa: RUF009
        [], "Holes in attributes", "Data", 'intervals of cx, cy, b, angle, grey not trained on, e.g. [["cx", -4, 4]]',
        check=attribute_holes_inside, blank="none", applies="attributes", added_later=True,
    )
    # model
    encoder_depths: list[int] | None = setting(  # noqa: RUF009
        None, "Encoder depths", "Model", "channels of each hidden encoder layer", check=one_depth_per_layer,
        blank="Table 1's",
    )
    decoder_depths: list[int] | None = setting(  # noqa: RUF009
        None, "Decoder depths", "Model", "channels of each hidden decoder layer", check=one_depth_per_layer,
        blank="the encoder's, reversed",
    )
    code_size: int = setting(
        1, "Code size d", "Model", "size of the latent code", minimum=1, check=scalar_code_where_declared,
        applies="code size",
    )
    bias: bool = setting(True, "Biases", "Model", "layers have biases")
    alpha: float = setting(0.2, "Leaky ReLU α", "Model", "slope of the leaky ReLU below 0", minimum=0.0, step=0.05)
    # training
    epochs: int = setting(400, "Epochs", "Training", "passes over the training set", minimum=1)
    batch_size: int = setting(300, "Batch size", "Training", "images per step", minimum=1)
    lr: float = setting(
        0.001, "Learning rate", "Training", "Adam's step size", minimum=0.0, above_minimum=True, step=0.0005,
        decimals=6,
    )
    lr_final: float | None = setting(
        None, "Final learning rate", "Training", "cosine decay of the learning rate down to this at the last epoch",
        minimum=0.0, step=0.0001, decimals=6, blank="constant", applies="lr schedule", added_later=True,
    )
    beta1: float = setting(
        0.9, "Adam β1", "Training", "Adam's first-moment decay", minimum=0.0, maximum=1, below_maximum=True,
        step=0.01, decimals=4,
    )
    beta2: float = setting(
        0.999, "Adam β2", "Training", "Adam's second-moment decay", minimum=0.0, maximum=1, below_maximum=True,
        step=0.001, decimals=6,
    )
    regulariser: str = setting("none", "Regulariser", "Training", "penalty on the code", choices=REGULARISERS)
    lam: float = setting(0.0, "λ", "Training", "weight of the regulariser", minimum=0.0, step=0.1, decimals=4)
    seed: int = setting(0, "Seed", "Training", "seed of the data, the weights and the shuffling", minimum=0)
    device: str = setting("auto", "Device", "Training", "where to train (auto: CUDA if present)", choices=DEVICES)
    checkpoint_every: int = setting(
        25, "Checkpoint (epochs)", "Training", "epochs between checkpoints", minimum=1
    )
    checkpoint_seconds: float = setting(
        30.0, "Checkpoint (seconds)", "Training", "seconds between checkpoints at most: a kill loses no more",
        minimum=0.0, step=1.0, decimals=1, added_later=True,
    )
    tensorboard: bool = setting(
        False, "TensorBoard events", "Training", "also write TensorBoard event files", added_later=True
    )
    # fmt: on

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
        return registered_kind(self.kind).encoder_depths(self.n_layers)

    @property
    def hidden_decoder_depths(self) -> list[int]:
        if self.decoder_depths is not None:
            return list(self.decoder_depths)
        defaults = registered_kind(self.kind).decoder_depths(self.n_layers)
        return defaults if defaults is not None else self.hidden_encoder_depths[::-1]

    # -------------------------------------------------------------- validation
    def validate(self) -> Config:
        """Check each setting (type, choices, range), then the compound rules; a ConfigError names the first bad."""
        for declared in SETTINGS:
            declared.coerce(getattr(self, declared.name))
        for declared in SETTINGS:
            if declared.check is not None:
                declared.check(self, declared.name)
        return self

    @classmethod
    def problems(cls, data: dict[str, Any]) -> dict[str, str]:
        """Every problem of these settings at once (not only the first, as from_dict raises):
        setting name -> message naming the setting by its label; {} when from_dict takes them."""
        return all_problems(cls, SETTINGS, data)

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
        return cls(**{k: SETTINGS_BY_NAME[k].coerce(v) for k, v in data.items()}).validate()

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


SETTINGS: tuple[Setting, ...] = declared_settings(Config)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}
FIELD_TYPES = {s.name: s.type for s in SETTINGS}
# settings added after run folders were first written: a config.json without them takes the default
ADDED_LATER = tuple(s.name for s in SETTINGS if s.added_later)
KINDS = KIND_NAMES  # the names of the kinds of run (registered by geoae_core.kinds)


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
