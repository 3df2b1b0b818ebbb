"""Every claim of the paper (each figure, table and proposition) beside its reproduce id, the
tests that check it on small runs, and the last full pass: docs/claims.md is made from this
(scripts/make_claims.py), and tests/test_claims.py holds the two to each other.

The paper's words are quoted here rather than in each figure's module, so one page of the paper's
sentences can be read (and checked against the paper) in one place; every registered experiment
must have its row (`claims_markdown` refuses a registry it does not cover).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import RunError
from .base import short
from .registry import EXPERIMENTS

ALL_IDS = "tests/test_experiments.py::test_checks_apply_the_declared_thresholds"  # every id, tiny runs


@dataclass(frozen=True)
class PaperClaim:
    """One figure, table or proposition: the paper's words and what checks them here."""

    label: str  # "Figure 7", "Table 2", "Proposition 3"
    words: str  # quoted from the paper
    reproduce_id: str | None  # the `geoae reproduce` id that judges it at full scale; None: tests only
    tests: tuple[str, ...]  # "tests/FILE.py::FUNCTION" (a parametrised one as FUNCTION[ID])


def _all_ids(exp_id: str) -> str:
    return f"{ALL_IDS}[{exp_id}]"


# in the paper's order (sections 3 to 5, then the appendices)
PAPER_CLAIMS: tuple[PaperClaim, ...] = (
    PaperClaim(
        "Table 1, Figure 1",
        "The architecture of our autoencoder remains the same throughout the paper, and is shown in Figure 1. "
        "We summarise our parameters in Table 1.",
        None,
        (
            "tests/test_models.py::test_table1_depths",
            "tests/test_models.py::test_disk_autoencoder_shapes",
            "tests/test_models.py::test_decoder_upsamples_by_zero_insertion",
            "tests/test_config.py::test_defaults_are_the_papers",
        ),
    ),
    PaperClaim(
        "Figure 2",
        "The network learns to encode/decode correctly disks with a latent space size of d=1",
        "fig2",
        (
            _all_ids("fig2"),
            "tests/test_reproduce.py::test_disk_figures_write_figure_numbers_and_runs",
            "tests/test_train.py::test_short_training_lowers_the_loss",
        ),
    ),
    PaperClaim(
        "Figure 3",
        "The code z which is learned can be interpolated and the corresponding decoding is meaningful; "
        "z seems to represent the area and not the radius of the input disks (see Figure 3).",
        "fig3",
        (
            _all_ids("fig3"),
            "tests/test_analysis.py::test_z_curve_tells_area_from_radius",
            "tests/test_analysis.py::test_biased_code_follows_the_area",
        ),
    ),
    PaperClaim(
        "Figure 4",
        "The autoencoder learns a function f which is multiplied by a constant scalar, h(r), for each radius.",
        "fig4",
        (_all_ids("fig4"), "tests/test_analysis.py::test_nobias_decoder_is_rank1"),
    ),
    PaperClaim(
        "Proposition 1",
        "Positive Multiplicative Action of the Decoder Without Bias: for all z and all lambda > 0, "
        "D(lambda z) = lambda D(z).",
        None,
        (
            "tests/test_theory.py::test_decoder_without_bias_is_positively_homogeneous",
            "tests/test_theory.py::test_decoder_with_biases_is_not_homogeneous",
        ),
    ),
    PaperClaim(
        "Proposition 2",
        "The decoding training problem of the autoencoder without biases has an optimal solution f that is "
        "radially symmetric and maximises the energy J(f) under the normalization ||f||_2 = 1.",
        "fig12",
        (
            "tests/test_theory.py::test_numerical_maximiser_of_J_is_the_airy_profile",
            "tests/test_theory.py::test_airy_profile_solves_the_euler_lagrange_equation",
            "tests/test_theory.py::test_three_optimal_profiles_agree",
        ),
    ),
    PaperClaim(
        "Figure 5",
        "It is clear that the network lacks the capacity to extrapolate further than the radius R.",
        "fig5",
        (_all_ids("fig5"), "tests/test_analysis.py::test_restricted_nobias_profile_stops_at_R"),
    ),
    PaperClaim(
        "Figure 6",
        "Once again, in the unknown regions the network is unable to recreate the input disks.",
        "fig6",
        (
            _all_ids("fig6"),
            "tests/test_fig_metrics.py::test_fig6_reports_every_seed_and_judges_the_median",
            "tests/test_analysis.py::test_error_and_hole_reports_agree",
            "tests/test_reproduce.py::test_a_run_another_figure_trained_is_reused_not_retrained",
        ),
    ),
    PaperClaim(
        "Figure 7",
        "The latent spaces produced by a regularised autoencoder, and in particular types 2-3, are consistently "
        "smoother than the unregularised version, which can produce incoherent latent spaces, and thus incorrect "
        "outputs. [...] psi1 does not work satisfactorily. [...] The second type of regularisation [psi2] [...] "
        "produces a latent space which appears smooth, however the final result is not of great quality. [...] "
        "regularising the weights of the encoder (psi3) works particularly well, and [...] the resulting manifold "
        "is smooth and correctly represents the area of the disks.",
        "fig7",
        (
            _all_ids("fig7"),
            "tests/test_fig_metrics.py::test_a_code_with_a_bump_in_the_hole_strays_from_the_area_trend",
            "tests/test_fig_metrics.py::test_fig7_judges_each_sentence_on_its_own",
            "tests/test_fig_metrics.py::test_fig6_fig7_fig10_records_carry_the_new_numbers",
            "tests/test_reproduce.py::test_regulariser_family_reports_every_run",
            "tests/test_reproduce.py::test_a_collapsed_run_does_not_pass_for_a_filled_hole",
        ),
    ),
    PaperClaim(
        "Figure 8",
        "We see that increasing this parameter smooths the latent space, until lambda becomes too great and the "
        "training fails.",
        "fig8",
        (_all_ids("fig8"), "tests/test_fig_metrics.py::test_fig8_smoother_with_lambda_stops_where_training_fails"),
    ),
    PaperClaim(
        "Table 2",
        "In Table 2, we can see the results for every possible 1-hot vector. Indeed, the network seems to extract "
        "the position of the one-hot vector.",
        "table2",
        (
            "tests/test_reproduce.py::test_table2_is_exact_and_matches_the_paper",
            "tests/test_theory.py::test_handcrafted_table_equals_the_papers_table_2",
            "tests/test_models.py::test_handcrafted_encoder_table2_example",
        ),
    ),
    PaperClaim(
        "Proposition 3",
        "The linear neural network E extracts the position of a Dirac input.",
        "table2",
        (
            "tests/test_theory.py::test_proposition_3_is_exact_for_every_depth",
            "tests/test_theory.py::test_scaled_filter_still_extracts_the_position",
        ),
    ),
    PaperClaim(
        "Figure 9",
        "We show the weights found by stochastic gradient descent training. They fit the handcrafted weights in "
        "Equation (13) remarkably well.",
        "fig9",
        (
            _all_ids("fig9"),
            "tests/test_analysis.py::test_trained_position_encoder_filters_align_with_121",
            "tests/test_analysis.py::test_filter_cosines_with_the_handcrafted_filter",
        ),
    ),
    PaperClaim(
        "Figure 10",
        "Starting from a position z, output a 1d signal which approximates a delta at position z. [...] "
        "Sampling a continuous parameter a and choosing an appropriate discretisation solves this problem.",
        "fig10",
        (
            _all_ids("fig10"),
            "tests/test_fig_metrics.py::test_subsample_peak_is_exact_on_triangles_at_fractional_positions",
            "tests/test_analysis.py::test_trained_position_decoder_puts_the_peak_at_the_position",
            "tests/test_fig_metrics.py::test_fig6_fig7_fig10_records_carry_the_new_numbers",
        ),
    ),
    PaperClaim(
        "Figure 11",
        "We have plotted z against the theoretically optimal value of h (C <f, 1_Br>). This experimental sanity "
        "check confirms our theoretical derivations.",
        "fig11",
        (_all_ids("fig11"), "tests/test_analysis.py::test_code_is_proportional_to_inner_product_with_profile"),
    ),
    PaperClaim(
        "Figure 12",
        "The resulting profiles are similar, showing that the autoencoder indeed succeeds in minimising this energy.",
        "fig12",
        (_all_ids("fig12"), "tests/test_analysis.py::test_learned_profile_is_the_optimal_profile"),
    ),
    PaperClaim(
        "Figure 13",
        "The decoder learns a profile f which only extends to the largest observed radius R=18.",
        "fig13",
        (_all_ids("fig13"), "tests/test_analysis.py::test_restricted_nobias_profile_stops_at_R"),
    ),
    PaperClaim(
        "Figure 14",
        "The network fails to correctly autoencode disks in the missing radius region which has not been "
        "observed in the training database.",
        "fig14",
        (_all_ids("fig14"), "tests/test_gan.py::test_projection_of_a_trained_run"),
    ),
)


