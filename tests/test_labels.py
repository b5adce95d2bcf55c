"""derivation.labels: four label variants, proven (SymPy), checked (complex step, differences)."""

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import labels as L
from derivation.differences import numerical_grad

RNG = np.random.default_rng(12)
Z = RNG.normal(size=(4, 3)) * 2
ONE_HOT = np.eye(3)[[0, 2, 1, 2]]
MULTI_HOT = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])

CASES = {  # name: (loss of z, gradient, labels)
    "label smoothing": (lambda z: L.smoothed_cross_entropy(z, ONE_HOT, 0.1),
                        lambda z: L.smoothed_grad(z, ONE_HOT, 0.1)),
    "temperature": (lambda z: L.tempered_cross_entropy(z, ONE_HOT, 2.5),
                    lambda z: L.tempered_grad(z, ONE_HOT, 2.5)),
    "sigmoid outputs": (lambda z: L.sigmoid_bce(z, MULTI_HOT),
                        lambda z: L.sigmoid_bce_grad(z, MULTI_HOT)),
    "multi-hot labels": (lambda z: L.multi_hot_cross_entropy(z, MULTI_HOT),
                         lambda z: L.multi_hot_grad(z, MULTI_HOT)),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("method", ["complex", "central"])
def test_every_gradient_is_the_numerical_one(name, method):
    loss, grad = CASES[name]
    tol = 1e-13 if method == "complex" else 1e-8
    assert np.allclose(numerical_grad(loss, Z, method), grad(Z), rtol=tol, atol=tol)


def test_the_variants_are_registered():
    assert set(L.VARIANTS) == set(CASES)


@pytest.mark.parametrize("name", ["label smoothing", "temperature", "multi-hot labels"])
def test_sympy_lambdified_loss_agrees(name):
    """An independent oracle: the loss and its gradient written in SymPy and lambdified."""
    z = sp.symbols("z1:4")
    y, alpha, T = sp.symbols("y1:4"), sp.Rational(1, 10), sp.Rational(5, 2)
    if name == "temperature":
        h = [sp.exp(v / T) / sum(sp.exp(w / T) for w in z) for v in z]
        labels = ONE_HOT
    else:
        h = [sp.exp(v) / sum(sp.exp(w) for w in z) for v in z]
        labels = ONE_HOT if name == "label smoothing" else MULTI_HOT
    target = [(1 - alpha) * yk + alpha / 3 for yk in y] if name == "label smoothing" else list(y)
    J = -sum(t * sp.log(hk) for t, hk in zip(target, h, strict=True))
    grad = sp.lambdify((z, y), [sp.diff(J, v) for v in z])
    expected = np.array([grad(row, lab) for row, lab in zip(Z, labels, strict=True)])
    assert np.allclose(CASES[name][1](Z), expected, rtol=1e-12, atol=1e-14)


def test_multi_hot_is_h_minus_y_only_when_the_labels_sum_to_one():
    assert np.allclose(L.multi_hot_grad(Z, ONE_HOT), L.smoothed_grad(Z, ONE_HOT, 0.0))
    h = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    diff = L.multi_hot_grad(Z, MULTI_HOT) - (h - MULTI_HOT)
    assert np.allclose(diff, h * (MULTI_HOT.sum(axis=1, keepdims=True) - 1))
    assert np.abs(diff).max() > 0.1


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-30, 30)),
       st.floats(0.0, 1.0), st.floats(0.05, 20.0))  # fmt: skip
def test_properties(z, alpha, T):
    y = np.eye(4)[[0, 3, 1]]
    assert np.allclose(L.smooth_labels(y, alpha).sum(axis=1), 1)
    assert np.allclose(L.smoothed_grad(z, y, alpha).sum(axis=1), 0, atol=1e-12)
    assert np.allclose(L.tempered_grad(z, y, T).sum(axis=1), 0, atol=1e-10)
    g = L.sigmoid_bce_grad(z, y)
    assert np.all(np.isfinite(g)) and np.all(np.abs(g) <= 1)


