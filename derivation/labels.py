"""Four label variants and their gradients in the logits, each proven and computed.

The article's result ``dJ/dz_k = h_k - y_k`` uses one fact about the labels:
``sum_k y_k = 1`` (erratum E3).  Here are four variants of the loss, each with
its gradient proven as a :class:`~derivation.symbolic.Step` for K = 3 and
computed in NumPy for any K:

- label smoothing, ``y~ = (1 - alpha) y + alpha / K``: ``dJ/dz_k = h_k - y~_k``
  (using ``sum y = 1``, so that ``sum y~ = 1`` too);
- a temperature, ``h = softmax(z / T)``: ``dJ/dz_k = (h_k - y_k) / T``
  (using ``sum y = 1``);
- independent sigmoid outputs with binary cross-entropy (multi-label):
  ``dJ/dz_k = sigma(z_k) - y_k``, with no condition on the labels;
- softmax with labels that do not sum to one (multi-hot):
  ``dJ/dz_k = h_k sum_l y_l - y_k``, the form of erratum E3.

:func:`proofs` gives the Steps; :data:`VARIANTS` names the numeric pairs
(loss, gradient); :func:`check_exercise` checks a learner's function for
notebook 12's exercises (CS231n's layout, a temperature, multi-hot labels).
Every loss is a sum over the rows (no 1/m, as in the article) and accepts
complex logits, for complex-step checks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from .checks import as_float, check_finite
from .numeric import log_softmax, softmax
from .symbolic import Context, Step, claim, logit_model

__all__ = [
    "EXERCISE_TASKS",
    "VARIANTS",
    "check_exercise",
    "multi_hot_cross_entropy",
    "multi_hot_grad",
    "proofs",
    "sigmoid_bce",
    "sigmoid_bce_grad",
    "smooth_labels",
    "smoothed_cross_entropy",
    "smoothed_grad",
    "tempered_cross_entropy",
    "tempered_grad",
]

_CLASSES = 3  # the proofs are written out for the article's three classes


# --------------------------------------------------------------------------- input checks
def _logits_and_labels(z: ArrayLike, y: ArrayLike, *, allow_complex: bool = True):
    """Logits ``(m, K)`` (complex allowed) and labels of the same shape in [0, 1]."""
    z = as_float(z, "z", allow_complex=allow_complex)
    y = as_float(y, "y")
    if z.ndim != 2 or z.shape[0] == 0:
        raise ValueError(f"z must be a non-empty (m, K) matrix of logits, got shape {z.shape}")
    if z.shape[1] < 2:
        raise ValueError(f"z must have K >= 2 classes, got K = {z.shape[1]}")
    if y.shape != z.shape:
        raise ValueError(f"y must have the shape of z, {z.shape}, got {y.shape}")
    check_finite(z, "z")
    check_finite(y, "y")
    if y.min() < 0 or y.max() > 1:
        raise ValueError(f"labels must lie in [0, 1], got values from {y.min()} to {y.max()}")
    return z, y


def _sums_to_one(y: np.ndarray) -> None:
    sums = y.sum(axis=-1)
    bad = np.flatnonzero(np.abs(sums - 1) > 1e-12)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"every row of y must sum to 1 (one-hot or a distribution), "
            f"row {i} sums to {sums[i]}; for multi-hot labels use multi_hot_grad"
        )


def _positive(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- label smoothing
def smooth_labels(y: ArrayLike, alpha: float) -> np.ndarray:
    """Smoothed labels ``(1 - alpha) y + alpha / K``.

    Parameters
    ----------
    y : array_like, shape (m, K)
        Labels whose rows sum to 1.
    alpha : float
        The smoothing, ``0 <= alpha <= 1``.

    Returns
    -------
    ndarray, shape (m, K)
        Rows that still sum to 1.

    Examples
    --------
    >>> smooth_labels([[0.0, 1.0]], 0.1)
    array([[0.05, 0.95]])
    """
    y = as_float(y, "y")
    if y.ndim != 2 or y.shape[0] == 0 or y.shape[1] < 2:
        raise ValueError(f"y must be a non-empty (m, K) matrix with K >= 2, got shape {y.shape}")
    check_finite(y, "y")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)):
        raise ValueError(f"alpha must be a real number in [0, 1], got {alpha!r}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha!r}")
    _sums_to_one(y)
    return (1 - alpha) * y + alpha / y.shape[1]


def smoothed_cross_entropy(z: ArrayLike, y: ArrayLike, alpha: float) -> np.generic:
    """``-sum_i sum_k y~_k log h_k`` with smoothed labels ``y~`` (:func:`smooth_labels`).

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits (complex allowed).
    y : array_like, shape (m, K)
        Labels whose rows sum to 1.
    alpha : float
        The smoothing.

    Returns
    -------
    NumPy scalar
    """
    z, y = _logits_and_labels(z, y)
    return -(smooth_labels(y, alpha) * log_softmax(z)).sum()


def smoothed_grad(z: ArrayLike, y: ArrayLike, alpha: float) -> np.ndarray:
    """Gradient of :func:`smoothed_cross_entropy`: ``h - y~``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like, shape (m, K)
        Labels whose rows sum to 1 (else ValueError: the formula needs it).
    alpha : float
        The smoothing.

    Returns
    -------
    ndarray, shape (m, K)

    Examples
    --------
    >>> smoothed_grad([[0.0, 0.0]], [[0.0, 1.0]], 0.1)
    array([[ 0.45, -0.45]])
    """
    z, y = _logits_and_labels(z, y, allow_complex=False)
    return softmax(z) - smooth_labels(y, alpha)


# --------------------------------------------------------------------------- temperature
def tempered_cross_entropy(z: ArrayLike, y: ArrayLike, T: float) -> np.generic:
    """``-sum_i sum_k y_k log h_k`` with ``h = softmax(z / T)``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits (complex allowed).
    y : array_like, shape (m, K)
        Labels.
    T : float
        The temperature, > 0.

    Returns
    -------
    NumPy scalar
    """
    z, y = _logits_and_labels(z, y)
    return -(y * log_softmax(z / _positive(T, "T"))).sum()


def tempered_grad(z: ArrayLike, y: ArrayLike, T: float) -> np.ndarray:
    """Gradient of :func:`tempered_cross_entropy`: ``(softmax(z / T) - y) / T``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like, shape (m, K)
        Labels whose rows sum to 1 (else ValueError: the formula needs it).
    T : float
        The temperature, > 0.

    Returns
    -------
    ndarray, shape (m, K)

    Examples
    --------
    >>> tempered_grad([[0.0, 0.0]], [[1.0, 0.0]], 2.0)
    array([[-0.25,  0.25]])
    """
    z, y = _logits_and_labels(z, y, allow_complex=False)
    T = _positive(T, "T")
    _sums_to_one(y)
    return (softmax(z / T) - y) / T


# --------------------------------------------------------------------------- multi-label sigmoid
def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """``log sigma(z) = -log(1 + e^{-z})``, stable for real z (``logaddexp``), plain for complex."""
    if np.iscomplexobj(z):
        return -np.log1p(np.exp(-z))
    return -np.logaddexp(0.0, -z)


def sigmoid_bce(z: ArrayLike, y: ArrayLike) -> np.generic:
    """Binary cross-entropy of independent sigmoid outputs, summed over rows and classes.

    ``J = -sum_i sum_k [y_k log sigma(z_k) + (1 - y_k) log(1 - sigma(z_k))]``,
    with ``log(1 - sigma(z)) = log sigma(-z)``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits (complex allowed).
    y : array_like, shape (m, K)
        Labels in [0, 1], any number of ones per row.

    Returns
    -------
    NumPy scalar
    """
    z, y = _logits_and_labels(z, y)
    return -(y * _log_sigmoid(z) + (1 - y) * _log_sigmoid(-z)).sum()


def sigmoid_bce_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Gradient of :func:`sigmoid_bce`: ``sigma(z) - y``, for any labels in [0, 1].

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like, shape (m, K)
        Labels in [0, 1].

    Returns
    -------
    ndarray, shape (m, K)

    Examples
    --------
    >>> sigmoid_bce_grad([[0.0, 0.0]], [[1.0, 1.0]])
    array([[-0.5, -0.5]])
    """
    z, y = _logits_and_labels(z, y, allow_complex=False)
    return np.exp(_log_sigmoid(z)) - y


