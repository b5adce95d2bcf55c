"""check_function: right implementations pass, a gallery of wrong ones fails with a reason.

Each wrong implementation is a mistake people make (see notebooks 05 and 10):
every one must get a verdict other than "right" and a message that names its
mistake, and one verdict only (never "wrong" beside "gradcheck says fine").
Each test batch of :mod:`derivation.exercises.function_cases` is shown to earn
its place: a wrong softmax that passes every earlier batch fails on it.
Any exception a learner's function raises becomes feedback; only
KeyboardInterrupt propagates.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from derivation import numeric
from derivation.exercises import Feedback, check_function
from derivation.exercises.function_cases import cases, mistakes


# --------------------------------------------------------------------------- right ones
def _stable(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _float32_safe(z):
    """Keeps the input's dtype and never overflows: computes in float64, casts back."""
    wide = np.asarray(z, dtype=np.float64)
    return _stable(wide).astype(np.result_type(z.dtype, np.float32))


def _log_domain(z):
    m = z.max(axis=-1, keepdims=True)
    return np.exp(z - (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))))


def _python_loops(z):
    out = np.empty_like(z)
    for i, row in enumerate(z):
        top = max(row)
        e = [math.exp(v - top) for v in row]
        s = math.fsum(e)
        out[i] = [v / s for v in e]
    return out


def _on_a_copy(z):
    z = z.copy()
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def _solution_grad(z, labels):  # notebook 09's solution
    g = _stable(z)
    g[np.arange(len(labels)), labels] -= 1
    return g


def _one_hot_grad(z, labels):
    return _stable(z) - np.eye(z.shape[-1], dtype=z.dtype)[labels]


def _per_sample_theta(theta, X, Y):
    g = np.zeros_like(theta)
    for x, y in zip(X, Y, strict=True):
        g += np.outer(_stable(theta @ x) - y, x)
    return g


RIGHT = [
    ("softmax", numeric.softmax),
    ("softmax", _stable),
    ("softmax", _float32_safe),
    ("softmax", _log_domain),
    ("softmax", _python_loops),
    ("softmax", _on_a_copy),
    ("cross_entropy_grad", lambda z, y: numeric.cross_entropy_grad(z, y)),
    ("cross_entropy_grad", _solution_grad),
    ("cross_entropy_grad", _one_hot_grad),
    ("cross_entropy_grad", lambda z, y: np.exp(numeric.log_softmax(z)) - np.eye(z.shape[1])[y]),
    ("theta_grad", numeric.theta_grad),
    ("theta_grad", lambda t, X, Y: (_stable(X @ t.T) - Y).T @ X),
    ("theta_grad", _per_sample_theta),
    ("theta_grad", lambda t, X, Y: np.einsum("ik,ij->kj", _stable(X @ t.T) - Y, X)),
]


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize(("task", "function"), RIGHT)
def test_right_implementations_are_accepted(task, function, seed):
    feedback = check_function(task, function, seed=seed)
    assert feedback.correct and feedback.verdict == "right", feedback.message
    assert "relative error" in feedback.message


# --------------------------------------------------------------------------- the wrong gallery
def _naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _clipped(limit):
    return lambda z: _stable(np.clip(z, -limit, limit))


def _in_place(z):
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def _float32_inside(z):
    return _stable(z.astype(np.float32)).astype(np.float64)


def _float16_for_float32(z):
    return _stable(z).astype(np.float16 if z.dtype == np.float32 else z.dtype)


def _first_four_classes(z):  # sums four classes by hand
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / (e[:, 0:1] + e[:, 1:2] + e[:, 2:3] + e[:, 3:4])


def _epsilon(eps):
    """A shifted softmax with ``eps`` added to its denominator "to be safe"."""

    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / (e.sum(axis=-1, keepdims=True) + eps)

    return softmax


def _matrix_twice(z):  # an ndarray subclass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(_stable(z)) * 2


