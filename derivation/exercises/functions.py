"""Checks of a learner's own functions: softmax, the cross-entropy gradient, (H - Y)^T X.

What lives here: :func:`check_function`, which calls a learner's NumPy
function on copies of the test batches of
:mod:`derivation.exercises.function_cases` (ordinary rows, K = 2, K = 1000,
257 rows, confident rows, logits up to ±1000, rows far apart in one batch,
float32) and compares what it returns with the package's own
:mod:`derivation.numeric`, and the helpers that turn whatever the function
does (an exception of any kind, ``None``, complex numbers, a masked array, a
wrong shape or precision, NaN, a changed input, a returned object whose own
methods raise) into one :class:`~derivation.exercises.checker.Feedback` with
one reason. A wrong gradient is also run through
:func:`derivation.gradcheck.gradcheck`, whose result is quoted only when it
agrees ("wrong"): the verdict is decided by the comparison, never by it.

Unlike the typed answers of :mod:`derivation.exercises.checker`, the learner's
code is trusted: it runs in the kernel, in this process, with the kernel's
rights, and a function that never returns cannot be stopped from here (the
batches are small: a right function takes milliseconds).  The same holds for
code the function's result or exception runs when looked at: every error it
raises becomes feedback, but one that never returns cannot be stopped; so the
checker asks only Python's and NumPy's own exception classes for their text.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Callable

import numpy as np

from .. import numeric
from ..gradcheck import gradcheck
from .checker import Feedback
from .function_cases import MANY, Case, Mistake, cases, mistakes

__all__ = ["check_function"]

_TASKS = ("softmax", "cross_entropy_grad", "theta_grad")
_NON_NUMBERS = {"U": "text", "S": "bytes", "O": "Python objects", "b": "booleans"}
_LARGE = (
    "large logits need no clipping and no nan_to_num (both change the answer): "
    "subtract each row's maximum before exp instead"
)
_NON_FINITE = "exp overflowed, or underflowed to 0 and 0/0 is NaN: subtract each row's maximum"


def check_function(task: str, function: Callable, *, seed: int = 0, hints: bool = True) -> Feedback:
    """Check a learner's ``"softmax"``, ``"cross_entropy_grad"`` or ``"theta_grad"`` function.

    The function is called on copies of ten test batches, in this order:
    seeded ordinary rows, K = 2 classes, rows of K = 1000, 257 rows (more than
    a block of 32, 64 or 128), confident rows (the other classes near 1e-30),
    one extreme row ``[1000, 0, -1000]``, an ordinary row beside ``[1000,
    ...]`` and ``[-1000, ...]``, two large nearly equal logits, logits that are
    all very negative, and float32 input (for ``"theta_grad"``, parameters that
    give such logits).  What it returns is compared with the package's answer,
    computed in float64 from the same inputs, to 1e-12 relative (3e-5 for
    float32 input), and tiny entries in relative terms too (a clip at 1e-15
    is wrong; see :mod:`~derivation.exercises.function_cases`).  The first
    batch that fails gives the verdict and its one reason, naming the row and
    a known mistake where the result matches one.

    What cannot be told apart from rounding: an error below 1e-12 relative.
    An epsilon of 1e-11 added to a shifted softmax's denominator (a sum between
    1 and K) shows where the sum is small (it does on the ordinary rows); one of
    1e-13 does not, and is called right.

    Wrong, besides wrong numbers: NaN or inf where the answer is finite, a
    masked entry (``np.ma`` hides NaN, it does not fix it), a result of lower
    precision than the input (float32 for float64), integers, and a changed
    input (a function that works in place on its argument, or returns a view
    of it, has changed the caller's array).  Any exception the function raises becomes
    feedback, ``SystemExit`` and other ``BaseException`` subclasses included,
    and so does any exception raised while its result is read (an object whose
    ``__class__``, ``__array__`` or ``__len__`` raises, or that asks for more
    memory than there is); only ``KeyboardInterrupt`` (the kernel's interrupt
    button) stops the check.

    The learner's code runs in the kernel, in this process, with the kernel's
    rights: it is trusted code, unlike the typed answers of :func:`check`.

    Parameters
    ----------
    task : {"softmax", "cross_entropy_grad", "theta_grad"}
        ``softmax(z)`` of logits z, shape (m, K); ``cross_entropy_grad(z,
        labels)`` of the summed cross-entropy, labels integer classes of shape
        (m,); ``theta_grad(theta, X, Y)`` of the article's cost, theta (K, n),
        X (m, n), Y one-hot (m, K).
    function : callable
        The learner's function.
    seed : int, default 0
        Seed of the random batches.
    hints : bool, default True
        Say why a function is wrong and how to fix it (the text after " — ").
        False: only where it fails and what it returned, for an exercise whose
        attempt is shown before the learner has tried (the hint would be its answer).

    Returns
    -------
    Feedback
        ``verdict`` is ``"right"``, ``"wrong"``, ``"raised"``, ``"wrong type"``
        or ``"wrong shape"``; the message is wrapped at 100 columns.

    Raises
    ------
    ValueError
        If ``task`` is not one of the three tasks.

    Examples
    --------
    >>> print(check_function("softmax", numeric.softmax))
    ✔ right: largest relative error 0.0e+00 in float64, within float32's rounding on float32 input;
    tried on 10 batches: K = 2 to 1000 classes, 257 rows, logits up to ±1000, rows far apart
    >>> print(check_function("softmax", lambda z: None))
    ✘ your function returned None — did you forget `return`?
    """
    if task not in _TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(_TASKS)}")
    feedback = _check_function(task, function, seed)
    if not hints and not feedback.correct and " — " in feedback.message:
        where = feedback.message.split(" — ")[0]
        feedback = dataclasses.replace(
            feedback, message=f"{where} (hints=True says why)", mistake=None
        )
    return dataclasses.replace(feedback, message=_wrapped(feedback.message))


def _wrapped(message: str) -> str:
    """``message`` in lines of at most 98 columns: a long line is broken before its
    "expected" and "got" first (so the two values stand one above the other), then
    between words, never inside a number.

    >>> row = "[" + "1.0, " * 12 + "2.0]"
    >>> print(_wrapped(f"✘ wrong: row 0 = {row}: expected [0.5, 0.5], got [1, 0]"))
    ✘ wrong: row 0 = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]
      expected [0.5, 0.5]
      got      [1, 0]
    """
    lines = []
    for line in message.splitlines():
        if len(line) > 98:
            line = re.sub(r"[:,]? (expected|got) (?=[\[−\-0-9N(])",
                          lambda m: "\n  " + m[1].ljust(8) + " ", line)  # fmt: skip
        for piece in line.splitlines():
            lines.append(textwrap.fill(piece, width=98, subsequent_indent="    ",
                                       break_long_words=False, break_on_hyphens=False))  # fmt: skip
    return "\n".join(lines)


def _check_function(task: str, function: Callable, seed: int) -> Feedback:
    largest = 0.0
    passed: list[Case] = []
    for case in cases(task, seed):
        outcome = _run(task, function, case, passed)
        if isinstance(outcome, Feedback):
            return outcome
        passed.append(case)
        if case.dtype == np.float64:
            largest = max(largest, outcome)
    return Feedback(
        True,
        f"right: largest relative error {largest:.1e} in float64, within float32's rounding on "
        f"float32 input;\ntried on {len(passed)} batches: K = 2 to 1000 classes, {MANY} rows, "
        "logits up to ±1000, rows far apart",
        verdict="right",
    )


def _run(task: str, function: Callable, case: Case, passed: list[Case]) -> Feedback | float:
    """One batch: a Feedback if the function fails on it, else its largest relative error.

    ``passed`` are the batches the function got right before this one.
    """
    args = tuple(a.copy() for a in case.args)
    where = "" if case.kind == "ordinary" else f" on {case.about}"
    result, failed = _call(function, args, where)
    if failed is not None:
        return failed
    mine = _guarded_read(result, case, where)
    if isinstance(mine, Feedback):
        return mine
    with np.errstate(all="ignore"):
        values = mine.astype(np.float64)
        diff = np.abs(values - case.right)
        bad = ~(diff <= case.rtol * np.abs(case.right) + case.atol)  # NaN is bad
        error = float(np.max(diff / np.maximum(np.abs(case.right), case.atol / case.rtol)))
    if bad.any():
        return _wrong_values(task, case, values, bad, passed)
    for name, given, sent in zip(case.names, case.args, args, strict=True):
        if not np.array_equal(sent, given, equal_nan=True):
            return Feedback(
                False,
                f"your function changed its input {name}{where}: the caller's array must stay "
                f"as it was (`{name} = {name} - …` makes a new array; `{name} -= …`, "
                f"`{name}[...] = …` and `out={name}` write into the caller's)",
                verdict="wrong",
            )
    return error


def _type_name(obj: object) -> str:
    """The name of ``obj``'s class, read past any metaclass (no learner code runs)."""
    try:
        name = _NAME.__get__(type(obj))
    except KeyboardInterrupt:
        raise
    except BaseException:
        return "object"
    return name if type(name) is str else "object"


