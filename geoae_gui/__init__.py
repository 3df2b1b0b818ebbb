"""geoae_gui: the Qt desktop explorer over geoae_core."""

from .compat import guard as _guard

_guard()  # PySide6 6.12.0 on CPython < 3.12: see compat.py
