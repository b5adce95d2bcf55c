"""derivation.timing: the notebooks' small timer."""

import pytest

from derivation.timing import median_seconds


def test_median_seconds():
    assert 0 < median_seconds(lambda: sum(range(100)), repeat=3, min_time=0.001) < 0.01
    with pytest.raises(ValueError, match="repeat"):
        median_seconds(lambda: None, repeat=0)
