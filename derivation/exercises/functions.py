"""Checks of a learner's own functions: softmax, the cross-entropy gradient, (H - Y)^T X.

What lives here: :func:`check_function`, which calls a learner's NumPy
function on copies of seeded random inputs and compares what it returns with
the package's own :mod:`derivation.numeric` (gradients are also run through
:func:`derivation.gradcheck.gradcheck`), and the helpers that turn whatever the
function does (an exception, ``None``, complex numbers, a wrong shape) into a
:class:`~derivation.exercises.checker.Feedback` that names it.

Unlike the typed answers of :mod:`derivation.exercises.checker`, the learner's
code is trusted: it runs in the kernel, in this process, with the kernel's
rights.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Callable

import numpy as np

from .. import numeric
from ..gradcheck import gradcheck
from .checker import Feedback

__all__ = ["check_function"]

_TASKS = ("softmax", "cross_entropy_grad", "theta_grad")


def check_function(task: str, function: Callable, *, seed: int = 0) -> Feedback:
    """Check a learner's ``"softmax"``, ``"cross_entropy_grad"`` or ``"theta_grad"`` function.

    The function is called on copies of random inputs and its result compared
    with the package's, computed from the original inputs (so a function that
    works in place is judged on what it returns, and one that changes its input
    cannot change the reference); gradients are also run through
    :func:`derivation.gradcheck.gradcheck`.  Whatever the function does (an
    exception, ``None``, complex or non-numeric results, a wrong shape) becomes
    feedback that names it.

    The learner's code runs in the kernel, in this process, with the kernel's
    rights: it is trusted code, unlike the typed answers of :func:`check`.
    Only ``KeyboardInterrupt`` (the kernel's interrupt button) stops the check.

    Parameters
    ----------
    task : {"softmax", "cross_entropy_grad", "theta_grad"}
        ``softmax(z)``; ``cross_entropy_grad(z, labels)`` of the summed
        cross-entropy; ``theta_grad(theta, X, Y)`` of the article's cost.
    function : callable
        The learner's function.
    seed : int, default 0
        Seed of the random inputs.

    Returns
    -------
    Feedback
        With the largest relative error in the message, wrapped at 100 columns.

    Raises
    ------
    ValueError
        If ``task`` is not one of the three tasks.

    Examples
    --------
    >>> print(check_function("softmax", numeric.softmax))
    ✔ right: largest relative error 0.0e+00
    >>> print(check_function("softmax", lambda z: None))
    ✘ your function returned None — did you forget `return`?
    """
    if task not in _TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(_TASKS)}")
    feedback = _check_function(task, function, seed)
    message = "\n".join(
        textwrap.fill(line, width=98, break_long_words=False, break_on_hyphens=False)
        for line in feedback.message.splitlines()
    )
    return dataclasses.replace(feedback, message=message)


def _check_function(task: str, function: Callable, seed: int) -> Feedback:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(5, 4)) * 2
    labels = rng.integers(0, 4, size=5)
    if task == "softmax":
        right = numeric.softmax(z)
        mine = _call(function, z.copy())
        feedback = _compare(mine, right)
        if feedback.correct:
            big = np.array([[1000.0, 0.0, -1000.0]])
            answer = _call(function, big.copy())
            if isinstance(answer, Feedback):
                return answer
            if not _finite(answer):
                return Feedback(
                    False,
                    "NaN or inf for logits (1000, 0, −1000): subtract the row's maximum before exp",
                    verdict="wrong",
                )
            extreme = _compare(answer, numeric.softmax(big))
            if not extreme.correct:
                return Feedback(
                    False, f"for logits (1000, 0, −1000): {extreme.message}", verdict="wrong"
                )
        return feedback
    if task == "cross_entropy_grad":
        right = numeric.cross_entropy_grad(z, labels)
        mine = _call(function, z.copy(), labels.copy())
        feedback = _compare(mine, right)
        if feedback.correct or feedback.verdict != "wrong":
            return feedback
        try:
            result = gradcheck(lambda v: numeric.cross_entropy(v, labels), mine, z.copy())
        except Exception as err:  # gradcheck refuses what it cannot compare: say so
            return Feedback(False, f"{feedback.message};\ngradcheck: {err}", verdict="wrong")
        return Feedback(False, f"{feedback.message};\ngradcheck says {result}", verdict="wrong")
    X, Y, theta = numeric.example_problem()
    right = numeric.theta_grad(theta, X, Y)
    mine = _call(function, theta.copy(), X.copy(), Y.copy())
    return _compare(mine, right)


def _call(function: Callable, *args: np.ndarray) -> object:
    """The function's result as an array (or None), or a Feedback naming what went wrong."""
    try:
        with np.errstate(all="ignore"):
            result = function(*args)
    except (Exception, SystemExit) as err:
        text = str(err).strip()
        if len(text) > 200:
            text = text[:200] + "…"
        hint = " — a missing keepdims=True?" if "broadcast" in text else ""
        return Feedback(
            False, f"your function raised {type(err).__name__}: {text}{hint}", verdict="raised"
        )
    if result is None or isinstance(result, np.ndarray):
        return result
    try:
        return np.asarray(result)
    except (Exception, SystemExit) as err:
        return Feedback(
            False,
            f"your function returned a {type(result).__name__} that is not an array of numbers "
            f"({type(err).__name__}; rows of different lengths?)",
            verdict="wrong type",
        )


def _finite(value: object) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "iuf"
        and bool(np.all(np.isfinite(value)))
    )


def _compare(mine: object, right: np.ndarray) -> Feedback:
    if isinstance(mine, Feedback):
        return mine
    if mine is None:
        return Feedback(
            False, "your function returned None — did you forget `return`?", verdict="wrong type"
        )
    if not isinstance(mine, np.ndarray) or mine.dtype.kind not in "iufc":
        kinds = {"U": "text", "S": "bytes", "O": "Python objects", "b": "booleans"}
        if isinstance(mine, np.ndarray):
            what = kinds.get(mine.dtype.kind, str(mine.dtype))
        else:
            what = type(mine).__name__
        return Feedback(
            False, f"your function returned {what}, not an array of numbers", verdict="wrong type"
        )
    if mine.dtype.kind == "c":
        return Feedback(
            False,
            "your function returned complex numbers; the result is real "
            "(take .real only if the imaginary part is zero by design)",
            verdict="wrong type",
        )
    if mine.shape != right.shape:
        hint = ""
        if mine.shape == right.shape[:-1] or mine.shape == ():
            hint = " — a sum without keepdims=True, or the wrong axis?"
        return Feedback(
            False,
            f"your function returned shape {mine.shape}, expected {right.shape}{hint}",
            verdict="wrong shape",
        )
    mine = mine.astype(float)
    if not np.all(np.isfinite(mine)):
        return Feedback(False, "your function returned NaN or inf", verdict="wrong")
    error = float(np.max(np.abs(mine - right) / np.maximum(np.abs(right), 1e-12)))
    if error <= 1e-10:
        return Feedback(True, f"right: largest relative error {error:.1e}", verdict="right")
    return Feedback(
        False, f"wrong: largest relative error {error:.1e} against the package", verdict="wrong"
    )
