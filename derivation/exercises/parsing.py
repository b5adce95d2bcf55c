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
parsing.  A number written with a decimal point means its exact decimal value
(``1.00000001`` is not 1).  Division by zero and the log of a number <= 0 in
the text itself (as in ``0/0``) make an answer undefined.  Outside the main
thread no timer can be set (see :mod:`derivation.exercises.checker`), and these
bounds alone must keep a check small.
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import sympy as sp

from ..symbolic import model
from .intervals import moderate

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
    "TooComplexError",
    "UndefinedAnswerError",
    "names",
    "parse",
    "parse_with_cost",
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
    return parse_with_cost(text)[0]


def parse_with_cost(text: str) -> tuple[sp.Expr, Cost]:
    """:func:`parse`, and the bound on what expanding the answer would produce."""
    if not isinstance(text, str):
        raise ValueError(f"the answer must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the answer is too long ({len(text)} characters; at most {MAX_LENGTH})")
    source = text.strip()
    if not source:
        raise ValueError("the answer is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as err:
        raise ValueError(
            f"this is not a formula Python can read: {err.__class__.__name__}"
        ) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ValueError(f"the answer is too complicated (more than {MAX_NODES} parts)")
    return _Builder(source).build(tree.body)


class _Builder:
    """Rebuild a whitelisted ``ast`` tree in SymPy, bounding its cost at every node."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.names = names()

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
            if node.id not in self.names:
                raise ValueError(f"{node.id!r} is not allowed here; {_NAMES_HINT}")
            return self.names[node.id], Cost(degree=1)
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
            return _defined(base**n), cost
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise ValueError(
                f"{type(node.op).__name__} is not allowed in an answer: only + - * / ** and ( )"
            )
        (a, ca), (b, cb) = self.build(node.left), self.build(node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            cost = ca.plus(cb).checked()
            return (a + b if isinstance(node.op, ast.Add) else a - b), cost
        cost = ca.times(cb).checked()
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
            raise ValueError(f"cannot read the number {literal!r}") from None
        if not decimal.is_finite() or abs(decimal.as_tuple().exponent) > 2000:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        if abs(decimal) > MAX_NUMBER:
            raise ValueError(f"numbers must be at most {MAX_NUMBER}")
        exact = Fraction(decimal)
        return sp.Rational(exact.numerator, exact.denominator)

    def call(self, node: ast.Call) -> tuple[sp.Expr, Cost]:
        if not isinstance(node.func, ast.Name):
            raise ValueError("only exp(...) and log(...) may be called in an answer")
        if node.func.id not in _FUNCTIONS:
            raise ValueError(f"{node.func.id!r} is not allowed here; {_NAMES_HINT}")
        if len(node.args) != 1 or node.keywords:
            raise ValueError(f"{node.func.id} takes exactly one argument")
        inner, cost = self.build(node.args[0])
        cost = Cost(1, 1, cost.bits, cost.nesting + 1).checked()
        if node.func.id == "exp" and not inner.free_symbols and not moderate(inner, MAX_NUMBER):
            raise TooComplexError(f"exp of a number beyond ±{MAX_NUMBER} is too large to check")
        result = _defined(_FUNCTIONS[node.func.id](inner))
        if result.has(sp.I):
            raise UndefinedAnswerError(
                "the answer takes the log of a negative number (undefined for real numbers)"
            )
        return result, cost
