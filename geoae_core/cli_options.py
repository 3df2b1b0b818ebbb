"""The `geoae` command's options and what they make: the settings options (--preset, --config,
--set, --device...) read into a Config, numbers checked, a usage mistake raised as UsageError.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .config import SETTINGS, SETTINGS_BY_NAME, Config, ConfigError
from .presets import preset


class UsageError(Exception):
    """A command-line mistake not caught by argparse."""


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, status 2, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("0 is not positive")
    return value


def load_config_file(path: str) -> Config:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--config {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"--config {path}: not a readable JSON file ({exc})") from None
    try:
        return Config.from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"--config {path}: {exc}") from None


def config_from_args(args: argparse.Namespace) -> Config:
    """--preset or --config, then --set, then --epochs/--seed/--device, validated."""
    if args.preset and args.config:
        raise UsageError(f"geoae {args.command}: give --preset or --config, not both")
    config = load_config_file(args.config) if args.config else preset(args.preset or "disks")
    changes = {name: getattr(args, name) for name in ("epochs", "seed", "device") if getattr(args, name) is not None}
    if args.tensorboard:
        changes["tensorboard"] = True
    return config.with_overrides(args.set).replace(**changes)


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", help="named configuration (see `geoae presets`); default disks")
    parser.add_argument("--config", help="JSON file of settings (as a run's config.json)")
    parser.add_argument("--epochs", type=non_negative_int, help="number of epochs (overrides the preset)")
    parser.add_argument("--seed", type=non_negative_int, help="seed of the data, the weights and the shuffling")
    add_device_option(parser)
    add_tensorboard_option(parser)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change any setting, e.g. --set bias=false --set holes=[[11,18]] (repeatable; settings listed below)",
    )
    # the declarations the validation also uses: the help cannot drift from it
    width = max(len(s.name) for s in SETTINGS)
    lines = ["settings for --set KEY=VALUE (default in brackets):"]
    for section in dict.fromkeys(s.section for s in SETTINGS):
        lines.append(f"  {section}")
        for s in (s for s in SETTINGS if s.section == section):
            default = s.blank if s.blank and s.default in (None, []) else json.dumps(s.default).strip('"')
            notes = [s.range_text(), f"only for {', '.join(s.kinds)}" if s.kinds else ""]
            extra = "; ".join(n for n in notes if n)
            lines.append(f"    {s.name:<{width}}  {s.help} [{default}]" + (f" ({extra})" if extra else ""))
    parser.epilog = "\n".join(lines)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def add_device_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """--device, its choices those of the `device` setting."""
    declared = SETTINGS_BY_NAME["device"]
    parser.add_argument("--device", choices=declared.choices, default=default, help=declared.help)


def add_tensorboard_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tensorboard",
        action="store_true",
        help='also write TensorBoard event files into each run folder (pip install "geoae[tensorboard]")',
    )


def add_cluster_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="train the runs on a Dask cluster: a scheduler (tcp://HOST:8786) or local:N worker processes "
        '(pip install "geoae[cluster]"; see docs/cluster.md)',
    )
