"""Random gradient-check problems with known gradients, for tests/test_gradcheck_noise.py.

A case is a smooth function with its exact gradient (quadratic, cubic, softmax
cross-entropy, and cross-entropy of a linear layer), at a random point, in
float64 or float32, optionally with noise added to ``f`` (deterministic: seeded
by the point's bytes, or an oscillation; or non-deterministic), together with
wrong versions of its gradient: negated, 1.5 times, zero, one entry changed,
transposed, and off by a small relative amount above the stated tolerance.

Two families probe gradcheck's guards (issue B2): "non_analytic" adds a term the
complex step cannot see (np.abs, np.linalg.norm, np.vdot, .real, np.sign), and
"large_step" checks a sine or an exponential with a step ``h`` from 0.05 to 3.5,
mostly outside the asymptotic regime.  A non-analytic term hidden under noise of
``f`` is invisible to the complex step's cross-check with central differences
(their error bound is then larger than the term), so noisy non-analytic cases are
not given to the complex step: that limit is stated in gradcheck's docstring.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from derivation import numeric as N
from derivation.gradcheck import fine_bound

FAMILIES = ("quadratic", "cubic", "cross_entropy", "layer", "non_analytic", "large_step")
NOISES = ("none", "seeded", "oscillation", "random")
PRECISIONS = ("float64", "float32", "float32 inside")  # the last: float64 x, f in float32


@dataclass(frozen=True)
class Case:
    """One problem: ``f``, its exact gradient at ``x``, and what the check is asked with."""

    name: str
    f: Callable[[np.ndarray], object]
    x: np.ndarray
    exact: np.ndarray  # float64, the gradient of the smooth part at x
    grad_dtype: type
    complex_safe: bool
    wiggle: np.ndarray  # the gradient of the oscillation (zero without one)
    h: float | None = None  # the step the check is asked with (None: the default)

    def right(self, method: str) -> np.ndarray:
        """The right gradient for ``method``, in the analytic dtype.

        The complex step differentiates the oscillation exactly, so its right
        gradient includes it; finite differences cannot resolve it (a phase of
        at least 1e4 rad per step): for them it is noise, and the right gradient
        is that of the smooth part.
        """
        full = self.exact + self.wiggle if method == "complex" else self.exact
        return full.astype(self.grad_dtype)


def _seeded_noise(v: np.ndarray, amplitude: float) -> float:
    """Noise that is a deterministic function of the point (a hash of its bytes), in [-a, a]."""
    digest = hashlib.blake2b(np.ascontiguousarray(v).tobytes(), digest_size=8).digest()
    return amplitude * (2 * int.from_bytes(digest, "little") / 2.0**64 - 1)


NON_ANALYTIC = (  # terms whose imaginary part the complex step loses, and their true gradients
    (lambda w: np.linalg.norm(w) ** 2, lambda w: 2 * w),
    (lambda w: np.abs(w).sum(), np.sign),
    (lambda w: np.vdot(w, w), lambda w: 2 * w),
    (lambda w: (w**2).real.sum(), lambda w: 2 * w),
    (lambda w: np.sign(w).sum(), np.zeros_like),
)


def smooth_problem(family: str, rng: np.random.Generator) -> tuple[Callable, Callable, np.ndarray]:
    """``(f, grad, x)`` for a family: ``f`` works on float32, float64 and complex input
    (for "non_analytic", wrongly: it drops the imaginary part of one term)."""
    if family == "non_analytic":
        n = int(rng.integers(2, 7))
        c, weight = rng.normal(size=n), float(10 ** rng.uniform(-2, 0.5))
        term, term_grad = NON_ANALYTIC[int(rng.integers(len(NON_ANALYTIC)))]
        return (
            (lambda v: (c * v**3).sum() + weight * term(v)),
            (lambda v: 3 * c * v**2 + weight * term_grad(v)),
            rng.normal(size=n),
        )
    if family == "large_step":
        n, a = int(rng.integers(2, 6)), float(rng.uniform(0.5, 4))
        if rng.integers(2):
            return (
                (lambda v: np.sin(a * v).sum()),
                (lambda v: a * np.cos(a * v)),
                rng.normal(size=n),
            )
        x = rng.normal(size=n) * 0.7
        return (lambda v: np.exp(a * v).sum()), (lambda v: a * np.exp(a * v)), x
    if family == "quadratic":
        n = int(rng.integers(2, 7))
        root = rng.normal(size=(n, n))
        A, b = root @ root.T * rng.uniform(0.1, 3), rng.normal(size=n)
        return (lambda v: 0.5 * v @ (A @ v) + b @ v), (lambda v: A @ v + b), rng.normal(size=n)
    if family == "cubic":
        n = int(rng.integers(2, 7))
        c, d = rng.normal(size=n), rng.normal(size=n)
        return (
            (lambda v: (c * v**3).sum() + ((d * v).sum()) ** 2),
            (lambda v: 3 * c * v**2 + 2 * (d * v).sum() * d),
            rng.normal(size=n) * rng.uniform(0.3, 2),
        )
    m, k = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    y = rng.integers(0, k, m)
    if family == "cross_entropy":
        scale = float(10 ** rng.uniform(-1, 1.3))
        return (
            (lambda v: N.cross_entropy(v, y)),
            (lambda v: N.cross_entropy_grad(v, y)),
            rng.normal(size=(m, k)) * scale,
        )
    W = rng.normal(size=(k, k))  # a square layer, so that its gradient can be transposed
    x = rng.normal(size=(k, k))
    X = rng.normal(size=(m, k))
    return (
        (lambda v: N.cross_entropy(X @ v @ W, y)),
        (lambda v: X.T @ N.cross_entropy_grad(X @ v @ W, y) @ W.T),
        x,
    )


def make_case(
    family: str,
    noise: str,
    amplitude: float,
    precision: str,
    seed: int,
) -> Case:
    """A case (see the module's docstring); ``amplitude`` is the noise's size, relative to f."""
    rng = np.random.default_rng(seed)
    smooth, grad, x = smooth_problem(family, rng)
    h = float(10 ** rng.uniform(np.log10(0.05), np.log10(3.5))) if family == "large_step" else None
    x = x.astype(np.float32) if precision == "float32" else x
    size = max(1.0, abs(float(np.real(smooth(x)))))
    amp = amplitude * size
    chaos = np.random.default_rng(seed + 1)
    freq = rng.normal(size=x.shape) * 1e12

    def noisy(v):
        inside = v.astype(np.float32) if precision == "float32 inside" else v
        value = smooth(inside)
        if noise == "seeded":
            value = value + _seeded_noise(v, amp)
        elif noise == "oscillation":  # centred on the point, so that its phase is exact there
            with np.errstate(over="ignore", invalid="ignore"):  # sin(1e12 i h): inf at a large h
                value = value + amp * np.sin((freq * (v - x)).sum())
        elif noise == "random":
            value = value + amp * chaos.normal()
        return value

    grad_dtype = np.float32 if precision == "float32" else np.float64
    exact = np.asarray(grad(x.astype(np.float64)), dtype=np.float64)
    complex_safe = precision != "float32 inside" and (family != "non_analytic" or noise == "none")
    wiggle = amp * freq if noise == "oscillation" else 0 * exact
    name = f"{family}/{noise}:{amplitude:.0e}/{precision}/seed {seed}" + (
        f"/h {h:.3g}" if h else ""
    )
    return Case(name, noisy, x, exact, grad_dtype, complex_safe, wiggle, h)


def wrong_versions(case: Case, method: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Gradients that are wrong by more than the verdict "fine" allows (see gradcheck's docs).

    "fine" allows ``fine max(|a_i|, |n_i|, floor_i) + E_i <= 5 fine G`` per entry (``G``
    the largest entry); every version here is off by more than ``10 fine G`` somewhere.
    """
    g = case.right(method).astype(np.float64)
    big = float(np.abs(g).max())
    fine = fine_bound(method, case.x.dtype, case.grad_dtype)  # type: ignore[arg-type]
    worst = np.unravel_index(np.abs(g).argmax(), g.shape)
    versions = {"negated": -g, "1.5x": 1.5 * g, "zero": np.zeros_like(g)}
    one = g.copy()
    one[tuple(int(rng.integers(0, s)) for s in g.shape)] += 0.5 * big
    versions["one entry"] = one
    versions["small relative"] = g * (1 + 10 * fine * rng.choice([-1, 1]))
    nudge = g.copy()
    nudge[worst] += 10 * fine * big * rng.choice([-1, 1])
    versions["small, one entry"] = nudge
    if g.ndim == 2 and g.shape[0] == g.shape[1] and np.abs(g - g.T).max() > 10 * fine * big:
        versions["transposed"] = g.T.copy()
    return {k: v.astype(case.grad_dtype) for k, v in versions.items() if big > 0}


def methods_for(case: Case) -> tuple[str, ...]:
    """The numerical methods that apply: the complex step only for complex-safe ``f`` (and a
    non-analytic one without noise, where its cross-check can see the term it drops)."""
    return ("complex", "central", "forward") if case.complex_safe else ("central", "forward")
