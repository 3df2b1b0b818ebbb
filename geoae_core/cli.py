"""The `geoae` command: train, eval, presets (and more as the engine grows).

Every user error ends as one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config, ConfigError
from .examples import copy_examples, example_runs
from .files import LOCK_FILE, RunError, hold, start_folder
from .presets import PRESETS, describe, preset, preset_names

if TYPE_CHECKING:
    from .loop import Progress

USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, RunError)


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


class ProgressBar:
    """Progress on stderr: on a terminal, one line redrawn in place (epoch, loss, epochs per
    second, time left); elsewhere (a log file, a pipe) a plain line every LOG_INTERVAL_S and at
    the end, so a log stays a few dozen short lines."""

    LOG_INTERVAL_S = 10.0

    def __init__(self, stream=None, width: int = 30, clock: Callable[[], float] = time.perf_counter):
        self.stream = stream or sys.stderr
        self.width = width
        self.clock = clock
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = clock()
        self.last_draw = 0.0

    def __call__(self, report: Progress) -> None:
        if report.event == "start":
            self.started = self.last_draw = self.clock()
            self.stream.write(f"training on {report.device}\n")
        if report.event == "epoch":
            now = self.clock()
            interval = 0.1 if self.terminal else self.LOG_INTERVAL_S
            if now - self.last_draw > interval or report.epoch == report.epochs:
                self.last_draw = now
                self.draw(report, now)
        if report.event == "warning":
            self.stream.write(f"{self.line_break}warning: {report.message}\n")
        if report.event == "end":
            self.stream.write(
                f"{self.line_break}{report.status} after {report.epoch} epochs ({self.clock() - self.started:.1f} s)\n"
            )
        self.stream.flush()

    @property
    def line_break(self) -> str:
        return "\n" if self.terminal else ""  # ends the bar being redrawn

    def draw(self, report: Progress, now: float) -> None:
        elapsed = now - self.started
        rate = report.epoch / elapsed if elapsed > 0 else 0.0
        left = (report.epochs - report.epoch) / rate if rate > 0 else 0.0
        numbers = f"{report.epoch}/{report.epochs} loss {report.loss:.4g} {rate:.1f} ep/s {left:.0f} s left"
        if not self.terminal:
            self.stream.write(f"epoch {numbers}\n")
            return
        filled = int(self.width * report.epoch / max(report.epochs, 1))
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {numbers} ")


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
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], help="where to train (auto: CUDA if present)")
    add_tensorboard_option(parser)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change any setting, e.g. --set bias=false --set holes=[[11,18]] (repeatable; settings listed below)",
    )
    from .config import SETTINGS  # the declarations the validation also uses: the help cannot drift from it

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


def add_tensorboard_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tensorboard",
        action="store_true",
        help='also write TensorBoard event files into each run folder (pip install "geoae[tensorboard]")',
    )


def check_tensorboard(wanted: bool) -> None:
    """Refuse --tensorboard without its writer before any file is written (no torch loaded)."""
    if wanted:
        from .tensorboard_log import require

        require()


def command_train(args: argparse.Namespace) -> int:
    out, resume = train_folder(args)
    if out.exists() and not out.is_dir():
        raise UsageError(f"geoae train: {out} is a file, not a folder")
    config = None if resume else config_from_args(args)
    if not resume and not args.force and out.is_dir() and any(p.name != LOCK_FILE for p in out.iterdir()):
        raise UsageError(f"geoae train: {out} is not empty (use --force to overwrite, --resume to continue)")
    if config is not None and config.device == "cuda":
        from .loop import resolve_device  # torch, before any file: a machine without CUDA is refused first

        resolve_device(config.device)
    check_tensorboard(args.tensorboard or (config is not None and config.tensorboard))
    with hold(out):
        if config is not None:
            start_folder(out, config.to_json(), config.epochs)  # on disk and resumable before torch loads
        from .training import train

        overrides = {"tensorboard": True} if resume and args.tensorboard else {}
        run = train(config, out=out, callbacks=[ProgressBar()], resume=resume, **overrides)
    return report_run(run, out)


def train_folder(args: argparse.Namespace) -> tuple[Path, bool]:
    """(run folder, resume?) from --out and --resume [DIR]."""
    if isinstance(args.resume, str):
        if args.out and Path(args.out) != Path(args.resume):
            raise UsageError("geoae train: --resume DIR and --out name two folders; give one")
        return Path(args.resume), True
    if not args.out:
        raise UsageError("geoae train: --out DIR is required (or --resume DIR to continue a run)")
    return Path(args.out), bool(args.resume)


def report_run(run, out: Path) -> int:
    print(out)
    if run.status == "diverged":
        print(f"geoae train: the loss diverged; the last finite epoch ({len(run.history)}) is kept", file=sys.stderr)
    return 0 if run.status == "finished" else 1


def format_eval(report: dict[str, Any]) -> str:
    lines = [f"kind: {report['kind']}"]
    for key in ("mean_error", "max_error", "rank1_fraction", "hole_error", "outside_error", "max_peak_error"):
        if report.get(key) is not None:
            lines.append(f"{key}: {report[key]:.6g}")
    for key in ("fit_r", "fit_r2", "fit_position"):
        if key in report:
            fit = report[key]
            lines.append(f"{key}: R^2 {fit['r2']:.6f} (slope {fit['slope']:.4g}, intercept {fit['intercept']:.4g})")
    if "area_beats_radius" in report:
        verdict = "z encodes the area (fits r^2 better than r)" if report["area_beats_radius"] else "z fits r better"
        lines.append(verdict)
    if "max_residual_in_steps" in report:
        lines.append(f"max_residual_in_steps: {report['max_residual_in_steps']:.4g}")
    if "readout" in report:
        lines.extend(format_readout(report["readout"]))
    return "\n".join(lines)


def format_readout(readout: dict[str, Any]) -> list[str]:
    """The attribute read-out as a table: R^2 from z, the correlation with each code axis, fig3's verdict."""
    axes = " ".join(f"{'z' + str(j):>6}" for j in range(readout["code_size"]))
    lines = [f"read-out on {readout['n']} fresh test images (R^2 of the fit from z; correlation per axis):"]
    lines.append(f"  {'attribute':<10} {'linear':>7} {'quadr.':>7}  {axes}  code follows (R^2 of z fitted from it)")
    for name, row in readout["attributes"].items():
        cells = " ".join(f"{c:>6.3f}" for c in row["correlation"])
        verdicts = ", ".join(f"{label} {r2:.4f}" for label, r2 in row["follows_r2"].items())
        lines.append(
            f"  {name:<10} {row['r2_linear']:>7.4f} {row['r2_quadratic']:>7.4f}  {cells}  {row['follows']} ({verdicts})"
        )
    return lines