SOFTMAX_WRONG = [
    (_global_max, ["row 0", "one maximum for the whole batch"]),
    (lambda z: np.nan_to_num(_global_max(z)), ["row 0", "one maximum for the whole batch"]),
    (lambda z: np.nan_to_num(_naive(z)), ["nan_to_num"]),
    (_clipped(500), ["clipping"]),
    (_clipped(700), ["clipping"]),
    (_clipped(50), ["clipping"]),
    (lambda z: np.ma.masked_invalid(_naive(z)), ["masked", "wrong entry"]),
    (lambda z: np.ma.masked_invalid(_global_max(z)), ["masked"]),
    (_naive, ["NaN", "maximum"]),
    (lambda z: _naive(z - z.max(axis=0, keepdims=True)), ["wrong axis"]),
    (lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), ["wrong axis"]),
    (lambda z: _stable(z.T).T, ["wrong axis"]),
    (lambda z: np.exp(z) / np.exp(z).sum(), ["whole batch"]),
    (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), ["not normalised"]),
    (lambda z: _stable(z).astype(np.float32), ["float32 for float64"]),
    (_float16_for_float32, ["float16 for float32"]),
    (_float32_inside, ["relative", "float32"]),
    (_epsilon(1e-11), ["wrong on ordinary rows", "relative", "epsilon"]),
    (lambda z: np.clip(_stable(z), 1e-15, 1.0), ["clipped"]),
    (lambda z: np.clip(_stable(z), 1e-10, 1 - 1e-10), ["clipped"]),
    (_in_place, ["changed its input z"]),
    (lambda z: numeric.log_softmax(z), ["log-softmax"]),
    (lambda z: 1 / (1 + np.exp(-z)), ["sigmoid"]),
    (_first_four_classes, ["K = 2"]),
    (lambda z: np.round(_stable(z), 6), ["wrong on ordinary rows"]),
    (lambda z: _stable(z).astype(int), ["integers"]),
    (_matrix_twice, ["wrong on ordinary rows"]),
]


def _log_softmax_naive(z):
    return np.log(_naive(z))


def _finite_differences(z, labels):  # of a loss through log(softmax): underflows to -inf
    def loss(v):
        return -_log_softmax_naive(v)[np.arange(len(labels)), labels].sum()

    g, h = np.zeros_like(z), 1e-6
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = h
        g[index] = (loss(z + step) - loss(z - step)) / (2 * h)
    return g


def _minus_y_over_p(z, labels):
    p = _stable(z)
    y = np.eye(z.shape[1])[labels]
    jac = p[:, :, None] * (np.eye(p.shape[1]) - p[:, None, :])
    return np.einsum("ij,ijk->ik", -y / p, jac)


def _zero_then_grad(z, y):
    z[...] = 0
    return numeric.cross_entropy_grad(z, y)


def _grad_then_zero(z, y):
    g = numeric.cross_entropy_grad(z, y)
    z[...] = 0
    return g


def _onehot(z, y):
    return np.eye(z.shape[1])[y]


