"""Every figure and table of the paper, in the paper's order: id -> Experiment."""

from __future__ import annotations

from collections.abc import Iterable

from . import fig2, fig3, fig4, fig5, fig6, fig7, fig8, fig9, fig10, fig11, fig12, fig13, fig14, table2
from .base import Experiment

MODULES = (fig2, fig3, fig4, fig5, fig6, fig7, fig8, fig9, table2, fig10, fig11, fig12, fig13, fig14)
EXPERIMENTS: dict[str, Experiment] = {module.EXPERIMENT.id: module.EXPERIMENT for module in MODULES}


def expand_ids(ids: Iterable[str]) -> list[str]:
    """The ids named ("all": every one), in the order given, each once; ValueError for an unknown one."""
    chosen: list[str] = []
    for item in ids:
        names = list(EXPERIMENTS) if item == "all" else [item]
        for name in names:
            if name not in EXPERIMENTS:
                raise ValueError(f"reproduce: {name!r} is not an experiment (known: all, {', '.join(EXPERIMENTS)})")
            if name not in chosen:
                chosen.append(name)
    return chosen


def experiment_claim(exp_id: str) -> str:
    """What the paper claims in that figure or table, in a line."""
    return EXPERIMENTS[exp_id].claim
