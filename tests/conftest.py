import os

# One thread per test process: pytest runs a worker per core (-n), and torch's or BLAS's own
# pools on top of that oversubscribe the cores many times over.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc

import pytest
import torch

# GEOAE_TEST_GC_THRESHOLD=20,2,2 makes collections far more frequent, to flush out any that
# would run on a worker thread (where it destroys Qt objects and deadlocks the GUI)
if os.environ.get("GEOAE_TEST_GC_THRESHOLD"):
    gc.set_threshold(*(int(v) for v in os.environ["GEOAE_TEST_GC_THRESHOLD"].split(",")))

torch.set_num_threads(1)

# small, fast settings for real trainings in tests
TINY = {"size": 32, "n_train": 300, "epochs": 3, "device": "cpu"}


@pytest.fixture
def tiny() -> dict:
    return dict(TINY)