def last_pass(results: Path) -> dict[str, Any]:
    """The verdict and judged checks of each ID.json in a reproduce folder, as docs keep them."""
    records = {}
    for exp_id in EXPERIMENTS:
        path = results / f"{exp_id}.json"
        if not path.is_file():
            continue
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise RunError(f"{path}: not a reproduce record ({exc})") from None
        judged = [
            {"name": c["name"], "value": c["value"], "passed": c["passed"]}
            for c in record.get("checks", [])
            if c.get("passed") is not None
        ]
        verdict = record.get("verdict")
        records[exp_id] = {"verdict": verdict, "quick": record.get("quick"), "checks": judged, "source": results.name}
    if not records:
        raise RunError(f"{results}: no ID.json of `geoae reproduce` in it")
    return {"records": records}


def merge_passes(earlier: dict[str, Any] | None, later: dict[str, Any]) -> dict[str, Any]:
    """The ids of `later` replace those of `earlier`; an id `later` did not run keeps its last record."""
    return {"records": {**(earlier or {}).get("records", {}), **later["records"]}}


def claims_markdown(results: dict[str, Any] | None = None) -> str:
    """docs/claims.md: one row per claim of the paper; `results` from last_pass (None: not yet run)."""
    covered = {claim.reproduce_id for claim in PAPER_CLAIMS}
    missing = [exp_id for exp_id in EXPERIMENTS if exp_id not in covered]
    if missing:
        raise ValueError(f"claims: no row for {', '.join(missing)} (add it to PAPER_CLAIMS)")
    records = (results or {}).get("records", {})
    sources = sorted({record["source"] for record in records.values()})
    source = ", ".join(f"`{name}`" for name in sources) if sources else "none yet"
    lines = [
        "# Every claim of the paper, its reproduction and its tests",
        "",
        "Generated by `python scripts/make_claims.py` from geoae_core/experiments/claims.py and the",
        "experiments registry; do not edit by hand (tests/test_claims.py checks it is current).",
        "`geoae reproduce ID --out DIR` judges a claim at the paper's scale; the tests check the same",
        "code on small runs. The last full pass: run `python scripts/make_claims.py --results DIR`",
        "after a full `geoae reproduce` into DIR to record its ids (the others keep their last record).",
        f"Recorded here: {source}.",
        "",
        "| claim | the paper's words | reproduce id | tests (small runs) | last full pass | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for claim in PAPER_CLAIMS:
        numbers, verdict = _pass_cells(claim, records)
        tests = "<br>".join(f"`{test}`" for test in claim.tests)
        lines.append(
            f"| {claim.label} | {_cell(claim.words)} | {claim.reproduce_id or '-'} | {tests} | {numbers} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def _pass_cells(claim: PaperClaim, records: dict[str, Any]) -> tuple[str, str]:
    if claim.reproduce_id is None:
        return "exact: checked by the tests", "tests"
    record = records.get(claim.reproduce_id)
    if record is None:
        return "not yet run", "not yet run"
    checks = [f"{c['name']} {short(c['value'])} {'✔' if c['passed'] else '✘'}" for c in record["checks"]]
    held = sum(c["passed"] for c in record["checks"])
    verdict = f"{record['verdict']} ({held} of {len(checks)} checks hold)"
    if record.get("quick"):
        verdict += ", quick pass"
    return _cell("<br>".join([*checks, f"({record['source']})"])), verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
