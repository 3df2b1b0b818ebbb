"""The same settings train to the same weights as when the golden file was recorded.

Recorded on this project's CPU machines, where they match bitwise; the tolerance only absorbs
another CPU's rounding (a different SIMD kernel), far below what a changed computation moves.
"""

import pytest
import torch
from golden.make_golden import CASES, GOLDEN_FILE, trained_weights  # tests/ is on sys.path
from safetensors.torch import load_file

GOLDEN = load_file(str(GOLDEN_FILE))


@pytest.mark.parametrize("name", list(CASES))
def test_training_gives_the_golden_weights(name):
    weights = trained_weights(name)
    expected = {k: v for k, v in GOLDEN.items() if k.startswith(f"{name}/")}
    assert weights.keys() == expected.keys()
    for key, value in weights.items():
        torch.testing.assert_close(value, expected[key], rtol=1e-5, atol=1e-6, msg=key)
