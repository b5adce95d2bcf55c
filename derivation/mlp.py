"""Through a hidden layer: a batched two-layer network, its backward pass, checked and proven.

The article's network has one layer: inputs ``x_j`` and a softmax output layer
with parameters Θ (K × 2).  Here a tanh (or ReLU) hidden layer sits in front of
it.  The convention, kept everywhere (rows are samples, as in the article's X):

    X   (m, D)     the inputs, one row per sample
    Z1  (m, n)     = X W1^T + b1            W1 (n, D), b1 (n,)
    A1  (m, n)     = f(Z1), f = tanh or relu
    Z2  (m, K)     = A1 W2^T + b2           W2 (K, n), b2 (K,): the logits
    H   (m, K)     = softmax(Z2)  (rows)
    J = (1/m) sum_i -sum_k y_k^(i) log h_k^(i) + (lambda/2)(||W1||^2 + ||W2||^2)

Each weight matrix is "Θ-like": one row per unit of the layer it feeds, one
column per input, as the article's Θ is K × 2.  With the bias folded in as a
column of ones (x_0 = 1), ``[b2, W2]`` is exactly the article's Θ with A1 in
place of X.  The mean over the samples (1/m) and the L2 penalty on the weights
(not on the biases) are the usual training cost; λ = 0 and no 1/m give back the
article's summed cost J.

The backward pass (proven entry by entry in :func:`backprop_proofs`):

    dZ2 = delta2 = (H - Y) / m
    dW2 = delta2^T A1 + lambda W2,      db2 = column sums of delta2
    dA1 = delta2 W2
    dZ1 = delta1 = dA1 * f'(Z1),        f' = 1 - tanh(Z1)^2 = 1 - A1^2 for tanh
    dW1 = delta1^T X + lambda W1,       db1 = column sums of delta1

What lives here: :func:`init_params`, :func:`forward` (returns a
:class:`Cache`), :func:`loss`, :func:`backward` (a dict of gradients shaped
like the parameters), :func:`backward_steps` (the seven intermediate
gradients), :func:`gradient`, :func:`pack` / :func:`unpack` for gradient
checking; :func:`example` (a small network to practise on),
:func:`check_step` (a learner's ``dZ2`` ... ``db1``, with the usual mistakes
named), :func:`check_backward` (a whole backward pass by
:func:`derivation.gradcheck.gradcheck`); :data:`BUGS`, :data:`SUSPECTS`,
:data:`DIAGNOSES` (wrong backward passes for a bug hunt); and
:func:`backprop_proofs`, :func:`tanh_proofs`, :func:`regulariser_proofs`
(SymPy claims, :class:`derivation.symbolic.Step`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from .checks import as_float, check_finite
from .gradcheck import GradCheck, gradcheck
from .numeric import log_softmax, softmax
from .symbolic import Context, Step, claim

__all__ = [
    "ACTIVATIONS",
    "BUGS",
    "DIAGNOSES",
    "MISTAKES",
    "PARAMS",
    "PROOF_SIZES",
    "STEPS",
    "SUSPECTS",
    "Cache",
    "Network",
    "StepCheck",
    "backprop_proofs",
    "backward",
    "backward_steps",
    "check_backward",
    "check_step",
    "example",
    "forward",
    "gradient",
    "init_params",
    "loss",
    "pack",
    "regulariser_proofs",
    "sympy_gradient",
    "tanh_proofs",
    "train",
    "unpack",
]

#: the hidden layer's activations this module knows
ACTIVATIONS = ("tanh", "relu")
#: the parameters, in the order :func:`pack` lays them out
PARAMS = ("W1", "b1", "W2", "b2")
#: the backward pass's seven gradients, in the order they are computed
STEPS = ("dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


class Cache(NamedTuple):
    """What the forward pass keeps for the backward pass.

    Attributes
    ----------
    X : ndarray, shape (m, D)
        The inputs.
    Z1 : ndarray, shape (m, n)
        The hidden pre-activations ``X W1^T + b1``.
    A1 : ndarray, shape (m, n)
        The hidden activations ``f(Z1)``.
    Z2 : ndarray, shape (m, K)
        The logits ``A1 W2^T + b2``.
    H : ndarray, shape (m, K)
        The hypotheses ``softmax(Z2)``, row by row.
    """

    X: np.ndarray
    Z1: np.ndarray
    A1: np.ndarray
    Z2: np.ndarray
    H: np.ndarray


# --------------------------------------------------------------------------- validation
def _activation(activation: str) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


def _lam(lam: float) -> float:
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)):
        raise ValueError(f"lam (λ) must be a real number >= 0, got {lam!r}")
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam (λ) must be a finite number >= 0, got {lam!r}")
    return float(lam)


def _params(params: Mapping[str, ArrayLike], *, allow_complex: bool = False) -> dict:
    """The four parameters as arrays, their shapes consistent: W1 (n, D), b1 (n,), W2 (K, n),
    b2 (K,)."""
    if not isinstance(params, Mapping) or set(params) != set(PARAMS):
        got = sorted(params) if isinstance(params, Mapping) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {list(PARAMS)}, got {got}")
    p = {k: as_float(params[k], k, allow_complex=allow_complex) for k in PARAMS}
    for k, ndim in zip(PARAMS, (2, 1, 2, 1), strict=True):
        if p[k].ndim != ndim:
            raise ValueError(f"{k} must have {ndim} dimension(s), got shape {p[k].shape}")
        if p[k].size == 0:
            raise ValueError(f"{k} is empty (shape {p[k].shape}); expected at least one entry")
        check_finite(p[k], k)
    n, d = p["W1"].shape
    K = p["W2"].shape[0]
    expected = {"b1": (n,), "W2": (K, n), "b2": (K,)}
    for k, shape in expected.items():
        if p[k].shape != shape:
            raise ValueError(
                f"{k} must have shape {shape} to fit W1 of shape {(n, d)} (n = {n} hidden "
                f"units, D = {d} inputs), got {p[k].shape}"
            )
    if K < 2:
        raise ValueError(f"W2 must have at least two rows (K >= 2 classes), got shape {(K, n)}")
    return p


def _inputs(X: ArrayLike, d: int, *, allow_complex: bool = False) -> np.ndarray:
    X = as_float(X, "X", allow_complex=allow_complex)
    if X.ndim != 2:
        raise ValueError(f"X must be a batch of rows, shape (m, D); got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X is an empty batch; expected at least one sample")
    if X.shape[1] != d:
        raise ValueError(f"X must have D = {d} columns to fit W1, got shape {X.shape}")
    check_finite(X, "X")
    return X


def _labels(Y: ArrayLike, shape: tuple[int, int]) -> np.ndarray:
    """One-hot labels of shape (m, K): entries 0 and 1, each row summing to 1."""
    Y = np.asarray(Y)
    if Y.shape != shape:
        raise ValueError(f"Y must be one-hot rows of shape {shape} (m, K), got shape {Y.shape}")
    if Y.dtype.kind not in "biuf":
        raise ValueError(f"Y must be numbers, got dtype {Y.dtype}")
    if not np.all((Y == 0) | (Y == 1)):
        raise ValueError("Y must be one-hot: entries 0 and 1 only")
    sums = Y.sum(axis=1)
    if not np.all(sums == 1):
        row = int(np.argwhere(sums != 1)[0, 0])
        raise ValueError(
            f"each row of Y must sum to 1 (one class per sample); row {row} sums to {sums[row]:g}"
        )
    return Y.astype(np.float64)


# --------------------------------------------------------------------------- the network
def init_params(d: int, n: int, K: int, rng: np.random.Generator, *,
                scale: float = 1.0) -> dict[str, np.ndarray]:  # fmt: skip
    """Random weights (Glorot-like, ``scale / sqrt(fan_in)``) and zero biases.

    Parameters
    ----------
    d, n, K : int
        The numbers of inputs D, hidden units n and classes K (K >= 2).
    rng : numpy.random.Generator
        The source of randomness (no global state).
    scale : float, default 1.0
        Multiplies the weights' standard deviation.

    Returns
    -------
    dict
        ``W1`` (n, D), ``b1`` (n,), ``W2`` (K, n), ``b2`` (K,), float64.

    Examples
    --------
    >>> p = init_params(4, 5, 3, np.random.default_rng(0))
    >>> {k: v.shape for k, v in p.items()}
    {'W1': (5, 4), 'b1': (5,), 'W2': (3, 5), 'b2': (3,)}
    """
    for name, v, least in (("d", d, 1), ("n", n, 1), ("K", K, 2)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
            raise ValueError(f"{name} must be a whole number >= {least}, got {v!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a finite number > 0, got {scale!r}")
    return {
        "W1": rng.normal(size=(n, d)) * scale / np.sqrt(d),
        "b1": np.zeros(n),
        "W2": rng.normal(size=(K, n)) * scale / np.sqrt(n),
        "b2": np.zeros(K),
    }


def _f(Z: np.ndarray, activation: str) -> np.ndarray:
    """The activation of the pre-activations Z."""
    if activation == "tanh":
        return np.tanh(Z)
    return np.where(Z.real > 0, Z, 0)  # complex-safe ReLU


def _fprime(Z: np.ndarray, A: np.ndarray, activation: str) -> np.ndarray:
    """f'(Z), from the pre-activations Z or (for tanh) the activations A = f(Z)."""
    if activation == "tanh":
        return 1 - A**2
    return (Z.real > 0).astype(np.float64)


