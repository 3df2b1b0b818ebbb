"""Record the golden weights: a few epochs of each run kind at a fixed seed.

`python tests/golden/make_golden.py` rewrites golden.safetensors; test_golden.py checks that the
same settings still train to the same weights. Remake it only when a change is meant to alter
what training computes, and say why in the commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from geoae_core import train

HERE = Path(__file__).parent
GOLDEN_FILE = HERE / "golden.safetensors"

SMALL = {"size": 16, "n_train": 120, "batch_size": 40, "epochs": 3, "seed": 5, "device": "cpu"}
CASES: dict[str, tuple[str, dict]] = {
    "disk": ("disks", {}),
    "psi3-hole": ("disks-hole-psi3", {"holes": [[3.0, 5.0]]}),
    "squares": ("squares", {}),
    "position-encoder": ("position-encoder", {"epochs": 20}),
    "position-decoder": ("position-decoder", {"epochs": 20}),
    "gan": ("gan-hole", {"size": 8, "holes": [[1.5, 2.5]], "batch_size": 40}),
}


def trained_weights(name: str) -> dict[str, torch.Tensor]:
    preset_name, changes = CASES[name]
    run = train(preset_name, **{**SMALL, **changes})
    return {f"{name}/{k}": v.detach().cpu().contiguous() for k, v in run.model.state_dict().items()}


def main() -> int:
    torch.set_num_threads(1)
    tensors: dict[str, torch.Tensor] = {}
    for name in CASES:
        tensors.update(trained_weights(name))
    save_file(tensors, str(GOLDEN_FILE))
    print(GOLDEN_FILE, f"{GOLDEN_FILE.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
