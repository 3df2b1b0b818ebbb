"""The main window's panels, one small module each."""

from .experiments import ExperimentsPanel
from .filters import FiltersPanel
from .latent import LatentPanel
from .position import PositionPanel
from .profile import ProfilePanel
from .train import TrainPanel

PANEL_NAMES = ("train", "latent", "filters", "profile", "position", "experiments")

__all__ = [
    "PANEL_NAMES",
    "ExperimentsPanel",
    "FiltersPanel",
    "LatentPanel",
    "PositionPanel",
    "ProfilePanel",
    "TrainPanel",
]
