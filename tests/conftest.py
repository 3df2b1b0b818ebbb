import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# small, fast settings for real trainings in tests
TINY = {"size": 32, "n_train": 300, "epochs": 3, "device": "cpu"}


@pytest.fixture
def tiny() -> dict:
    return dict(TINY)