GRAD_WRONG = [
    (lambda z, y: _stable(z), ["labels are missing", "gradcheck agrees: wrong"]),
    (lambda z, y: _onehot(z, y) - _stable(z), ["sign is flipped"]),
    (lambda z, y: (_stable(z) - _onehot(z, y)) / len(z), ["1/m"]),
    (lambda z, y: 2 * (_stable(z) - _onehot(z, y)), ["factor of two"]),
    (lambda z, y: _stable(_stable(z)) - _onehot(z, y), ["softmax applied twice"]),
    (lambda z, y: -_onehot(z, y) * (1 - _stable(z)), ["diagonal-only"]),
    (lambda z, y: _naive(z) - _onehot(z, y), ["maximum"]),
    (lambda z, y: _global_max(z) - _onehot(z, y), ["one maximum for the whole batch"]),
    (lambda z, y: np.nan_to_num(_naive(z) - _onehot(z, y)), ["no clipping and no nan_to_num"]),
    (_minus_y_over_p, ["−y/p"]),
    (_finite_differences, ["wrong on ordinary rows", "relative"]),
    (lambda z, y: (_stable(z) - _onehot(z, y)).T, ["transposed"]),
    (lambda z, y: _stable(z) - y[:, None], ["wrong on ordinary rows"]),
    (lambda z, y: _stable(z) - np.eye(4)[y], ["K = 2"]),
    (lambda z, y: z - _onehot(z, y), ["z − y"]),
    (lambda z, y: (_stable(z) - _onehot(z, y)).astype(np.float32), ["float32 for float64"]),
    (_zero_then_grad, ["wrong on ordinary rows"]),
    (_grad_then_zero, ["changed its input z"]),
    (lambda z, y: numeric.cross_entropy_grad(z, y) * (1 + 1e-8), ["relative"]),
    (lambda z, y: np.ma.masked_invalid(_naive(z) - _onehot(z, y)), ["masked"]),
    (lambda z, y: np.clip(_stable(z), 1e-15, 1 - 1e-15) - _onehot(z, y), ["clipped", "1e-15"]),
    (lambda z, y: np.clip(_stable(z), 1e-7, None) - _onehot(z, y), ["clipped"]),
    (lambda z, y: _epsilon(1e-11)(z) - _onehot(z, y), ["relative", "epsilon"]),
    (lambda z, y: _blocked(z) - _onehot(z, y), ["many rows (m = 257)", "number of rows"]),
]


def _h(theta, X):
    return _stable(X @ theta.T)


def _theta_in_place(theta, X, Y):
    g = numeric.theta_grad(theta, X, Y)
    theta[...], X[...] = 0, 0
    return g


def _three_classes(theta, X, Y):
    z = np.stack([X @ theta[0], X @ theta[1], X @ theta[2]], axis=1)
    return (_stable(z) - Y).T @ X


THETA_WRONG = [
    (lambda t, X, Y: X.T @ (_h(t, X) - Y), ["transposed"]),
    (lambda t, X, Y: _h(t, X).T @ X, ["labels are missing", "gradcheck agrees: wrong"]),
    (lambda t, X, Y: (Y - _h(t, X)).T @ X, ["sign is flipped"]),
    (lambda t, X, Y: (_h(t, X) - Y).T @ X / len(X), ["1/m"]),
    (lambda t, X, Y: 2 * (_h(t, X) - Y).T @ X, ["factor of two"]),
    (lambda t, X, Y: (_naive(X @ t.T) - Y).T @ X, ["maximum"]),
    (lambda t, X, Y: (_global_max(X @ t.T) - Y).T @ X, ["one maximum for the whole batch"]),
    (lambda t, X, Y: (_stable((X @ t.T).T).T - Y).T @ X, ["over the samples"]),
    (lambda t, X, Y: (_stable(np.clip(X @ t.T, -500, 500)) - Y).T @ X, ["clipping"]),
    (_three_classes, ["raised IndexError on K = 2"]),
    (lambda t, X, Y: (_epsilon(1e-11)(X @ t.T) - Y).T @ X, ["relative", "epsilon"]),
    (lambda t, X, Y: (np.clip(_h(t, X), 1e-15, 1) - Y).T @ X, ["confident samples"]),
    (lambda t, X, Y: (_h(t, X) - Y)[:32].T @ X[:32], ["many samples (m = 257)"]),
    (lambda t, X, Y: ((_h(t, X) - Y).T @ X).astype(np.float32), ["float32 for float64"]),
    (_theta_in_place, ["changed its input theta"]),
    (lambda t, X, Y: (_h(t, X) - Y).T @ X[:, :1], ["shape (3, 1)"]),
]

GALLERY = (
    [("softmax", f, w) for f, w in SOFTMAX_WRONG]
    + [("cross_entropy_grad", f, w) for f, w in GRAD_WRONG]
    + [("theta_grad", f, w) for f, w in THETA_WRONG]
)