def _forward(p: dict, X: np.ndarray, activation: str) -> Cache:
    Z1 = X @ p["W1"].T + p["b1"]
    A1 = _f(Z1, activation)
    Z2 = A1 @ p["W2"].T + p["b2"]
    return Cache(X, Z1, A1, Z2, softmax(Z2))


def forward(params: Mapping[str, ArrayLike], X: ArrayLike, activation: str = "tanh") -> Cache:
    """The forward pass, with everything the backward pass needs.

    Parameters
    ----------
    params : dict
        ``W1`` (n, D), ``b1`` (n,), ``W2`` (K, n), ``b2`` (K,).
    X : array_like, shape (m, D)
        The inputs, one row per sample.
    activation : {"tanh", "relu"}, default "tanh"
        The hidden layer's ``f``.

    Returns
    -------
    Cache
        ``X`` (m, D), ``Z1`` and ``A1`` (m, n), ``Z2`` and ``H`` (m, K).

    Raises
    ------
    ValueError
        For parameters or inputs of the wrong shapes, NaN or inf, or an
        unknown activation.

    Examples
    --------
    >>> p = init_params(2, 3, 4, np.random.default_rng(0))
    >>> forward(p, np.ones((5, 2))).H.sum(axis=1)
    array([1., 1., 1., 1., 1.])
    """
    activation = _activation(activation)
    p = _params(params, allow_complex=True)
    return _forward(p, _inputs(X, p["W1"].shape[1], allow_complex=True), activation)


def _loss(p: dict, X: np.ndarray, Y: np.ndarray, lam: float, activation: str):
    cache = _forward(p, X, activation)
    m = X.shape[0]
    data = -(Y * log_softmax(cache.Z2)).sum() / m
    return data + lam / 2 * ((p["W1"] * p["W1"]).sum() + (p["W2"] * p["W2"]).sum())


def loss(params: Mapping[str, ArrayLike], X: ArrayLike, Y: ArrayLike, lam: float = 0.0,
         activation: str = "tanh"):  # fmt: skip
    """The cost ``J = (1/m) sum_i -sum_k y_k log h_k + (lambda/2)(||W1||^2 + ||W2||^2)``.

    Parameters
    ----------
    params : dict
        ``W1`` (n, D), ``b1`` (n,), ``W2`` (K, n), ``b2`` (K,); complex entries
        are accepted (for complex-step differentiation).
    X : array_like, shape (m, D)
        The inputs.
    Y : array_like, shape (m, K)
        One-hot labels.
    lam : float, default 0.0
        λ >= 0, the weight of the L2 penalty (on W1 and W2, not on the biases).
    activation : {"tanh", "relu"}, default "tanh"

    Returns
    -------
    float or complex
        ``J`` (complex when the parameters are).

    Raises
    ------
    ValueError
        For wrong shapes, NaN or inf, labels that are not one-hot, λ < 0, or
        an unknown activation.

    Examples
    --------
    >>> p = init_params(2, 3, 4, np.random.default_rng(0))
    >>> p["W2"][:] = 0  # every logit 0: h = 1/4 for each class
    >>> round(float(loss(p, np.ones((5, 2)), np.eye(4)[[0, 1, 2, 3, 0]])), 4)  # log 4
    1.3863
    """
    activation, lam = _activation(activation), _lam(lam)
    p = _params(params, allow_complex=True)
    X = _inputs(X, p["W1"].shape[1], allow_complex=True)
    Y = _labels(Y, (X.shape[0], p["W2"].shape[0]))
    return _loss(p, X, Y, lam, activation)


def _steps(p: dict, c: Cache, Y: np.ndarray, lam: float, activation: str) -> dict:
    m = c.X.shape[0]
    dZ2 = (c.H - Y) / m
    dA1 = dZ2 @ p["W2"]
    dZ1 = dA1 * _fprime(c.Z1, c.A1, activation)
    return {
        "dZ2": dZ2,
        "dW2": dZ2.T @ c.A1 + lam * p["W2"],
        "db2": dZ2.sum(axis=0),
        "dA1": dA1,
        "dZ1": dZ1,
        "dW1": dZ1.T @ c.X + lam * p["W1"],
        "db1": dZ1.sum(axis=0),
    }