_NAME = type.__dict__["__name__"]
#: argument types whose str() runs no learner code
_PLAIN = (str, int, float, bool, type(None))


def _from_python_or_numpy(cls: type) -> bool:
    module = type.__dict__["__module__"].__get__(cls)
    return type(module) is str and module.partition(".")[0] in ("builtins", "numpy")


def _plain(arg: object, depth: int = 2) -> bool:
    """Whether str(arg) runs no learner code: text, numbers, NumPy's own objects, tuples of them."""
    kind = type(arg)
    if kind in _PLAIN:
        return True
    if kind is tuple:
        return depth > 0 and len(arg) < 100 and all(_plain(a, depth - 1) for a in arg)
    return _from_python_or_numpy(kind) and not issubclass(kind, (np.ndarray, tuple, list, dict))


def _describe(err: BaseException) -> str:
    """The exception's text, at most 200 characters; empty if it cannot be had safely.

    Only Python's and NumPy's own exception classes are asked for their text, and
    only when their arguments are plain (text and numbers): a learner's class, or
    an argument of a learner's class, may run code in ``__str__`` that fails,
    recurses or never ends.  Their text is then the plain arguments, if any.
    """
    try:
        args = BaseException.args.__get__(err)
        plain = [a for a in args if _plain(a)]
        if _from_python_or_numpy(type(err)) and len(plain) == len(args):
            text = str.__str__(str(err))  # a str subclass could run code: a plain copy
        else:
            text = "; ".join(str.__str__(str(a)) for a in plain)
        text = text.strip()
        return text[:200] + "…" if len(text) > 200 else text
    except KeyboardInterrupt:
        raise
    except BaseException:
        return ""


