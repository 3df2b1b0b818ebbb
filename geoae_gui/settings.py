"""Where settings and window layout persist (QSettings); GEOAE_GUI_SETTINGS points at an INI file instead."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANISATION = "geoae"
APPLICATION = "geoae-gui"


def settings() -> QSettings:
    path = os.environ.get("GEOAE_GUI_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)


def default_runs_folder() -> Path:
    return Path.cwd() / "runs"
