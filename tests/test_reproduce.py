import json
import threading

import pytest

from geoae_core.cli import main
from geoae_core.experiments import EXPERIMENTS, PAPER_TABLE2, expand_ids, run_ids, summary_of

SMOKE = {"epochs": 2, "n_train": 200, "batch_size": 100, "runs": 1, "lambda_runs": 1, "position_seeds": 1}


def test_table2_is_exact_and_matches_the_paper(tmp_path):
    record = run_ids(["table2"], tmp_path)["table2"]
    assert record["verdict"] == "pass"
    saved = json.loads((tmp_path / "table2.json").read_text())
    assert saved["n"] == 8 and len(saved["rows"]) == 8
    assert [row["layers"] for row in saved["rows"]] == PAPER_TABLE2
    assert all(isinstance(v, int) for row in saved["rows"] for layer in row["layers"] for v in layer)
    assert (tmp_path / "table2.png").stat().st_size > 1000


def test_every_id_is_listed_and_all_expands():
    assert expand_ids(["all"]) == list(EXPERIMENTS)
    assert set(EXPERIMENTS) == {f"fig{i}" for i in range(2, 15)} | {"table2"}
    with pytest.raises(ValueError, match="fig99"):
        expand_ids(["fig99"])


def test_disk_figures_write_figure_numbers_and_runs(tmp_path):
    records = run_ids(["fig2", "fig3", "fig6"], tmp_path, device="cpu", settings=SMOKE)
    for name in ("fig2", "fig3", "fig6"):
        record = json.loads((tmp_path / f"{name}.json").read_text())
        assert record["verdict"] in ("pass", "fail"), record.get("error")
        assert all({"name", "value", "expectation", "passed"} <= set(c) for c in record["checks"])
        assert (tmp_path / f"{name}.png").is_file()
    # fig3 reuses the model fig2 trained
    assert records["fig3"]["runs"] == records["fig2"]["runs"] == ["runs/fig2/disks"]
    assert (tmp_path / "runs" / "fig6" / "disks-hole" / "weights.safetensors").is_file()
    index = (tmp_path / "index.html").read_text()
    assert all(f'href="{name}.png"' in index for name in ("fig2", "fig3", "fig6"))


def test_reproduce_cli_errors(tmp_path, capsys):
    assert main(["reproduce", "fig99", "--out", str(tmp_path)]) == 2
    assert "fig99" in capsys.readouterr().err
    assert main(["reproduce", "--list"]) == 0
    assert "table2" in capsys.readouterr().out


def test_regulariser_family_reports_every_run(tmp_path):
    record = run_ids(["fig7"], tmp_path, device="cpu", settings={**SMOKE, "runs": 2})["fig7"]
    assert record["verdict"] in ("pass", "fail"), record.get("error")
    summary = record["details"]["summary"]
    assert set(summary) == {"none", "psi1", "psi2", "psi3"}
    assert all(s["runs"] == 2 and len(s["hole_ratio_runs"]) == 2 for s in summary.values())
    assert len(record["runs"]) == 8 and all(path.startswith("runs/fig7/") for path in record["runs"])


def test_a_run_another_figure_trained_is_reused_not_retrained(tmp_path):
    run_ids(["fig6"], tmp_path, device="cpu", settings=SMOKE)
    record = run_ids(["fig7"], tmp_path, device="cpu", settings=SMOKE)["fig7"]
    # figure 6's model is figure 7's first unregularised run: same config, so no second training
    assert "runs/fig6/disks-hole" in record["runs"]
    assert not (tmp_path / "runs" / "fig7" / "none-seed0").exists()
    assert len(record["runs"]) == 4


def test_reproduce_runs_option_is_checked(tmp_path, capsys):
    assert main(["reproduce", "fig7", "--out", str(tmp_path), "--runs", "0"]) == 2
    assert "--runs: 0 is not positive" in capsys.readouterr().err


def test_a_collapsed_run_does_not_pass_for_a_filled_hole():
    trained = {"hole_ratio": 3.0, "outside_error": 4.0, "constant": False, "monotonicity": 1.0}
    collapsed = {"hole_ratio": 0.6, "outside_error": 272.0, "constant": True, "monotonicity": 0.0}
    summary = summary_of([trained, {**trained, "hole_ratio": 2.0}, collapsed])
    assert summary["failed_runs"] == 1 and summary["runs"] == 3
    assert summary["hole_ratio_mean"] == 2.5  # the collapsed run's 0.6 is not averaged in
    assert summary["monotone_runs"] == 2
    assert summary_of([collapsed])["hole_ratio_mean"] is None


def test_a_cancel_stops_reproduce_and_keeps_what_is_done(tmp_path):
    cancel = threading.Event()
    stages = []

    def stage(text):
        stages.append(text)

    # fig2 trains and finishes; fig3 reuses its model; fig6 is cancelled inside its training
    def cancel_in_fig6(report):
        if getattr(report, "event", "") == "epoch" and stages[-1] == "fig6: training disks-hole":
            cancel.set()

    records = run_ids(
        ["fig2", "fig3", "fig6", "fig4"],
        tmp_path,
        device="cpu",
        settings=SMOKE,
        callbacks=[cancel_in_fig6],
        on_stage=stage,
        cancel=cancel,
    )
    assert list(records) == ["fig2", "fig3"]
    assert (tmp_path / "fig3.json").is_file() and not (tmp_path / "fig6.json").exists()
    assert stages[-1] == "cancelled after 2 of 4 ids" and not any("fig4" in s for s in stages)
    status = json.loads((tmp_path / "runs" / "fig6" / "disks-hole" / "run.json").read_text())
    assert status["status"] == "cancelled" and status["epochs_done"] == 1
