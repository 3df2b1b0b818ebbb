"""Named configurations, one per experiment of the paper (SPEC section 5)."""

from __future__ import annotations

from .config import Config, ConfigError

HOLE = [[11.0, 18.0]]
XY = {"kind": "attributes", "code_size": 3, "cx_range": [-12.0, 12.0], "cy_range": [-12.0, 12.0]}
# beyond the paper: wider hidden layers than Table 1's, batches of 64, a cosine decay of the learning
# rate and a little encoder weight decay, which makes the code easier to read (docs/beyond.md says
# what each took); the ellipses and squares at size 32, four times faster
BEYOND_TRAINING = {
    "encoder_depths": [8, 16, 16, 16, 16],
    "batch_size": 64,
    "epochs": 300,
    "lr": 0.002,
    "lr_final": 2e-5,
    "regulariser": "psi3",
    "lam": 0.01,
}
# the position decoder (figure 10): 1500 epochs of 10 batches at a constant 0.003 left its loss at
# 0.086 and falling, and its Diracs in the last eight samples low and split; three times the steps
# (batches of 100) for three times the epochs, with a cosine decay, reach 0.044 (docs/reproduction.md)
DECODER_TRAINING = {"epochs": 4500, "batch_size": 100, "lr": 0.003, "lr_final": 3e-5}
BEYOND_32 = {**BEYOND_TRAINING, "size": 32, "encoder_depths": [8, 16, 16, 16]}

PRESETS: dict[str, tuple[str, dict]] = {
    "disks": ("Figures 2-3: disks of radius in (0, 32), d = 1, biases", {}),
    "disks-nobias": ("Figures 4, 11, 12: the same without biases (rank-1 decoder)", {"bias": False}),
    "disks-restricted": ("Figure 5: radii <= 18 only, biases", {"r_max": 18.0}),
    "disks-restricted-nobias": ("Figure 13: radii <= 18, no biases", {"r_max": 18.0, "bias": False}),
    "disks-hole": ("Figure 6: radii in [11, 18] removed", {"holes": HOLE}),
    "disks-hole-psi1": (
        "Figure 7: hole, locality-preservation regulariser",
        # psi1 squares differences of squared image distances (up to ~1e6 on 64x64 disks, a
        # thousand times the data term at lambda 1): 1e-3 puts the two on one scale
        {"holes": HOLE, "regulariser": "psi1", "lam": 1e-3},
    ),
    "disks-hole-psi2": (
        "Figure 7: hole, weight decay on encoder and decoder",
        {"holes": HOLE, "regulariser": "psi2", "lam": 1.0},
    ),
    "disks-hole-psi3": (
        "Figures 7-8: hole, weight decay on the encoder only (recommended)",
        # the hole study (docs/reproduction.md): at lambda 1 every seed trains; at 10 one of five collapsed
        {"holes": HOLE, "regulariser": "psi3", "lam": 1.0},
    ),
    "squares": ("Conclusion: blurred centred squares, d = 1", {"shape": "square"}),
    "ellipses": ("Conclusion: blurred centred ellipses, d = 1", {"shape": "ellipse"}),
    "position-encoder": (
        "Figure 9: 1-D position encoder (depths 1), regression to n - a (Proposition 3's output)",
        {"kind": "position-encoder", "position_target": "reversed", "epochs": 3000, "lr": 0.01},
    ),
    "position-decoder": (
        "Figure 10: position decoder on continuous triangular Diracs",
        {"kind": "position-decoder", **DECODER_TRAINING},
    ),
    "position-decoder-onehot": (
        "Section 5.4: position decoder on one-hot targets (decodes badly)",
        {"kind": "position-decoder", "dirac": "onehot", **DECODER_TRAINING},
    ),
    "gan-hole": (
        "Figure 14: DCGAN generator with d = 1 on the hole data set",
        {"kind": "gan", "holes": HOLE, "lr": 0.0002, "beta1": 0.5, "batch_size": 64, "epochs": 40},
    ),
    # beyond the paper (issue 14, docs/beyond.md): several attributes at once, codes of size d
    "disks-xy": (
        "Beyond: disks with radius in (2, 16) and centre within 12 px of the image centre, d = 3",
        {**XY, "r_min": 2.0, "r_max": 16.0, **BEYOND_TRAINING, "epochs": 450},  # 300 left seed 0's r at 0.974
    ),
    "ellipses-axes": (
        "Beyond: centred axis-aligned ellipses, semi-axes a and b in (2, 14) each, size 32, d = 2",
        {
            "kind": "attributes",
            "shape": "ellipse",
            "code_size": 2,
            "r_min": 2.0,
            "r_max": 14.0,
            "b_range": [2.0, 14.0],
            **BEYOND_32,
        },
    ),
    "squares-rotated": (
        "Beyond: centred squares, half-side in (2, 11) and angle in [0, 90), size 32, d = 3 (the angle is a circle)",
        {
            "kind": "attributes",
            "shape": "square",
            "code_size": 3,
            "r_min": 2.0,
            "r_max": 11.0,
            "angle_range": [0.0, 90.0],
            **BEYOND_32,
        },
    ),
}


def preset_names() -> list[str]:
    return list(PRESETS)


def preset(name: str) -> Config:
    """The named configuration, validated."""
    if name not in PRESETS:
        raise ConfigError(f"preset: {name!r} is unknown (known: {', '.join(PRESETS)})")
    return Config.from_dict(PRESETS[name][1])


def describe(name: str) -> str:
    return PRESETS[name][0]