# --------------------------------------------------------------------------- multi-hot softmax
def multi_hot_cross_entropy(z: ArrayLike, y: ArrayLike) -> np.generic:
    """Softmax cross-entropy ``-sum_i sum_k y_k log h_k`` for labels of any sum.

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits (complex allowed).
    y : array_like, shape (m, K)
        Labels in [0, 1]; a row may hold several ones.

    Returns
    -------
    NumPy scalar
    """
    z, y = _logits_and_labels(z, y)
    return -(y * log_softmax(z)).sum()


def multi_hot_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Gradient of :func:`multi_hot_cross_entropy`: ``h sum_l y_l - y`` (erratum E3's form).

    Parameters
    ----------
    z : array_like, shape (m, K)
        Logits.
    y : array_like, shape (m, K)
        Labels in [0, 1].

    Returns
    -------
    ndarray, shape (m, K)
        Equal to ``h - y`` exactly when every row of ``y`` sums to 1.

    Examples
    --------
    >>> multi_hot_grad([[0.0, 0.0, 0.0]], [[1.0, 1.0, 0.0]]).round(4)
    array([[-0.3333, -0.3333,  0.6667]])
    """
    z, y = _logits_and_labels(z, y, allow_complex=False)
    return softmax(z) * y.sum(axis=-1, keepdims=True) - y


#: each variant's (loss, gradient) as functions of (z, y); the parameter (alpha, T) is bound
VARIANTS: dict[str, tuple[Callable, Callable]] = {
    "label smoothing": (smoothed_cross_entropy, smoothed_grad),
    "temperature": (tempered_cross_entropy, tempered_grad),
    "sigmoid outputs": (sigmoid_bce, sigmoid_bce_grad),
    "multi-hot labels": (multi_hot_cross_entropy, multi_hot_grad),
}


# --------------------------------------------------------------------------- proofs
def _sum(terms) -> sp.Expr:
    return sp.Add(*terms, evaluate=False)


def _minus(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


@functools.cache
def proofs() -> tuple[Step, ...]:
    """The four variants' gradients by the logit z_1, for K = 3, each a proven Step.

    Returns
    -------
    tuple of Step
        ``"smoothing"``: ``dJ_alpha/dz_1 = h_1 sum y~ - y~_1 = h_1 - y~_1``, the
        second equals sign using ``y_1 + y_2 + y_3 = 1`` (displayed);
        ``"temperature"``: ``dJ_T/dz_1 = (h_1 sum y - y_1)/T = (h_1 - y_1)/T``,
        the second using ``sum y = 1``; ``"sigmoid"``: ``dJ_sigma/dz_1 =
        sigma_1 - y_1``, no assumption; ``"multi-hot"``: ``dJ/dz_1 = h_1 sum y -
        y_1``, no assumption.

    Examples
    --------
    >>> [s.check() for s in proofs()]
    [(True, True), (True, True), (True,), (True,)]
    >>> [s.check(one_hot=False) for s in proofs()][:2]  # without sum y = 1
    [(True, False), (True, False)]
    """
    K = _CLASSES
    z, y, h, J, ctx = logit_model(K)
    alpha = sp.Symbol(r"\alpha", positive=True)
    k = sp.Symbol("k", integer=True)
    smooth, h_at, y_at = (sp.IndexedBase(n) for n in (r"\tilde{y}", "h", "y"))
    J_alpha = sp.Symbol(r"J_{\alpha}")
    # the displayed definitions use an index k; the context knows each entry for k = 1..K
    entries = {h_at[c + 1]: h[c] for c in range(K)} | {y_at[c + 1]: y[c] for c in range(K)}
    entries |= {smooth[c + 1]: (1 - alpha) * y[c] + alpha / K for c in range(K)}
    ctx_alpha = replace(ctx, definitions={**ctx.definitions, **entries})
    smoothed = [smooth[c] for c in range(1, K + 1)]
    smoothing = claim(
        "smoothing", "label smoothing: the gradient is h minus the smoothed labels",
        sp.Derivative(J_alpha, z[0]),
        [_minus(h[0] * _sum(smoothed), smooth[1]), _minus(h[0], smooth[1])], ctx_alpha,
        where=((J_alpha, -sp.Sum(smooth[k] * sp.log(h_at[k]), (k, 1, K))),
               (smooth[k], (1 - alpha) * y_at[k] + alpha / K)),
        one_hot_from=1, title=r"\text{label smoothing}",
    )  # fmt: skip

    with sp.evaluate(False):
        multi_hot = claim(
            "multi-hot", "softmax with labels of any sum: erratum E3's form",
            sp.Derivative(J, z[0]), [_minus(h[0] * _sum(y), y[0])], ctx,
            title=r"\text{labels of any sum}",
        )  # fmt: skip
    return (smoothing, *_indexed_proofs(K), multi_hot)


def _indexed_proofs(K: int) -> tuple[Step, Step]:
    """The temperature and sigmoid claims, written with an index k in their definitions.

    ``J = -sum_k ...`` and ``h_k = ...`` (or ``sigma_k = ...``) are displayed once
    for every k, with indexed symbols; the prover writes the sums out (k = 1..K)
    and the context holds each ``h_k`` (``sigma_k``) for the right-hand sides.
    """
    k, l = sp.symbols("k l", integer=True)
    z, y, h, sigma = (sp.IndexedBase(n) for n in ("z", "y", "h", r"\sigma"))
    T = sp.Symbol("T", positive=True)
    zs, ys = [z[c] for c in range(1, K + 1)], [y[c] for c in range(1, K + 1)]
    e = sp.symbols(f"e_1:{K + 1}")
    labels = _sum(ys)
    tempered = sp.Add(*(sp.exp(v / T) for v in zs))
    ctx_T = Context(
        definitions={h[c]: sp.exp(zs[c - 1] / T) / tempered for c in range(1, K + 1)},
        logits=tuple((v / T, v / T, ek) for v, ek in zip(zs, e, strict=True)),
        one_hot={ys[-1]: 1 - sp.Add(*ys[:-1])},
        labels=_sum(sp.symbols(f"y_1:{K + 1}")),  # displayed, and read as y₁ + y₂ + y₃
    )  # fmt: skip
    ctx_sigma = Context(
        definitions={sigma[c]: 1 / (1 + sp.exp(-zs[c - 1])) for c in range(1, K + 1)},
        logits=tuple((v, v, ek) for v, ek in zip(zs, e, strict=True)),
    )
    J_T, J_sigma = sp.Symbol("J_T"), sp.Symbol(r"J_{\sigma}")
    cost = -sp.Sum(y[k] * sp.log(h[k]), (k, 1, K))
    h_k = sp.exp(z[k] / T) / sp.Sum(sp.exp(z[l] / T), (l, 1, K))
    bce = -sp.Sum(y[k] * sp.log(sigma[k]) + (1 - y[k]) * sp.log(1 - sigma[k]), (k, 1, K))
    inv_T = sp.Pow(T, -1)
    with sp.evaluate(False):
        chain_T = [sp.Mul(_minus(h[1] * labels, y[1]), inv_T), sp.Mul(_minus(h[1], y[1]), inv_T)]
        sigma_k = sp.Pow(sp.Add(1, sp.exp(-z[k])), -1)
        chain_sigma = [_minus(sigma[1], y[1])]
    return (
        claim("temperature", "a temperature divides the gradient by T",
              sp.Derivative(J_T, z[1]), chain_T, ctx_T, where=((J_T, cost), (h[k], h_k)),
              one_hot_from=1, title=r"\text{a temperature } T"),
        claim("sigmoid", "sigmoid outputs with binary cross-entropy: sigma - y, for any labels",
              sp.Derivative(J_sigma, z[1]), chain_sigma, ctx_sigma,
              where=((J_sigma, bce), (sigma[k], sigma_k)),
              title=r"\text{sigmoid outputs, binary cross-entropy}"),
    )  # fmt: skip


# --------------------------------------------------------------------------- exercises
#: notebook 12's function exercises: what the function takes, and what it returns
EXERCISE_TASKS = {
    "smoothed tempered cs231n gradient": "f(X, Y, W, alpha, T) with W of shape (D, K), "
    "h = softmax(X W / T) and the labels smoothed by alpha: dJ/dW",
    "bias gradient": "f(X, Y, W, b) with logits X W + b, X without a column of ones: dJ/db",
}


def _cases(task: str, rng: np.random.Generator):
    """(arguments, right answer, {recognised wrong answer: hint}) for a task's test batch."""
    m, K, d = 6, 3, 2
    X = rng.normal(size=(m, d))
    Y = np.eye(K)[rng.integers(0, K, size=m)]
    W = rng.normal(size=(d, K))
    if task == "smoothed tempered cs231n gradient":
        alpha, T = 0.1, 2.5
        H, smoothed = softmax(X @ W / T), smooth_labels(Y, alpha)
        right = X.T @ (H - smoothed) / T
        wrong = {"transposed": (right.T, "transposed: a gradient has its parameter's shape, "
                                         "D × K for W; which factor comes first?"),
                 "missing 1/T": (right * T, "T times too large: what does differentiating "
                                           "X W / T by W contribute?"),
                 "unsmoothed": (X.T @ (H - Y) / T, "the targets are the labels before "
                                                   "smoothing: what does the loss compare h with?"),
                 "sign": (-right, "a lost minus sign")}  # fmt: skip
        return (X, Y, W, alpha, T), right, wrong
    b = rng.normal(size=K)
    D = softmax(X @ W + b) - Y
    right = D.sum(axis=0)
    wrong = {"over classes": (D.sum(axis=1), "one entry per sample: ∂J/∂b has one entry per "
                                             "class; which index does b_k share with the logits?"),
             "mean": (D.mean(axis=0), "m times too small: J is the sum over the samples, "
                                      "not the mean"),
             "sign": (-right, "a lost minus sign")}  # fmt: skip
    return (X, Y, W, b), right, wrong


def check_exercise(task: str, function: Callable, *, seed: int = 0):
    """Check a learner's function for one of notebook 12's exercises, and say what is wrong.

    Parameters
    ----------
    task : str
        One of :data:`EXERCISE_TASKS`.
    function : callable
        The learner's function (see :data:`EXERCISE_TASKS` for its arguments).
    seed : int, default 0
        Seeds the test batch (6 rows, D = 2, K = 3).

    Returns
    -------
    derivation.exercises.checker.Feedback
        Right, or wrong with one reason: an exception, a wrong shape (a
        transposed one named as such), or wrong numbers, with a hint where
        they match a known mistake (transposed layout, a missing 1/T, the labels
        not smoothed, a sum over the classes or a mean over the samples, a lost
        sign).  No hint states the answer.

    Raises
    ------
    ValueError
        For an unknown task.

    Examples
    --------
    >>> print(check_exercise("bias gradient", lambda X, Y, W, b: (softmax(X @ W + b) - Y).mean(0)))
    ✘ m times too small: J is the sum over the samples, not the mean
    """
    from .exercises.checker import Feedback  # the checker is heavier

    if task not in EXERCISE_TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {list(EXERCISE_TASKS)}")
    args, right, wrong = _cases(task, np.random.default_rng(seed))
    try:
        copies = (a.copy() if isinstance(a, np.ndarray) else a for a in args)
        got = np.asarray(function(*copies), dtype=float)
    except Exception as error:  # any error is feedback
        return Feedback(False, f"your function raised {type(error).__name__}: {error}", None,
                        "raised")  # fmt: skip
    if got.shape != right.shape:
        for _, (value, hint) in wrong.items():
            if got.shape == value.shape and np.allclose(got, value, rtol=1e-9, atol=1e-12):
                return Feedback(False, hint, hint, "wrong shape")
        return Feedback(False, f"your function returned shape {got.shape}, expected "
                               f"{right.shape}", None, "wrong shape")  # fmt: skip
    if np.allclose(got, right, rtol=1e-9, atol=1e-12):
        return Feedback(True, "right: it agrees with the package's gradient", None, "right")
    for _, (value, hint) in wrong.items():
        if value.shape == got.shape and np.allclose(got, value, rtol=1e-9, atol=1e-12):
            return Feedback(False, hint, hint, "mistake")
    largest = float(np.nanmax(np.abs(got - right))) if np.isfinite(got).any() else float("nan")
    return Feedback(False, f"wrong numbers: the largest difference is {largest:.3g}", None,
                    "wrong")  # fmt: skip
