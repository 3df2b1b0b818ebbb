"""What the `geoae` command prints: the progress of a training on stderr, an evaluation report."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loop import Progress


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
