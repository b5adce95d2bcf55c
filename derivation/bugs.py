"""Wrong softmax-gradient code that people really wrote, kept for teaching.

Every function here has the signature of :func:`derivation.numeric.cross_entropy_grad`
with ``reduction="sum"`` (logits ``z`` of shape (m, K), labels ``y``) and
computes the gradient of ``J = -sum(Y * log(softmax(z)))`` by the Jacobian route of
the student's question (notebook 04), with ONE mistake.  :func:`derivation.gradcheck.gradcheck`
catches all of them but :func:`transposed_jacobian`, which is not a bug at all.

:data:`SUSPECTS` hands the same six out under neutral letters, in an order that
gives nothing away, for a hunt in which the names would be the answers
(notebook 10); :data:`DIAGNOSES` says which letter is which.

Do not use them for anything but finding what is wrong with them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_logits, class_indices
from .numeric import one_hot, softmax, softmax_jacobian

__all__ = [
    "BUGS",
    "DIAGNOSES",
    "SUSPECTS",
    "diagonal_only",
    "factor_of_two",
    "jacobian_from_logits",
    "mean_instead_of_sum",
    "softmax_twice",
    "transposed_jacobian",
]


def _route(z: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated logits, one-hot labels and probabilities for the route."""
    z = check_logits(z)
    if z.ndim != 2:
        raise ValueError(f"z must be a batch of rows, shape (m, K); got shape {z.shape}")
    Y = one_hot(class_indices(y, z.shape), z.shape[-1])
    return z, Y, softmax(z)


def _chain(dJ_dH: np.ndarray, jacobians: np.ndarray) -> np.ndarray:
    """Row i of dJ/dH times Jacobian i: ``dJ/dz_l = sum_k dJ/dh_k dh_k/dz_l``."""
    return np.einsum("nj,njk->nk", dJ_dH, jacobians)


def jacobian_from_logits(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Bug: the Jacobian ``diag(s) - s s^T`` is built from the logits s = z, not from h.

    Seen in Data Science SE question 64746: the softmax derivative written
    with the layer's input where its output belongs, giving entries like
    ``z (1 - z)``.
    """
    z, Y, H = _route(z, y)
    wrong = np.einsum("nj,jk->njk", z, np.eye(z.shape[1])) - z[:, :, None] * z[:, None, :]
    return _chain(-Y / H, wrong)


def diagonal_only(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Bug: only the diagonal ``h_k (1 - h_k)`` of the Jacobian is kept.

    The "equivalent to sigmoid" derivative (Cross Validated, "Softmax layer in
    a neural network"; jorgenkg/python-neural-network PR #6).  The result is
    ``-y (1 - h)`` instead of ``h - y``: zero for every wrong class.
    """
    _, Y, H = _route(z, y)
    return (-Y / H) * H * (1 - H) + 0.0  # + 0.0 turns the -0.0 of wrong classes into 0.0


def softmax_twice(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Bug: softmax applied to probabilities that already are softmax outputs.

    A softmax layer followed by a loss that expects logits and applies softmax
    again (a classic in framework questions).  The gradient comes out as
    ``softmax(h) - y``: squashed towards the uniform distribution, because
    ``h`` lies in [0, 1] and its softmax is nearly flat.
    """
    _, Y, H = _route(z, y)
    return softmax(H) - Y


def mean_instead_of_sum(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Bug: the gradient of the MEAN loss returned for the SUM loss (off by m).

    janchorowski/nn_assignments PR #21; the CS231n notes warn about it.  Right
    direction, wrong size: every entry is divided by the batch size m.
    """
    z, Y, H = _route(z, y)
    return _chain(-Y / H, softmax_jacobian(z)) / z.shape[0]


def factor_of_two(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Bug: ``2 (h - y)``, a factor of two from a derivative taken twice over.

    markroxor/fromscratchtoml issue #65.
    """
    z, Y, H = _route(z, y)
    return 2 * _chain(-Y / H, softmax_jacobian(z))


def transposed_jacobian(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Not a bug: the Jacobian transposed, ``J^T`` instead of ``J``.

    The softmax Jacobian ``diag(h) - h h^T`` is symmetric, so ``J^T = J`` and
    the result is exactly right.  (For a function whose Jacobian is not
    symmetric the same slip would be a real bug.)
    """
    z, Y, H = _route(z, y)
    return _chain(-Y / H, np.swapaxes(softmax_jacobian(z), 1, 2))


#: name -> (function, is it really wrong?)
BUGS = {
    "Jacobian from the logits": (jacobian_from_logits, True),
    "diagonal only": (diagonal_only, True),
    "softmax applied twice": (softmax_twice, True),
    "mean instead of sum": (mean_instead_of_sum, True),
    "factor of two": (factor_of_two, True),
    "transposed Jacobian": (transposed_jacobian, False),
}


def _anonymous(function: Callable, letter: str) -> Callable:
    """``function`` under the name ``suspect_<letter>``, with a docstring that says nothing.

    Not :func:`functools.wraps`: that would keep the telling name and docstring
    (and ``__wrapped__``), which ``help()`` and the repr would show.
    """

    def suspect(z: ArrayLike, y: ArrayLike) -> np.ndarray:
        return function(z, y)

    suspect.__name__ = suspect.__qualname__ = f"suspect_{letter}"
    suspect.__doc__ = (
        f"Suspect {letter}: claims to return ∂J/∂z = h − y.\n\n"
        "Logits z of shape (m, K) and labels y of shape (m,) in, an (m, K) gradient out."
    )
    return suspect


#: letter -> the name of its mistake in :data:`BUGS` (the hunt's answers)
DIAGNOSES = {
    "A": "softmax applied twice",
    "B": "Jacobian from the logits",
    "C": "diagonal only",
    "D": "transposed Jacobian",
    "E": "factor of two",
    "F": "mean instead of sum",
}
#: letter -> the suspect under a neutral name (the same function as in :data:`BUGS`)
SUSPECTS = {letter: _anonymous(BUGS[name][0], letter) for letter, name in DIAGNOSES.items()}