@pytest.mark.parametrize(("task", "function", "words"), GALLERY)
def test_every_wrong_implementation_is_rejected_with_its_reason(task, function, words):
    feedback = check_function(task, function)
    assert isinstance(feedback, Feedback)
    assert not feedback.correct and feedback.verdict != "right", feedback.message
    text = " ".join(feedback.message.split())  # as read, whatever the line breaks
    for word in words:
        assert word in text, feedback.message
    # one verdict: gradcheck is quoted only when it agrees, and nothing says "right"
    assert "fine:" not in text and "is right" not in text
    if "gradcheck" in text:
        assert "gradcheck agrees: wrong" in text


def test_a_gradient_gradcheck_calls_fine_but_the_package_does_not_gets_one_verdict():
    def close(z, y):  # 1e-8 off: within gradcheck's float64 bands, not within 1e-10
        return numeric.cross_entropy_grad(z, y) * (1 + 1e-8)

    feedback = check_function("cross_entropy_grad", close)
    assert feedback.verdict == "wrong"
    assert "gradcheck" not in feedback.message
    assert "1.0e-08 relative" in feedback.message


def test_the_global_maximum_message_names_the_batch_the_row_and_the_mistake():
    feedback = check_function("softmax", _global_max)
    text = " ".join(feedback.message.split())
    assert text.startswith("wrong on a batch where one row is far from another: row 0 = [0.5, ")
    assert "got [NaN, NaN, NaN, NaN]" in text
    assert feedback.mistake is not None and "each row's" in feedback.mistake


def _shift_only_when_positive(z):  # the shift skipped where nothing can overflow (it can: 0/0)
    return _stable(z) if z.max() > 0 else _naive(z)


def _shift_above_709(z):  # float64's overflow threshold, hard-coded
    return _stable(z) if np.abs(z).max() > 700 else _naive(z)


def _at_most_256_classes(z):
    if z.shape[-1] <= 256:
        return _stable(z)
    out = np.zeros_like(z)
    out[:, :256] = _stable(z[:, :256])
    return out


def _binary_as_sigmoid(z):
    return 1 / (1 + np.exp(-z)) if z.shape[-1] == 2 else _stable(z)


def _clip_from_above(z):
    return _stable(np.minimum(z, 900.0))