def _checked_cache(p: dict, cache: Cache, activation: str) -> Cache:
    if not isinstance(cache, Cache):
        raise ValueError(
            f"cache must be the Cache that forward returns, got {type(cache).__name__}"
        )
    m = cache.X.shape[0] if getattr(cache.X, "ndim", 0) == 2 else None
    n, d = p["W1"].shape
    K = p["W2"].shape[0]
    shapes = {"X": (m, d), "Z1": (m, n), "A1": (m, n), "Z2": (m, K), "H": (m, K)}
    for name, shape in shapes.items():
        value = np.asarray(getattr(cache, name))
        if m is None or value.shape != shape:
            raise ValueError(
                f"cache.{name} must have shape {shape} for these parameters, got {value.shape}"
            )
        check_finite(value, f"cache.{name}")
    return cache


def backward_steps(params: Mapping[str, ArrayLike], cache: Cache, Y: ArrayLike, lam: float = 0.0,
                   activation: str = "tanh") -> dict[str, np.ndarray]:  # fmt: skip
    """The backward pass step by step: the seven gradients of :data:`STEPS`.

    Parameters
    ----------
    params : dict
        ``W1`` (n, D), ``b1`` (n,), ``W2`` (K, n), ``b2`` (K,).
    cache : Cache
        From :func:`forward` with the same parameters.
    Y : array_like, shape (m, K)
        One-hot labels.
    lam : float, default 0.0
        λ >= 0.
    activation : {"tanh", "relu"}, default "tanh"
        The activation the cache was made with.

    Returns
    -------
    dict
        ``dZ2`` (m, K) ``= (H - Y)/m``; ``dW2`` (K, n) ``= dZ2^T A1 + λ W2``;
        ``db2`` (K,); ``dA1`` (m, n) ``= dZ2 W2``; ``dZ1`` (m, n) ``= dA1 * f'(Z1)``;
        ``dW1`` (n, D) ``= dZ1^T X + λ W1``; ``db1`` (n,).

    Examples
    --------
    >>> net = example(np.random.default_rng(0))
    >>> steps = backward_steps(net.params, net.cache, net.Y, net.lam)
    >>> [(k, v.shape) for k, v in steps.items()][:4]
    [('dZ2', (6, 3)), ('dW2', (3, 5)), ('db2', (3,)), ('dA1', (6, 5))]
    """
    activation, lam = _activation(activation), _lam(lam)
    p = _params(params, allow_complex=True)
    cache = _checked_cache(p, cache, activation)
    Y = _labels(Y, cache.H.shape)
    return _steps(p, cache, Y, lam, activation)


def backward(params: Mapping[str, ArrayLike], cache: Cache, Y: ArrayLike, lam: float = 0.0,
             activation: str = "tanh") -> dict[str, np.ndarray]:  # fmt: skip
    """The gradient of :func:`loss` by every parameter, from the forward pass's cache.

    Parameters
    ----------
    params, cache, Y, lam, activation
        As in :func:`backward_steps`.

    Returns
    -------
    dict
        ``W1`` (n, D), ``b1`` (n,), ``W2`` (K, n), ``b2`` (K,): each gradient
        has its parameter's shape.

    Examples
    --------
    >>> net = example(np.random.default_rng(0))
    >>> grads = backward(net.params, net.cache, net.Y, net.lam)
    >>> {k: grads[k].shape == net.params[k].shape for k in grads}
    {'W1': True, 'b1': True, 'W2': True, 'b2': True}
    """
    s = backward_steps(params, cache, Y, lam, activation)
    return {"W1": s["dW1"], "b1": s["db1"], "W2": s["dW2"], "b2": s["db2"]}


def gradient(params: Mapping[str, ArrayLike], X: ArrayLike, Y: ArrayLike, lam: float = 0.0,
             activation: str = "tanh") -> dict[str, np.ndarray]:  # fmt: skip
    """:func:`forward` then :func:`backward`: the gradient of :func:`loss` at ``params``.

    The signature of a learner's backward pass (:func:`check_backward`).

    Examples
    --------
    >>> net = example(np.random.default_rng(0))
    >>> check_backward(gradient, net).verdict
    'fine'
    """
    return backward(params, forward(params, X, activation), Y, lam, activation)


def pack(params: Mapping[str, ArrayLike]) -> np.ndarray:
    """The four parameters as one vector, in the order of :data:`PARAMS`.

    Examples
    --------
    >>> p = init_params(2, 3, 2, np.random.default_rng(0))
    >>> pack(p).shape  # 6 + 3 + 6 + 2
    (17,)
    """
    p = _params(params, allow_complex=True)
    return np.concatenate([p[k].ravel() for k in PARAMS])


def unpack(vector: ArrayLike, like: Mapping[str, ArrayLike]) -> dict[str, np.ndarray]:
    """A vector from :func:`pack` back as parameters shaped like ``like``.

    Examples
    --------
    >>> p = init_params(2, 3, 2, np.random.default_rng(0))
    >>> all(np.array_equal(unpack(pack(p), p)[k], p[k]) for k in p)
    True
    """
    shapes = [np.shape(like[k]) for k in PARAMS]
    sizes = [int(np.prod(s)) for s in shapes]
    v = np.asarray(vector)
    if v.shape != (sum(sizes),):
        raise ValueError(f"vector must have shape ({sum(sizes)},) to fill {shapes}, got {v.shape}")
    parts = np.split(v, np.cumsum(sizes)[:-1])
    return {k: part.reshape(s) for k, part, s in zip(PARAMS, parts, shapes, strict=True)}


