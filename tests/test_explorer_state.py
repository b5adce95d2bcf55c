"""derivation.explorer_state: what the explorers show, checked without ipywidgets."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivation import article, numeric, training
from derivation.explorer_state import article_state, logits_state, training_state


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-20, 20), min_size=2, max_size=6),
    st.floats(0.1, 10),
    st.integers(0, 5),
)
def test_logits_state_is_the_package_at_z_over_T(z, T, c):
    c = c % len(z)
    s = logits_state(z, T, c)
    u = np.asarray(z) / T
    np.testing.assert_array_equal(s["h"], numeric.softmax(u))
    np.testing.assert_array_equal(s["jacobian"], numeric.softmax_jacobian(u) / T)
    expected = (numeric.softmax(u) - np.eye(len(z))[c]) / T
    np.testing.assert_allclose(s["gradient"], expected, atol=1e-15 / T)
    assert s["symmetric"] and np.abs(s["row_sums"]).max() < 1e-15
    assert s["loss"] == pytest.approx(float(numeric.cross_entropy(u[None, :], [c])))


def test_the_rank_is_K_minus_1_and_falls_only_when_h_is_one_hot():
    assert logits_state([2.0, 1.0, 0.1])["rank"] == 2
    assert logits_state([10.0, 0.0, 0.0])["rank"] == 2  # h_1 = 0.9999: still rank 2
    assert logits_state([1000.0, 0.0, 0.0])["rank"] == 0  # h = (1, 0, 0) exactly


def test_article_state_parts_add_up_to_the_gradient():
    s = article_state([[0.2, -1.0], [0.0, 0.5], [-0.3, 0.8]], 0.5, 1)
    np.testing.assert_allclose(s["totals"], s["expected"], atol=1e-15)
    X = article.design_matrix([0.5])
    np.testing.assert_allclose(s["h"], article.hypotheses(s["theta"], X)[0])


def test_training_state_reads_the_run():
    X, y = training.make_data(30, seed=0)
    run = training.gradient_descent(X, y, learning_rate=0.05, steps=5)
    s = training_state(run, 5, np.linspace(-3, 3, 7))
    assert s["loss"] == run.losses[5] and s["h"].shape == (7, 3)
    with pytest.raises(ValueError, match="iteration"):
        training_state(run, 6, [0.0])


@pytest.mark.parametrize(
    ("args", "words"),
    [(([1.0],), "two logits"), (([1.0, 2.0], 0.0), "temperature"), (([1.0, 2.0], 1.0, 2), "0..1")],
)
def test_bad_input_is_a_clear_error(args, words):
    with pytest.raises(ValueError, match=words):
        logits_state(*args)


def test_it_needs_no_widgets():
    code = "import sys, derivation.explorer_state; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
