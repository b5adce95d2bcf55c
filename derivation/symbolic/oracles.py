"""Independent checks in SymPy: SymPy's own gradient as a NumPy function, and the
student's Jacobian route (second seed) as two proven claims."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from .claims import Step, claim
from .model import check_classes, logit_model, model

__all__ = ["JacobianRoute", "jacobian_route", "lambdified_gradient"]


@functools.cache
def lambdified_gradient(classes: int = 3):
    """Return SymPy's own ∂J^(i)/∂Θ as a NumPy function (an independent oracle).

    The derivatives are taken by ``sympy.diff`` of the explicit per-sample cost,
    without using any result of the derivation, then compiled by ``lambdify``.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K.

    Returns
    -------
    callable
        ``f(theta, x1, y)`` with ``theta`` of shape (K, 2), ``x1`` a float and
        ``y`` of shape (K,), returning the gradient of one sample's cost as an
        array of shape (K, 2).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambdified_gradient()
    >>> g = f(np.zeros((3, 2)), 2.0, np.array([1.0, 0.0, 0.0]))
    >>> np.round(g, 4).tolist()
    [[-0.6667, -1.3333], [0.3333, 0.6667], [0.3333, 0.6667]]
    """
    import numpy as np

    m = model(classes)
    grad = sp.Matrix(m.classes, 2, lambda k, j: sp.diff(m.cost, m.theta[k, j]))
    f = sp.lambdify((list(m.theta), m.x1, list(m.y)), grad, "numpy")

    def gradient(theta, x1, y):
        theta = np.asarray(theta, dtype=float)
        y = np.asarray(y, dtype=float)
        if theta.shape != (m.classes, 2) or y.shape != (m.classes,):
            raise ValueError(
                f"expected theta of shape ({m.classes}, 2) and y of shape ({m.classes},), "
                f"got {theta.shape} and {y.shape}"
            )
        return np.asarray(f(list(theta.ravel()), float(x1), list(y)), dtype=float)

    return gradient



@dataclass(frozen=True, eq=False, repr=False)
class JacobianRoute:
    """The student's route for one sample, in SymPy (second seed).

    Attributes
    ----------
    z : tuple of Symbol
        Logits ``z_1 .. z_K``.
    p : tuple of Symbol
        Probabilities (the article's ``h_k``) as display symbols.
    y : tuple of Symbol
        Label entries ``y_1 .. y_K``.
    dE_dp : sympy.Matrix, shape (1, K)
        ``-y_k / h_k``, the derivative of ``J = -sum_k y_k log h_k`` by ``h``.
    jacobian : sympy.Matrix, shape (K, K)
        ``diag(h) - h h^T`` in the display symbols.
    chained : sympy.Matrix, shape (1, K)
        ``dE_dp * jacobian``, multiplied out.
    jacobian_step, chain_step : Step
        The two claims, as displayed and proven.
    """

    z: tuple[sp.Symbol, ...]
    p: tuple[sp.Symbol, ...]
    y: tuple[sp.Symbol, ...]
    dE_dp: sp.Matrix
    jacobian: sp.Matrix
    chained: sp.Matrix
    jacobian_step: Step
    chain_step: Step

    def steps(self) -> tuple[Step, Step]:
        """The two claims of the route."""
        return self.jacobian_step, self.chain_step

    def jacobian_holds(self) -> bool:
        """Prove that SymPy's own Jacobian of softmax equals ``diag(h) - h h^T``."""
        return self.jacobian_step.holds()

    def chain_holds(self, *, one_hot: bool = True) -> bool:
        """Prove that ``(-y / h) (diag(h) - h h^T) = h - y`` (needs sum y = 1)."""
        return self.chain_step.holds(one_hot=one_hot)


@functools.cache
def jacobian_route(classes: int = 3) -> JacobianRoute:
    """Build the student's route ``dJ/dz = (-y / h) (diag(h) - h h^T)`` in SymPy.

    Parameters
    ----------
    classes : int, default 3
        Number of classes K, from 2 to 10.

    Returns
    -------
    JacobianRoute
        Its ``jacobian_step`` and ``chain_step`` are the two claims, proven by
        ``holds()``.

    Examples
    --------
    >>> route = jacobian_route(3)
    >>> route.jacobian_holds(), route.chain_holds(), route.chain_holds(one_hot=False)
    (True, True, False)
    """
    K = check_classes(classes)
    z, y, h, _, ctx = logit_model(K)
    dJ_dh = sp.Matrix([[-yk / hk for yk, hk in zip(y, h, strict=True)]])
    jac = sp.Matrix(K, K, lambda a, b: h[a] * (1 - h[a]) if a == b else -h[a] * h[b])
    chained = (dJ_dh * jac).applyfunc(sp.expand)
    partials = sp.ImmutableMatrix(K, K, lambda a, b: sp.Derivative(h[a], z[b]))
    jacobian_step = claim(
        "jacobian",
        "the softmax Jacobian",
        partials,
        [jac],
        ctx,
        title=r"\text{the softmax Jacobian}",
    )
    target = sp.Matrix([[hk - yk for hk, yk in zip(h, y, strict=True)]])
    chain_step = claim(
        "jacobian route",
        "the gradient by the logits through the Jacobian",
        sp.MatMul(dJ_dh, jac, evaluate=False),
        [chained, target],
        ctx,
        one_hot_from=1,
        title=r"\text{the Jacobian route}",
    )
    return JacobianRoute(z, h, y, dJ_dh, jac, chained, jacobian_step, chain_step)
