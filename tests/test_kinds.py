"""What a kind tells the panels (issue 23): its title, its views, what feeds each side of its
networks (a probe with a label, a unit, a range and how to make the input) and the codes its decoder
takes. Tiny runs, trained in memory in seconds."""

import subprocess
import sys

import numpy as np
import pytest

from geoae_core import train
from geoae_core.config import KINDS, SETTINGS_BY_NAME, Config
from geoae_core.kinds import VIEWS, Probe, kind_of
from geoae_core.kinds.gan import Z_RANGE

TINY = {"size": 16, "n_train": 64, "epochs": 2, "batch_size": 32, "device": "cpu"}
ATTRIBUTES = {"kind": "attributes", "shape": "square", "code_size": 2, "cx_range": [-2.0, 2.0], "r_max": 5.0}


@pytest.fixture(scope="module")
def runs():
    """One tiny run of every kind (the GAN at its smallest size), trained once for the module."""
    return {
        "disk": train(Config(kind="disk", **TINY)),
        "disk-2": train(Config(kind="disk", code_size=2, **TINY)),
        "position-encoder": train(Config(kind="position-encoder", **TINY)),
        "position-decoder": train(Config(kind="position-decoder", **TINY)),
        "gan": train(Config(kind="gan", **{**TINY, "size": 32})),
        "attributes": train(Config(**ATTRIBUTES, **TINY)),
    }


def test_every_kind_answers_every_question(runs):
    for name, run in runs.items():
        kind = run.kind
        assert kind.title(run.config).startswith(("a ", "an ")), name
        assert kind.views(run.config) and kind.views(run.config) <= set(VIEWS), name
        for side in ("encoder", "decoder"):
            probe = kind.probe(run, side)
            assert (probe is None) == (side not in kind.sides), (name, side)
            if probe is not None:
                assert isinstance(probe, Probe) and probe.low < probe.default < probe.high, (name, side)
                batch = probe.make(np.array([probe.low, probe.default, probe.high]))
                assert batch.dtype == np.float32 and len(batch) == 3 and np.isfinite(batch).all(), (name, side)
                if side == "decoder":
                    assert np.isfinite(run.decode(batch)).all(), name
                else:
                    assert np.isfinite(run.encode(batch)).all(), name


def test_titles_read_as_english(runs):
    titles = {name: run.kind.title(run.config) for name, run in runs.items()}
    assert titles["disk"] == "a disk autoencoder"
    assert titles["attributes"] == "an autoencoder of squares with several attributes"
    assert titles["position-encoder"] == "a position encoder"
    assert titles["position-decoder"] == "a position decoder"
    assert titles["gan"] == "a DCGAN generator"


def test_views_per_kind(runs):
    views = {name: run.kind.views(run.config) for name, run in runs.items()}
    assert views["disk"] == {"decode", "encode_radius", "profile", "z_of_r"}
    assert views["disk-2"] == {"decode", "codes"}
    assert views["attributes"] == {"decode", "codes"}
    assert kind_of("attributes").views(Config(**{**ATTRIBUTES, "code_size": 1})) == {"decode"}
    assert views["position-encoder"] == {"position_kernels"}
    assert views["position-decoder"] == {"decode", "position_decoder"}
    assert views["gan"] == {"decode"}


def test_a_disk_encoder_takes_a_radius_and_makes_exact_disks(runs):
    run = runs["disk"]
    probe = run.kind.probe(run, "encoder")
    assert (probe.label, probe.unit, probe.decimals) == ("disk radius r", "px", 2)
    assert (probe.low, probe.high) == pytest.approx((0.1, 7.9))
    images = probe.make(np.array([3.0, 6.0]))
    assert images.shape == (2, 16, 16)
    assert images[0].sum() == pytest.approx(np.pi * 9, rel=0.05)  # the area of a disk of radius 3


def test_a_disk_decoder_probe_spans_the_codes_of_its_training_set(runs):
    """Filters fed a radius as a code: the decoder's probe is a code over the encoded training set."""
    run = runs["disk"]
    low, high = run.kind.code_range(run)
    codes = run.encode(run.kind.training_set(run.config)[0])
    assert low.shape == high.shape == (1,)
    assert low[0] == pytest.approx(codes.min(), abs=1e-5) and high[0] == pytest.approx(codes.max(), abs=1e-5)
    probe = run.kind.probe(run, "decoder")
    assert probe.label == "code z" and probe.unit == ""
    assert (probe.low, probe.high) == pytest.approx((low[0], high[0]))
    assert probe.decimals >= 0 and probe.step <= (probe.high - probe.low) / 50


