"""The safe parser of typed answers, and the bounds on what it builds.

What lives here: :func:`parse` (text in, SymPy expression out), the names an
answer may use (:func:`names`), the bounds (``MAX_LENGTH``, ``MAX_NODES``,
``MAX_EXPONENT``, ``MAX_NUMBER``, ``MAX_BITS``, ``MAX_DEGREE``, ``MAX_TERMS``,
``MAX_NESTING``), the two errors that say why an answer cannot be checked
(:class:`TooComplexError`, :class:`UndefinedAnswerError`) and the cost bound
(:class:`Cost`) the checker uses to choose its precision.

A learner's answer is text such as ``"-h1*h2"``.  It is parsed with Python's
``ast`` module and rebuilt in SymPy from a whitelist of names, numbers and
operations; nothing is ever evaluated (no ``eval``, no ``sympify`` of the
text).  So, served by Voilà, an answer box cannot run code on the server.

:func:`parse` bounds what it *builds*, not only the text: the bits of every
number, the degree and the number of terms the expression would have once
expanded, and the nesting of ``exp``/``log``.  Nothing is expanded while
parsing.  SymPy cancels as it builds (``X/X`` is 1 and ``X - X`` is 0 even
where ``X`` is 0, and ``X**0`` is 1), so :func:`parse_answer` also records every
denominator, every base of a 0th power and every log argument *before* SymPy can
cancel them (:class:`Parsed`), and the
checker tests each of them.  A number written with a decimal point means its exact decimal value
(``1.00000001`` is not 1).  Division by zero and the log of a number <= 0 in
the text itself (as in ``0/0``) make an answer undefined.  Where the checker
cannot run in a worker process and no timer can be set (see
:mod:`derivation.exercises.checker`), these bounds alone keep a check small.

The text is first read by :func:`derivation.exercises.keyboard.normalize`
(``−``, ``×``, ``·``, ``h1²``, ``h₁``, ``Θ₁₀`` as Python's signs), names may
be written with an underscore (``h_1``, ``Theta_10``), and text Python cannot
read gets a hint from :func:`derivation.exercises.keyboard.explain`
("write * between h1 and h2").
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

import sympy as sp

from ..symbolic import model
from .intervals import moderate
from .keyboard import (
    between,
    explain,
    normalize,
    power_of_a_letter,
    quote,
    side_by_side,
    split_names,
)

__all__ = [
    "MAX_BITS",
    "MAX_DEGREE",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_NUMBER",
    "MAX_TERMS",
    "Cost",
    "Guard",
    "Parsed",
    "TooComplexError",
    "UndefinedAnswerError",
    "names",
    "parse",
    "parse_answer",
]

MAX_LENGTH = 300
MAX_NODES = 250  # ast nodes, operators and contexts included
MAX_EXPONENT = 4
MAX_NUMBER = 1000
MAX_BITS = 1024  # bits of the numbers an expanded answer can contain
MAX_DEGREE = 24  # total degree of the expanded answer
MAX_TERMS = 2500  # terms of the expanded answer (an upper bound)
MAX_NESTING = 3  # exp(...) and log(...) inside one another
_FUNCTIONS = {"exp": sp.exp, "log": sp.log}
_M = sp.Symbol("m", positive=True)
_NAMES_HINT = "use the names h1 ... y3, x1, m, Theta10 ... and exp, log"


class TooComplexError(ValueError):
    """An answer whose expanded form would be too large to check in time."""


class UndefinedAnswerError(ValueError):
    """An answer that is undefined, such as ``0/0``, ``1/0``, ``log(0)`` or ``log(-1)``."""


@functools.cache
def names() -> dict[str, sp.Basic]:
    """The names an answer may use, and the symbols of :func:`derivation.symbolic.model` they mean.

    ``m`` (the number of samples, positive) is the one symbol that is not the model's.
    """
    m = model(3)
    table = {f"h{k}": m.h[k - 1] for k in (1, 2, 3)}
    table |= {f"y{k}": m.y[k - 1] for k in (1, 2, 3)}
    table |= {"x1": m.x1, "m": _M}
    table |= {f"Theta{k}{j}": m.theta[k - 1, j] for k in (1, 2, 3) for j in (0, 1)}
    return table


@functools.cache
def _known() -> tuple[str, ...]:
    """Every name an answer may use, functions included (for the hints on names run together)."""
    return (*names(), *_FUNCTIONS)


@dataclass(frozen=True)
class Cost:
    """Upper bounds on what expanding an expression would produce."""

    degree: int = 0
    terms: int = 1
    bits: int = 0
    nesting: int = 0

    def plus(self, other: Cost) -> Cost:
        bits = self.bits + other.bits + 1 if self.bits and other.bits else self.bits + other.bits
        return Cost(
            max(self.degree, other.degree),
            self.terms + other.terms,
            bits,
            max(self.nesting, other.nesting),
        )

    def times(self, other: Cost) -> Cost:
        return Cost(
            self.degree + other.degree,
            self.terms * other.terms,
            self.bits + other.bits,
            max(self.nesting, other.nesting),
        )

    def power(self, n: int) -> Cost:
        # the n-th power of a sum of t terms has at most C(t + n - 1, n) terms
        terms = math.comb(self.terms + n - 1, n)
        return Cost(self.degree * n, terms, self.bits * n, self.nesting)

    def checked(self) -> Cost:
        if self.nesting > MAX_NESTING:
            raise TooComplexError(f"exp and log are nested more than {MAX_NESTING} deep")
        if self.degree > MAX_DEGREE or self.terms > MAX_TERMS:
            raise TooComplexError(
                "expanded, the answer would have degree "
                f"{'> ' + str(MAX_DEGREE) if self.degree > MAX_DEGREE else self.degree} and up to "
                f"{'> ' + str(MAX_TERMS) if self.terms > MAX_TERMS else self.terms} terms"
            )
        if self.bits > MAX_BITS:
            raise TooComplexError(f"its numbers would grow beyond {MAX_BITS} bits")
        return self


_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def _defined(expr: sp.Expr) -> sp.Expr:
    if expr.has(*_UNDEFINED):
        raise UndefinedAnswerError("the answer is undefined (it divides by zero, or takes log 0)")
    return expr


def parse(text: str) -> sp.Expr:
    """Turn an answer such as ``"-h1*h2"`` into a SymPy expression, safely.

    Allowed: numbers (up to 1000 in size; a decimal number means its exact
    value), the names ``h1 h2 h3 y1 y2 y3 x1 m Theta10 ... Theta31``,
    ``+ - * /``, ``**`` with a whole-number exponent of at most 4,
    parentheses, and ``exp(...)``, ``log(...)``.  Everything else is rejected
    before anything is built, and so is an answer whose expanded form would be
    too large (see the module's docstring).  Nothing is expanded.

    Parameters
    ----------
    text : str
        The learner's answer, at most 300 characters.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        With a message saying what is not allowed.  Two subclasses say more:
        :class:`TooComplexError` for an answer too large to check, and
        :class:`UndefinedAnswerError` for ``0/0``, ``1/0``, ``log(0)`` and the like.

    Examples
    --------
    >>> parse("-h1*h2")
    -h_1*h_2
    >>> parse("0.5*h1 - 1.00000001*h2")
    h_1/2 - 100000001*h_2/100000000
    >>> parse("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: '__import__' is not allowed here; ...
    >>> parse("(((h1 + h2)**4)**4)**4")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    derivation.exercises.TooComplexError: expanded, the answer would have degree ...
    >>> parse("0/0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    derivation.exercises.UndefinedAnswerError: the answer is undefined ...
    """
    return parse_answer(text).expr


class Guard(NamedTuple):
    """A part of an answer that must be defined: a denominator or the base of a 0th power
    (not 0), or a log argument (> 0).

    ``defined`` is the expression whose evaluation fails where the part is not
    defined: ``1/part`` (unevaluated) for a denominator or a base, ``log(argument)``
    (unevaluated) for a log.
    """

    kind: str  # "denominator", "power" (the base of X**0) or "log"
    part: sp.Expr
    defined: sp.Expr


class Parsed(NamedTuple):
    """What :func:`parse_answer` builds: the expression, its cost bound and its guards."""

    expr: sp.Expr
    cost: Cost
    guards: tuple[Guard, ...]


def parse_answer(text: str) -> Parsed:
    """:func:`parse`, with the bound on the expanded answer and every denominator and log argument.

    The guards are recorded as the answer is built, before SymPy cancels
    anything: in ``(h1+h2+h3-1)/(h1+h2+h3-1)``, which SymPy builds as 1, the
    denominator ``h1+h2+h3-1`` is a guard (and is 0 in the model).
    """
    if not isinstance(text, str):
        raise ValueError(f"the answer must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the answer is too long ({len(text)} characters; at most {MAX_LENGTH})")
    source = normalize(text).strip()
    if not source:
        raise ValueError("the answer is empty")
    if len(source) > 4 * MAX_LENGTH:  # NFKC can make one character into many (U+FDFA: 18)
        raise ValueError(
            f"the answer is too long once its signs are read ({len(source)} characters)"
        )
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ValueError(explain(source, err, _known())) from None
    except (ValueError, MemoryError, RecursionError) as err:
        raise ValueError(
            f"this is not a formula Python can read: {err.__class__.__name__}"
        ) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ValueError(f"the answer is too complicated (more than {MAX_NODES} parts)")
    builder = _Builder(source)
    expr, cost = builder.build(tree.body)
    return Parsed(expr, cost, tuple(builder.guards.values()))


class _Builder:
    """Rebuild a whitelisted ``ast`` tree in SymPy, bounding its cost at every node."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.names = names()
        self.guards: dict[tuple[str, sp.Expr], Guard] = {}

    def guard(self, kind: str, part: sp.Expr) -> None:
        if part.is_Number:
            return  # a number is checked where it is built (1/0 and log(0) are undefined there)
        if kind in ("denominator", "power"):
            defined = sp.Pow(part, -1, evaluate=False)
        else:
            defined = sp.log(part, evaluate=False)
        self.guards.setdefault((kind, part), Guard(kind, part, defined))

    def name(self, node: ast.Name) -> sp.Expr:
        word = node.id
        if word in self.names:
            return self.names[word]
        if word.replace("_", "") in self.names and not word.startswith("_"):
            return self.names[word.replace("_", "")]  # h_1, Theta_10
        together = split_names(word, _known())
        if together is not None:
            raise ValueError(between(together[0], together[1]))
        if word in ("h", "y", "x", "Theta"):  # h¹ is read as h**1: a power, not an index
            raise ValueError(f"{word!r} is not allowed here: {power_of_a_letter(word)}")
        raise ValueError(f"{quote(word, 40)!r} is not allowed here; {_NAMES_HINT}")

    def build(self, node: ast.AST) -> tuple[sp.Expr, Cost]:
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner, cost = self.build(node.operand)
            return (-inner if isinstance(node.op, ast.USub) else inner), cost
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = self.number(node)
            return value, Cost(bits=value.p.bit_length() + value.q.bit_length()).checked()
        if isinstance(node, ast.Name):
            return self.name(node), Cost(degree=1)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = type(node).__name__
        raise ValueError(
            f"{what} is not allowed in an answer: only numbers, names, + - * / ** and ( )"
        )

    def binop(self, node: ast.BinOp) -> tuple[sp.Expr, Cost]:
        if isinstance(node.op, ast.Pow):
            n = self.exponent(node.right)
            base, cost = self.build(node.left)
            cost = cost.power(abs(n)).checked()
            if n <= 0 and base.is_Number and base == 0:
                raise UndefinedAnswerError(
                    "the answer is undefined (it divides by zero, or raises 0 to the power 0)"
                )
            if n < 0:
                self.guard("denominator", base)
            elif n == 0:
                self.guard("power", base)  # SymPy builds X**0 as 1, even where X is 0
            return _defined(base**n), cost
        if isinstance(node.op, ast.BitXor):
            raise ValueError("use ** for powers (as in h1**2), not ^")
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise ValueError(
                f"{type(node.op).__name__} is not allowed in an answer: only + - * / ** and ( )"
            )
        (a, ca), (b, cb) = self.build(node.left), self.build(node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            cost = ca.plus(cb).checked()
            return (a + b if isinstance(node.op, ast.Add) else a - b), cost
        cost = ca.times(cb).checked()
        if isinstance(node.op, ast.Div):
            self.guard("denominator", b)
        return _defined(a * b if isinstance(node.op, ast.Mult) else a / b), cost

    @staticmethod
    def exponent(node: ast.AST) -> int:
        sign = 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign = -1 if isinstance(node.op, ast.USub) else 1
            node = node.operand
        if not (
            isinstance(node, ast.Constant)
            and type(node.value) is int
            and node.value <= MAX_EXPONENT
        ):
            raise ValueError(f"powers must be small whole numbers (at most {MAX_EXPONENT})")
        return sign * node.value

    def number(self, node: ast.Constant) -> sp.Rational:
        if type(node.value) is int:
            if node.value > MAX_NUMBER:
                raise ValueError(f"numbers must be at most {MAX_NUMBER}")
            return sp.Integer(node.value)
        # a float literal means its exact decimal value, read from the text itself
        literal = ast.get_source_segment(self.source, node) or repr(node.value)
        try:
            decimal = Decimal(literal)
        except InvalidOperation:
            raise ValueError(f"cannot read the number {quote(literal, 40)!r}") from None
        if not decimal.is_finite() or abs(decimal.as_tuple().exponent) > 2000:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        if abs(decimal) > MAX_NUMBER:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        exact = Fraction(decimal)
        return sp.Rational(exact.numerator, exact.denominator)

    def call(self, node: ast.Call) -> tuple[sp.Expr, Cost]:
        if not isinstance(node.func, ast.Name):
            pair = side_by_side(self.source, _known())  # (h1 - y1)(x1), 2(h1)
            if pair is not None:
                raise ValueError(between(*pair))
            raise ValueError("only exp(...) and log(...) may be called in an answer")
        if node.func.id not in _FUNCTIONS:
            if node.func.id in self.names or node.func.id.replace("_", "") in self.names:
                inside = ", ".join(ast.get_source_segment(self.source, a) or "" for a in node.args)
                raise ValueError(between(node.func.id, f"({inside})"))  # h1(1 - h1)
            raise ValueError(f"{quote(node.func.id, 40)!r} is not allowed here; {_NAMES_HINT}")
        if len(node.args) != 1 or node.keywords:
            raise ValueError(f"{node.func.id} takes exactly one argument")
        inner, cost = self.build(node.args[0])
        cost = Cost(1, 1, cost.bits, cost.nesting + 1).checked()
        if node.func.id == "log":
            self.guard("log", inner)
        if node.func.id == "exp" and not inner.free_symbols and not moderate(inner, MAX_NUMBER):
            raise TooComplexError(f"exp of a number beyond ±{MAX_NUMBER} is too large to check")
        result = _defined(_FUNCTIONS[node.func.id](inner))
        if result.has(sp.I):
            raise UndefinedAnswerError(
                "the answer takes the log of a negative number (undefined for real numbers)"
            )
        return result, cost