def train(params: Mapping[str, ArrayLike], X: ArrayLike, Y: ArrayLike, *, lam: float = 0.0,
          rate: float = 0.5, steps: int = 100,
          activation: str = "tanh") -> tuple[dict[str, np.ndarray], np.ndarray]:  # fmt: skip
    """Plain gradient descent on :func:`loss`; deterministic (no sampling).

    Returns
    -------
    params : dict
        The parameters after ``steps`` steps (new arrays; the input is not changed).
    losses : ndarray, shape (steps + 1,)
        The cost before each step and after the last.

    Examples
    --------
    >>> net = example(np.random.default_rng(0))
    >>> _, losses = train(net.params, net.X, net.Y, steps=20)
    >>> bool(losses[-1] < losses[0])
    True
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"rate must be a finite number > 0, got {rate!r}")
    p = {k: v.copy() for k, v in _params(params).items()}
    losses = []
    for _ in range(steps):
        cache = forward(p, X, activation)
        losses.append(float(loss(p, X, Y, lam, activation)))
        grads = backward(p, cache, Y, lam, activation)
        p = {k: p[k] - rate * grads[k] for k in PARAMS}
    losses.append(float(loss(p, X, Y, lam, activation)))
    return p, np.array(losses)


# --------------------------------------------------------------------------- practice
class Network(NamedTuple):
    """A small network to practise the backward pass on (:func:`example`).

    Attributes
    ----------
    params : dict
        ``W1`` (n, D), ``b1`` (n,), ``W2`` (K, n), ``b2`` (K,).
    X : ndarray, shape (m, D)
    Y : ndarray, shape (m, K)
        One-hot labels.
    lam : float
        λ of the L2 penalty.
    activation : str
    cache : Cache
        The forward pass.
    steps : dict
        The right gradients of :data:`STEPS` (:func:`backward_steps`).
    """

    params: dict
    X: np.ndarray
    Y: np.ndarray
    lam: float
    activation: str
    cache: Cache
    steps: dict


def example(rng: np.random.Generator, *, m: int = 6, d: int = 4, n: int = 5, K: int = 3,
            lam: float = 0.1, activation: str = "tanh") -> Network:  # fmt: skip
    """A small random network, inputs and labels, with its forward and backward pass.

    The default sizes differ (m = 6, D = 4, n = 5, K = 3) so that every
    transposed gradient has a shape of its own, and λ is not 0, so that a
    missing or doubled penalty shows.  Biases are random too (not zero), so that
    a gradient on a bias cannot pass by accident.

    Examples
    --------
    >>> net = example(np.random.default_rng(0))
    >>> net.X.shape, net.Y.shape, net.cache.H.shape
    ((6, 4), (6, 3), (6, 3))
    """
    activation, lam = _activation(activation), _lam(lam)
    params = init_params(d, n, K, rng, scale=1.5)
    params["b1"] = rng.normal(size=n) * 0.5
    params["b2"] = rng.normal(size=K) * 0.5
    X = rng.normal(size=(m, d))
    labels = np.arange(m) % K
    rng.shuffle(labels)
    Y = np.eye(K)[labels]
    cache = forward(params, X, activation)
    return Network(params, X, Y, lam, activation, cache,
                   backward_steps(params, cache, Y, lam, activation))  # fmt: skip


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one step of a learner's backward pass.

    Attributes
    ----------
    step : str
        One of :data:`STEPS`.
    correct : bool
    verdict : str
        ``"right"``, ``"wrong: <the mistake>"`` or
        ``"wrong shape: expected (5, 4), got (4, 5)"``.
    mistake : str or None
        The recognised mistake's key in :data:`MISTAKES` (``"missing f′"`` ...),
        ``"shape"`` for a wrong shape, ``"unknown"`` for a wrong value it does not
        recognise, None when right.
    """

    step: str
    correct: bool
    verdict: str
    mistake: str | None = None

    def __str__(self) -> str:
        return f"{'✔' if self.correct else '✘'} {self.step}: {self.verdict}"

    __repr__ = __str__


#: mistake -> what the verdict says about it
MISTAKES = {
    "missing 1/m": "missing 1/m: the cost is the mean over the m samples, so δ₂ = (H − Y)/m",
    "softmax applied twice": "softmax applied twice: softmax(H) where H belongs",
    "sign of H - Y": "the sign: Y − H where H − Y belongs",
    "forgotten regulariser": "the regulariser's gradient is missing: add λW",
    "2λ": "2λW: that is the gradient of λ‖W‖²; for (λ/2)‖W‖² it is λW",
    "regulariser's sign": "the regulariser's sign: −λW where +λW belongs",
    "regularised bias": "a regulariser on the bias: J penalises the weights only",
    "mean instead of sum": "an extra 1/m: the mean over the samples where the sum belongs",
    "Z1 instead of A1": "the pre-activations Z₁ where the activations A₁ = f(Z₁) belong",
    "missing f′": "missing f′: the gradient through the hidden layer needs ∘ f′(Z₁)",
    "f′ as 1 − Z₁²": "f′ written as 1 − Z₁²: tanh′(Z₁) = 1 − tanh²(Z₁) = 1 − A₁²",
    "f′ as 1 − A₁": "f′ written as 1 − A₁: tanh′ = 1 − A₁², squared",
}


def _variant(net: Network, *, per_m: bool = True, twice: bool = False, sign: int = 1,
             reg: float = 1.0, bias_reg: bool = False, bias_mean: bool = False,
             hidden_input: str = "A1", fprime: str = "right") -> dict:  # fmt: skip
    """The backward pass with one slip (or none): the value each step then has."""
    p, c, Y, lam = net.params, net.cache, net.Y, net.lam
    m = c.X.shape[0]
    H = softmax(c.H) if twice else c.H
    dZ2 = sign * (H - Y) / (m if per_m else 1)
    Zin = c.Z1 if hidden_input == "Z1" else c.A1
    dA1 = dZ2 @ p["W2"]
    fp = {
        "right": _fprime(c.Z1, c.A1, net.activation),
        "none": 1.0,
        "1 - Z1^2": 1 - c.Z1**2,
        "1 - A1": 1 - c.A1,
    }[fprime]
    dZ1 = dA1 * fp
    col = (lambda a: a.mean(axis=0)) if bias_mean else (lambda a: a.sum(axis=0))
    return {
        "dZ2": dZ2,
        "dW2": dZ2.T @ Zin + reg * lam * p["W2"],
        "db2": col(dZ2) + (lam * p["b2"] if bias_reg else 0),
        "dA1": dA1,
        "dZ1": dZ1,
        "dW1": dZ1.T @ c.X + reg * lam * p["W1"],
        "db1": col(dZ1) + (lam * p["b1"] if bias_reg else 0),
    }


