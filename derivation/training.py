"""Training the article's model by gradient descent, on synthetic data made here.

Everything is seeded and local: the data are drawn from Gaussians around one
centre per class; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from . import numeric

__all__ = ["History", "accuracy", "decision_boundaries", "gradient_descent", "make_data"]

#: class centres for one feature (x_1) and for two features (x_1, x_2)
CENTRES = {1: np.array([[-2.0], [0.0], [2.0]]),
           2: np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]])}  # fmt: skip


def make_data(m: int = 90, *, features: int = 1, spread: float = 0.8, seed: int = 0):
    """A small three-class data set in the article's setting.

    Parameters
    ----------
    m : int, default 90
        Number of samples (a multiple of 3 keeps the classes balanced).
    features : {1, 2}, default 1
        One feature (the article's x_1) or two.
    spread : float, default 0.8
        Standard deviation of each class around its centre.
    seed : int, default 0
        Seed of the random generator: the same seed gives the same data.

    Returns
    -------
    X : ndarray, shape (m, 1 + features)
        Design matrix with the bias column of ones first.
    labels : ndarray of int, shape (m,)
        Classes 0, 1, 2 (the article's classes 1, 2, 3).
    """
    if features not in CENTRES:
        raise ValueError(f"features must be 1 or 2, got {features}")
    if m < 3:
        raise ValueError(f"m must be at least 3 (one sample per class), got {m}")
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 3
    points = CENTRES[features][labels] + rng.normal(scale=spread, size=(m, features))
    return np.column_stack([np.ones(m), points]), labels


@dataclass(frozen=True)
class History:
    """What gradient descent did: parameters, losses and accuracy at every step.

    Attributes
    ----------
    thetas : ndarray, shape (steps + 1, K, n)
        Parameters before the first step and after each step.
    losses : ndarray, shape (steps + 1,)
        The loss being minimised, at each of those parameters.
    cross_entropy : ndarray, shape (steps + 1,)
        The article's cost (5) at each of them, whatever the loss minimised.
    accuracy : ndarray, shape (steps + 1,)
        Fraction of samples whose most probable class is their own.
    """

    thetas: np.ndarray
    losses: np.ndarray
    cross_entropy: np.ndarray
    accuracy: np.ndarray


def accuracy(theta: ArrayLike, X: ArrayLike, labels: ArrayLike) -> float:
    """Fraction of samples whose most probable class is their label."""
    return float(np.mean(np.argmax(np.asarray(X) @ np.asarray(theta).T, axis=1) == labels))


def gradient_descent(
    X: ArrayLike,
    labels: ArrayLike,
    *,
    learning_rate: float = 0.05,
    steps: int = 200,
    theta0: ArrayLike | None = None,
    loss: Literal["cross_entropy", "l2"] = "cross_entropy",
) -> History:
    """Plain gradient descent on the article's model: ``theta -= lr * dLoss/dtheta``.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Design matrix (bias column first).
    labels : array_like of int, shape (m,)
        Classes 0..K-1 (K = 3 unless ``theta0`` says otherwise).
    learning_rate : float, default 0.05
        Step size (the loss is a sum over samples, so it scales with m).
    steps : int, default 200
        Number of steps.
    theta0 : array_like, shape (K, n), optional
        Starting parameters (default zeros, K = 3).
    loss : {"cross_entropy", "l2"}, default "cross_entropy"
        The article's cost (5), whose gradient is ``(H - Y)^T X`` through
        :func:`derivation.numeric.cross_entropy_and_grad`; or an L2 cost on the
        softmax output (:func:`derivation.numeric.l2_loss_and_grad`).

    Returns
    -------
    History
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    theta = np.zeros((3, X.shape[1])) if theta0 is None else np.array(theta0, dtype=float)
    if not learning_rate > 0 or steps < 0:
        raise ValueError(f"need learning_rate > 0 and steps >= 0, got {learning_rate}, {steps}")
    if loss not in ("cross_entropy", "l2"):
        raise ValueError(f"loss must be 'cross_entropy' or 'l2', got {loss!r}")
    step_of = (
        numeric.cross_entropy_and_grad if loss == "cross_entropy" else numeric.l2_loss_and_grad
    )
    thetas, losses, ces, accs = [], [], [], []
    grad_z = np.empty((X.shape[0], theta.shape[0]))
    for i in range(steps + 1):
        z = X @ theta.T
        value, g = step_of(z, labels) if loss == "l2" else step_of(z, labels, out=grad_z)
        thetas.append(theta.copy())
        losses.append(float(value))
        ces.append(
            float(value) if loss == "cross_entropy" else float(numeric.cross_entropy(z, labels))
        )
        accs.append(accuracy(theta, X, labels))
        if i < steps:
            theta = theta - learning_rate * (g.T @ X)
    return History(np.array(thetas), np.array(losses), np.array(ces), np.array(accs))


def decision_boundaries(theta: ArrayLike, x_range: tuple[float, float] = (-5, 5),
                        resolution: int = 20001) -> list[tuple[float, int, int]]:  # fmt: skip
    """Where along x_1 the most probable class changes (one-feature model).

    Returns
    -------
    list of (x_1, class before, class after)
        Classes are 0-based; x_1 to within ``(hi - lo) / (resolution - 1)``.
    """
    theta = np.asarray(theta, dtype=float)
    if theta.shape[1] != 2:
        raise ValueError(
            f"expected the one-feature model, theta of shape (K, 2); got {theta.shape}"
        )
    grid = np.linspace(*x_range, resolution)
    winner = np.argmax(numeric.design_matrix(grid) @ theta.T, axis=1)
    changes = np.flatnonzero(np.diff(winner))
    return [
        (float((grid[i] + grid[i + 1]) / 2), int(winner[i]), int(winner[i + 1])) for i in changes
    ]
