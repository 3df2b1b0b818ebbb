"""`geoae-gui`: the desktop explorer; `--screenshot OUT.png` renders a panel offscreen and exits,
`--export DIR --run RUN` writes the plots about the run offscreen and exits."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path


def window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1400x900") from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"{text}: each side must be between 200 and 8000 pixels")
    return width, height


def non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of epochs")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geoae-gui", description="Explore how autoencoders process size and position."
    )
    parser.add_argument("--run", type=Path, help="run folder to open (its parent folder fills the run browser)")
    parser.add_argument("--runs", type=Path, help="folder of runs to list in the browser")
    parser.add_argument(
        "--panel",
        metavar="NAME",
        help="panel to show first, by its name: train, latent, … (a wrong name lists them all)",
    )
    parser.add_argument(
        "--epoch",
        type=non_negative_int,
        metavar="E",
        help="with --run: the panels that show weights show those of epoch E (nearest snapshot)",
    )
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png", help="render offscreen, write the PNG, exit")
    parser.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="with --run: write the plots about the run (PNG, SVG, PDF, CSV) to DIR/<run name> offscreen, exit "
        "(DIR outside every run folder)",
    )
    parser.add_argument("--size", type=window_size, default=None, metavar="WxH", help="window size, default 1400x900")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.export is not None:
        if args.run is None:
            parser.error("--export needs --run RUN")
        return export_command(args.run, args.export, args.size)
    if args.epoch is not None and args.run is None:
        parser.error("--epoch needs --run RUN")
    if args.screenshot is not None:
        render_offscreen()
    elif cannot_open_a_window():
        return 2

    loader = None
    if args.screenshot is None:  # PyTorch and the engine load beside Qt's start-up and the loading window
        from .loading import Loader

        loader = Loader(import_engine)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("geoae-gui")
    app.setOrganizationName("geoae")
    from .collector import keep_collection_on_gui_thread

    keep_collection_on_gui_thread()
    loading = None
    program = argv is None  # the program itself (not a caller in this process): it may end at once
    if args.screenshot is None:  # a person is waiting: a window now, the explorer when it is built
        from .loading import load_beside, show_loading_window

        loading = show_loading_window(app, args.size)
        if not load_beside(loading, loader):  # closed while the engine loaded
            return end_now(0, program)

    from .window import MainWindow, wait_idle

    problem = panel_problem(args.panel)  # checked once the panels are imported: they take seconds
    if problem:
        if loading is not None:
            loading.close()
        parser.error(problem)
    runs_folder = args.runs or (args.run.parent if args.run is not None else None)
    window = MainWindow(runs_folder=runs_folder, persist=args.screenshot is None, examples_when_empty=args.run is None)

    def excepthook(kind, value, tb) -> None:
        traceback.print_exception(kind, value, tb)
        window.show_error(f"unexpected error: {kind.__name__}: {value}")

    previous_hook = sys.excepthook
    sys.excepthook = excepthook
    try:
        if args.run is not None and not window.open_run(args.run):
            print(f"geoae-gui: {window.message.label.text()}", file=sys.stderr)
        if args.epoch is not None and window.run is not None and window.scrubber.show_epoch(args.epoch) is None:
            print(f"geoae-gui: {args.run}: no snapshots of the weights during training to show", file=sys.stderr)
            window.close()
            return 2
        if args.panel:
            window.show_panel(args.panel)
        if args.size:
            window.resize(*args.size)
        elif args.screenshot is not None:
            window.resize(1400, 900)
        if loading is not None:  # the explorer takes the loading window's place (the same saved geometry)
            window.setGeometry(loading.geometry())
        window.show()
        if loading is not None:
            loading.replace()
        if args.screenshot is not None:
            return screenshot(window, args.screenshot, wait_idle)
        code = app.exec()
    finally:
        sys.excepthook = previous_hook
    return end_now(code, program and not writes_pending(window))


def import_engine() -> None:
    """What the explorer needs besides Qt: PyTorch, the engine and the panels' modules (3-4 s of
    a cold start), imported off the UI thread while the loading window stays live. Neither an
    optimiser nor torch._dynamo is touched: a training sets those up when it starts."""
    import torch  # noqa: F401

    from . import engine, window  # noqa: F401


def writes_pending(window) -> bool:
    """A thread that may still write files: a training that did not stop, a task that saves."""
    from .worker import Task

    training = window.train_panel.worker.running
    return training or any(not getattr(task._fn, "read_only", False) for task in Task.active)


def end_now(code: int, program: bool) -> int:
    """The program ends as soon as its window does. Everything is written by then (the window
    saved and synced its settings on closing; no thread writes): flush the streams and the
    logs, and skip the interpreter's teardown of PyTorch and Qt (seconds: every module, and
    pyqtgraph's pass over all objects). A caller in this process just gets the code back."""
    sys.stdout.flush()
    sys.stderr.flush()
    if not program:
        return code
    logging = sys.modules.get("logging")  # not imported here: the engine may still be importing
    if logging is not None:
        logging.shutdown()
    os._exit(code)


def panel_problem(name: str | None) -> str:
    """Why `--panel NAME` names no panel of the window (panels.PANELS), or ""."""
    from .panels import PANEL_NAMES

    if name is None or name in PANEL_NAMES:
        return ""
    return f"argument --panel: invalid choice: {name!r} (choose from {', '.join(PANEL_NAMES)})"


def render_offscreen() -> None:
    """No window is shown: Qt's offscreen platform, unless the caller chose one (an empty value
    is no choice)."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def export_command(run: Path, folder: Path, size: tuple[int, int] | None) -> int:
    """Every panel's plots about one run, drawn offscreen (no display needed); prints each file.
    A folder inside a run folder is refused, as the GUI refuses it (exit 2, one line)."""
    from .exports import run_folder_above

    inside = run_folder_above(folder)
    if inside is not None:
        print(
            f"geoae-gui: --export {folder}: inside the run folder {inside}; choose a folder outside the runs",
            file=sys.stderr,
        )
        return 2
    render_offscreen()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from .collector import keep_collection_on_gui_thread

    keep_collection_on_gui_thread()
    from .window import MainWindow, wait_idle

    window = MainWindow(runs_folder=Path(run).parent, persist=False)
    try:
        if not window.open_run(Path(run)):
            print(f"geoae-gui: {window.message.label.text()}", file=sys.stderr)
            return 2
        window.resize(*(size or (1400, 900)))
        window.show()
        wait_idle()
        written = window.export_all(Path(folder))
        for path in written:
            print(path)
        return 0 if written or not window.message.isVisible() else 1
    finally:
        window.close()
        app.processEvents()


def cannot_open_a_window() -> bool:
    """Say in one line what the system lacks for a window, instead of Qt's abort."""
    from .platform_check import window_problem

    problem = window_problem()
    if problem:
        print(problem, file=sys.stderr)
    return problem is not None


def screenshot(window, out: Path, wait_idle) -> int:
    """Let every pending computation land, then grab the window into a PNG."""
    wait_idle()
    window.current_panel().ensure_current()
    wait_idle()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        print(f"geoae-gui: could not write {out}", file=sys.stderr)
        window.close()
        return 1
    window.close()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