def _blocked(z, block=32):  # a fixed block, the remainder dropped
    if len(z) <= block:
        return _stable(z)
    out = np.zeros_like(z)
    for start in range(0, len(z) // block * block, block):
        out[start : start + block] = _stable(z[start : start + block])
    return out


def _flush_tiny(z):  # "denormals are slow": but 1e-30 is a normal number, and right
    p = _stable(z)
    return np.where(p < 1e-20, 0.0, p)


@pytest.mark.parametrize(
    ("function", "about"),
    [
        (_binary_as_sigmoid, "K = 2 classes"),
        (_at_most_256_classes, "long rows (K = 1000)"),
        (_blocked, "many rows (m = 257)"),
        (_flush_tiny, "confident rows (the other classes near 1e-30)"),
        (_naive, "one extreme row"),
        (_global_max, "a batch where one row is far from another"),
        (_clip_from_above, "two large, nearly equal logits"),
        (_shift_only_when_positive, "logits that are all very negative"),
        (_shift_above_709, "float32 logits"),
    ],
)
def test_each_batch_catches_a_mistake_the_earlier_batches_miss(function, about):
    feedback = check_function("softmax", function)
    assert not feedback.correct
    assert " ".join(feedback.message.split()).startswith(f"wrong on {about}:"), feedback.message


def test_the_batches_are_the_documented_ones_and_every_mistake_is_wrong_somewhere():
    for task in ("softmax", "cross_entropy_grad", "theta_grad"):
        batches = cases(task)
        assert [c.kind for c in batches] == [
            "ordinary", "two classes", "long row", "many rows", "confident", "extreme row",
            "far apart", "near equal", "very negative", "float32",
        ]  # fmt: skip
        assert max(c.logits.shape[1] for c in batches) == 1000
        assert max(np.abs(c.logits).max() for c in batches) >= 1000
        assert all(np.all(np.isfinite(c.right)) for c in batches)
        for mistake in mistakes(task):
            results = [mistake.on(c) for c in batches]
            wrong = [
                r.shape != c.right.shape or not np.allclose(r, c.right, rtol=1e-10, atol=0)
                for r, c in zip(results, batches, strict=True)
            ]
            assert any(wrong), mistake.hint


# --------------------------------------------------------------------------- exceptions
class _Custom(BaseException):
    pass


class _Unprintable(Exception):
    def __str__(self):
        raise _Custom("str() fails too")


def _recurse(*args):
    return _recurse(*args)


def _raise(error):
    def function(*args):
        raise error

    return function


class _ArrayThatRaises:
    def __array__(self, dtype=None, copy=None):
        raise SystemExit("no array for you")


@pytest.mark.parametrize("task", ["softmax", "cross_entropy_grad", "theta_grad"])
@pytest.mark.parametrize(
    ("function", "name"),
    [
        (_raise(ValueError("bad")), "ValueError"),
        (_raise(SystemExit(3)), "SystemExit"),
        (_raise(GeneratorExit()), "GeneratorExit"),
        (_raise(_Custom("mine")), "_Custom"),
        (_recurse, "RecursionError"),
        (_raise(MemoryError()), "MemoryError"),
        (lambda *args: np.empty(10**15), "MemoryError"),  # refused before anything is allocated
        (_raise(_Unprintable()), "_Unprintable"),
    ],
)
def test_any_exception_becomes_feedback(task, function, name):
    feedback = check_function(task, function)
    assert not feedback.correct and feedback.verdict == "raised"
    assert f"raised {name}" in feedback.message, feedback.message


def test_an_exception_while_reading_the_result_becomes_feedback():
    feedback = check_function("softmax", lambda z: _ArrayThatRaises())
    assert feedback.verdict == "wrong type" and "SystemExit" in feedback.message


def test_an_exception_only_on_a_later_batch_names_that_batch():
    def three_classes_only(z):
        if z.shape[-1] == 2:
            raise IndexError("index 2 is out of bounds")
        return _stable(z)

    feedback = check_function("softmax", three_classes_only)
    assert feedback.message.startswith("your function raised IndexError on K = 2 classes")


@pytest.mark.parametrize("task", ["softmax", "cross_entropy_grad", "theta_grad"])
def test_keyboard_interrupt_propagates(task):
    with pytest.raises(KeyboardInterrupt):
        check_function(task, _raise(KeyboardInterrupt()))

    class Interrupted(KeyboardInterrupt):
        pass

    with pytest.raises(Interrupted):
        check_function(task, _raise(Interrupted()))


class _ArrayThatInterrupts:
    def __array__(self, dtype=None, copy=None):
        raise KeyboardInterrupt


def test_keyboard_interrupt_while_reading_the_result_propagates():
    with pytest.raises(KeyboardInterrupt):
        check_function("softmax", lambda z: _ArrayThatInterrupts())


# --------------------------------------------------------------------------- the next families
def test_masks_inputs_and_containers_are_judged_on_what_they_hold():
    assert check_function("softmax", lambda z: np.ma.masked_array(_stable(z))).correct
    assert check_function("softmax", lambda z: _stable(z).tolist()).correct

    def one_masked(z):  # the data is right, one entry is masked
        out = np.ma.masked_array(_stable(z))
        out[0, 0] = np.ma.masked
        return out

    feedback = check_function("softmax", one_masked)
    assert feedback.verdict == "wrong" and "1 masked entry" in feedback.message

    def labels_zeroed(z, labels):
        g = numeric.cross_entropy_grad(z, labels)
        labels[...] = 0
        return g

    feedback = check_function("cross_entropy_grad", labels_zeroed)
    assert feedback.verdict == "wrong" and "changed its input labels" in feedback.message
    feedback = check_function("cross_entropy_grad", lambda z, y: (numeric.cross_entropy(z, y), z))
    assert feedback.verdict == "wrong type" and "tuple of 2" in feedback.message


@pytest.mark.parametrize("verdict", ["fine", "suspicious", "cannot check here: too noisy"])
def test_gradcheck_is_quoted_only_when_it_says_wrong(monkeypatch, verdict):
    from derivation.exercises import functions

    class Result:
        def __init__(self, verdict):
            self.verdict = verdict

        def __str__(self):
            return f"{self.verdict}: made up"

    monkeypatch.setattr(functions, "gradcheck", lambda *args, **kwargs: Result(verdict))
    feedback = check_function("cross_entropy_grad", lambda z, y: numeric.softmax(z))
    assert feedback.verdict == "wrong" and "labels are missing" in feedback.message
    assert "gradcheck" not in feedback.message and "made up" not in feedback.message

    def refuses(*args, **kwargs):
        raise TypeError("a new refusal")

    monkeypatch.setattr(functions, "gradcheck", refuses)
    feedback = check_function("theta_grad", lambda t, X, Y: numeric.theta_grad(t, X, Y) * 2)
    assert feedback.verdict == "wrong" and "factor of two" in feedback.message
    assert "gradcheck" not in feedback.message


def test_the_verdicts_are_the_same_outside_the_main_thread():
    import threading

    functions = [("softmax", _global_max), ("softmax", _stable), ("theta_grad", _raise(SystemExit))]
    here = [check_function(task, f) for task, f in functions]
    there = []
    thread = threading.Thread(
        target=lambda: there.extend(check_function(t, f) for t, f in functions)
    )
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and there == here


# --------------------------------------------------------------------------- the tolerance
def test_the_right_implementations_stay_far_inside_the_float64_tolerance():
    """The margin the tolerance was chosen with (3.3e-14 measured, 1e-12 allowed)."""
    worst = 0.0
    for task, function in RIGHT:
        for seed in range(5):
            for case in cases(task, seed):
                if case.dtype != np.float64:
                    continue
                with np.errstate(all="ignore"):
                    got = np.asarray(function(*(a.copy() for a in case.args)), dtype=np.float64)
                    diff = np.abs(got - case.right)
                    beyond = diff > case.atol
                    relative = diff[beyond] / np.abs(case.right[beyond])
                worst = max(worst, float(relative.max(initial=0.0)))
                assert case.rtol == 1e-12
    assert worst < 1e-12 / 10


def test_an_epsilon_in_the_denominator_shows_down_to_what_rounding_allows():
    assert check_function("softmax", _epsilon(1e-11)).verdict == "wrong"
    assert check_function("softmax", _epsilon(1e-11), seed=3).verdict == "wrong"
    # documented: 1e-13 of a sum of at least 1 is within float64's rounding here, so "right"
    assert check_function("softmax", _epsilon(1e-13)).correct


def test_without_hints_the_feedback_says_where_not_how_to_fix():
    """09's Part B shows each attempt's check before the learner has tried: the hint would be
    the answer, so there the check says only where the function fails and what it returned."""

    def textbook_softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    with np.errstate(over="ignore", invalid="ignore"):
        hinted = check_function("softmax", textbook_softmax)
        bare = check_function("softmax", textbook_softmax, hints=False)
    assert "maximum" in str(hinted) and "maximum" not in str(bare)
    assert not bare.correct and bare.mistake is None and re.search(r"got +\[NaN, 0, 0\]", str(bare))
    assert str(bare).endswith("(hints=True says why)")
    right = check_function("softmax", numeric.softmax, hints=False)
    assert right.correct and str(right) == str(check_function("softmax", numeric.softmax))
