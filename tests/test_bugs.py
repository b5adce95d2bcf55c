"""derivation.bugs: each real mistake is caught by gradcheck; the harmless one is not."""

import numpy as np
import pytest

from derivation import bugs
from derivation import numeric as N
from derivation.gradcheck import gradcheck

RNG = np.random.default_rng(7)
Z = RNG.normal(size=(5, 4))
Y = np.array([0, 3, 1, 2, 3])


@pytest.mark.parametrize("name", list(bugs.BUGS))
def test_gradcheck_catches_the_real_bugs_only(name):
    function, is_wrong = bugs.BUGS[name]
    result = gradcheck(lambda v: N.cross_entropy(v, Y), lambda v: function(v, Y), Z)
    assert result.verdict == ("wrong" if is_wrong else "fine"), str(result)


def test_what_each_bug_computes():
    P, onehot = N.softmax(Z), N.one_hot(Y, 4)
    np.testing.assert_allclose(bugs.diagonal_only(Z, Y), -onehot * (1 - P), atol=1e-15)
    np.testing.assert_allclose(bugs.factor_of_two(Z, Y), 2 * (P - onehot), atol=1e-14)
    np.testing.assert_allclose(bugs.mean_instead_of_sum(Z, Y), (P - onehot) / 5, atol=1e-15)
    np.testing.assert_allclose(bugs.softmax_twice(Z, Y), N.softmax(P) - onehot)
    np.testing.assert_allclose(bugs.transposed_jacobian(Z, Y), P - onehot, atol=1e-15)


def test_bugs_validate_their_input():
    with pytest.raises(ValueError, match="batch of rows"):
        bugs.diagonal_only(np.zeros(3), 0)