def _call(
    function: Callable, args: tuple[np.ndarray, ...], where: str
) -> tuple[object, Feedback | None]:
    """(the function's result, None), or (None, a Feedback naming the exception it raised).

    Any exception but ^C becomes feedback; the result is passed on untouched (a
    returned object is looked at only by :func:`_guarded_read`).
    """
    try:
        with np.errstate(all="ignore"):
            return function(*args), None
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # SystemExit, GeneratorExit, a learner's own class: feedback
        text = _describe(err)
        hint = " — a missing keepdims=True?" if "broadcast" in text else ""
        return None, Feedback(
            False,
            f"your function raised {_type_name(err)}{where}: {text}{hint}",
            verdict="raised",
        )


def _guarded_read(result: object, case: Case, where: str) -> np.ndarray | Feedback:
    """:func:`_read`, with whatever the returned object's own code raises made feedback.

    The result may be anything: an object whose ``__class__``, ``__array__``,
    ``__len__``, ``__float__`` or ``__eq__`` raises or returns nonsense, or whose
    ``__array__`` asks for more memory than there is.  Only ^C propagates.
    """
    try:
        return _read(result, case, where)
    except KeyboardInterrupt:
        raise
    except BaseException as err:
        return Feedback(
            False,
            f"your function returned a {_type_name(result)} that could not be read as an array "
            f"of numbers{where} ({_type_name(err)} while reading it)",
            verdict="wrong type",
        )


def _as_array(result: object) -> tuple[np.ndarray, np.ndarray | None] | Feedback:
    """(the result as a plain ndarray, its mask or None), or a Feedback if it is none."""
    try:
        with np.errstate(all="ignore"):
            if issubclass(type(result), np.ma.MaskedArray):
                return np.asarray(np.ma.getdata(result)), np.ma.getmaskarray(result)
            return np.asarray(result), None
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # the learner's object may run code in __array__ or __len__
        return Feedback(
            False,
            f"your function returned a {_type_name(result)} that is not an array of numbers "
            f"({_type_name(err)}; rows of different lengths?)",
            verdict="wrong type",
        )