def _slips(activation: str) -> dict[str, dict]:
    slips = {
        "missing 1/m": {"per_m": False},
        "softmax applied twice": {"twice": True},
        "sign of H - Y": {"sign": -1},
        "forgotten regulariser": {"reg": 0.0},
        "2λ": {"reg": 2.0},
        "regulariser's sign": {"reg": -1.0},
        "regularised bias": {"bias_reg": True},
        "mean instead of sum": {"bias_mean": True},
        "Z1 instead of A1": {"hidden_input": "Z1"},
        "missing f′": {"fprime": "none"},
    }
    if activation == "tanh":
        slips["f′ as 1 − Z₁²"] = {"fprime": "1 - Z1^2"}
        slips["f′ as 1 − A₁"] = {"fprime": "1 - A1"}
    return slips


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def check_step(step: str, value: ArrayLike, net: Network) -> StepCheck:
    """Check one step of a learner's backward pass, and name the mistake if it is a usual one.

    Parameters
    ----------
    step : str
        One of :data:`STEPS`: ``"dZ2"``, ``"dW2"``, ``"db2"``, ``"dA1"``,
        ``"dZ1"``, ``"dW1"``, ``"db1"``.
    value : array_like
        The learner's value, computed on ``net`` (:func:`example`).
    net : Network
        The network it was computed on.

    Returns
    -------
    StepCheck
        ``correct``, and a verdict: ``right`` (any way of computing it that
        agrees to rounding: another order, ``np.einsum``, loops); ``wrong
        shape: expected (n, D), got (D, n)``; ``wrong: <mistake>`` for a mistake
        of :data:`MISTAKES` (missing f′, missing 1/m, 2λ, a forgotten
        regulariser, its sign, softmax applied twice ...); or ``wrong`` with the
        largest difference when the mistake is not one it knows.

    Raises
    ------
    ValueError
        If ``step`` is not one of :data:`STEPS`.

    Examples
    --------
    >>> net = example(np.random.default_rng(0))
    >>> c = net.cache
    >>> check_step("dZ2", (c.H - net.Y) / 6, net)
    ✔ dZ2: right
    >>> check_step("dZ2", c.H - net.Y, net)
    ✘ dZ2: wrong: missing 1/m: the cost is the mean over the m samples, so δ₂ = (H − Y)/m
    >>> check_step("dW1", np.zeros((4, 5)), net)
    ✘ dW1: wrong shape: expected (5, 4), got (4, 5)
    """
    if step not in STEPS:
        raise ValueError(f"step must be one of {STEPS}, got {step!r}")
    right = net.steps[step]
    try:
        v = np.asarray(value)
        numeric = v.dtype.kind in "biuf"
    except (TypeError, ValueError):
        numeric = False
    if not numeric:
        return StepCheck(step, False, "wrong: not an array of numbers", "unknown")
    if v.shape != right.shape:
        verdict = f"wrong shape: expected {right.shape}, got {v.shape}"
        if v.shape == right.shape[::-1] and _close(v.T, right):
            verdict += " (the transpose of the right one)"
        return StepCheck(step, False, verdict, "shape")
    v = v.astype(np.float64)
    if not np.all(np.isfinite(v)):
        return StepCheck(step, False, "wrong: contains NaN or inf", "unknown")
    if _close(v, right):
        return StepCheck(step, True, "right")
    for mistake, slip in _slips(net.activation).items():
        if _close(v, _variant(net, **slip)[step]):
            return StepCheck(step, False, f"wrong: {MISTAKES[mistake]}", mistake)
    if _close(v, -right):
        return StepCheck(step, False, "wrong: the sign of the whole gradient", "sign")
    largest = float(np.max(np.abs(v - right)))
    return StepCheck(step, False, f"wrong (largest difference {largest:.2g}; not a mistake "
                     "this checker knows)", "unknown")  # fmt: skip


def check_backward(backward_fn: Callable[..., Mapping[str, ArrayLike]], net: Network, *,
                   method: str | None = None) -> GradCheck:  # fmt: skip
    """Gradient-check a whole backward pass: ``backward_fn(params, X, Y, lam)`` -> gradients.

    The parameters are packed into one vector (:func:`pack`) and the check is
    :func:`derivation.gradcheck.gradcheck` of :func:`loss` on ``net``'s data.

    Parameters
    ----------
    backward_fn : callable
        ``backward_fn(params, X, Y, lam)`` returns a dict with ``W1``, ``b1``,
        ``W2``, ``b2`` shaped like the parameters (as :func:`gradient` does;
        called with ``activation`` too when ``net`` is not tanh).
    net : Network
        From :func:`example`.
    method : {"complex", "central"}, optional
        Default: the complex step for tanh, central differences for ReLU (the
        complex step needs a function analytic in its argument, and ReLU, which
        looks at the real part only, is not).

    Returns
    -------
    GradCheck
        ``verdict`` is ``"fine"`` for a right gradient.
    """
    if method is None:
        method = "complex" if net.activation == "tanh" else "central"
    extra = {} if net.activation == "tanh" else {"activation": net.activation}

    def f(theta: np.ndarray):
        return _loss(unpack(theta, net.params), net.X, net.Y, net.lam, net.activation)

    def grad(theta: np.ndarray) -> np.ndarray:
        grads = backward_fn(unpack(theta, net.params), net.X, net.Y, net.lam, **extra)
        missing = set(PARAMS) - set(grads)
        if missing:
            raise ValueError(f"the backward pass must return {list(PARAMS)}; missing {missing}")
        shapes = {k: (np.shape(grads[k]), np.shape(net.params[k])) for k in PARAMS}
        wrong = {k: s for k, s in shapes.items() if s[0] != s[1]}
        if wrong:
            k, (got, expected) = next(iter(wrong.items()))
            raise ValueError(f"the gradient of {k} must have shape {expected}, got {got}")
        return np.concatenate([np.asarray(grads[k], dtype=np.float64).ravel() for k in PARAMS])

    return gradcheck(f, grad, pack(net.params), method=method)


@functools.cache
def _sympy_network(m: int, d: int, n: int, K: int) -> Callable:
    """SymPy's gradient of the tanh network's J, lambdified: f(x, y, W1, b1, W2, b2, lam)."""
    X = sp.Matrix(m, d, lambda i, l: sp.Symbol(f"x{i}_{l}", real=True))
    Y = sp.Matrix(m, K, lambda i, k: sp.Symbol(f"y{i}_{k}", real=True))
    W1 = sp.Matrix(n, d, lambda j, l: sp.Symbol(f"W1_{j}_{l}", real=True))
    W2 = sp.Matrix(K, n, lambda k, j: sp.Symbol(f"W2_{k}_{j}", real=True))
    b1 = sp.Matrix(1, n, lambda _, j: sp.Symbol(f"b1_{j}", real=True))
    b2 = sp.Matrix(1, K, lambda _, k: sp.Symbol(f"b2_{k}", real=True))
    lam = sp.Symbol("lam", real=True)
    ones = sp.ones(m, 1)
    A1 = (X * W1.T + ones * b1).applyfunc(sp.tanh)
    Z2 = A1 * W2.T + ones * b2
    J = sp.Add(*(-Y[i, k] * (Z2[i, k] - sp.log(sp.Add(*(sp.exp(Z2[i, c]) for c in range(K)))))
                 for i in range(m) for k in range(K))) / m  # fmt: skip
    J += lam / 2 * (sum(w**2 for w in W1) + sum(w**2 for w in W2))
    theta = [*W1, *b1, *W2, *b2]
    return sp.lambdify([[*X], [*Y], theta, lam], [sp.diff(J, v) for v in theta], "numpy")


