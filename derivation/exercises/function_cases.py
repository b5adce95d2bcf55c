"""The inputs :func:`~derivation.exercises.check_function` runs a learner's function on.

What lives here: :func:`cases`, the test batches of each task (each a
:class:`Case`: its inputs, the package's answer and the tolerance), and
:func:`mistakes`, the known wrong implementations of each task (each a
:class:`Mistake`: what it returns and the hint that names it).  The batches
are chosen to expose the mistakes people really make (notebooks 05 and 10):

=================  ===========================================================
kind               what it catches
=================  ===========================================================
``ordinary``       seeded random rows: the formula itself, axes, shapes
``two classes``    K = 2: code that assumes a number of classes
``long row``       K = 1000: the same, and long sums
``many rows``      257 rows: code that assumes a batch size (a fixed block of
                   32 that drops the rest, a hard-coded number of rows)
``confident``      one class ahead by about 70: the others near 1e-30, which a
                   clip (at 1e-15, 1e-7, ...) or a flush to zero changes
``extreme row``    one row ``[1000, 0, -1000]``: exp without the max shift
``far apart``      an ordinary row beside ``[1000, ...]`` and ``[-1000, ...]``:
                   one maximum for the whole batch instead of each row's
``near equal``     two large, nearly equal logits: clipping, ``nan_to_num``
``very negative``  every logit near -1000: exp underflows to 0, 0/0
``float32``        float32 input: precision kept, exp overflow at 88.7
=================  ===========================================================

The answer of each batch is the package's (:mod:`derivation.numeric`),
computed in float64 from the inputs as given.  An entry is right when
``|mine - right| <= rtol |right| + atol``.

``rtol`` is 1e-12 for float64 input.  A right float64 softmax is within a
few ulps, except that one computed as ``exp(z - logsumexp(z))`` carries the
rounding of ``m + log(s)``, half an ulp of the largest logit: up to 5.7e-14
relative at ``|z| = 1000``.  Measured over the 14 right implementations of
tests/test_check_function.py and seeds 0 to 199, the largest relative error
beyond ``atol`` was 3.3e-14 (the far-apart batch, through logsumexp), 4.7e-15
on the random batches: 1e-12 leaves a margin of 30.  It is not tighter, so
an epsilon added to a shifted softmax's denominator (a sum between 1 and K)
shows only when it is above about 1e-12 times the sum: 1e-11 shows on the
ordinary rows, 1e-13 cannot be told apart from rounding and is not caught.
For float32 input ``rtol`` is 3e-5 (about 250 ulps: exp of a shifted logit
``d`` carries ``|d|`` half-ulps of the shift's rounding).

``atol`` is the smallest normal number for probabilities (entries below it
are zero to any method), so that a tiny probability is compared in relative
terms: 1e-15 where the answer is 1e-30 is wrong.  For gradients it is 64
ulps of each entry's scale: of 1 where ``y = 1`` (``p - 1`` is rightly
computed with an absolute error of a few ulps; the package avoids even
that, see :mod:`derivation.numeric`, but a learner's ``p - y`` is not wrong
for lacking it), none where ``y = 0`` (there ``p - 0`` is exactly ``p``),
and for ``(H - Y)ᵀX`` the sum of the sizes of its terms,
``(|H - Y| + Y)ᵀ|X|`` (the rounding of a sum is relative to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import numeric

__all__ = ["Case", "Mistake", "cases", "mistakes"]

#: the relative tolerance for each input precision
RTOL = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 3e-5}
#: the probability floors people clip at (1e-7 is Keras's epsilon)
CLIPS = (1e-15, 1e-12, 1e-10, 1e-8, 1e-7)


@dataclass(frozen=True)
class Case:
    """One test batch of a task.

    Attributes
    ----------
    kind : str
        What the batch is for (see the module's docstring).
    about : str
        The batch in words, for messages ("one extreme row").
    args : tuple of ndarray
        The learner's function is called with copies of these.
    names : tuple of str
        Their names, for messages (``("z", "labels")``).
    right : ndarray, float64
        The package's answer.
    logits : ndarray, shape (m, K)
        The logits of each row (``X Θᵀ`` for the article's model), for messages.
    rtol : float
        The relative tolerance (see the module's docstring).
    atol : float or ndarray
        The absolute tolerance, of each entry for gradients (see the module's docstring).
    """

    kind: str
    about: str
    args: tuple[np.ndarray, ...]
    names: tuple[str, ...]
    right: np.ndarray
    logits: np.ndarray
    rtol: float
    atol: float | np.ndarray

    @property
    def dtype(self) -> np.dtype:
        """The precision of the batch's input (of its first argument)."""
        return self.args[0].dtype


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation: what it returns on a batch, and its hint."""

    hint: str
    compute: Callable[..., np.ndarray]

    def on(self, case: Case) -> np.ndarray:
        """What this mistake returns on ``case``, as float64 (its NaN and inf made silently)."""
        with np.errstate(all="ignore"):
            return np.asarray(self.compute(*(a.copy() for a in case.args)), dtype=np.float64)


# --------------------------------------------------------------------------- batches
_EXTREME = [[1000.0, 0.0, -1000.0]]
_FAR = [[0.5, -1.2, 2.0, 0.3], [1000.0, 0.0, 0.0, -3.0], [-1000.0, -1002.0, -999.0, -1000.5]]
_NEAR = [[1000.0, 999.5, 0.0], [710.0, 710.25, -710.0]]
_NEGATIVE = [[-1000.0, -1001.0, -1002.5, -999.0]]
#: one class far ahead: the others' probabilities are about 1e-30 (clipping at 1e-15 shows)
_CONFIDENT = [[70.0, 0.0, 1.5, -3.0], [-2.0, 0.5, 69.0, 1.0]]
#: more rows than a block of 32, 64 or 128, and not a multiple of any
MANY = 257
_TWO = [[3.0, -1.5], [0.0, 40.0], [-2.0, -2.0]]


def _logit_batches(seed: int) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(kind, about, logits, labels) of each batch, in the order they are tried."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(5, 4)) * 2
    labels = rng.integers(0, 4, size=5)
    long = rng.normal(size=(2, 1000)) * 3
    long_labels = rng.integers(0, 1000, size=2)
    single = np.vstack([rng.normal(size=(3, 5)) * 2, [[100.0, 0.0, -100.0, 50.0, -3.0]]])
    many = rng.normal(size=(MANY, 4)) * 2
    many_labels = rng.integers(0, 4, size=MANY)
    return [
        ("ordinary", "ordinary rows", z, labels),
        ("two classes", "K = 2 classes", np.array(_TWO), np.array([0, 1, 1])),
        ("long row", "long rows (K = 1000)", long, long_labels),
        ("many rows", f"many rows (m = {MANY})", many, many_labels),
        (
            "confident",
            "confident rows (the other classes near 1e-30)",
            np.array(_CONFIDENT),
            np.array([0, 3]),
        ),
        ("extreme row", "one extreme row", np.array(_EXTREME), np.array([2])),
        (
            "far apart",
            "a batch where one row is far from another",
            np.array(_FAR),
            np.array([2, 1, 0]),
        ),
        ("near equal", "two large, nearly equal logits", np.array(_NEAR), np.array([1, 0])),
        ("very negative", "logits that are all very negative", np.array(_NEGATIVE), np.array([0])),
        ("float32", "float32 logits", single.astype(np.float32), np.array([0, 4, 2, 1])),
    ]


def _problems(seed: int) -> list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]]:
    """(kind, about, theta, X, Y) of each batch of the article's model, in order."""
    rng = np.random.default_rng(seed)
    X, Y, theta = numeric.example_problem()
    design, one_hot = numeric.design_matrix, numeric.one_hot
    big = np.array([[0.0, 500.0], [0.0, 0.0], [0.0, -500.0]])
    long_labels = rng.integers(0, 1000, size=3)
    many_x = rng.normal(size=MANY) * 2
    many_labels = rng.integers(0, 3, size=MANY)
    return [
        ("ordinary", "the article's example problem", theta, X, Y),
        (
            "two classes",
            "K = 2 classes",
            np.array([[0.5, -1.0], [-0.2, 0.7]]),
            design([-1.0, 0.5, 2.0]),
            one_hot([0, 1, 1], 2),
        ),
        (
            "long row",
            "K = 1000 classes",
            rng.normal(size=(1000, 2)),
            design([-1.0, 0.3, 1.2]),
            one_hot(long_labels, 1000),
        ),
        (
            "many rows",
            f"many samples (m = {MANY})",
            np.array([[0.5, -1.0], [-0.2, 0.7], [0.1, 0.3]]),
            design(many_x),
            one_hot(many_labels, 3),
        ),
        (
            "confident",
            "confident samples (the other classes near 1e-30)",
            np.array([[0.0, 35.0], [0.0, 0.0], [0.0, -35.0]]),
            design([2.0, -2.0]),
            one_hot([0, 2], 3),
        ),
        ("extreme row", "one sample with extreme logits", big, design([2.0]), one_hot([2], 3)),
        (
            "far apart",
            "samples whose logits are far apart",
            big,
            design([0.002, 2.0, -2.0]),
            one_hot([0, 1, 2], 3),
        ),
        (
            "near equal",
            "two large, nearly equal logits",
            np.array([[700.0, 150.0], [700.5, 150.0], [0.0, 1.0]]),
            design([1.0, 2.0]),
            one_hot([1, 0], 3),
        ),
        (
            "very negative",
            "logits that are all very negative",
            np.array([[-1000.0, 0.5], [-1000.5, 0.0], [-999.0, -0.5]]),
            design([-1.0, 1.0]),
            one_hot([0, 2], 3),
        ),
        (
            "float32",
            "float32 inputs",
            theta.astype(np.float32),
            X.astype(np.float32),
            Y.astype(np.float32),
        ),
    ]


def _wide(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64)


def _grad_atol(dtype: np.dtype, scale: np.ndarray) -> np.ndarray:
    """64 ulps of each entry's ``scale`` (at least the smallest normal number).

    ``p - y`` is rightly computed with an absolute error of a few ulps of 1 where
    ``y = 1``, and to the relative precision of ``p`` where ``y = 0``; a sum of
    such terms, to a few ulps of the sum of their sizes.
    """
    info = np.finfo(dtype)
    return np.maximum(64 * float(info.eps) * scale, float(info.tiny))


def cases(task: str, seed: int = 0) -> list[Case]:
    """The test batches of ``task``, in the order they are tried.

    Parameters
    ----------
    task : {"softmax", "cross_entropy_grad", "theta_grad"}
        The task.
    seed : int, default 0
        Seed of the random rows (the ordinary batch, the long rows, float32).

    Returns
    -------
    list of Case
        Ten batches: their kinds are those of the module's docstring.

    Examples
    --------
    >>> [c.kind for c in cases("softmax")][:4]
    ['ordinary', 'two classes', 'long row', 'many rows']
    >>> cases("cross_entropy_grad")[5].right
    array([[ 1.,  0., -1.]])
    """
    if task == "theta_grad":
        out = []
        for kind, about, theta, X, Y in _problems(seed):
            right = numeric.theta_grad(_wide(theta), _wide(X), _wide(Y))
            logits = _wide(X) @ _wide(theta).T
            terms = np.abs(numeric.softmax(logits) - _wide(Y)) + _wide(Y)
            atol = _grad_atol(theta.dtype, terms.T @ np.abs(_wide(X)))
            out.append(
                Case(
                    kind,
                    about,
                    (theta, X, Y),
                    ("theta", "X", "Y"),
                    right,
                    logits,
                    RTOL[theta.dtype],
                    atol,
                )
            )
        return out
    out = []
    for kind, about, z, labels in _logit_batches(seed):
        if task == "softmax":
            args, names = (z,), ("z",)
            right = numeric.softmax(_wide(z))
            atol = float(np.finfo(z.dtype).tiny)
        else:
            args, names = (z, labels), ("z", "labels")
            right = numeric.cross_entropy_grad(_wide(z), labels)
            y = numeric.one_hot(labels, z.shape[-1])
            atol = _grad_atol(z.dtype, y)
        out.append(Case(kind, about, args, names, right, _wide(z), RTOL[z.dtype], atol))
    return out


# --------------------------------------------------------------------------- known mistakes
_CLIPPED = (
    "the probabilities are clipped: that changes every answer below the clip (a probability "
    "of 1e-30 is not 1e-15); after the max shift nothing needs a clip (only log(h) would, and "
    "log-softmax avoids even that)"
)
_SHIFT = "exp overflows above 709 (88.7 in float32): subtract each row's maximum before exp"
_GLOBAL = (
    "did you subtract one maximum for the whole batch instead of each row's? "
    "Use z.max(axis=-1, keepdims=True)"
)


_WHOLE = (
    "normalised by the sum of the whole batch: each row must sum to 1, "
    "e.sum(axis=-1, keepdims=True)"
)


def _normalise(e: np.ndarray, axis: int | None = -1) -> np.ndarray:
    return e / e.sum(axis=axis, keepdims=axis is not None)


def _naive(z: np.ndarray) -> np.ndarray:
    return _normalise(np.exp(z))


def _global(z: np.ndarray) -> np.ndarray:
    return _normalise(np.exp(z - z.max()))


def _columns(z: np.ndarray) -> np.ndarray:
    """Softmax down each column, over the samples: the wrong axis."""
    return _normalise(np.exp(z - z.max(axis=0, keepdims=True)), axis=0)


def _shifted(z: np.ndarray) -> np.ndarray:
    return np.exp(z - z.max(axis=-1, keepdims=True))


def _clip(
    eps: float,
    top: float | None,
    softmax_of: Callable[..., np.ndarray],
    y_of: Callable[..., np.ndarray] | None = None,
) -> Callable[..., np.ndarray]:
    """The softmax (or ``p - y``) with the probabilities clipped to [eps, top]."""

    def clipped(*args: np.ndarray) -> np.ndarray:
        p = np.clip(softmax_of(*args), eps, top)
        return p if y_of is None else p - y_of(*args)

    return clipped


def _softmax_mistakes() -> list[Mistake]:
    def wrong_axis_max(z):
        return _normalise(np.exp(z - z.max(axis=0, keepdims=True)))

    return [
        Mistake(_SHIFT, _naive),
        Mistake(_GLOBAL, _global),
        Mistake(
            "NaN hidden by nan_to_num: the NaN came from exp overflowing; "
            "subtract each row's maximum before exp instead",
            lambda z: np.nan_to_num(_naive(z)),
        ),
        Mistake(
            "the maximum is taken over the wrong axis: the classes are on the last axis, "
            "z.max(axis=-1, keepdims=True)",
            wrong_axis_max,
        ),
        Mistake(
            "normalised over the wrong axis: each row must sum to 1, e.sum(axis=-1, keepdims=True)",
            _columns,
        ),
        Mistake(
            "normalised over the wrong axis: each row must sum to 1, e.sum(axis=-1, keepdims=True)",
            lambda z: _normalise(_shifted(z), axis=0),
        ),
        Mistake(
            "normalised over the wrong axis: each row must sum to 1, e.sum(axis=-1, keepdims=True)",
            lambda z: _normalise(np.exp(z), axis=0),
        ),
        Mistake(_WHOLE, lambda z: _normalise(_shifted(z), axis=None)),
        Mistake(_WHOLE, lambda z: _normalise(np.exp(z), axis=None)),
        Mistake("not normalised: divide exp by each row's sum", _shifted),
        Mistake("not normalised: divide exp by each row's sum", np.exp),
        Mistake("that is log-softmax: the softmax is its exp", numeric.log_softmax),
        *(
            Mistake(_CLIPPED, _clip(eps, top, lambda z: numeric.softmax(_wide(z))))
            for eps in CLIPS
            for top in (1 - eps, None)
        ),
        Mistake(
            "that is the sigmoid of each logit: softmax divides exp(z) by its row's sum",
            lambda z: 1 / (1 + np.exp(-z)),
        ),
    ]


def _p_minus_y_mistakes(
    softmax_of: Callable[..., np.ndarray],
    y_of: Callable[..., np.ndarray],
    samples: Callable[..., int],
    apply: Callable[..., np.ndarray],
) -> list[Mistake]:
    """The mistakes of p - y, shared by both gradients: ``apply(g, *args)`` makes the result."""

    def made(fn):
        return lambda *args: apply(fn(softmax_of(*args), y_of(*args), samples(*args)), *args)

    return [
        Mistake(
            "the labels are missing: the gradient is h − y, not the hypotheses h alone",
            made(lambda p, y, m: p),
        ),
        Mistake(
            "the sign is flipped: the gradient of the loss is h − y, not y − h",
            made(lambda p, y, m: y - p),
        ),
        Mistake(
            "divided by the number of samples: the task's loss is a sum, so the gradient "
            "has no 1/m",
            made(lambda p, y, m: (p - y) / m),
        ),
        Mistake(
            "a factor of two too many: the gradient is h − y", made(lambda p, y, m: 2 * (p - y))
        ),
        Mistake(
            "softmax applied twice: the gradient is softmax(z) − y, not softmax(h) − y",
            made(lambda p, y, m: numeric.softmax(p) - y),
        ),
        Mistake(
            "diagonal-only Jacobian: ∂p_i/∂z_k = −p_i p_k for i ≠ k was dropped; "
            "the whole chain rule gives h − y",
            made(lambda p, y, m: y * (p - 1)),
        ),
    ]


def _as_is(g: np.ndarray, *args: np.ndarray) -> np.ndarray:
    return g


def _to_theta(g: np.ndarray, theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return g.T @ _wide(X)


def _gradient_mistakes() -> list[Mistake]:
    def one_hot(z, labels):
        return numeric.one_hot(labels, z.shape[-1])

    def minus_y_over_p(z, labels):  # the Jacobian route through -y/p
        p, y = numeric.softmax(_wide(z)), one_hot(z, labels)
        jac = p[:, :, None] * (np.eye(p.shape[1]) - p[:, None, :])
        return np.einsum("ij,ijk->ik", -y / p, jac)

    return [
        *_p_minus_y_mistakes(
            lambda z, labels: numeric.softmax(_wide(z)), one_hot, lambda z, labels: len(z), _as_is
        ),
        Mistake(_SHIFT, lambda z, labels: _naive(_wide(z)) - one_hot(z, labels)),
        Mistake(_GLOBAL, lambda z, labels: _global(_wide(z)) - one_hot(z, labels)),
        Mistake(
            "−y/p divides by a probability that underflowed to 0; the chain rule through "
            "the Jacobian simplifies to h − y, which divides by nothing",
            minus_y_over_p,
        ),
        *(
            Mistake(_CLIPPED, _clip(eps, top, lambda z, labels: numeric.softmax(_wide(z)), one_hot))
            for eps in CLIPS
            for top in (1 - eps, None)
        ),
        Mistake(
            "that is z − y: the gradient is softmax(z) − y",
            lambda z, labels: _wide(z) - one_hot(z, labels),
        ),
    ]


def _theta_mistakes() -> list[Mistake]:
    def logits(theta, X):
        return _wide(X) @ _wide(theta).T

    def h_of(theta, X, Y):
        return numeric.softmax(logits(theta, X))

    def y_of(theta, X, Y):
        return _wide(Y)

    def transposed(theta, X, Y):
        return _wide(X).T @ (h_of(theta, X, Y) - _wide(Y))

    return [
        Mistake("transposed: ∂J/∂Θ = (H − Y)ᵀX has one row per class", transposed),
        *_p_minus_y_mistakes(h_of, y_of, lambda t, X, Y: len(X), _to_theta),
        Mistake(_SHIFT, lambda t, X, Y: _to_theta(_naive(logits(t, X)) - _wide(Y), t, X, Y)),
        Mistake(_GLOBAL, lambda t, X, Y: _to_theta(_global(logits(t, X)) - _wide(Y), t, X, Y)),
        Mistake(
            "the softmax is taken over the samples: H = softmax(XΘᵀ) along each row",
            lambda t, X, Y: _to_theta(_columns(logits(t, X)) - _wide(Y), t, X, Y),
        ),
    ]


def mistakes(task: str) -> list[Mistake]:
    """The known wrong implementations of ``task``, most specific first.

    Examples
    --------
    >>> batch = cases("softmax")[6]  # one row far from another
    >>> np.isnan(mistakes("softmax")[1].on(batch)).any()  # one maximum for all
    np.True_
    """
    if task == "softmax":
        return _softmax_mistakes()
    if task == "cross_entropy_grad":
        return _gradient_mistakes()
    return _theta_mistakes()