def test_a_decoder_probe_follows_codes_far_from_zero(runs):
    """A run whose codes span -91 to -12 gets a probe over that span, not over the radii."""
    run = runs["disk"]
    run.derived["code_range"] = (np.array([-91.0]), np.array([-12.0]))
    probe = run.kind.probe(run, "decoder")
    assert (probe.low, probe.high, probe.default) == (-91.0, -12.0, -51.5)
    assert probe.decimals == 1 and probe.make(np.array([-50.0])).tolist() == [[-50.0]]
    run.derived.clear()


def test_the_code_range_is_kept_per_run_object_and_not_shared_with_an_earlier_epoch(runs):
    run = runs["disk-2"]
    first = run.kind.code_range(run)
    assert "code_range" in run.derived and first[0].shape == (2,)
    first[0][:] = 1e9  # a copy: the cache is not the caller's to change
    assert run.kind.code_range(run)[0][0] < 1e9
    probe = run.kind.probe(run, "decoder")
    codes = probe.make(np.array([probe.low, probe.high]))
    low, high = run.kind.code_range(run)
    assert codes[:, 1].tolist() == pytest.approx([(low[1] + high[1]) / 2] * 2)  # other axes at their middle


def test_an_attributes_encoder_takes_the_shapes_size_not_a_dirac(runs):
    run = runs["attributes"]
    probe = run.kind.probe(run, "encoder")
    assert probe.label == "square half-side r" and probe.unit == "px" and probe.decimals == 2
    images = probe.make(np.array([2.0, 4.0]))
    assert images.shape == (2, 16, 16)
    # squares of half-side 2 and 4, centred at the middle of the cx range: areas 16 and 64
    assert images.sum((1, 2)) == pytest.approx([16.0, 64.0], rel=0.05)
    assert run.kind.probe(run, "decoder").label == "code z"


def test_a_position_encoder_takes_a_whole_dirac_position(runs):
    run = runs["position-encoder"]
    probe = run.kind.probe(run, "encoder")
    assert (probe.label, probe.decimals, probe.low, probe.high) == ("Dirac position a", 0, 0.0, 15.0)
    signals = probe.make(np.array([0.0, 4.4, 15.0]))
    assert signals.shape == (3, 16) and signals.sum(1).tolist() == [1.0, 1.0, 1.0]
    assert signals.argmax(1).tolist() == [0, 4, 15]
    assert run.kind.probe(run, "decoder") is None


def test_a_position_decoder_takes_a_position_over_its_training_range(runs):
    run = runs["position-decoder"]
    probe = run.kind.probe(run, "decoder")
    assert (probe.label, probe.low, probe.high) == ("position z", 0.0, 15.0)
    assert run.decode(probe.make(np.array([3.0]))).shape == (1, 16)
    assert run.kind.probe(run, "encoder") is None


def test_a_gan_generator_takes_a_code_of_the_normal_law(runs):
    run = runs["gan"]
    probe = run.kind.probe(run, "decoder")
    assert probe.label == "code z (z ~ N(0, 1))"
    assert (probe.low, probe.high, probe.default) == (-Z_RANGE, Z_RANGE, 0.0)
    low, high = run.kind.code_range(run)
    assert low.tolist() == [-Z_RANGE] and high.tolist() == [Z_RANGE]
    assert run.decode(probe.make(np.linspace(-3, 3, 4))).shape == (4, 32, 32)


def test_the_kinds_hold_their_registry_facts():
    assert list(KINDS) == ["disk", "position-encoder", "position-decoder", "gan", "attributes"]
    assert kind_of("disk").groupable and not kind_of("attributes").groupable
    assert not kind_of("disk").scalar_code and kind_of("gan").scalar_code
    assert not kind_of("gan").scheduled and kind_of("position-decoder").scheduled
    assert Config(kind="position-decoder", size=64).hidden_decoder_depths == [2, 4, 4, 4, 8]
    assert SETTINGS_BY_NAME["lr_final"].kinds == ("disk", "position-encoder", "position-decoder", "attributes")
    assert SETTINGS_BY_NAME["dirac"].applies_to("position-encoder")
    assert not SETTINGS_BY_NAME["dirac"].applies_to("disk") and SETTINGS_BY_NAME["lr"].applies_to("gan")


def test_importing_the_settings_registers_the_kinds_without_torch():
    code = (
        "import sys, geoae_core.config as c; assert 'torch' not in sys.modules, 'torch loaded';print(','.join(c.KINDS))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "disk,position-encoder,position-decoder,gan,attributes"
