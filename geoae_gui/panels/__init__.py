"""The main window's panels, one small module each, and the one list of them: PANELS builds the
window's tabs (in this order), the `--panel` choices of geoae-gui, `--export` and the tests."""

from __future__ import annotations

import inspect

from ..model import Explorer
from .base import Panel
from .experiments import ExperimentsPanel
from .filters import FiltersPanel
from .latent import LatentPanel
from .position import PositionPanel
from .profile import ProfilePanel
from .train import TrainPanel

PANELS: tuple[type[Panel], ...] = (
    TrainPanel,
    LatentPanel,
    FiltersPanel,
    ProfilePanel,
    PositionPanel,
    ExperimentsPanel,
)
PANEL_NAMES = tuple(panel.name for panel in PANELS)


def make_panel(panel: type[Panel], model: Explorer) -> Panel:
    """A panel bound to the explorer model. A panel that takes `runs_folder` (where new runs and
    results go) is handed the model's `user_folder`."""
    takes_folder = "runs_folder" in inspect.signature(panel).parameters
    built = panel(model.user_folder) if takes_folder else panel()
    built.bind(model)
    return built


__all__ = [
    "PANELS",
    "PANEL_NAMES",
    "ExperimentsPanel",
    "FiltersPanel",
    "LatentPanel",
    "Panel",
    "PositionPanel",
    "ProfilePanel",
    "TrainPanel",
    "make_panel",
]
