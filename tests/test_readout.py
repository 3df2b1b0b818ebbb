"""The attribute read-out, the encoded test set and the latent map (issue 14), and `geoae eval` of a
run with several attributes."""

import json

import numpy as np
import pytest
import torch

from geoae_core import analysis, readout
from geoae_core.cli import main
from geoae_core.config import Config
from geoae_core.evaluate import linear_fit
from geoae_core.kinds import init_model
from geoae_core.runs import Run
from geoae_core.training import train

SMALL_XY = {
    "kind": "attributes",
    "size": 16,
    "code_size": 3,
    "r_min": 1.0,
    "r_max": 4.5,
    "cx_range": [-3, 3],
    "cy_range": [-3, 3],
    "encoder_depths": [16, 16, 8],
    "n_train": 400,
    "batch_size": 60,
    "lr": 0.004,
    "lr_final": 0.0005,
    "epochs": 25,
    "device": "cpu",
}


def untrained(config: dict) -> Run:
    config = Config.from_dict(config)
    return Run(config, init_model(config).eval())


@pytest.fixture(scope="module")
def trained_xy(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("xy") / "run"
    return train(SMALL_XY, out=out)


# --------------------------------------------------------------------------- trained: a real read-out
def test_a_trained_d3_run_reads_radius_and_centre_from_its_code(trained_xy):
    readout = analysis.attribute_readout(trained_xy, n=400)
    before = analysis.attribute_readout(untrained(SMALL_XY), n=400)
    assert readout["names"] == ["r", "cx", "cy"]
    # 25 epochs at size 16 (seconds): quadratic R^2 0.98, 0.91, 0.75 here; untrained 0.36, 0.39, 0.48
    for name in ("r", "cx", "cy"):
        trained_r2 = readout["attributes"][name]["r2_quadratic"]
        assert trained_r2 > 0.65, (name, trained_r2)
        assert trained_r2 > before["attributes"][name]["r2_quadratic"] + 0.2, name
    assert readout["attributes"]["r"]["r2_quadratic"] > 0.95
    json.dumps(readout)  # JSON-serialisable as it is


def test_training_brings_the_reconstruction_error_down(trained_xy):
    images, _ = trained_xy.kind.sample(trained_xy.config, 200, 5)
    error = ((trained_xy.reconstruct(images) - images) ** 2).sum(axis=(1, 2)).mean()
    start = untrained(SMALL_XY)
    assert error < 0.2 * ((start.reconstruct(images) - images) ** 2).sum(axis=(1, 2)).mean()


def test_geoae_eval_prints_the_readout(trained_xy, capsys):
    assert main(["eval", str(trained_xy.path)]) == 0
    text = capsys.readouterr().out
    assert "mean_error:" in text and "read-out on 1000 fresh test images" in text
    for name in ("r", "cx", "cy"):
        assert any(line.split()[:1] == [name] for line in text.splitlines()), name
    assert main(["eval", str(trained_xy.path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["attribute_names"] == ["r", "cx", "cy"]
    assert report["readout"]["attributes"]["r"]["r2_quadratic"] > 0.95
    assert report["mean_error"] > 0


def test_decode_grid_is_the_codes_decoded_one_by_one(trained_xy):
    held = np.array([0.1, -0.2, 0.3])
    values_a, values_b = np.linspace(-1, 1, 4), np.linspace(0, 2, 3)
    grid = analysis.decode_grid(trained_xy, (2, 0), values_a, values_b, held)
    assert grid.shape == (3, 4, 16, 16)
    code = held.copy()
    code[2], code[0] = values_a[1], values_b[2]
    np.testing.assert_allclose(grid[2, 1], trained_xy.decode(code[None])[0], atol=1e-6)


@pytest.mark.parametrize(("axes", "held"), [((0, 0), [0, 0, 0]), ((0, 3), [0, 0, 0]), ((0, 1), [0, 0])])
def test_decode_grid_refuses_bad_axes_and_points(trained_xy, axes, held):
    with pytest.raises(ValueError, match=r"^(axes|held): "):
        analysis.decode_grid(trained_xy, axes, [0.0], [0.0], np.array(held, float))


# --------------------------------------------------------------------------- no training needed
def test_the_encoded_test_set_is_fresh_and_within_the_ranges():
    run = untrained(SMALL_XY)
    z, attributes = analysis.encoded_test_set(run, n=50, seed=3)
    assert z.shape == (50, 3) and list(attributes) == ["r", "cx", "cy"]
    assert all(values.shape == (50,) for values in attributes.values())
    centre = (16 - 1) / 2
    assert attributes["cx"].min() >= centre - 3 and attributes["cx"].max() <= centre + 3
    again, _ = analysis.encoded_test_set(run, n=50, seed=3)
    other, _ = analysis.encoded_test_set(run, n=50, seed=4)
    np.testing.assert_array_equal(z, again)
    assert not np.allclose(z, other)


def test_attribute_names_of_every_kind():
    assert analysis.attribute_names(untrained({"size": 16})) == ["r"]
    assert analysis.attribute_names(untrained({"kind": "position-encoder", "size": 16})) == ["position"]
    assert analysis.attribute_names(untrained({"kind": "gan", "size": 16})) == []
    square = {**SMALL_XY, "shape": "square", "angle_range": [0, 90], "r_max": 2.0, "grey_range": [0.5, 1]}
    assert analysis.attribute_names(untrained(square)) == ["r", "angle", "cx", "cy", "grey"]


def test_a_disk_run_readout_asks_figure_3_s_question_as_figure_3_does():
    run = untrained({"size": 16})
    z, attributes = analysis.encoded_test_set(run, n=300)
    readout = analysis.attribute_readout(run, n=300)
    r = attributes["r"]
    assert readout["attributes"]["r"]["follows_r2"]["r"] == pytest.approx(linear_fit(r, z[:, 0])["r2"], abs=1e-9)
    assert readout["attributes"]["r"]["follows_r2"]["r^2"] == pytest.approx(linear_fit(r**2, z[:, 0])["r2"], abs=1e-9)


def test_follows_tells_the_area_from_the_radius_and_a_position_from_its_square():
    rng = np.random.default_rng(0)
    r, cx = rng.uniform(2, 16, 500), rng.uniform(20, 44, 500)
    run = untrained({**SMALL_XY})
    area_code = np.stack([r**2 + 0.3 * cx, cx - 0.01 * r**2], axis=1)
    verdict = readout._follows(run, area_code, {"r": r, "cx": cx})
    assert verdict["r"]["follows"] == "r^2"
    assert verdict["cx"]["follows"] == "cx"
    radius_code = np.stack([r, (cx - 7.5) ** 2], axis=1)
    verdict = readout._follows(run, radius_code, {"r": r, "cx": cx})
    assert verdict["r"]["follows"] == "r" and verdict["cx"]["follows"] == "(cx - 7.5)^2"


def test_an_angle_is_read_as_a_circle_of_its_period():
    square = {**SMALL_XY, "shape": "square", "angle_range": [0, 90], "r_max": 2.0}
    run = untrained(square)
    angles = np.random.default_rng(1).uniform(0, 90, 400)
    circle = readout._angle_circle(run, angles)
    np.testing.assert_allclose(readout._angle_circle(run, angles + 90), circle, atol=1e-12)  # one image, one point
    assert analysis.least_squares_r2(circle, circle) == pytest.approx(1.0)
    verdict = readout._follows(run, circle, {"angle": angles})
    assert verdict["angle"]["follows"] == "circle"
    assert readout._correlation_row(circle, circle[:, :1]) == pytest.approx([1.0])


def test_least_squares_r2_is_one_for_a_quadratic_code_and_pooled_over_columns():
    z = np.random.default_rng(2).normal(size=(200, 2))
    target = 3 * z[:, 0] * z[:, 1] - z[:, 1] ** 2 + 1
    assert analysis.least_squares_r2(readout._quadratic_features(z), target) == pytest.approx(1.0)
    assert analysis.least_squares_r2(z, target) < 0.5
    assert analysis.least_squares_r2(z, np.stack([z[:, 0], target], axis=1)) < 1.0


def test_runs_without_an_encoder_have_no_test_set():
    from geoae_core.files import RunError

    with pytest.raises(RunError, match="no encoder"):
        analysis.encoded_test_set(untrained({"kind": "gan", "size": 16}))


# --------------------------------------------------------------------------- the learning-rate schedule
def test_the_cosine_schedule_goes_from_lr_to_lr_final():
    from geoae_core.kinds.autoencoder import cosine_learning_rate

    config = Config.from_dict({**SMALL_XY, "epochs": 10})
    assert cosine_learning_rate(config, 0, 5) == pytest.approx(config.lr)
    assert cosine_learning_rate(config, 25, 5) == pytest.approx((config.lr + config.lr_final) / 2)
    assert cosine_learning_rate(config, 50, 5) == pytest.approx(config.lr_final)
    assert cosine_learning_rate(config.replace(lr_final=None), 30, 5) == config.lr


@pytest.mark.parametrize("kind", ["disk", "position-decoder", "position-encoder"])
def test_every_adam_kind_follows_lr_final(kind):
    """lr_final is honoured by every kind adam_regime trains, not by the attributes kind alone."""
    settings = {"kind": kind, "size": 16, "n_train": 64, "batch_size": 32, "epochs": 3, "device": "cpu"}
    constant, decayed = train(settings), train({**settings, "lr_final": 0.0})
    assert constant.history[0]["loss"] == decayed.history[0]["loss"]  # the first step has lr either way
    assert constant.history[-1]["loss"] != decayed.history[-1]["loss"]


def test_a_resumed_run_continues_the_schedule_bitwise(tmp_path):
    import threading

    from same_weights import assert_bitwise_equal, state  # tests/ is on sys.path

    settings = {**SMALL_XY, "size": 8, "r_max": 2.0, "cx_range": [-1, 1], "cy_range": [0, 0], "n_train": 60}
    settings.update(encoder_depths=None, batch_size=20, epochs=4, checkpoint_every=1)
    reference = train(settings)
    cancel = threading.Event()

    def stop_at_two(report):
        if report.event == "epoch" and report.epoch == 2:
            cancel.set()

    train(settings, out=tmp_path / "run", callbacks=[stop_at_two], cancel=cancel)
    resumed = train(None, out=tmp_path / "run", resume=True)
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3, 4]
    assert_bitwise_equal(state(reference), state(resumed))