def command_eval(args: argparse.Namespace) -> int:
    from .analysis import attribute_names, attribute_readout
    from .evaluate import evaluate
    from .runs import load_run

    run = load_run(args.run)
    if args.epoch is not None:  # the weights as they were then
        run = run.at_epoch(args.epoch)
    report = evaluate(run)
    if attribute_names(run):
        report["readout"] = attribute_readout(run)
    if args.epoch is not None:
        report["snapshot_epoch"] = run.info.get("snapshot_epoch", args.epoch)
        if not args.json:
            print(f"weights of epoch {report['snapshot_epoch']}, the snapshot nearest to {args.epoch}")
    print(json.dumps(report, indent=2) if args.json else format_eval(report))
    return 0


def command_sweep(args: argparse.Namespace) -> int:
    from .cluster import RunsFailed
    from .sweep import can_batch, expand_members, sweep

    config = config_from_args(args)
    check_cluster_options(args)
    check_tensorboard(config.tensorboard)
    if args.seeds < 1:
        raise UsageError("geoae sweep: --seeds must be at least 1")
    try:
        members = expand_members(config, args.seeds, args.vary)
    except ValueError as exc:
        raise UsageError(f"geoae sweep: {exc}") from None
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise UsageError(f"geoae sweep: {out} is not empty (use --force to overwrite)")
    names = [name for name, _ in members]
    done = 0
    bar = ProgressBar() if args.cluster else None  # epochs across the cluster's workers

    def report(index: int, status: str) -> None:
        nonlocal done
        done += 1
        line_break = bar.line_break if bar else ""
        sys.stderr.write(f"{line_break}[{done}/{len(members)}] {names[index]}: {status}\n")

    sys.stderr.write(f"{len(members)} runs into {out}\n")
    batched = {"auto": None, "yes": True, "no": False}[args.batched]
    if batched and not can_batch([c for _, c in members]):
        raise UsageError("geoae sweep: --batched yes needs disk runs that differ only in seed, regulariser and lam")
    configs, outs = [c for _, c in members], [out / name for name in names]
    try:
        runs: list[Any] = sweep(
            configs, outs, workers=args.workers, on_done=report, batched=batched, cluster=args.cluster,
            callbacks=[bar] if bar else [],
        )  # fmt: skip
    except RunsFailed as exc:  # some failed on the cluster: the others are listed all the same
        sys.stderr.write(f"geoae sweep: {exc}\n")
        runs = exc.runs
    for name, run in zip(names, runs):
        if run is None:
            print(f"{name}\tfailed\tnan")
            continue
        loss = run.history[-1]["loss"] if run.history else float("nan")
        print(f"{name}\t{run.status}\t{loss:.4g}")
    return 0 if all(r is not None and r.status == "finished" for r in runs) else 1


