"""`geoae reproduce`: every figure and table of the paper, with the numbers that prove each.

For each id: DIR/ID.png (drawn like the paper's figure), DIR/ID.json (each number with the
paper's expectation beside it and a verdict), and the trained models as run folders under
DIR/runs/ID/. DIR/index.html links them all. Figures are drawn with matplotlib (Agg): static,
publication-style panels (image grids, shaded holes, tables) with no display needed, where
pyqtgraph's exporters would need a Qt application and draw plots for the screen.
"""

from __future__ import annotations

import html
import json
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import analysis, theory
from .config import Config
from .data import disk_images, in_holes, triangle_diracs
from .evaluate import evaluate_position_encoder, reconstruction_errors
from .files import RunError, atomic_write_text
from .kinds import kind_of
from .loop import CancelToken, Progress
from .presets import preset
from .runs import load_run
from .sweep import sweep
from .training import train

# Settings that differ between the paper's (full) and a quick pass over the same code paths.
FULL = {
    "epochs": 400,
    "n_train": 3000,
    "batch_size": 300,
    "lr": 0.001,
    "runs": 5,
    "lambda_runs": 5,
    "position_seeds": 5,
}
# quick: a third of the data and a quarter of the epochs; a larger step gets the disk models off
# the loss plateau in the ~1000 steps they have (measured: mean error 9 at lr 0.003, 114 at 0.001)
QUICK = {
    "epochs": 100,
    "n_train": 1000,
    "batch_size": 100,
    "lr": 0.003,
    "runs": 1,
    "lambda_runs": 1,
    "position_seeds": 3,
}
LAMBDAS = (0.1, 1.0, 10.0, 50.0, 100.0)
# a hole-family run that "failed to train": its code is constant, or it reconstructs badly even
# where it saw data (a trained run stays below 10 outside the hole; a collapsed one is near 270)
FAILED_OUTSIDE_ERROR = 50.0
HOLE_COLOUR = "#f4c7c3"

# The paper's Table 2: every one-hot vector of size 8 through the [1, 2, 1] network.
PAPER_TABLE2 = [
    [[2, 0, 0, 0], [4, 0], [8]],
    [[1, 1, 0, 0], [3, 1], [7]],
    [[0, 2, 0, 0], [2, 2], [6]],
    [[0, 1, 1, 0], [1, 3], [5]],
    [[0, 0, 2, 0], [0, 4], [4]],
    [[0, 0, 1, 1], [0, 3], [3]],
    [[0, 0, 0, 2], [0, 2], [2]],
    [[0, 0, 0, 1], [0, 1], [1]],
]


@dataclass
class Check:
    """One number that proves (or disproves) a claim, beside the paper's expectation."""

    name: str
    value: Any
    expectation: str
    passed: bool | None  # None: reported for information, no verdict


@dataclass
class Result:
    figure: Any
    checks: list[Check]
    details: dict[str, Any] = field(default_factory=dict)


class ReproduceCancelled(Exception):
    """The cancel token was set: reproduce stops after the ids it has finished."""