def sympy_gradient(params: Mapping[str, ArrayLike], X: ArrayLike, Y: ArrayLike,
                   lam: float = 0.0) -> dict[str, np.ndarray]:  # fmt: skip
    """An oracle: SymPy differentiates the tanh network's J, and the result is lambdified.

    Independent of :func:`backward`: ``sympy.diff`` of the cost written entry by
    entry.  Built once per size (m, D, n, K); meant for small networks (about a
    second for m = D = n = 2, K = 3; ten times that for m = 6, D = 4, n = 5).

    Returns
    -------
    dict
        ``W1``, ``b1``, ``W2``, ``b2``, shaped like the parameters.

    Examples
    --------
    >>> net = example(np.random.default_rng(0), m=2, d=2, n=2)
    >>> oracle = sympy_gradient(net.params, net.X, net.Y, net.lam)
    >>> ours = gradient(net.params, net.X, net.Y, net.lam)
    >>> all(np.allclose(oracle[k], ours[k], rtol=1e-12, atol=1e-15) for k in PARAMS)
    True
    """
    lam = _lam(lam)
    p = _params(params)
    X = _inputs(X, p["W1"].shape[1])
    (n, d), K, m = p["W1"].shape, p["W2"].shape[0], X.shape[0]
    Y = _labels(Y, (m, K))
    f = _sympy_network(m, d, n, K)
    flat = np.array(f(X.ravel(), Y.ravel(), pack(p), lam), dtype=np.float64)
    return unpack(flat, p)


# --------------------------------------------------------------------------- a bug hunt
def _buggy(**slip) -> Callable:
    def backward_fn(params, X, Y, lam, activation="tanh"):
        cache = forward(params, X, activation)
        p = _params(params, allow_complex=True)
        net = Network(p, cache.X, _labels(Y, cache.H.shape), _lam(lam), activation, cache, {})
        s = _variant(net, **slip)
        return {"W1": s["dW1"], "b1": s["db1"], "W2": s["dW2"], "b2": s["db2"]}

    return backward_fn


def another_order(params, X, Y, lam, activation="tanh"):
    """Not a bug: every product computed the other way round and transposed back.

    ``(X^T delta1)^T`` for ``delta1^T X``, and ``ones @ delta`` for the column
    sums: the same numbers (to rounding).
    """
    c = forward(params, X, activation)
    Y = _labels(Y, c.H.shape)
    p = _params(params, allow_complex=True)
    ones = np.ones(c.X.shape[0])
    d2 = (c.H - Y) / c.X.shape[0]
    d1 = (d2 @ p["W2"]) * _fprime(c.Z1, c.A1, activation)
    return {"W1": (c.X.T @ d1).T + lam * p["W1"], "b1": ones @ d1,
            "W2": (c.A1.T @ d2).T + lam * p["W2"], "b2": ones @ d2}  # fmt: skip


missing_fprime = _buggy(fprime="none")
missing_fprime.__name__ = "missing_fprime"
missing_one_over_m = _buggy(per_m=False)
missing_one_over_m.__name__ = "missing_one_over_m"
two_lambda = _buggy(reg=2.0)
two_lambda.__name__ = "two_lambda"
regulariser_sign = _buggy(reg=-1.0)
regulariser_sign.__name__ = "regulariser_sign"
softmax_twice = _buggy(twice=True)
softmax_twice.__name__ = "softmax_twice"

#: name -> (function, is it really wrong?)
BUGS = {
    "missing f′": (missing_fprime, True),
    "missing 1/m": (missing_one_over_m, True),
    "2λ": (two_lambda, True),
    "regulariser's sign": (regulariser_sign, True),
    "softmax applied twice": (softmax_twice, True),
    "another order": (another_order, False),
}

#: letter -> the name of its mistake in :data:`BUGS` (the hunt's answers)
DIAGNOSES = {
    "A": "2λ",
    "B": "another order",
    "C": "missing f′",
    "D": "softmax applied twice",
    "E": "regulariser's sign",
    "F": "missing 1/m",
}


def _anonymous(function: Callable, letter: str) -> Callable:
    """``function`` as ``suspect_<letter>``, with a docstring that says nothing."""

    def suspect(params, X, Y, lam, activation="tanh"):
        return function(params, X, Y, lam, activation)

    suspect.__name__ = suspect.__qualname__ = f"suspect_{letter}"
    suspect.__doc__ = (
        f"Suspect {letter}: claims to return the gradient of J by W1, b1, W2 and b2.\n\n"
        "Parameters, X (m, D), one-hot Y (m, K) and λ in; a dict shaped like the parameters out."
    )
    return suspect


#: letter -> the suspect under a neutral name
SUSPECTS = {letter: _anonymous(BUGS[name][0], letter) for letter, name in DIAGNOSES.items()}


# --------------------------------------------------------------------------- proofs
#: the explicit network of the proofs: m samples, D inputs, n hidden units, K classes
PROOF_SIZES = {"m": 2, "d": 2, "n": 2, "K": 3}


class _Symbols(NamedTuple):
    x: tuple  # x[i][l]: sample i's input l
    y: tuple  # y[i][k]
    h: tuple  # h[i][k]
    W1: tuple  # W1[j][l]
    b1: tuple
    W2: tuple  # W2[k][j]
    b2: tuple
    A1: tuple  # A1[i][j]: display symbols of the hidden activations
    Z1: tuple  # Z1[i][j]: display symbols of the hidden pre-activations
    Z2: tuple  # Z2[i][k]: display symbols of the logits
    d1: tuple  # delta1[i][j]
    d2: tuple  # delta2[i][k]
    lam: sp.Symbol
    J: sp.Symbol


def _grid(fmt: str, rows: int, cols: int) -> tuple:
    return tuple(tuple(sp.Symbol(fmt.format(r + 1, c + 1)) for c in range(cols))
                 for r in range(rows))  # fmt: skip


@functools.cache
def _symbols() -> _Symbols:
    m, d, n, K = (PROOF_SIZES[s] for s in "mdnK")
    return _Symbols(
        x=_grid("x_{{{1}}}^{{({0})}}", m, d),
        y=_grid("y_{{{1}}}^{{({0})}}", m, K),
        h=_grid("h_{{{1}}}^{{({0})}}", m, K),
        W1=_grid("(W_1)_{{{0}{1}}}", n, d),
        b1=tuple(sp.Symbol(f"(b_1)_{{{j + 1}}}") for j in range(n)),
        W2=_grid("(W_2)_{{{0}{1}}}", K, n),
        b2=tuple(sp.Symbol(f"(b_2)_{{{k + 1}}}") for k in range(K)),
        A1=_grid("(A_1)_{{{0}{1}}}", m, n),
        Z1=_grid("(Z_1)_{{{0}{1}}}", m, n),
        Z2=_grid("(Z_2)_{{{0}{1}}}", m, K),
        d1=_grid(r"(\delta_1)_{{{0}{1}}}", m, n),
        d2=_grid(r"(\delta_2)_{{{0}{1}}}", m, K),
        lam=sp.Symbol(r"\lambda", positive=True),
        J=sp.Symbol("J"),
    )


