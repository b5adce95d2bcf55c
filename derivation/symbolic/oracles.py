"""Independent checks in SymPy: SymPy's own gradient as a NumPy function, and the
student's Jacobian route (second seed) as two proven claims."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

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

    def is_jacobian(self, matrix, names=None) -> bool:
        """Prove that ``matrix`` is the softmax Jacobian, whatever form its entries are written in.

        Each entry is proven equal to ``dh_k/dz_l`` itself, so ``h_1 (1 - h_1)``
        and ``h_1 - h_1**2`` both pass, where Python's ``==`` compares how the
        entries are written and would call them different.

        Parameters
        ----------
        matrix : sympy matrix, shape (K, K)
            Entry (k, l) is the claimed ``dh_k/dz_l``.
        names : sequence of K sympy.Symbol, optional
            The symbols ``matrix`` uses for ``h_1 .. h_K`` (default: this
            route's ``p``), e.g. ones made with ``positive=True``.

        Returns
        -------
        bool
            True when every entry is proven equal to the derivative.

        Raises
        ------
        ValueError
            If ``matrix`` is not K x K, or ``names`` are not K symbols.

        Examples
        --------
        >>> route = jacobian_route(2)
        >>> h1, h2 = route.p
        >>> route.is_jacobian(sp.Matrix([[h1 - h1**2, -h1 * h2], [-h1 * h2, h2 - h2**2]]))
        True
        >>> route.is_jacobian(sp.diag(h1 - h1**2, h2 - h2**2))
        False
        """
        K = len(self.p)
        shape = getattr(matrix, "shape", None)
        if not isinstance(matrix, (sp.MatrixBase, sp.MatrixExpr)) or shape != (K, K):
            raise ValueError(f"expected a {K} x {K} SymPy matrix, got {shape or type(matrix)}")
        names = tuple(self.p if names is None else names)
        if len(names) != K or not all(isinstance(n, sp.Symbol) for n in names):
            raise ValueError(f"names must be {K} SymPy symbols for h_1 .. h_{K}, got {names!r}")
        entries = sp.ImmutableMatrix(matrix).xreplace(dict(zip(names, self.p, strict=True)))
        return replace(self.jacobian_step, chain=(entries,)).holds()

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
        [sp.ImmutableMatrix(jac)],
        ctx,
        title=r"\text{the softmax Jacobian}",
    )
    target = sp.ImmutableMatrix([[hk - yk for hk, yk in zip(h, y, strict=True)]])
    chain_step = claim(  # immutable matrices: a claim is displayed and proven from a cache
        "jacobian route",
        "the gradient by the logits through the Jacobian",
        sp.MatMul(sp.ImmutableMatrix(dJ_dh), sp.ImmutableMatrix(jac), evaluate=False),
        [sp.ImmutableMatrix(chained), target],
        ctx,
        one_hot_from=1,
        title=r"\text{the Jacobian route}",
    )
    return JacobianRoute(z, h, y, dJ_dh, jac, chained, jacobian_step, chain_step)