@dataclass
class Context:
    out: Path
    quick: bool = False
    seed: int = 0
    device: str = "auto"
    callbacks: list[Callable[[Progress], Any]] = field(default_factory=list)
    on_stage: Callable[[str], Any] | None = None
    runs: dict[tuple, Any] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)
    overrides: dict[str, int] = field(default_factory=dict)
    cancel: CancelToken | None = None

    @property
    def settings(self) -> dict[str, int]:
        return {**(QUICK if self.quick else FULL), **self.overrides}

    def config_for(self, preset_name: str, seed_offset: int = 0, **overrides: Any) -> Config:
        """The preset at this pass's scale (quick or full), seed and device."""
        s = self.settings
        base = preset(preset_name)
        scale: dict[str, Any] = {}
        if kind_of(base).family == "disks":
            scale = {key: s[key] for key in ("epochs", "n_train", "batch_size", "lr")}
        elif kind_of(base).family == "gan":  # the GAN keeps its own schedule, scaled like the disks'
            scale = {"epochs": max(1, base.epochs * s["epochs"] // FULL["epochs"]), "n_train": s["n_train"]}
        # the 1-D position networks are small enough to keep their full schedule even when quick
        return base.replace(**{**scale, **overrides}, seed=self.seed + seed_offset, device=self.device)

    def train(self, owner: str, name: str, preset_name: str, seed_offset: int = 0, **overrides: Any):
        """Train (or reuse) one model of an experiment; it lives in DIR/runs/OWNER/NAME."""
        config = self.config_for(preset_name, seed_offset, **overrides)
        key = config.to_json()
        if key not in self.runs:
            folder = self.out / "runs" / owner / name
            run = self._reuse(folder, config)
            if run is None:
                if self.on_stage:
                    self.on_stage(f"{owner}: training {name}")
                self.check_cancel()
                run = train(config, out=folder, callbacks=self.callbacks, cancel=self.cancel)
                if run.status == "cancelled":
                    raise ReproduceCancelled(f"{owner}: cancelled while training {name}")
            self.runs[key] = run
        run = self.runs[key]
        self.used.append(str(run.path.relative_to(self.out)) if run.path else name)
        return run

    def prefetch(self, owner: str, members: list[tuple[str, str, int, dict[str, Any]]]) -> None:
        """Train a family's missing members side by side (sweep); `train` then finds them on disk.

        Not when reproduce can be cancelled: a sweep's processes would run on, and on two cores
        side by side gains nothing; each member then trains (cancellably) in turn."""
        if self.cancel is not None:
            return
        pending = []
        for name, preset_name, seed_offset, overrides in members:
            config = self.config_for(preset_name, seed_offset, **overrides)
            folder = self.out / "runs" / owner / name
            if config.to_json() not in self.runs and self._reuse(folder, config) is None:
                pending.append((config, folder))
        if len(pending) < 2:
            return
        if self.on_stage:
            self.on_stage(f"{owner}: training {len(pending)} runs side by side")
        sweep([config for config, _ in pending], [folder for _, folder in pending])

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ReproduceCancelled("cancelled")

    def _reuse(self, folder: Path, config: Config):
        """A finished run of the very same config is kept, not retrained: in its own folder from an
        earlier call, or anywhere under DIR/runs (figure 6's run is figure 7's first "none" run)."""
        for candidate in [folder, *self._finished_elsewhere(config)]:
            try:
                run = load_run(candidate)
            except RunError:
                continue
            if run.config.replace(device=config.device) == config and run.status == "finished":
                return run
        return None

    def _finished_elsewhere(self, config: Config) -> list[Path]:
        """Run folders under DIR/runs whose config.json holds `config` (any device)."""
        wanted = config.replace(device="auto").to_json()
        found = []
        for path in sorted((self.out / "runs").glob("*/*/config.json")):
            try:
                stored = Config.from_dict(json.loads(path.read_text())).replace(device="auto").to_json()
            except (OSError, ValueError):
                continue
            if stored == wanted:
                found.append(path.parent)
        return found


# ------------------------------------------------------------------------------ drawing helpers
def _figure(rows: int = 1, cols: int = 1, size: tuple[float, float] = (10, 4)):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    return fig, axes


def _image_grid(images: list[np.ndarray], rows: list[str], titles: list[str], colours: list[str] | None = None):
    n_rows, n_cols = len(rows), len(titles)
    fig, axes = _figure(n_rows, n_cols, (1.8 * n_cols, 1.9 * n_rows))
    for index, image in enumerate(images):
        ax = axes[index // n_cols][index % n_cols]
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if colours:
            for spine in ax.spines.values():
                spine.set_edgecolor(colours[index % n_cols])
                spine.set_linewidth(3)
        if index < n_cols:
            ax.set_title(titles[index], fontsize=9)
        if index % n_cols == 0:
            ax.set_ylabel(rows[index // n_cols])
    fig.tight_layout()
    return fig


def _shade_holes(ax, holes: list[list[float]]) -> None:
    for lo, hi in holes:
        ax.axvspan(lo, hi, color=HOLE_COLOUR, alpha=0.7, lw=0, label="unobserved radii")


def _pair_figure(run, radii: list[float], colours: list[str] | None = None):
    """Inputs above, reconstructions below (the paper's figures 2, 5, 6, 14)."""
    inputs = disk_images(radii, run.config.size, run.config.sigma)
    outputs = run.reconstruct(inputs)
    return _image_grid([*inputs, *outputs], ["input", "output"], [f"r = {r:g}" for r in radii], colours)


def _verdict(checks: list[Check]) -> bool:
    return all(c.passed for c in checks if c.passed is not None)


# ------------------------------------------------------------------------------ the experiments
def fig2(ctx: Context) -> Result:
    run = ctx.train("fig2", "disks", "disks")
    fig = _pair_figure(run, [3, 8, 14, 20, 27])
    report = analysis.error_per_radius(run)
    return Result(
        fig,
        [
            Check(
                "mean_error",
                report["mean_error"],
                "below 5 (per-image squared error, 63 radii in (0, 32))",
                report["mean_error"] < 5,
            ),
            Check("max_error", report["max_error"], "reported", None),
        ],
        {"radii": report["radii"], "error": report["error"]},
    )


def fig3(ctx: Context) -> Result:
    run = ctx.train("fig3", "disks", "disks")
    curve = analysis.z_curve(run)
    z_ends = run.encode(disk_images([4.0, 26.0], run.config.size, run.config.sigma))[:, 0]
    z_path = np.linspace(z_ends[0], z_ends[1], 8)
    strip = run.decode(z_path[:, None])
    areas = strip.reshape(len(strip), -1).sum(1)
    increasing = bool(np.all(np.diff(areas) > 0))
    fig, axes = _figure(1, 2, (11, 4))
    ax = axes[0][0]
    ax.imshow(np.concatenate(list(strip), axis=1), cmap="gray", vmin=0, vmax=1)
    ax.set_title("decoded disks with linearly increasing z (r = 4 to 26)")
    ax.set_xticks([])
    ax.set_yticks([])
    ax = axes[0][1]
    ax.plot(curve["radii"], curve["z"], "o", ms=3, label="z of test disks")
    for key, label, power in (("fit_r", "fit z ~ r", 1), ("fit_r2", "fit z ~ r²", 2)):
        fit = curve[key]
        r = np.asarray(curve["radii"])
        ax.plot(r, fit["slope"] * r**power + fit["intercept"], label=f"{label} (R² = {fit['r2']:.4f})")
    ax.set_xlabel("radius r (pixels)")
    ax.set_ylabel("code z")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return Result(
        fig,
        [
            Check("r2_against_r_squared", curve["fit_r2"]["r2"], "above the fit against r", curve["area_beats_radius"]),
            Check("r2_against_r", curve["fit_r"]["r2"], "below the fit against r²", None),
            Check("interpolation_area_increases", increasing, "decoded area grows along the z path", increasing),
        ],
        {"radii": curve["radii"], "z": curve["z"], "interpolation_areas": areas},
    )


def fig4(ctx: Context) -> Result:
    run = ctx.train("fig4", "disks-nobias", "disks-nobias")
    radii = [3, 8, 14, 20, 27]
    inputs = disk_images(radii, run.config.size, run.config.sigma)
    outputs = run.reconstruct(inputs)
    factors = analysis.rank1_factorisation(run)
    fig, axes = _figure(3, len(radii), (1.9 * len(radii), 6))
    centre = run.config.size // 2
    for col, r in enumerate(radii):
        for row, image in enumerate((inputs[col], outputs[col])):
            ax = axes[row][col]
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0][col].set_title(f"r = {r}", fontsize=9)
        ax = axes[2][col]
        ax.plot(inputs[col][centre], label="input")
        ax.plot(outputs[col][centre], label="output")
        ax.set_ylim(-0.2, 1.3)
    axes[0][0].set_ylabel("input")
    axes[1][0].set_ylabel("output")
    axes[2][0].set_ylabel("profile")
    axes[2][0].legend(fontsize=7)
    fig.tight_layout()
    fraction = factors["energy_fraction"]
    return Result(
        fig,
        [Check("rank1_energy_fraction", fraction, "above 0.999 (outputs are h(r) f(t))", fraction > 0.999)],
        {"h": factors["h"], "radii": factors["radii"]},
    )


def fig5(ctx: Context) -> Result:
    run = ctx.train("fig5", "disks-restricted", "disks-restricted")
    radii = [6, 12, 17, 21, 25, 29]
    colours = ["green" if r <= run.config.radius_max else "red" for r in radii]
    fig = _pair_figure(run, radii, colours)
    report = analysis.error_per_radius(run)
    ratio = report["unobserved_error"] / report["observed_error"]
    return Result(
        fig,
        [
            Check("error_beyond_over_within", ratio, "above 5: no extrapolation beyond R = 18", ratio > 5),
            Check("error_within", report["observed_error"], "reported", None),
        ],
        {"radii": report["radii"], "error": report["error"]},
    )


def _error_curve_figure(report: dict[str, Any], holes: list[list[float]], title: str):
    fig, axes = _figure(1, 1, (6, 3.5))
    ax = axes[0][0]
    _shade_holes(ax, holes)
    ax.semilogy(report["radii"], np.maximum(report["error"], 1e-6), "o-", ms=3)
    ax.set_xlabel("radius r (pixels)")
    ax.set_ylabel("reconstruction error")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def fig6(ctx: Context) -> Result:
    run = ctx.train("fig6", "disks-hole", "disks-hole")
    radii = [5, 9, 12, 15, 17, 24]
    colours = ["red" if in_holes([r], run.config.holes)[0] else "green" for r in radii]
    fig = _pair_figure(run, radii, colours)
    report = analysis.hole_report(run)
    return Result(
        fig,
        [
            Check(
                "hole_error_over_outside",
                report["ratio"],
                "above 2: reconstruction fails in [11, 18]",
                report["ratio"] > 2,
            ),
            Check("hole_error", report["hole_error"], "reported", None),
            Check("outside_error", report["outside_error"], "reported", None),
        ],
        {"radii": report["radii"], "error": report["error"]},
    )


def _hole_family(ctx: Context, owner: str, variants: dict[str, dict], runs: int) -> dict[str, list[dict]]:
    """Train every variant `runs` times on the hole data; per run its z(r), hole ratio, smoothness."""
    members = [
        (f"{label}-seed{ctx.seed + index}", "disks-hole", index, overrides)
        for label, overrides in variants.items()
        for index in range(runs)
    ]
    ctx.prefetch(owner, members)
    family: dict[str, list[dict]] = {}
    for label, overrides in variants.items():
        family[label] = []
        for index in range(runs):
            run = ctx.train(owner, f"{label}-seed{ctx.seed + index}", "disks-hole", seed_offset=index, **overrides)
            curve = analysis.z_curve(run)
            hole = analysis.hole_report(run)
            smooth = analysis.smoothness(curve["radii"], curve["z"])
            family[label].append(
                {
                    "seed": run.config.seed,
                    "radii": curve["radii"],
                    "z": curve["z"],
                    "hole_ratio": hole["ratio"],
                    "hole_error": hole["hole_error"],
                    "outside_error": hole["outside_error"],
                    "monotonicity": smooth["monotonicity"],
                    "constant": smooth["constant"],
                }
            )
    return family


def _family_figure(family: dict[str, list[dict]], summary: dict[str, dict], holes: list[list[float]], title: str):
    fig, axes = _figure(1, len(family), (3.2 * len(family), 3.4))
    for ax, (label, members) in zip(axes[0], family.items()):
        _shade_holes(ax, holes)
        for member in members:
            ax.plot(member["radii"], member["z"], lw=1)
        s = summary[label]
        ratio = "no run trained" if s["hole_ratio_mean"] is None else f"hole ratio {s['hole_ratio_mean']:.2g}"
        spread = "" if s["hole_ratio_std"] is None else f" ± {s['hole_ratio_std']:.1g}"
        failed = f", {s['failed_runs']} failed" if s["failed_runs"] else ""
        ax.set_title(f"{label}\n{ratio}{spread}{failed}", fontsize=9)
        ax.set_xlabel("radius r")
    axes[0][0].set_ylabel("code z")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _family_checks(summary: dict[str, dict]) -> list[Check]:
    """Each setting's mean hole ratio and its number of failed runs, as reported numbers."""
    ratios = [
        Check(f"{label}_hole_ratio", s["hole_ratio_mean"], "reported (mean over the runs that trained)", None)
        for label, s in summary.items()
    ]
    return ratios + [Check(f"{label}_failed_runs", s["failed_runs"], "reported", None) for label, s in summary.items()]


def failed_to_train(member: dict) -> bool:
    return bool(member["constant"]) or member["outside_error"] > FAILED_OUTSIDE_ERROR


def _summary(members: list[dict]) -> dict[str, Any]:
    """Spread of a setting's runs. The hole ratio is averaged over the runs that trained: a
    collapsed run errs everywhere, so its ratio near 1 would pass for a filled hole."""
    trained = [m for m in members if not failed_to_train(m)]
    ratios = np.array([m["hole_ratio"] for m in trained], float)
    mono = np.array([m["monotonicity"] for m in trained], float)
    return {
        "hole_ratio_mean": float(ratios.mean()) if trained else None,
        "hole_ratio_std": float(ratios.std()) if trained else None,
        "hole_ratio_runs": [m["hole_ratio"] for m in members],
        "failed_runs": len(members) - len(trained),
        "monotonicity_mean": float(mono.mean()) if trained else None,
        "monotone_runs": int(sum(m["monotonicity"] == 1.0 for m in trained)),
        "runs": len(members),
    }


def fig7(ctx: Context) -> Result:
    variants = {
        "none": {},
        **{kind: {"regulariser": kind, "lam": preset(f"disks-hole-{kind}").lam} for kind in ("psi1", "psi2", "psi3")},
    }
    family = _hole_family(ctx, "fig7", variants, ctx.settings["runs"])
    summary = {label: _summary(members) for label, members in family.items()}
    reliable = [label for label, s in summary.items() if s["failed_runs"] == 0]
    best = min(reliable, key=lambda label: summary[label]["hole_ratio_mean"]) if reliable else None
    psi3 = summary["psi3"]
    checks = _family_checks(summary)
    checks += [
        Check(
            "best_regulariser",
            best,
            "psi3 has the lowest hole error ratio among the settings whose every run trained",
            best == "psi3",
        ),
        Check(
            "psi3_monotone_runs",
            f"{psi3['monotone_runs']} of {psi3['runs']}",
            "every run trains and keeps z(r) monotone",
            psi3["monotone_runs"] == psi3["runs"],
        ),
    ]
    fig = _family_figure(family, summary, preset("disks-hole").holes, "z(r) on the hole data set, per regulariser")
    return Result(fig, checks, {"summary": summary, "family": family})


def fig8(ctx: Context) -> Result:
    variants = {f"lambda={lam:g}": {"regulariser": "psi3", "lam": lam} for lam in LAMBDAS}
    family = _hole_family(ctx, "fig8", variants, ctx.settings["lambda_runs"])
    summary = {label: _summary(members) for label, members in family.items()}
    largest = family[f"lambda={LAMBDAS[-1]:g}"]
    failed = [failed_to_train(m) for m in largest]
    checks = _family_checks(summary)
    checks.append(
        Check(
            "largest_lambda_fails",
            all(failed),
            "training fails at lambda = 100 (constant z or error above 50 outside the hole)",
            all(failed),
        )
    )
    fig = _family_figure(family, summary, preset("disks-hole").holes, "psi3: z(r) per lambda")
    return Result(fig, checks, {"summary": summary, "family": family})


def fig9(ctx: Context) -> Result:
    count = ctx.settings["position_seeds"]
    ctx.prefetch("fig9", [(f"seed{ctx.seed + i}", "position-encoder", i, {}) for i in range(count)])
    seeds = []
    for index in range(count):
        run = ctx.train("fig9", f"seed{ctx.seed + index}", "position-encoder", seed_offset=index)
        report = evaluate_position_encoder(run)
        rows = analysis.filter_cosines(run)
        seeds.append(
            {
                "seed": run.config.seed,
                "converged": report["max_residual_in_steps"] < 1.0,
                "max_residual_in_steps": report["max_residual_in_steps"],
                "cosines": [row["cosine"] for row in rows],
                "kernels": [row["kernel"] for row in rows],
                "taps": [row["taps"] for row in rows],
            }
        )
    converged = [s for s in seeds if s["converged"]]
    fraction = len(converged) / len(seeds)
    lowest = min((min(s["cosines"]) for s in converged), default=float("nan"))
    fig, axes = _figure(1, len(seeds[0]["kernels"]), (2.2 * len(seeds[0]["kernels"]), 2.8))
    reference = np.array([1.0, 2.0, 1.0])
    for layer, ax in enumerate(axes[0]):
        for s in seeds:
            kernel = np.array(s["kernels"][layer])
            scale = kernel @ reference / (reference @ reference)
            ax.plot([-1, 0, 1], kernel / scale if scale else kernel, "o-", alpha=0.8 if s["converged"] else 0.2)
        ax.plot([-1, 0, 1], reference, "k--", lw=2, label="[1, 2, 1]")
        ax.set_title(f"layer {layer + 1}", fontsize=9)
        ax.set_xticks([-1, 0, 1])
    axes[0][0].legend(fontsize=7)
    fig.suptitle("learned position-encoder kernels, scaled to [1, 2, 1] (faded: seeds that did not converge)")
    fig.tight_layout()
    checks = [
        Check("converged_fraction", fraction, "reported (seeds whose z is within one step of linear)", None),
        Check(
            "min_abs_cosine_converged",
            lowest,
            "above 0.95 on every layer of converged seeds",
            bool(converged) and lowest > 0.95,
        ),
    ]
    return Result(fig, checks, {"seeds": seeds})


def table2(ctx: Context) -> Result:
    rows = theory.handcrafted_table(8)
    computed = [row["layers"] for row in rows]
    matches = computed == PAPER_TABLE2
    fig, axes = _figure(1, 1, (10, 2.6))
    ax = axes[0][0]
    ax.axis("off")
    cells = [[str(layer) for layer in row["layers"]] for row in rows]
    table = ax.table(
        cellText=[[f"e{row['position']}" for row in rows], *map(list, zip(*cells))],
        rowLabels=["x", "u(1)", "u(2)", "u(3)"],
        loc="center",
    )
    table.scale(1, 1.6)
    ax.set_title("[1, 2, 1] network, stride 2, no bias, on every one-hot vector of size 8")
    payload = {"n": 8, "rows": rows}
    checks = [Check("equals_paper_table2", matches, "every entry equal to the paper's Table 2", matches)]
    last = [row["layers"][-1][0] for row in rows]
    exact = last == [8 - a for a in range(8)]
    checks.append(Check("output_is_n_minus_a", exact, "u(3) = 8 - a for every position a", exact))
    return Result(fig, checks, payload)


def fig10(ctx: Context) -> Result:
    ctx.prefetch("fig10", [("triangle", "position-decoder", 0, {}), ("onehot", "position-decoder-onehot", 0, {})])
    run = ctx.train("fig10", "triangle", "position-decoder")
    onehot_run = ctx.train("fig10", "onehot", "position-decoder-onehot")
    n = run.config.size
    report = analysis.position_decoder_report(run)
    between = np.arange(n - 1) + 0.5
    targets = triangle_diracs(between, n)
    errors = {
        label: float(reconstruction_errors(targets, r.decode(between[:, None])).mean())
        for label, r in (("triangle", run), ("onehot", onehot_run))
    }
    z = np.linspace(0, n - 1, 96)
    fig, axes = _figure(1, 2, (11, 4))
    for ax, (label, r) in zip(axes[0], (("continuous triangular Diracs", run), ("one-hot targets", onehot_run))):
        out = r.decode(z[:, None])
        out = out / np.maximum(np.abs(out).max(axis=1, keepdims=True), 1e-12)
        ax.imshow(out.T, aspect="auto", origin="lower", extent=(z[0], z[-1], 0, n - 1), cmap="gray")
        ax.set_xlabel("code z (position)")
        ax.set_ylabel("output sample t")
        ax.set_title(f"decoder trained on {label}", fontsize=9)
    fig.tight_layout()
    checks = [
        Check(
            "max_peak_error",
            report["max_peak_error"],
            "at most 1 sample over the whole range",
            report["max_peak_error"] <= 1.0,
        ),
        Check("half_integer_error_triangle", errors["triangle"], "reported", None),
        Check(
            "half_integer_error_onehot",
            errors["onehot"],
            "above the triangle decoder's (one-hot decodes badly)",
            errors["onehot"] > errors["triangle"],
        ),
    ]
    return Result(fig, checks, {"peak_error": report["peak_error"], "positions": report["positions"]})


def fig11(ctx: Context) -> Result:
    run = ctx.train("fig11", "disks-nobias", "disks-nobias")
    report = analysis.h_against_inner_product(run)
    fig, axes = _figure(1, 1, (5, 4))
    ax = axes[0][0]
    ax.plot(report["inner_product"], report["z"], "o", ms=3, label="test disks")
    x = np.linspace(0, np.max(report["inner_product"]), 10)
    ax.plot(x, report["slope"] * x, "k--", label="line through the origin")
    ax.set_xlabel("<f, 1_Br>")
    ax.set_ylabel("code z")
    ax.legend(fontsize=8)
    fig.tight_layout()
    corr = abs(report["correlation"])
    return Result(
        fig,
        [
            Check("abs_correlation", corr, "above 0.99: z is proportional to <f, 1_Br>", corr > 0.99),
            Check("r2_through_origin", report["r2_through_origin"], "reported", None),
        ],
    )


def _profile_figure(report: dict[str, Any], optimal: dict[str, Any] | None, title: str):
    fig, axes = _figure(1, 1, (6, 4))
    ax = axes[0][0]
    ax.plot(report["t"], report["learned"], lw=2.5, label="learned (no bias)")
    ax.plot(report["t"], report["airy"], "--", label="optimal (Airy)")
    ax.plot(report["t"], report["singular"], ":", label="leading singular vector")
    if optimal is not None:
        ax.plot(optimal["t"], optimal["numerical"], "-.", label="numerical max of J")
    ax.axvline(report["R"], color="grey", lw=0.8)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("distance to the centre t (pixels)")
    ax.set_ylabel("profile f(t)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def fig12(ctx: Context) -> Result:
    run = ctx.train("fig12", "disks-nobias", "disks-nobias")
    report = analysis.profile_agreement(run)
    optimal = theory.optimal_profiles(run.config.radius_max, run.config.size, run.config.sigma)
    fig = _profile_figure(report, optimal, "learned decoding profile against the optimal ones")
    corr = report["correlation/airy"]
    three = optimal["correlation/airy/singular"]
    return Result(
        fig,
        [
            Check("correlation_with_airy", corr, "above 0.98", corr > 0.98),
            Check("l2_gap_to_airy", report["l2_gap/airy"], "reported (relative L2)", None),
            Check("airy_vs_singular_vector", three, "above 0.999 (theory agrees with itself)", three > 0.999),
        ],
    )


def fig13(ctx: Context) -> Result:
    run = ctx.train("fig13", "disks-restricted-nobias", "disks-restricted-nobias")
    report = analysis.profile_agreement(run)
    fig = _profile_figure(report, None, f"restricted to r <= {run.config.radius_max:g}, no bias")
    energy = report["energy_beyond_R"]
    return Result(
        fig,
        [
            Check("profile_energy_beyond_R", energy, "below 0.05: the profile lives on [0, R]", energy < 0.05),
            Check("correlation_with_airy_R", report["correlation/airy"], "reported", None),
        ],
    )


def fig14(ctx: Context) -> Result:
    run = ctx.train("fig14", "gan-hole", "gan-hole")
    report = analysis.hole_report(run)
    radii = [5, 9, 12, 15, 17, 24]
    colours = ["red" if in_holes([r], run.config.holes)[0] else "green" for r in radii]
    fig = _pair_figure(run, radii, colours)
    return Result(
        fig,
        [
            Check(
                "hole_error_over_outside",
                report["ratio"],
                "above 2: the GAN fails inside the hole",
                report["ratio"] > 2,
            ),
            Check("hole_error", report["hole_error"], "reported", None),
        ],
    )


EXPERIMENTS: dict[str, tuple[str, Callable[[Context], Result]]] = {
    "fig2": ("d = 1 autoencoder reconstructs disks over the whole radius range", fig2),
    "fig3": ("interpolating z decodes meaningful disks; z encodes the area", fig3),
    "fig4": ("the no-bias decoder outputs h(r) f(t)", fig4),
    "fig5": ("trained on r <= 18: no extrapolation beyond", fig5),
    "fig6": ("hole [11, 18]: reconstruction fails inside the hole", fig6),
    "fig7": ("none / psi1 / psi2 / psi3 on the hole: psi3 best", fig7),
    "fig8": ("psi3 with lambda in {0.1, 1, 10, 50, 100}", fig8),
    "fig9": ("learned position-encoder filters are proportional to [1, 2, 1]", fig9),
    "table2": ("the [1, 2, 1] network on every one-hot vector of size 8", table2),
    "fig10": ("the position decoder maps z to a moving triangular Dirac", fig10),
    "fig11": ("no-bias code z is proportional to <f, 1_Br>", fig11),
    "fig12": ("the learned no-bias profile equals the optimal profile", fig12),
    "fig13": ("restricted R = 18, no bias: profile supported on [0, R]", fig13),
    "fig14": ("a DCGAN generator with d = 1 fails inside the hole", fig14),
}


def expand_ids(ids: Iterable[str]) -> list[str]:
    chosen: list[str] = []
    for item in ids:
        names = list(EXPERIMENTS) if item == "all" else [item]
        for name in names:
            if name not in EXPERIMENTS:
                raise ValueError(f"reproduce: {name!r} is not an experiment (known: all, {', '.join(EXPERIMENTS)})")
            if name not in chosen:
                chosen.append(name)
    return chosen


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def run_one(ctx: Context, name: str) -> dict[str, Any]:
    title, function = EXPERIMENTS[name]
    started = time.time()
    ctx.used = []
    record: dict[str, Any] = {"id": name, "claim": title, "quick": ctx.quick, "seed": ctx.seed}
    try:
        result = function(ctx)
    except ReproduceCancelled:
        raise
    except Exception as exc:  # one failed experiment must not lose the others
        record.update(verdict="error", error=f"{type(exc).__name__}: {exc}", trace=traceback.format_exc())
    else:
        result.figure.savefig(ctx.out / f"{name}.png", dpi=110)
        import matplotlib.pyplot as plt

        plt.close(result.figure)
        record["checks"] = [vars(c) for c in result.checks]
        record["verdict"] = "pass" if _verdict(result.checks) else "fail"
        if name == "table2":
            record.update(result.details)
        else:
            record["details"] = result.details
    record["runs"] = sorted(set(ctx.used))
    record["seconds"] = round(time.time() - started, 2)
    atomic_write_text(ctx.out / f"{name}.json", json.dumps(_jsonable(record), indent=2) + "\n")
    return record


def write_index(out: Path) -> None:
    rows = []
    for name, (claim, _) in EXPERIMENTS.items():
        path = out / f"{name}.json"
        if not path.exists():
            continue
        record = json.loads(path.read_text())
        verdict = record.get("verdict", "?")
        numbers = "<br>".join(
            f"{html.escape(c['name'])}: <b>{html.escape(_short(c['value']))}</b> — {html.escape(c['expectation'])}"
            + ("" if c["passed"] is None else (" ✔" if c["passed"] else " ✘"))
            for c in record.get("checks", [])
        ) or html.escape(record.get("error", ""))
        image = f'<a href="{name}.png"><img src="{name}.png" width="420"></a>' if (out / f"{name}.png").exists() else ""
        rows.append(
            f'<tr class="{verdict}"><td><a href="{name}.json">{name}</a></td><td>{html.escape(claim)}</td>'
            f"<td class=v>{verdict}</td><td>{numbers}</td><td>{image}</td></tr>"
        )
    page = f"""<!doctype html><meta charset="utf-8"><title>geoae reproduction report</title>
<style>body{{font-family:sans-serif;margin:2em}} td{{border-top:1px solid #ccc;padding:6px;vertical-align:top}}
.pass .v{{color:#1a7f37;font-weight:bold}} .fail .v{{color:#c62828;font-weight:bold}} .error .v{{color:#e65100}}</style>
<h1>Processing Simple Geometric Attributes with Autoencoders: reproduction</h1>
<p>Made by geoae {_version()} on {time.strftime("%Y-%m-%d %H:%M")}. Each row: the claim, the verdict, the numbers
that prove it beside the paper's expectation, and the figure. Trained models are under <code>runs/</code>.</p>
<table><tr><th>id</th><th>claim</th><th>verdict</th><th>numbers</th><th>figure</th></tr>
{"".join(rows)}</table>"""
    atomic_write_text(out / "index.html", page)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _version() -> str:
    from . import __version__

    return __version__


def run_ids(
    ids: Iterable[str],
    out: str | Path,
    quick: bool = False,
    seed: int = 0,
    device: str = "auto",
    callbacks: Iterable[Callable[[Progress], Any]] = (),
    on_stage: Callable[[str], Any] | None = None,
    settings: dict[str, int] | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, dict[str, Any]]:
    """Reproduce the given ids (or "all") into `out`; return each finished id's record.

    `settings` overrides entries of QUICK or FULL (epochs, n_train, batch_size, runs, ...).
    `cancel` (anything with is_set()) is checked between ids and between and inside trainings:
    once set, the ids finished so far are returned, and the run cut short stays resumable.
    """
    names = expand_ids(ids)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        out=out,
        quick=quick,
        seed=seed,
        device=device,
        callbacks=list(callbacks),
        on_stage=on_stage,
        overrides=dict(settings or {}),
        cancel=cancel,
    )
    records = {}
    try:
        for index, name in enumerate(names):
            ctx.check_cancel()
            if on_stage:
                on_stage(f"[{index + 1}/{len(names)}] {name}")
            records[name] = run_one(ctx, name)
            write_index(out)
    except ReproduceCancelled:
        if on_stage:
            on_stage(f"cancelled after {len(records)} of {len(names)} ids")
    return records
