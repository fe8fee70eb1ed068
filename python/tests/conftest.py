import warnings

import numpy as np
import pytest


@pytest.fixture
def blobs():
    """Three well-separated classes in 4 features."""
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0, 0], [4, 4, 0, 0], [0, 4, 4, 0]], dtype=float)
    y = np.repeat(np.arange(3), 100)
    X = centres[y] + rng.normal(size=(300, 4))
    return X, y


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        yield
