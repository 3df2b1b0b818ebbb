"""docs/claims.md: every reproduce id has a row naming tests that exist, and the page is what the
generator writes now (so it cannot drift from the registry)."""

import ast
import json
import re
from pathlib import Path

import pytest

from geoae_core.cli import main
from geoae_core.experiments import claims
from geoae_core.files import RunError

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_MD = ROOT / "docs" / "claims.md"
LAST_PASS = ROOT / "docs" / "last_full_pass.json"


def listed_ids(capsys) -> list[str]:
    assert main(["reproduce", "--list"]) == 0
    return [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]


def rows() -> list[list[str]]:
    """The cells of each row of the claims table (header and rule left out)."""
    lines = [line for line in CLAIMS_MD.read_text().splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [row for row in cells[2:]]


def functions_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test")}


def existing(reference: str) -> bool:
    """`tests/FILE.py::FUNCTION` or `...::FUNCTION[PARAM]` names a test function that is there."""
    file, _, function = reference.partition("::")
    path = ROOT / file
    return path.is_file() and file.startswith("tests/") and function.split("[")[0] in functions_of(path)


def test_every_listed_id_has_a_row_naming_existing_tests(capsys):
    table = rows()
    assert all(len(row) == 6 for row in table)
    for exp_id in listed_ids(capsys):
        mine = [row for row in table if row[2] == exp_id]
        assert mine, f"docs/claims.md has no row for {exp_id}"
        tests = [ref for row in mine for ref in re.findall(r"`([^`]+)`", row[3])]
        assert any(existing(ref) for ref in tests), (exp_id, tests)
    missing = [ref for row in table for ref in re.findall(r"`([^`]+)`", row[3]) if not existing(ref)]
    assert not missing, f"docs/claims.md names tests that do not exist: {missing}"


def test_the_checker_tells_a_missing_test():
    assert existing("tests/test_claims.py::test_the_checker_tells_a_missing_test")
    assert not existing("tests/test_claims.py::test_that_was_never_written")
    assert not existing("tests/no_such_file.py::test_the_checker_tells_a_missing_test")


def test_claims_md_is_what_the_generator_writes_now():
    recorded = json.loads(LAST_PASS.read_text()) if LAST_PASS.is_file() else None
    assert CLAIMS_MD.read_text() == claims.claims_markdown(recorded), "run: python scripts/make_claims.py"


def test_every_figure_table_and_proposition_has_a_row():
    labels = " ".join(claim.label for claim in claims.PAPER_CLAIMS)
    for name in [
        *(f"Figure {i}" for i in range(1, 15)),
        "Table 1",
        "Table 2",
        *(f"Proposition {i}" for i in (1, 2, 3)),
    ]:
        assert re.search(rf"\b{name}\b", labels), name


def test_a_registry_with_an_id_without_a_row_is_refused(monkeypatch):
    monkeypatch.setattr(claims, "EXPERIMENTS", {**claims.EXPERIMENTS, "fig99": None})
    with pytest.raises(ValueError, match="fig99"):
        claims.claims_markdown()


def test_a_full_pass_folder_fills_the_numbers_and_verdicts(tmp_path):
    record = {
        "id": "fig10",
        "verdict": "fail",
        "quick": False,
        "checks": [
            {"name": "max_subsample_peak_error", "value": 1.2, "expectation": "below 1", "passed": False},
            {"name": "mean_subsample_peak_error", "value": 0.1, "expectation": "reported", "passed": None},
            {"name": "half_integer_error_onehot", "value": 0.2, "expectation": "above ...", "passed": True},
        ],
    }
    (tmp_path / "fig10.json").write_text(json.dumps(record))
    page = claims.claims_markdown(claims.last_pass(tmp_path))
    row = next(line for line in page.splitlines() if line.startswith("| Figure 10 |"))
    assert "max_subsample_peak_error 1.2 ✘" in row and "mean_subsample_peak_error" not in row
    assert "fail (1 of 2 checks hold)" in row
    assert "| Figure 2 |" in page and "not yet run" in page  # ids not in the folder
    with pytest.raises(RunError, match=r"no ID\.json"):
        claims.last_pass(tmp_path / "empty")


def test_a_later_pass_replaces_its_ids_and_keeps_the_others(tmp_path):
    def folder(name, verdicts):
        path = tmp_path / name
        path.mkdir()
        for exp_id, passed in verdicts.items():
            check = {"name": "x", "value": 1.0, "expectation": "above 0", "passed": passed}
            record = {"id": exp_id, "verdict": "pass" if passed else "fail", "quick": False, "checks": [check]}
            (path / f"{exp_id}.json").write_text(json.dumps(record))
        return claims.last_pass(path)

    merged = claims.merge_passes(folder("first", {"fig2": True, "fig10": False}), folder("second", {"fig10": True}))
    assert {exp_id: r["source"] for exp_id, r in merged["records"].items()} == {"fig2": "first", "fig10": "second"}
    assert merged["records"]["fig10"]["verdict"] == "pass"
    assert "Recorded here: `first`, `second`." in claims.claims_markdown(merged)