def _read(result: object, case: Case, where: str) -> np.ndarray | Feedback:
    """The result as a float ndarray of the right shape and precision, or why it is not."""
    if result is None:
        return Feedback(
            False, "your function returned None — did you forget `return`?", verdict="wrong type"
        )
    if issubclass(type(result), tuple):  # type(), not isinstance: __class__ may be a trap
        return Feedback(
            False,
            f"your function returned a tuple of {tuple.__len__(result)}: return only the array "
            f"(shape {case.right.shape})",
            verdict="wrong type",
        )
    converted = _as_array(result)
    if isinstance(converted, Feedback):
        return converted
    mine, mask = converted
    kind = mine.dtype.kind
    if kind not in "iufc":
        what = _NON_NUMBERS.get(kind, str(mine.dtype))
        return Feedback(
            False, f"your function returned {what}, not an array of numbers", verdict="wrong type"
        )
    if kind == "c":
        return Feedback(
            False,
            "your function returned complex numbers; the result is real "
            "(take .real only if the imaginary part is zero by design)",
            verdict="wrong type",
        )
    if kind in "iu":
        return Feedback(
            False,
            f"your function returned integers ({mine.dtype}){where}, not floating-point numbers",
            verdict="wrong type",
        )
    right = case.right
    if mine.shape != right.shape:
        hint = ""
        if mine.shape == right.shape[:-1] or mine.shape == ():
            hint = " — a sum without keepdims=True, or the wrong axis?"
        elif mine.shape == right.shape[::-1]:
            hint = " — transposed?"
        return Feedback(
            False,
            f"your function returned shape {mine.shape}{where}, expected {right.shape}{hint}",
            verdict="wrong shape",
        )
    if mask is not None and mask.any():
        return Feedback(
            False,
            f"your function returned a masked array with {int(mask.sum())} masked "
            f"{'entry' if mask.sum() == 1 else 'entries'}{where} ({_first(mask)}): a masked "
            "entry is a wrong entry — np.ma hides a NaN, it does not fix it",
            verdict="wrong",
        )
    if mine.dtype.itemsize < case.dtype.itemsize:
        return Feedback(
            False,
            f"your function returned {mine.dtype} for {case.dtype} input"
            f"{'' if case.kind == 'float32' else where}: keep the "
            "input's precision (no .astype to a smaller type)",
            verdict="wrong",
        )
    return mine


# --------------------------------------------------------------------------- wrong numbers
def _number(v: float, digits: int = 4) -> str:
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.{digits}g}"


def _numbers(row: np.ndarray, digits: int = 4) -> str:
    return "[" + ", ".join(_number(float(v), digits) for v in row) + "]"


def _digits(expected: np.ndarray, got: np.ndarray) -> int:
    """The fewest significant digits (4 to 17) at which the two show a difference."""
    for digits in range(4, 18):
        if _numbers(np.ravel(expected), digits) != _numbers(np.ravel(got), digits):
            return digits
    return 17


def _logits(row: np.ndarray) -> str:
    """Logits as typed: up to four decimals, no exponent."""
    text = (np.format_float_positional(float(v), precision=4, trim="-") for v in row)
    return "[" + ", ".join(text) + "]"


def _first(mask: np.ndarray) -> str:
    """Where the first True of a 2-D mask is: ``entry [i, k]``."""
    i, k = (int(n) for n in np.argwhere(mask)[0])
    return f"entry [{i}, {k}]"


def _wrong_values(
    task: str, case: Case, values: np.ndarray, bad: np.ndarray, passed: list[Case]
) -> Feedback:
    """One verdict, one reason: where the first wrong entry is, and the likeliest mistake."""
    i, k = (int(n) for n in np.argwhere(bad)[0])
    right = case.right
    if task == "theta_grad":
        d = _digits(right[i, k], values[i, k])
        place = f"entry [{i}, {k}] of ∂J/∂Θ: expected {_number(right[i, k], d)}, got "
        place += _number(values[i, k], d)
        if case.kind != "ordinary" and case.logits.shape[1] <= 6:
            rows = ", ".join(_logits(r) for r in case.logits)
            place = f"logits {rows}; {place}"
        finite = bool(np.all(np.isfinite(values)))
    else:
        finite = bool(np.all(np.isfinite(values[i])))
        if right.shape[1] <= 6:
            d = _digits(right[i], values[i])
            place = (
                f"row {i} = {_logits(case.logits[i])}: expected {_numbers(right[i], d)}, "
                f"got {_numbers(values[i], d)}"
            )
        else:
            d = _digits(right[i, k], values[i, k])
            place = (
                f"row {i}, class {k} of {right.shape[1]} (logit {_number(case.logits[i, k])}): "
                f"expected {_number(right[i, k], d)}, got {_number(values[i, k], d)}"
            )
    with np.errstate(all="ignore"):  # the relative error of the wrong entries not near 0
        sized = bad & (np.abs(right) >= case.atol / case.rtol)
        off = np.abs(values - right) / np.abs(right)
        off = float(np.max(off[sized])) if finite and sized.any() else np.inf
    hint = _known_mistake(task, case, values, passed)
    mistake = hint
    if hint is None:
        hint = _batch_hint(case, i, finite, off)
    message = f"wrong on {case.about}: {place}" + (f" — {hint}" if hint else "")
    if task != "softmax" and np.all(np.isfinite(values)):
        message += _gradcheck_agrees(task, case, values)
    return Feedback(False, message, mistake=mistake, verdict="wrong")


