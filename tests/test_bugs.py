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


def test_the_suspects_are_the_bugs_under_letters_that_say_nothing():
    """Notebook 10's hunt: each letter is one bug of BUGS, once; nothing a student sees of a
    suspect (its repr, name, docstring, help) names the mistake; and the suspect whose verdict
    the notebook shows first (A) is not the innocent one."""
    assert sorted(bugs.DIAGNOSES.values()) == sorted(bugs.BUGS)
    assert list(bugs.SUSPECTS) == list("ABCDEF") == list(bugs.DIAGNOSES)
    telling = ["diagonal", "twice", "mean", "sum", "factor", "two", "transpos", "jacobian",
               "from the logits"]  # fmt: skip
    for letter, suspect in bugs.SUSPECTS.items():
        function, _ = bugs.BUGS[bugs.DIAGNOSES[letter]]
        np.testing.assert_array_equal(suspect(Z, Y), function(Z, Y))
        seen = f"{suspect!r} {suspect.__name__} {suspect.__qualname__} {suspect.__doc__}".lower()
        names = [name.lower() for name in bugs.BUGS] + [function.__name__]
        assert not [w for w in telling + names if w in seen], (letter, seen)
        assert not hasattr(suspect, "__wrapped__")
    assert bugs.BUGS[bugs.DIAGNOSES["A"]][1], "suspect A is shown first: it must be a real bug"
