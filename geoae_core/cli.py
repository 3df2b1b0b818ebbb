"""The `geoae` command: train, eval, sweep, reproduce, presets, examples.

Every user error ends as one line on stderr and exit status 2, never a traceback. The options
are read in cli_options.py, what is printed is made in cli_report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .cli_options import (
    ArgumentParser,
    UsageError,
    add_cluster_option,
    add_config_options,
    add_device_option,
    add_tensorboard_option,
    config_from_args,
    non_negative_int,
    positive_int,
)
from .cli_report import ProgressBar, format_eval
from .config import ConfigError
from .examples import copy_examples, example_runs
from .files import LOCK_FILE, RunError
from .presets import PRESETS, describe, preset, preset_names
from .start import started

if TYPE_CHECKING:
    from .runs import Run

USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, RunError)


def check_tensorboard(wanted: bool) -> None:
    """Refuse --tensorboard without its writer before any file is written (no torch loaded)."""
    if wanted:
        from .tensorboard_log import require

        require()


def command_train(args: argparse.Namespace) -> int:
    """`train()`'s own path, in two halves: the start (checks, the folder held, its first files)
    before torch loads, then the training."""
    out, resume = train_folder(args)
    if out.exists() and not out.is_dir():
        raise UsageError(f"geoae train: {out} is a file, not a folder")
    config = None if resume else config_from_args(args)
    if not resume and not args.force and out.is_dir() and any(p.name != LOCK_FILE for p in out.iterdir()):
        raise UsageError(f"geoae train: {out} is not empty (use --force to overwrite, --resume to continue)")
    overrides = {"tensorboard": True} if resume and args.tensorboard else {}
    with started(config, out, resume, overrides) as config:
        from .training import train_started  # torch, once the run is on disk

        run = train_started(config, out, [ProgressBar()], resume=resume)
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


def report_run(run: Run, out: Path) -> int:
    print(out)
    if run.status == "diverged":
        print(f"geoae train: the loss diverged; the last finite epoch ({len(run.history)}) is kept", file=sys.stderr)
    return 0 if run.status == "finished" else 1


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
    from .batched import check_family
    from .cluster import RunsFailed
    from .sweep import expand_members, sweep

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
    if batched:
        check_family([c for _, c in members])  # before any run trains
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
    from .device import resolve_device

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
    add_device_option(reproduce, default="auto")
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
