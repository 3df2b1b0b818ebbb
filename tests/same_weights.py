"""Bitwise weight comparisons shared by the resume, fault and GUI reliability tests."""

import torch


def state(run):
    return {k: v.detach().cpu() for k, v in run.model.state_dict().items()}


def assert_bitwise_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def assert_same_weights(run_a, run_b):
    assert_bitwise_equal(state(run_a), state(run_b))
