"""Profile: a no-bias run's decoding profile against the optimal ones (fig12), z against
<f, 1_{B_r}> (fig11), with R and k. Computed off the UI thread (an SVD of the training set)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from geoae_core import analysis, theory
from geoae_core.runs import Run

from ..widgets.plots import make_plot, pen
from ..worker import read_only, run_task
from .base import Panel, guarded


@read_only
def compute(run: Run) -> dict[str, Any]:
    """Everything the panel draws, from theory and analysis; a missing part becomes a note. The
    optimal profiles and the training set's singular vector are cached in the engine per (R,
    size, sigma, training set): a run switch recomputes only what depends on the weights."""
    config = run.config
    out: dict[str, Any] = {"notes": []}
    out["optimal"] = theory.optimal_profiles(
        config.radius_max, config.size, config.sigma, n_images=config.n_train, seed=config.seed
    )
    for key, function in (
        ("learned", analysis.learned_profile),
        ("agreement", analysis.profile_agreement),
        ("h", analysis.h_against_inner_product),
    ):
        try:
            out[key] = function(run)
        except Exception as exc:  # one analysis failing leaves the others on screen
            out["notes"].append(f"{function.__name__}: {type(exc).__name__}: {exc}")
    return out


class ProfilePanel(Panel):
    name = "profile"
    title = "Profile"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.profile_plot = make_plot(
            "Decoding profile f(t) (1 at the centre)", "distance to centre t (px)", "f(t)", legend=True
        )
        self.h_plot = make_plot("Code z against ⟨f, 1<sub>B_r</sub>⟩", "⟨f, 1<sub>B_r</sub>⟩", "code z", legend=True)
        self.r_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen("#555", width=1, style=Qt.PenStyle.DotLine),
            label="R",
            labelOpts={"position": 0.05, "color": "#555"},
        )
        plots = QHBoxLayout()
        plots.addWidget(self.profile_plot, 3)
        plots.addWidget(self.h_plot, 2)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.facts)
        layout.addLayout(plots, 1)
        self._token = 0
        self.result: dict[str, Any] | None = None

    def refresh(self) -> None:
        self._token += 1
        self.result = None
        self._clear_plots()
        run = self.run
        if run is None:
            self.facts.setText("")
            self.show_info(
                "Pick a no-bias disk run (e.g. the disks-nobias preset) to compare its profile with the theory."
            )
            return
        if "profile" not in run.kind.views(run.config):
            self.facts.setText("")
            self.show_info(
                f"The profile analysis is for disk runs without biases; this run is {run.kind.title(run.config)}: "
                "see Filters."
            )
            return
        if run.config.bias:
            self.show_warning(
                "This run has biases: Proposition 2 (decoder output h(r) f(t)) holds without them, "
                "so expect a poor match. Train the disks-nobias preset for figure 12."
            )
        self.facts.setText(f"R = {run.config.radius_max:g} px: computing the optimal profiles…")
        token = self._token
        run_task(compute, run, on_done=lambda result, error: self._show(token, result, error))

    def _clear_plots(self) -> None:
        """Empty plots: the R marker comes back with the next run's profiles."""
        for plot in (self.profile_plot, self.h_plot):
            item = plot.getPlotItem()
            item.clear()
            if item.legend is not None:
                item.legend.clear()

    @guarded
    def _show(self, token: int, result: dict[str, Any] | None, error: str | None) -> None:
        if token != self._token:
            return  # a newer run was picked meanwhile
        if error:
            self.facts.setText("")
            self.show_error(error)
            return
        self.result = result
        self._clear_plots()
        optimal = result["optimal"]
        R, k = optimal["R"], optimal["k"]
        self.r_line.setValue(R)
        self.profile_plot.addItem(self.r_line)
        t = optimal["t"]
        self.profile_plot.plot(t, optimal["airy"], pen=pen(1, 2.5, Qt.PenStyle.DashLine), name="Airy closed form")
        self.profile_plot.plot(t, optimal["numerical"], pen=pen(2, 2, Qt.PenStyle.DotLine), name="max J numerically")
        self.profile_plot.plot(
            t, optimal["singular"], pen=pen(3, 1.5, Qt.PenStyle.DashDotLine), name="leading singular vector"
        )
        if "learned" in result:
            lt, lf = result["learned"]
            self.profile_plot.plot(
                lt,
                lf,
                pen=None,
                symbol="o",
                symbolSize=5,
                symbolBrush="#1f77b4",
                symbolPen=None,
                name="learned (network)",
            )
        facts = [f"<b>R = {R:g} px, k = {k:.4g}</b> (f'' = −k t f, first zero of the Airy solution at R)"]
        agreement = result.get("agreement")
        if agreement:
            facts.append(
                f"learned vs Airy: correlation {agreement['correlation/airy']:.4f}, "
                f"L2 gap {agreement['l2_gap/airy']:.3f}"
            )
            facts.append(
                f"learned vs singular vector: correlation {agreement['correlation/singular']:.4f}, "
                f"L2 gap {agreement['l2_gap/singular']:.3f}"
            )
            facts.append(f"energy beyond R: {agreement['energy_beyond_R']:.3%}")
        h = result.get("h")
        if h:
            inner, z = np.asarray(h["inner_product"]), np.asarray(h["z"])
            self.h_plot.plot(
                inner, z, pen=None, symbol="o", symbolSize=6, symbolBrush="#1f77b4", symbolPen=None, name="test disks"
            )
            ends = np.array([0.0, float(np.abs(inner).max()) * np.sign(inner.sum() or 1.0)])
            self.h_plot.plot(ends, h["slope"] * ends, pen=pen(1, 1.5, Qt.PenStyle.DashLine), name="line through 0")
            facts.append(
                f"z against ⟨f, 1<sub>B_r</sub>⟩: R² of the line through 0 = {h['r2_through_origin']:.4f}, "
                f"correlation {h['correlation']:.4f}"
            )
        self.facts.setText("<br>".join(facts))
        if result["notes"]:
            self.show_warning("Not shown: " + "; ".join(result["notes"]))

    def plots(self) -> dict[str, QWidget]:
        return {"profile": self.profile_plot, "h_against_inner_product": self.h_plot}