def _tanh_exp(a: sp.Expr) -> sp.Expr:
    """tanh(a) = 1 - 2/(e^{2a} + 1): tanh written with the exponential the prover renames."""
    return 1 - 2 / (sp.exp(2 * a) + 1)


@functools.cache
def _context(free: str) -> Context:
    """The network's loss, with ``free`` ("params", "A1", "Z1" or "Z2") the free symbols.

    "params": everything is a function of the parameters (the whole network);
    "A1", "Z1", "Z2": the loss as a function of that layer's entries, each a symbol.
    """
    s = _symbols()
    m, d, n, K = (PROOF_SIZES[k] for k in "mdnK")
    t = _grid("t_{{{0}{1}}}", m, n)  # exp(Z1_ij), renamed by the prover
    e = _grid("e_{{{0}{1}}}", m, K)  # exp(Z2_ik)
    defs: dict = {}
    logits = []
    if free in ("params", "Z1"):
        for i in range(m):
            for j in range(n):
                a1 = (
                    s.Z1[i][j]
                    if free == "Z1"
                    else (sp.Add(*(s.W1[j][l] * s.x[i][l] for l in range(d))) + s.b1[j])
                )
                key = a1 if free == "Z1" else s.W1[j][0] * s.x[i][0]
                logits.append((a1, key, t[i][j]))
                defs[s.A1[i][j]] = _tanh_exp(a1)
    a2 = [[s.Z2[i][k] if free == "Z2" else sp.Add(*(
        s.W2[k][j] * (defs.get(s.A1[i][j], s.A1[i][j])) for j in range(n))) + s.b2[k]
        for k in range(K)] for i in range(m)]  # fmt: skip
    for i in range(m):
        for k in range(K):
            logits.append((a2[i][k], a2[i][k] if free == "Z2" else s.b2[k] * 1, e[i][k]))
    total = [sp.Add(*(sp.exp(a2[i][k]) for k in range(K))) for i in range(m)]
    for i in range(m):
        for k in range(K):
            defs[s.h[i][k]] = sp.exp(a2[i][k]) / total[i]
    penalty = s.lam / 2 * sp.Add(*(w**2 for row in (*s.W1, *s.W2) for w in row))
    data = sp.Add(*(-s.y[i][k] * (a2[i][k] - sp.log(total[i]))
                    for i in range(m) for k in range(K)))  # fmt: skip
    defs[s.J] = data / m + penalty
    if free != "Z2":  # δ₂ and δ₁ as the claims before display and prove them
        defs.update(_delta2(i, k) for i in range(m) for k in range(K))
    if free in ("params", "Z1"):
        defs.update(_delta1(i, j) for i in range(m) for j in range(n))
    k_, classes = sp.Symbol("k", integer=True), sp.Symbol("K", integer=True, positive=True)
    return Context(
        definitions=defs,
        logits=tuple(logits),
        one_hot={s.y[i][K - 1]: 1 - sp.Add(*s.y[i][: K - 1]) for i in range(m)},
        labels=sp.Sum(sp.IndexedBase("y")[k_], (k_, 1, classes)),  # each sample's labels
    )


def _delta2(i: int, k: int) -> tuple:
    s, m = _symbols(), PROOF_SIZES["m"]
    with sp.evaluate(False):
        value = sp.Mul(sp.Add(s.h[i][k], -s.y[i][k]), sp.Pow(m, -1))
    return (s.d2[i][k], value)


def _delta1(i: int, j: int) -> tuple:
    s, K = _symbols(), PROOF_SIZES["K"]
    with sp.evaluate(False):
        back = sp.Add(*(s.d2[i][k] * s.W2[k][j] for k in range(K)))
        value = sp.Mul(back, sp.Add(1, -(s.A1[i][j] ** 2)))
    return (s.d1[i][j], value)


