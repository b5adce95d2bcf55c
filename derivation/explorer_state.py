"""What the explorers show, as pure functions: numbers in, numbers out, no widgets.

The widgets in :mod:`derivation.widgets` read their controls, call one of these
functions and draw the result; the tests call the same functions without
ipywidgets.  Every number comes from :mod:`derivation.numeric` and
:mod:`derivation.article`.

- :func:`logits_state`: logits z, temperature T and the true class in; the
  hypotheses h = softmax(z / T), their Jacobian by z, (diag(h) - hh^T) / T, with
  its properties (symmetry, row sums, eigenvalues, rank), the gradient of the
  loss by z, (h - y) / T, and the loss out.  Every quantity is a derivative by z
  itself, so the views of one state agree: the gradient is the Jacobian's
  transpose times dJ/dh.
- :func:`article_state`: the article's Θ, x_1 and label in; h, the Jacobian,
  Parts I-III of dJ/dΘ_10 and dJ/dΘ_11, their sums and (h_1 - y_1) x_j out.
- :func:`training_state`: a gradient-descent run and a step in; Θ, the cost, the
  accuracy and h along x_1 out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import article, numeric, stability

__all__ = ["RANK_TOLERANCE", "article_state", "logits_state", "training_state"]

#: eigenvalues below this, relative to the largest one (or to 1), count as zero for the rank
RANK_TOLERANCE = 1e-12


def logits_state(z: ArrayLike, temperature: float = 1.0, true_class: int = 0) -> dict:
    """Everything the logits explorer shows, for logits ``z``.

    Parameters
    ----------
    z : array_like, shape (K,)
        The logits, K >= 2.
    temperature : float, default 1.0
        T > 0; the hypotheses are softmax(z / T).
    true_class : int, default 0
        The label's class, 0-based (class ``true_class + 1`` in the article's counting).

    Returns
    -------
    dict
        ``z``, ``temperature``, ``true_class``; ``h`` (also under ``p``), shape (K,);
        ``jacobian``, shape (K, K), dh_k/dz_l = (diag(h) - hh^T) / T (by z, not by
        z / T: the chain rule's 1/T included); ``gradient``, shape (K,),
        dJ/dz = (h - y) / T; ``loss``; ``naive_h``, the naive softmax
        (NaN where it fails); ``eigenvalues`` (ascending), ``rank`` (eigenvalues
        above ``eigenvalue_tolerance``, ``RANK_TOLERANCE`` times the largest or 1),
        ``symmetric`` and ``row_sums``.

    Raises
    ------
    ValueError
        If ``z`` is not one row of at least two finite logits, T is not positive,
        or the class is out of range.

    Examples
    --------
    >>> s = logits_state([2.0, 1.0, 0.1], temperature=1.0, true_class=0)
    >>> s["rank"], bool(abs(s["h"].sum() - 1) < 1e-15), s["symmetric"]
    (2, True, True)
    >>> hot = logits_state([2.0, 1.0, 0.1], temperature=10.0)
    >>> bool(np.allclose(hot["jacobian"], numeric.softmax_jacobian(hot["z"] / 10) / 10))
    True
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"z must be one row of at least two logits, got shape {z.shape}")
    T = float(temperature)
    if not T > 0 or not np.isfinite(T):
        raise ValueError(f"the temperature T must be a positive number, got {temperature!r}")
    c = int(true_class)
    if not 0 <= c < z.size:
        raise ValueError(f"true_class must be one of 0..{z.size - 1}, got {true_class!r}")
    u = z / T
    h = numeric.softmax(u)
    jacobian = numeric.softmax_jacobian(u) / T  # dh/dz = (dh/du)(du/dz), du/dz = 1/T
    loss, g = numeric.cross_entropy_and_grad(u[None, :], [c])
    eigenvalues = np.linalg.eigvalsh(jacobian)
    tol = RANK_TOLERANCE * max(1.0, float(np.abs(eigenvalues).max()))
    return {
        "z": z, "temperature": T, "true_class": c, "h": h, "jacobian": jacobian,
        "gradient": g[0] / T, "loss": float(loss), "naive_h": stability.naive_softmax(u),
        "eigenvalues": eigenvalues, "rank": int((np.abs(eigenvalues) > tol).sum()),
        "eigenvalue_tolerance": tol,
        "symmetric": bool(np.array_equal(jacobian, jacobian.T)),
        "row_sums": jacobian.sum(axis=1),
    }  # fmt: skip


def article_state(theta: ArrayLike, x1: float, label: int) -> dict:
    """Everything the article explorer shows, for one sample of the article's model.

    Parameters
    ----------
    theta : array_like, shape (3, 2)
        Θ, rows (Θ_k0, Θ_k1).
    x1 : float
        The feature x_1 (x_0 = 1).
    label : int
        The sample's class, 0-based.

    Returns
    -------
    dict
        ``theta``, ``x1``, ``y``; ``h``, shape (3,); ``jacobian``, shape (3, 3);
        ``parts``, shape (3, 2): Part I, II, III (rows) of dJ/dΘ_10 and dJ/dΘ_11
        (columns); ``totals``, their sums; ``expected``, shape (2,): the
        gradient's row of class 1, (h_1 - y_1) x_j, which the totals equal.

    Examples
    --------
    >>> s = article_state([[0.2, -1.0], [0.0, 0.5], [-0.3, 0.8]], 0.5, 0)
    >>> bool(np.allclose(s["totals"], s["expected"]))
    True
    """
    theta = np.asarray(theta, dtype=float)
    x1, y = float(x1), int(label)
    X = article.design_matrix([x1])
    parts = np.column_stack([article.article_parts(theta, x1, y, 0, j) for j in (0, 1)])
    return {
        "theta": theta, "x1": x1, "y": y, "h": article.hypotheses(theta, X)[0],
        "jacobian": numeric.softmax_jacobian(X[0] @ theta.T), "parts": parts,
        "totals": parts.sum(axis=0), "expected": article.theta_grad(theta, X, [y])[0],
    }  # fmt: skip


def training_state(history, iteration: int, x_grid: ArrayLike) -> dict:
    """What the training explorer shows after ``iteration`` steps of a run.

    Parameters
    ----------
    history : derivation.training.History
        A gradient-descent run (``thetas``, ``losses``, ``accuracy``).
    iteration : int
        The step, from 0 to the run's length.
    x_grid : array_like, shape (n,)
        Where to evaluate h along x_1.

    Returns
    -------
    dict
        ``iteration``, ``theta``, ``loss``, ``accuracy`` and ``h``, shape (n, K).

    Raises
    ------
    ValueError
        If the step is not in the run.
    """
    i = int(iteration)
    if not 0 <= i < len(history.thetas):
        raise ValueError(f"iteration must be one of 0..{len(history.thetas) - 1}, got {iteration}")
    theta = history.thetas[i]
    H = article.hypotheses(theta, article.design_matrix(np.asarray(x_grid, dtype=float)))
    return {
        "iteration": i, "theta": theta, "loss": float(history.losses[i]),
        "accuracy": float(history.accuracy[i]), "h": H,
    }  # fmt: skip
