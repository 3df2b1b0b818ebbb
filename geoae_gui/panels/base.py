"""What every panel shares: a message strip, the run the explorer model hands it, lazy refresh,
plot export."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtWidgets import QVBoxLayout, QWidget

from geoae_core.runs import Run

from ..model import Explorer
from ..widgets.message import MessageBar
from ..widgets.plots import FORMATS, export_widget


def guarded(method: Callable) -> Callable:
    """Run a slot; any exception becomes a message in the panel instead of escaping into Qt."""

    @functools.wraps(method)
    def wrapper(self: Panel, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            self.show_error(error_text(exc))
            return None

    return wrapper


def error_text(exc: BaseException) -> str:
    from geoae_core.config import ConfigError
    from geoae_core.runs import RunError

    if isinstance(exc, ConfigError | RunError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class Panel(QWidget):
    """A tab of the main window. Subclasses fill `self.body` and implement `refresh()`, which
    draws `self.run`: the run the explorer model hands the panel, never one of its own.

    `bind(model)` subscribes the panel to the model: a panel that shows weights (`follows_epoch`)
    gets the open run at the epoch shown (`model.shown`, on "run" and "epoch"); the others get the
    run itself (`model.run`, on "run"). `set_run` stays the one way a run comes in (a panel built
    alone, in a test, is given one directly); it redraws now if the panel shows, else when shown.
    """

    name = "panel"
    title = "Panel"
    follows_epoch: ClassVar[bool] = True  # whether it shows weights, and so follows the epoch slider

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(self.name)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.message = MessageBar()
        outer.addWidget(self.message)
        self.body = QWidget()
        outer.addWidget(self.body, 1)
        self.run: Run | None = None
        self.model: Explorer | None = None
        self._stale = True

    # ------------------------------------------------------------- the model
    def bind(self, model: Explorer) -> None:
        """Follow the explorer model from now on; child views with a `follow_model(model)` (the
        codes view) follow it too."""
        self.model = model
        model.on("run", self._model_changed)
        if self.follows_epoch:
            model.on("epoch", self._model_changed)
        for child in self.findChildren(QWidget):
            follow = getattr(child, "follow_model", None)
            if callable(follow):
                follow(model)
        self._model_changed(None)

    def _model_changed(self, _value: object) -> None:
        model = self.model
        self.set_run(model.shown if self.follows_epoch else model.run)

    # ------------------------------------------------------------ messages
    def show_error(self, text: str) -> None:
        self.message.show_message(text, "error")

    def show_warning(self, text: str) -> None:
        self.message.show_message(text, "warning")

    def show_info(self, text: str) -> None:
        self.message.show_message(text, "info")

    def clear_message(self) -> None:
        self.message.clear()

    # ------------------------------------------------------------- the run
    def set_run(self, run: Run | None) -> None:
        """Remember the run; redraw now if showing, else when next shown."""
        self.run = run
        self._stale = True
        if self.isVisible():
            self.ensure_current()

    def ensure_current(self) -> None:
        if self._stale:
            self._stale = False
            self.clear_message()
            guarded(type(self).refresh)(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_current()

    def refresh(self) -> None:
        """Redraw everything for self.run (which may be None)."""

    # -------------------------------------------------------------- export
    def plots(self) -> dict[str, QWidget]:
        """Named plot widgets of this panel, for export."""
        return {}

    def plots_about_run(self) -> dict[str, QWidget]:
        """The plots about the open run, which Export all and --export write: all of them, unless
        a panel also shows what is not about the run (a hand-made example, the whole folder)."""
        return self.plots()

    def export(self, folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
        written: list[Path] = []
        for name, widget in self.plots().items():
            written.extend(export_widget(widget, Path(folder) / f"{self.name}-{name}", formats))
        return written