def test_extreme_logits_stay_finite():
    z = np.array([[1000.0, -1000.0, 0.0]])
    y = np.array([[0.0, 1.0, 0.0]])
    assert L.sigmoid_bce(z, y) == pytest.approx(2000 + np.log(2), rel=1e-15)
    assert L.multi_hot_cross_entropy(z, y) == pytest.approx(2000.0, rel=1e-15)
    assert np.all(np.isfinite(L.sigmoid_bce_grad(z, y)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: L.smoothed_grad(Z, MULTI_HOT, 0.1), "must sum to 1"),
        (lambda: L.tempered_grad(Z, MULTI_HOT, 2.0), "must sum to 1"),
        (lambda: L.tempered_grad(Z, ONE_HOT, 0.0), "T must be finite and > 0"),
        (lambda: L.tempered_grad(Z, ONE_HOT, True), "T must be a real number"),
        (lambda: L.smooth_labels(ONE_HOT, 1.5), r"alpha must lie in \[0, 1\]"),
        (lambda: L.multi_hot_grad(Z, ONE_HOT[:2]), "shape of z"),
        (lambda: L.sigmoid_bce_grad(Z, 2 * ONE_HOT), r"labels must lie in \[0, 1\]"),
        (lambda: L.sigmoid_bce_grad(Z[:, :1], ONE_HOT[:, :1]), "K >= 2"),
        (lambda: L.multi_hot_grad(np.full((2, 3), np.nan), ONE_HOT[:2]), "NaN"),
        (lambda: L.multi_hot_grad(np.zeros((0, 3)), np.zeros((0, 3))), "non-empty"),
        (lambda: L.check_exercise("softmax", print), "unknown task"),
    ],
)
def test_bad_input_is_a_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- proofs
def test_every_proof_holds_and_the_assumptions_are_where_displayed():
    smoothing, temperature, sigmoid, multi_hot = L.proofs()
    assert all(s.holds() for s in L.proofs())
    assert smoothing.check(one_hot=False) == (True, False)
    assert temperature.check(one_hot=False) == (True, False)
    assert sigmoid.check(one_hot=False) == (True,) and multi_hot.check(one_hot=False) == (True,)
    for s in (smoothing, temperature):
        assert r"\text{using } y_{1} + y_{2} + y_{3} = 1" in s.latex()


def test_wrong_forms_are_refused():
    smoothing, temperature, _, multi_hot = L.proofs()
    h1, y1 = sp.Symbol("h_1"), sp.Symbol("y_1")
    assert not replace(multi_hot, chain=(h1 - y1,)).holds()  # h - y needs sum y = 1
    assert not replace(temperature, chain=(temperature.chain[0], h1 - y1)).holds()  # no 1/T
    smooth_y1 = smoothing.chain[-1].args[1]
    assert not replace(smoothing, chain=(smoothing.chain[0], h1 - y1)).holds(), smooth_y1


# --------------------------------------------------------------------------- exercises
def _soft(z):
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def _right(task):
    def smoothed_tempered(X, Y, W, alpha, T):
        targets = (1 - alpha) * Y + alpha / Y.shape[1]
        return X.T @ (_soft(X @ W / T) - targets) / T

    def bias(X, Y, W, b):
        return np.ones(X.shape[0]) @ (_soft(X @ W + b) - Y)

    return {"smoothed tempered cs231n gradient": smoothed_tempered, "bias gradient": bias}[task]


@pytest.mark.parametrize("task", L.EXERCISE_TASKS)
def test_a_right_function_is_right(task):
    assert L.check_exercise(task, _right(task)).correct


def test_each_known_mistake_is_named_without_stating_the_answer():
    def transposed(X, Y, W, alpha, T):
        return _right("smoothed tempered cs231n gradient")(X, Y, W, alpha, T).T

    def unsmoothed(X, Y, W, alpha, T):
        return X.T @ (_soft(X @ W / T) - Y) / T

    def no_T(X, Y, W, alpha, T):
        return X.T @ (_soft(X @ W / T) - ((1 - alpha) * Y + alpha / Y.shape[1]))

    task, bias = "smoothed tempered cs231n gradient", "bias gradient"
    found = {
        "transposed": L.check_exercise(task, transposed),
        "missing 1/T": L.check_exercise(task, no_T),
        "unsmoothed": L.check_exercise(task, unsmoothed),
        "over classes": L.check_exercise(bias, lambda X, Y, W, b: (_soft(X @ W + b) - Y).sum(1)),
        "mean": L.check_exercise(bias, lambda X, Y, W, b: (_soft(X @ W + b) - Y).mean(0)),
    }
    assert not any(f.correct for f in found.values())
    assert "transposed" in found["transposed"].message
    assert "T times too large" in found["missing 1/T"].message
    assert "before smoothing" in found["unsmoothed"].message
    assert "one entry per sample" in found["over classes"].message
    assert "m times too small" in found["mean"].message
    for f in found.values():
        assert not any(a in f.message for a in ("X^T", "Xᵀ(H", "1/T", ")/T", "sum(axis=0)"))
    raised = L.check_exercise(bias, lambda X, Y, W, b: 1 / 0)
    assert not raised.correct and "ZeroDivisionError" in raised.message
    odd = L.check_exercise(bias, lambda X, Y, W, b: b)
    assert odd.verdict == "wrong" and "largest difference" in odd.message
    shape = L.check_exercise(task, lambda X, Y, W, alpha, T: np.zeros(4))
    assert shape.verdict == "wrong shape" and "(2, 3)" in shape.message


def test_the_temperature_verdict_names_the_labels_as_the_smoothing_one_does():
    smoothing, temperature, *_ = L.proofs()
    for step in (smoothing, temperature):
        assert "(without y₁ + y₂ + y₃ = 1)" in repr(step.verdict(one_hot=False))
