"""The paper's experiments as a registry: one module per figure or table, each an `Experiment`.

`geoae reproduce` writes, for each id, DIR/ID.png (drawn like the paper's figure), DIR/ID.json
(each number beside the paper's expectation, and a verdict) and the trained models as run
folders under DIR/runs/ID/; DIR/index.html links them all. Figures are drawn with matplotlib
(Agg): static, publication-style panels with no display needed, where pyqtgraph's exporters
would need a Qt application and draw plots for the screen.

Shared pieces: `context` (settings, run cache and reuse, cancel), `base` (Experiment, thresholds
and checks), `drawing`, `report` (ID.json, index.html), `holes` (figures 7 and 8), `runner`.
"""

from __future__ import annotations

from .base import Check, Expect, Experiment, Measured
from .context import FULL, QUICK, Context, ReproduceCancelled
from .holes import FAILED_OUTSIDE_ERROR, failed_to_train, summary_of
from .registry import EXPERIMENTS, expand_ids, experiment_claim
from .runner import run_ids, run_one
from .table2 import PAPER_TABLE2

__all__ = [
    "EXPERIMENTS",
    "FAILED_OUTSIDE_ERROR",
    "FULL",
    "PAPER_TABLE2",
    "QUICK",
    "Check",
    "Context",
    "Expect",
    "Experiment",
    "Measured",
    "ReproduceCancelled",
    "expand_ids",
    "experiment_claim",
    "failed_to_train",
    "run_ids",
    "run_one",
    "summary_of",
]