@functools.cache
def backprop_proofs() -> tuple[Step, ...]:
    """The backward pass through a tanh hidden layer, proven entry by entry.

    On the explicit network of :data:`PROOF_SIZES` (m = 2 samples, D = 2 inputs,
    n = 2 hidden units, K = 3 classes, every entry a symbol, λ a symbol) with
    ``J = (1/m) sum_i -sum_k y_k^(i) log h_k^(i) + (λ/2)(||W1||^2 + ||W2||^2)``:

    - ``dJ/d(Z2)_ik = (h_k^(i) sum_k y_k^(i) - y_k^(i))/m = (h_k^(i) - y_k^(i))/m``, the
      second equals sign using ``sum_k y_k^(i) = 1`` (displayed): δ₂ = (H - Y)/m;
    - ``dJ/d(W2)_kj = sum_i (δ2)_ik (A1)_ij + λ (W2)_kj``: δ₂ᵀ A₁ + λ W₂;
    - ``dJ/d(b2)_k = sum_i (δ2)_ik``: the column sums of δ₂;
    - ``dJ/d(A1)_ij = sum_k (δ2)_ik (W2)_kj``: δ₂ W₂;
    - ``dJ/d(Z1)_ij = (sum_k (δ2)_ik (W2)_kj)(1 - (A1)_ij^2)``: δ₁ = (δ₂ W₂) ∘ (1 - A₁²);
    - ``dJ/d(W1)_jl = sum_i (δ1)_ij x_l^(i) + λ (W1)_jl``: δ₁ᵀ X + λ W₁;
    - ``dJ/d(b1)_j = sum_i (δ1)_ij``.

    Every derivative by a weight or a bias is of the whole network's J.  δ₂ is
    displayed (``where``) in the output layer's claims and δ₁ in the claims by
    Z₁; the claims after them use them as the model uses ``h`` and A₁ = tanh(Z₁)
    (context definitions, the same values), so that every display fits a screen.
    Every claim but the first ones' first equals sign uses δ₂ = (H - Y)/m, hence
    ``sum_k y_k = 1``, and displays it.

    Returns
    -------
    tuple of Step
        Keys ``"dZ2_ik"``, ``"dW2_kj"``, ``"db2_k"``, ``"dA1_ij"``, ``"dZ1_ij"``,
        ``"dW1_jl"``, ``"db1_j"`` (1-based).

    Examples
    --------
    >>> steps = {s.key: s for s in backprop_proofs()}
    >>> steps["dW1_12"].check(), steps["dW1_12"].check(one_hot=False)
    ((True,), (False,))
    """
    s = _symbols()
    m, d, n, K = (PROOF_SIZES[k] for k in "mdnK")
    out, mid, hid, full = (_context(f) for f in ("Z2", "A1", "Z1", "params"))
    steps = []
    for i in range(m):
        for k in range(K):
            with sp.evaluate(False):
                general = sp.Mul(sp.Add(s.h[i][k] * sp.Add(*s.y[i]), -s.y[i][k]),
                                 sp.Pow(m, -1))  # fmt: skip
            steps.append(claim(
                f"dZ2_{i + 1}{k + 1}", "δ₂: the gradient by a logit",
                sp.Derivative(s.J, s.Z2[i][k]), [general, _delta2(i, k)[1]], out, one_hot_from=1,
                title=rf"{{\delta}}_2\text{{: by }} "
                rf"(Z_2)_{{{i + 1}{k + 1}}}"))  # fmt: skip
    for k in range(K):
        for j in range(n):
            with sp.evaluate(False):
                rhs = sp.Add(*(s.d2[i][k] * s.A1[i][j] for i in range(m)), s.lam * s.W2[k][j])
            steps.append(claim(
                f"dW2_{k + 1}{j + 1}", "δ₂ᵀA₁ + λW₂", sp.Derivative(s.J, s.W2[k][j]), [rhs], full,
                where=tuple(_delta2(i, k) for i in range(m)), one_hot_from=0,
                title=rf"\text{{by }} (W_2)_{{{k + 1}{j + 1}}}"))  # fmt: skip
    for k in range(K):
        steps.append(claim(
            f"db2_{k + 1}", "the column sums of δ₂", sp.Derivative(s.J, s.b2[k]),
            [sp.Add(*(s.d2[i][k] for i in range(m)))], full,
            where=tuple(_delta2(i, k) for i in range(m)), one_hot_from=0,
            title=rf"\text{{by }} (b_2)_{{{k + 1}}}"))  # fmt: skip
    for i in range(m):
        for j in range(n):
            steps.append(claim(
                f"dA1_{i + 1}{j + 1}", "δ₂W₂", sp.Derivative(s.J, s.A1[i][j]),
                [sp.Add(*(s.d2[i][k] * s.W2[k][j] for k in range(K)), evaluate=False)], mid,
                one_hot_from=0,
                title=rf"\text{{by }} (A_1)_{{{i + 1}{j + 1}}}"))  # fmt: skip
    for i in range(m):
        for j in range(n):
            steps.append(claim(
                f"dZ1_{i + 1}{j + 1}", "δ₁ = (δ₂W₂) ∘ (1 − A₁²)", sp.Derivative(s.J, s.Z1[i][j]),
                [s.d1[i][j]], hid, where=(_delta1(i, j),),
                one_hot_from=0, title=rf"{{\delta}}_1\text{{: by }} "
                rf"(Z_1)_{{{i + 1}{j + 1}}}"))  # fmt: skip
    for j in range(n):
        for l in range(d):
            with sp.evaluate(False):
                rhs = sp.Add(*(s.d1[i][j] * s.x[i][l] for i in range(m)), s.lam * s.W1[j][l])
            steps.append(claim(
                f"dW1_{j + 1}{l + 1}", "δ₁ᵀX + λW₁", sp.Derivative(s.J, s.W1[j][l]), [rhs], full,
                one_hot_from=0,
                title=rf"\text{{by }} (W_1)_{{{j + 1}{l + 1}}}"))  # fmt: skip
    for j in range(n):
        steps.append(claim(
            f"db1_{j + 1}", "the column sums of δ₁", sp.Derivative(s.J, s.b1[j]),
            [sp.Add(*(s.d1[i][j] for i in range(m)))], full, one_hot_from=0,
            title=rf"\text{{by }} (b_1)_{{{j + 1}}}"))  # fmt: skip
    return tuple(steps)


@functools.cache
def tanh_proofs() -> tuple[Step]:
    """f' for f = tanh: ``d tanh(a)/da = 1 - tanh(a)^2``, so f'(Z1) = 1 - A1² entry by entry.

    (The proofs of :func:`backprop_proofs` write tanh with one exponential,
    ``tanh(a) = 1 - 2/(e^{2a} + 1)``, which the prover renames; the tests check
    that this is tanh.)

    Returns
    -------
    tuple of Step
        ``"tanh'"``.

    Examples
    --------
    >>> [s.holds() for s in tanh_proofs()]
    [True]
    """
    a = sp.Symbol("a", real=True)
    with sp.evaluate(False):
        rhs = sp.Add(1, -(sp.tanh(a) ** 2))
    return (
        claim("tanh'", "the derivative of tanh", sp.Derivative(sp.tanh(a), a), [rhs],
              Context({}), title=r"f' \text{ for } f = \tanh"),
    )  # fmt: skip


@functools.cache
def regulariser_proofs() -> tuple[Step, Step, Step]:
    """The L2 penalty's gradient: (λ/2)‖W‖² gives λW, λ‖W‖² gives 2λW (a 2 × 2 W, entries
    symbols).

    Returns
    -------
    half : Step
        ``dR/dW = λW`` for ``R = (λ/2)‖W‖²``: the convention of :func:`loss`.
    whole : Step
        ``dR/dW = 2λW`` for ``R = λ‖W‖²``.
    refuted : Step
        The claim ``dR/dW = λW`` for ``R = λ‖W‖²``; ``holds()`` is False, so a
        notebook shows its verdict (with a counterexample), not its display.

    Examples
    --------
    >>> [s.holds() for s in regulariser_proofs()]
    [True, True, False]
    """
    lam = sp.Symbol(r"\lambda", positive=True)
    R = sp.Symbol("R")
    W = sp.ImmutableMatrix(2, 2, lambda j, l: sp.Symbol(f"W_{{{j + 1}{l + 1}}}"))
    dR = sp.ImmutableMatrix(2, 2, lambda j, l: sp.Derivative(R, W[j, l]))
    squares = sp.Add(*(w**2 for w in W), evaluate=False)
    with sp.evaluate(False):
        half, whole = sp.Mul(lam / 2, squares), sp.Mul(lam, squares)
    ctx = Context({})
    return (
        claim("(λ/2)‖W‖²", "(λ/2)‖W‖² gives λW", dR, [lam * W], ctx, where=((R, half),),
              title=r"\tfrac{\lambda}{2} \lVert W \rVert^2 \text{ gives } \lambda W"),
        claim("λ‖W‖²", "λ‖W‖² gives 2λW", dR, [2 * lam * W], ctx, where=((R, whole),),
              title=r"\lambda \lVert W \rVert^2 \text{ gives } 2 \lambda W"),
        claim("λ‖W‖² refuted", "λ‖W‖² does not give λW", dR, [lam * W], ctx,
              where=((R, whole),), title=r"\lambda \lVert W \rVert^2 \text{ gives } \lambda W"),
    )  # fmt: skip
