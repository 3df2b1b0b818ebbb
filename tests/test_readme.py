"""The README's two commands are the ones CI and the packaging really use."""

import importlib
import re
from pathlib import Path

import tomllib

from geoae_core.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")][:2]


def test_the_test_command_is_what_ci_runs():
    _launch, test = two_commands()
    assert test == "bash scripts/test"
    ci_commands = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert f"exec {test}" in ci_commands
    assert (ROOT / "scripts/test").is_file()


def test_the_launch_command_starts_the_declared_console_script():
    launch, _test = two_commands()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert launch.startswith("python3 -m venv .venv && .venv/bin/pip install -e . && ")
    program = launch.rsplit("&& ", 1)[1]
    assert program == ".venv/bin/geoae-gui" and "geoae-gui" in scripts
    module, function = scripts["geoae-gui"].split(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_every_geoae_command_in_the_readme_exists():
    known = set(build_parser()._subparsers._group_actions[0].choices)  # the subcommands
    used = set(re.findall(r"^\s+geoae ([a-z]+)", README, re.MULTILINE))
    assert used and used <= known
