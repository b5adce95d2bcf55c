"""LaTeX for the claims: the article's notation, partial-derivative fractions, readable tags."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

__all__ = ["Equation", "latex", "plain_tag", "readable", "verdict_html"]

_PLUS_MINUS = re.compile(r"\+ - ")  # an unevaluated a + (-b) prints as "a + - b"


class _Printer(LatexPrinter):
    """LaTeX printer that keeps the order in which a step was written.

    ``Derivative(J, h_1)`` prints as a partial-derivative fraction, the way the
    article writes it; indexed symbols print in the article's notation
    (``h_k(x^{(i)})``, ``y_k^{(i)}``, ``\\Theta_{kj}``).
    """

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        inner = self._print(expr.expr)
        if len(variables) == 1:
            wrt = rf"\partial {self._print(variables[0])}"
            order = ""
        else:
            wrt = " ".join(rf"\partial {self._print(v)}" for v in variables)
            order = f"^{{{len(variables)}}}"
        if isinstance(expr.expr, (sp.Symbol, sp.Indexed)):
            return rf"\frac{{\partial{order} {inner}}}{{{wrt}}}"
        return rf"\frac{{\partial{order}}}{{{wrt}}}\left({inner}\right)"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        name = str(expr.base)
        idx = [self._print(i) for i in expr.indices]
        if name == "Theta":
            return rf"\Theta_{{{''.join(idx)}}}"
        if len(idx) == 2 and name == "h":
            return rf"h_{{{idx[0]}}}(x^{{({idx[1]})}})"
        if len(idx) == 2:
            return rf"{name}_{{{idx[0]}}}^{{({idx[1]})}}"
        return rf"{name}_{{{idx[0]}}}"

    def _print_Idx(self, expr: sp.Idx) -> str:
        return self._print(expr.label)

    def _print_MatrixElement(self, expr: MatrixElement) -> str:
        parent = self._print(expr.parent)
        if not isinstance(expr.parent, sp.MatrixSymbol):
            parent = rf"\left({parent}\right)"
        return rf"{parent}_{{{self._print(expr.i)}{self._print(expr.j)}}}"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        """A transpose with an upright ⊤, as the notebooks' prose writes it (SymPy's ^{T}
        is an italic T, which reads as a variable)."""
        return super()._print_Transpose(expr).replace("^{T}", r"^{\top}")

    def _print_Sum(self, expr: sp.Sum) -> str:
        """A sum over several ranges as nested sums, the outermost first (as written)."""
        if len(expr.limits) == 1:
            return super()._print_Sum(expr)
        sums = "".join(
            rf"\sum_{{{self._print(v)}={self._print(a)}}}^{{{self._print(b)}}} "
            for v, a, b in reversed(expr.limits)
        )
        return sums + self.parenthesize(expr.function, PRECEDENCE["Add"])


@functools.lru_cache(maxsize=8192)
def latex(expr: sp.Basic) -> str:
    """Return the LaTeX of ``expr`` as the notebooks show it.

    Parameters
    ----------
    expr : sympy.Basic
        Any SymPy expression; unevaluated sums and products keep their order.

    Returns
    -------
    str
        LaTeX source without surrounding dollar signs.
    """
    return _PLUS_MINUS.sub("- ", _Printer().doprint(expr))


def _tag(text: str) -> str:
    r"""A tag in words and math, e.g. ``r"\Theta_{11}\text{: chain rule}"``, set apart."""
    return rf" \qquad \left[\,{text}\,\right]"


@dataclass(frozen=True, repr=False)
class Equation:
    """A displayed equation ``lhs = rhs_1 = rhs_2 ...`` with an optional tag.

    The tag is LaTeX (``(8)`` or words in ``\\text{...}``).  ``using = (n, a, b)``
    writes "using a = b" beside ``rhs[n]``: the assumption that equals sign (and
    the ones after it) rests on.  ``note`` (LaTeX) follows the equation, before
    its tag: a condition as a source prints it.  Jupyter renders it through
    ``_repr_latex_``; ``str()`` gives plain text.
    """

    lhs: sp.Basic
    rhs: tuple[sp.Basic, ...]
    tag: str | None = None
    using: tuple[int, sp.Basic, sp.Basic] | None = None
    note: str | None = None

    @property
    def stacked(self) -> bool:
        """Whether the chain is set below its left side: a left side with a square matrix
        in it is too wide to stand before every equals sign at 1280 px."""
        factors = self.lhs.args if isinstance(self.lhs, sp.MatMul) else (self.lhs,)
        square = any(isinstance(f, sp.MatrixBase) and f.rows == f.cols >= 2 for f in factors)
        return square and len(self.rhs) > 1

    def latex(self, *, tag: bool = True) -> str:
        """Return the equation as LaTeX (an ``aligned`` block when it chains); with
        ``tag=False`` without its tag, for a caller that sets the tag on a line of its own."""
        left = latex(self.lhs)
        parts = [latex(r) for r in self.rhs]
        if self.using is not None:
            n, a, b = self.using
            parts[n] += rf" \qquad \text{{using }} {latex(a)} = {latex(b)}"
        if len(parts) <= 1:
            body = left + "".join(f" = {p}" for p in parts)
        else:
            if self.stacked:
                rows = [f"&{left}"] + [rf"&\qquad = {p}" for p in parts]
            else:
                rows = [f"{left} &= {parts[0]}"] + [f"&= {p}" for p in parts[1:]]
            body = r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
        if self.note:
            body += rf",\quad {self.note}"
        if self.tag and tag:
            body += rf" \qquad {self.tag}" if self.tag.startswith("(") else _tag(self.tag)
        return body

    def _repr_latex_(self) -> str:
        return f"$$ {self.latex()} $$"

    def __str__(self) -> str:
        sides = [sp.sstr(e, order="none") for e in (self.lhs, *self.rhs)]
        if self.using is not None:
            n, a, b = self.using
            sides[n + 1] += f" (using {sp.sstr(a, order='none')} = {sp.sstr(b, order='none')})"
        text = " = ".join(sides)
        if self.note:
            text += f", {plain_tag(self.note)}"
        return f"{text}   {plain_tag(self.tag)}" if self.tag else text

    __repr__ = __str__


def plain_tag(tag: str) -> str:
    """A LaTeX tag as plain text, for ``repr`` and messages."""
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", tag)
    text = re.sub(r"\\Theta_\{(\d+)\}", r"Theta_\1", text)
    text = re.sub(r"\\lVert\s*(.*?)\s*\\rVert", r"‖\1‖", text)
    text = re.sub(r"\\lambda\s+(?=[A-Z])", r"\\lambda", text)  # λW as written
    text = re.sub(r"(\d)\s+(?=\\lambda)", r"\1", text)  # 2λ as written
    text = re.sub(r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1/\2)", text)
    text = re.sub(r"\\(sigma|delta|lambda|alpha|mu|tanh)(?![a-z])",
                  lambda m: _GREEK[m[1]], text)  # fmt: skip
    text = text.replace("‖^2", "‖²").replace("\\,", " ")
    return text.replace("\\", "").replace("{", "").replace("}", "")


_GREEK = {"sigma": "σ", "delta": "δ", "lambda": "λ", "alpha": "α", "mu": "μ", "tanh": "tanh"}


_SUBSCRIPTS = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")


def readable(text: str) -> str:
    """Plain-text maths as a reader writes it: ``Theta_kj`` as Θₖⱼ, ``y_1`` as y₁, ``nabla^2``
    as ∇², ``Sum(y[l], (l, 1, K))`` as Σₗ yₗ and a minus sign as −.

    >>> readable("-log h_k, Theta_kj and nabla^2 J; Sum(y[l], (l, 1, K)) = 1")
    '−log hₖ, Θₖⱼ and ∇² J; Σₗ yₗ = 1'
    """
    text = re.sub(r"Sum\((\w)\[(\w)\], \(\w, 1, K\)\)", r"Sum_\2 \1_\2", text)
    text = text.replace("Sum_", "Σ_").replace("nabla^2", "∇²").replace("Theta", "Θ")
    subscript = r"_\{?([0-9aehijklmnoprstuvx]+)\}?(?![A-Za-z])"
    text = re.sub(subscript, lambda m: m[1].translate(_SUBSCRIPTS), text)
    return re.sub(r"(^|[\s(=])-(?=[\s\w(])", r"\1−", text)


def verdict_html(line: str, ok: bool) -> str:
    """A verdict line as the notebooks show it: large, bold, green when ``ok``, else orange.

    >>> "#007a5a" in verdict_html("✔ (8) proven", True)
    True
    """
    colour = "#007a5a" if ok else "#b34700"  # Okabe-Ito green and vermillion, darkened
    return (
        f'<p class="verdict" role="status" style="font-size: 1.5em; font-weight: 600; '
        f'color: {colour}; margin: 0.2em 0">{html.escape(line)}</p>'
    )