def add_cluster_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="train the runs on a Dask cluster: a scheduler (tcp://HOST:8786) or local:N worker processes "
        '(pip install "geoae[cluster]"; see docs/cluster.md)',
    )


def check_cluster_options(args: argparse.Namespace) -> None:
    """--cluster: a valid address, distributed installed, and no option for this machine's processes."""
    if args.cluster is None:
        return
    from .cluster import check_address

    check_address(args.cluster)
    if getattr(args, "workers", None):
        raise UsageError("geoae sweep: --workers counts processes of this machine; with --cluster, its workers train")
    if getattr(args, "batched", "auto") == "yes":
        raise UsageError("geoae sweep: --batched yes trains on this machine; give it or --cluster, not both")


def command_reproduce(args: argparse.Namespace) -> int:
    from .experiments import EXPERIMENTS, expand_ids, run_ids  # here, not above: other commands start without torch

    if args.list:
        for name, experiment in EXPERIMENTS.items():
            print(f"{name:<7} {experiment.claim}")
        return 0
    if not args.ids:
        raise UsageError("geoae reproduce: name at least one id (or all); --list shows them")
    if not args.out:
        raise UsageError("geoae reproduce: --out DIR is required")
    try:
        ids = expand_ids(args.ids)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    from .loop import resolve_device

    resolve_device(args.device)
    check_cluster_options(args)
    check_tensorboard(args.tensorboard)
    bar = ProgressBar()

    def stage(text: str) -> None:
        sys.stderr.write(f"{bar.line_break}{text}\n")
        sys.stderr.flush()

    settings = {"runs": args.runs, "lambda_runs": args.runs} if args.runs else None
    records = run_ids(
        ids,
        args.out,
        quick=args.quick,
        seed=args.seed,
        device=args.device,
        callbacks=[bar],
        on_stage=stage,
        settings=settings,
        cluster=args.cluster,
        tensorboard=args.tensorboard,
    )
    print()
    for name, record in records.items():
        print(f"{name:<7} {record['verdict']:<5} {record['seconds']:8.1f} s")
    print(Path(args.out) / "index.html")
    return 0 if all(r["verdict"] != "error" for r in records.values()) else 1


def command_examples(args: argparse.Namespace) -> int:
    runs = example_runs()
    if not runs:
        raise UsageError("geoae examples: none are installed (scripts/make_examples.py makes them)")
    if args.copy:
        for folder in copy_examples(Path(args.copy)):
            print(folder)
        return 0
    for name, folder in runs.items():
        print(f"{name}\t{folder}")
    return 0