def _known_mistake(task: str, case: Case, values: np.ndarray, passed: list[Case]) -> str | None:
    """The hint of the first known mistake that gives the learner's result on this batch.

    A mistake that is right here explains nothing, and one that is wrong on a
    batch the learner got right is not the learner's.
    """
    for mistake in mistakes(task):
        theirs = _result_of(mistake, case)
        if theirs is None or _right(theirs, case):
            continue
        with np.errstate(all="ignore"):
            same = np.allclose(values, theirs, rtol=1e-6, atol=case.atol, equal_nan=True)
        if same and all(_right(_result_of(mistake, c), c) for c in passed):
            return mistake.hint
    return None


def _result_of(mistake: Mistake, case: Case) -> np.ndarray | None:
    """What the mistake returns on the batch, as float64; None if its shape is not the answer's."""
    theirs = mistake.on(case)
    return theirs if theirs.shape == case.right.shape else None


def _right(values: np.ndarray | None, case: Case) -> bool:
    """Whether ``values`` is the batch's answer to its tolerance."""
    if values is None:
        return False
    with np.errstate(all="ignore"):
        diff = np.abs(values - case.right)
        return bool(np.all(diff <= case.rtol * np.abs(case.right) + case.atol))


def _batch_hint(case: Case, row: int, finite: bool, off: float) -> str:
    """What failing on this kind of batch (and no known mistake) most likely means."""
    if case.dtype == np.float64 and off < 1e-5:
        return (
            f"off by {off:.1e} relative: close, but not to float64's rounding — is part of it "
            "computed in float32, approximated, or nudged by an epsilon (added to a sum)?"
        )
    if case.kind in ("two classes", "long row"):
        return "right on the ordinary rows but not here: does your code assume a number of classes?"
    if case.kind == "many rows":
        return (
            "right on a few rows but not on many: does your code assume a number of rows (a "
            "fixed block, a hard-coded batch size)?"
        )
    if case.kind == "confident" and finite:
        return (
            "a probability far below 1 is a number like any other: no clipping of the logits "
            "or the probabilities, no flush to zero (subtract each row's maximum: nothing more)"
        )
    if case.kind == "float32":
        if not finite:
            return "exp overflows above 88.7 in float32: subtract each row's maximum before exp"
        return "off by more than float32's rounding"
    if case.kind == "ordinary":
        return "" if finite else "NaN or inf where every answer is finite"
    ordinary_row = row < case.logits.shape[0] and np.abs(case.logits[row]).max() < 100
    if case.kind == "far apart" and ordinary_row and case.right.shape == case.logits.shape:
        return (
            "the extreme rows change an ordinary one: did you subtract one maximum for the whole "
            "batch instead of each row's? Use z.max(axis=-1, keepdims=True)"
        )
    return _LARGE if finite else _NON_FINITE


def _gradcheck_agrees(task: str, case: Case, values: np.ndarray) -> str:
    """gradcheck's result when it says "wrong" too; nothing when it says anything else."""
    if case.dtype != np.float64 or values.size > 200:
        return ""
    if task == "cross_entropy_grad":
        z, labels = case.args
        f, x = (lambda v: numeric.cross_entropy(v, labels)), z
    else:
        theta, X, Y = case.args
        f, x = (lambda t: numeric.cost(t, X, Y)), theta
    try:
        result = gradcheck(f, values, x.copy())
    except Exception:  # it refuses what it cannot compare; the verdict stands without it
        return ""
    return f";\ngradcheck agrees: {result}" if result.verdict == "wrong" else ""