def command_presets(args: argparse.Namespace) -> int:
    if args.show:
        print(preset(args.show).to_json())
        return 0
    width = max(map(len, PRESETS))
    for name in preset_names():
        print(f"{name:<{width}}  {describe(name)}")
    return 0


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="geoae", description="Autoencoders on disks and Diracs: train, evaluate, reproduce.")
    parser.add_argument("--version", action="version", version=f"geoae {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    train = commands.add_parser("train", help="train a model into a run folder", description="Train a model.")
    add_config_options(train)
    train.add_argument("--out", help="run folder to write (config, weights, history)")
    train.add_argument("--force", action="store_true", help="overwrite a non-empty --out folder")
    train.add_argument(
        "--resume",
        nargs="?",
        const=True,
        metavar="DIR",
        help="continue the run in DIR (or --out) from its last checkpoint, or from the start if it has none",
    )
    train.set_defaults(func=command_train)

    evaluate = commands.add_parser(
        "eval",
        help="evaluate a run on a fixed test grid",
        description="Reconstruction error and z over 63 test radii (or every position), and the fits of z.",
    )
    evaluate.add_argument("run", help="run folder")
    evaluate.add_argument("--json", action="store_true", help="print the full report as JSON")
    evaluate.add_argument(
        "--epoch", type=non_negative_int, metavar="E", help="the weights as they were at epoch E (nearest snapshot)"
    )
    evaluate.set_defaults(func=command_eval)

    sweep = commands.add_parser(
        "sweep",
        help="train a family of runs (seeds, settings) side by side",
        description="Train every combination of --vary values and seeds; each member is a run folder under --out.",
    )
    add_config_options(sweep)
    sweep.add_argument("--out", required=True, help="folder for the members' run folders")
    sweep.add_argument("--seeds", type=non_negative_int, default=1, help="seeds per combination (seed, seed+1, ...)")
    sweep.add_argument(
        "--vary", action="append", default=[], metavar="KEY=V1,V2", help="values of one setting (repeatable)"
    )
    sweep.add_argument("--workers", type=non_negative_int, help="runs trained at once (default: one per core on CPU)")
    sweep.add_argument("--force", action="store_true", help="write into a non-empty --out")
    add_cluster_option(sweep)
    sweep.add_argument(
        "--batched",
        choices=["auto", "yes", "no"],
        default="auto",
        help="train the members as one grouped model (auto: on CUDA, when they differ only in seed, regulariser, lam)",
    )
    sweep.set_defaults(func=command_sweep)

    reproduce = commands.add_parser(
        "reproduce",
        help="reproduce figures and tables of the paper",
        description="Train, measure and draw each figure of the paper: DIR/ID.png, DIR/ID.json, DIR/index.html.",
    )
    reproduce.add_argument("ids", nargs="*", help="figure ids (fig2 ... fig14, table2) or all")
    reproduce.add_argument("--out", help="report folder")
    reproduce.add_argument("--quick", action="store_true", help="fewer epochs and runs, same code paths")
    reproduce.add_argument("--seed", type=non_negative_int, default=0, help="first seed (runs use seed, seed+1, ...)")
    reproduce.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="where to train")
    reproduce.add_argument(
        "--runs", type=positive_int, help="seeds per setting in figures 7 and 8 (default 5; 1 with --quick)"
    )
    reproduce.add_argument("--list", action="store_true", help="list the ids and their claims")
    add_cluster_option(reproduce)
    add_tensorboard_option(reproduce)
    reproduce.set_defaults(func=command_reproduce)

    presets = commands.add_parser("presets", help="list the named configurations", description="List presets.")
    presets.add_argument("--show", metavar="NAME", help="print one preset's full configuration as JSON")
    presets.set_defaults(func=command_presets)

    examples = commands.add_parser(
        "examples",
        help="list the example runs shipped with geoae",
        description="The trained example runs (read-only): one line each, name, a tab, the folder.",
    )
    examples.add_argument("--copy", metavar="DIR", help="copy them into DIR as runs of your own")
    examples.set_defaults(func=command_examples)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        handler: Callable[[argparse.Namespace], int] = args.func
        return handler(args)
    except (UsageError, *USER_ERRORS) as exc:
        print(f"geoae: error: {exc}" if not str(exc).startswith("geoae") else f"{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("geoae: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `geoae eval RUN | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 141


if __name__ == "__main__":
    sys.exit(main())
