"""One claim type for every proof in the package: :class:`Step`, and :func:`claim` to make one.

What a Step displays (``lhs = chain[0] = ...`` and its ``where`` definitions)
is exactly what :meth:`Step.check` proves, one verdict per equals sign.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .printing import Equation, latex, plain_tag, readable, verdict_html
from .prover import Context, instantiate, matrix_entries, prove_equal

__all__ = ["ArticleForm", "Step", "Verdict", "claim"]


@dataclass(frozen=True, eq=False, repr=False)
class Step:
    """One proven claim: what is displayed, and a proof of exactly that.

    The display is ``lhs = chain[0] = chain[1] = ...``, then the local
    definitions ``where``.  :meth:`check` gives one verdict per equals sign of
    the chain.

    Attributes
    ----------
    key : str
        Stable name: the equation number as a string for the article's steps
        (``"7"`` ... ``"23"``), a descriptive key for the others
        (``"Theta_11/quotient/h_2"``, ``"samples"``, ``"short/dJ/dz_k"``).
    number : int or None
        The article's equation number, None for steps the article skips.
    label : str or None
        The article's LaTeX label (``eq:gradient-10``), None for added steps.
    description : str
        One line that says what the step does.
    lhs : sympy.Basic
        The left-hand side as displayed.
    chain : tuple of sympy.Basic
        The right-hand sides, each equal to the previous one.
    where : tuple of (Basic, Expr) pairs
        Local definitions (u, v, u', v' of the quotient rule, x_0 = 1, the
        entries of H, Y, X), shown after the equation and used when proving.
    one_hot_from : int or None
        Index in ``chain`` of the first equality that uses the context's sum to
        one: one-hot labels, ``y_1 + ... + y_K = 1`` (erratum E3), for the
        model's steps; ``h_1 + ... + h_K = 1`` for a claim about any
        distribution h.  The display states it there ("using y_1 + y_2 + y_3 =
        1", the context's ``labels``), and the prover may use it there and in
        the equalities after it, nowhere else.  None: no assumption is
        displayed, and none is used.
    part : str or None
        ``"I"``, ``"II"``, ... for the steps of one part of the chain rule.
    kind : str
        ``"identity"``; or ``"definition"``: ``lhs`` is a new symbol, and the
        claim is that with its displayed value the displayed ``relation``
        (``h_1 = u / v``) holds.
    relation : tuple (a, b) or None
        For a definition: the displayed equality that it must make true.
    indices : tuple of (Symbol, tuple of int)
        For a claim written with symbolic indices (k, j, l): every value each
        takes.  The displayed expressions are proven for every combination.
    context : Context
        What the prover knows about the symbols.
    title : str or None
        The tag of an added step, as LaTeX words (never an internal key).
    article : Equation or None
        The equation as the article prints it, where that differs.
    article_note : str or None
        One sentence on why the article's form differs (Markdown, math in ``$...$``).
    """

    key: str
    number: int | None
    label: str | None
    description: str
    lhs: sp.Basic
    chain: tuple[sp.Basic, ...]
    where: tuple[tuple[sp.Basic, sp.Expr], ...] = ()
    one_hot_from: int | None = None
    part: str | None = None
    kind: str = "identity"
    relation: tuple[sp.Basic, sp.Basic] | None = None
    indices: tuple[tuple[sp.Symbol, tuple[int, ...]], ...] = ()
    context: Context | None = field(default=None, repr=False)
    title: str | None = None
    article: Equation | None = field(default=None, repr=False)
    article_note: str | None = None

    def __post_init__(self) -> None:
        n = self.one_hot_from
        if n is None:
            return
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < len(self.chain):
            raise ValueError(
                f"one_hot_from must index one of the {len(self.chain)} equals signs of "
                f"{self.key!r} (0 to {len(self.chain) - 1}), got {n!r}"
            )
        if self.context is None or self.context.labels is None or not self.context.one_hot:
            raise ValueError(
                f"{self.key!r} uses one-hot labels, but its context has no sum of the labels "
                "to display (Context.labels and Context.one_hot are needed)"
            )

    @property
    def rhs(self) -> sp.Basic:
        """The last right-hand side: the step's result."""
        return self.chain[-1]

    def _instances(self):
        if not self.indices:
            yield {}
            return
        names, ranges = zip(*self.indices, strict=True)
        for combo in itertools.product(*ranges):
            yield dict(zip(names, combo, strict=True))

    def _where(self, values: Mapping) -> dict:
        where = {}
        for s, d in self.where:
            if values and not isinstance(s, MatrixElement):  # an entry's indices are its own
                s, d = instantiate(s, values, self.context), instantiate(d, values, self.context)
            where[s] = d
        return where

    def _verdict(self, a: sp.Basic, b: sp.Basic, where: dict, values: Mapping, needs: bool,
                 one_hot: bool) -> bool:  # fmt: skip
        if any(isinstance(s, MatrixElement) for s in where):  # entries, as displayed
            a, b = matrix_entries(a, where), matrix_entries(b, where)
            where = {s: d for s, d in where.items() if not isinstance(s, MatrixElement)}
        if values:
            a, b = instantiate(a, values, self.context), instantiate(b, values, self.context)
        return prove_equal(a, b, where, self.context, one_hot and needs)

    def check(self, *, one_hot: bool = True) -> tuple[bool, ...]:
        """Prove each equals sign of the displayed claim separately.

        Parameters
        ----------
        one_hot : bool, default True
            Whether the equalities that display "using sum_k y_k = 1" may use
            it.  False proves the display without that line (erratum E3): the
            equalities that need it fail.

        Returns
        -------
        tuple of bool
            One verdict per equals sign of ``lhs = chain[0] = ...``.
        """
        return _verdicts(self, one_hot)

    def _prove(self, one_hot: bool) -> tuple[bool, ...]:
        if self.kind == "definition":
            return (self._definition_holds(),)
        sides = (self.lhs, *self.chain)
        verdicts = []
        for n in range(len(self.chain)):
            needs = self.one_hot_from is not None and n >= self.one_hot_from
            verdicts.append(all(
                self._verdict(sides[n], sides[n + 1], self._where(values), values, needs,
                              one_hot)
                for values in self._instances()
            ))  # fmt: skip
        return tuple(verdicts)

    def _definition_holds(self) -> bool:
        if not isinstance(self.lhs, sp.Symbol) or self.relation is None or len(self.chain) != 1:
            return False
        if self.lhs in self.context.definitions:
            return False  # it would redefine a symbol of the model
        where = {**dict(self.where), self.lhs: self.chain[0]}
        a, b = self.relation
        return prove_equal(a, b, where, self.context, False)

    def verdict(self, *, one_hot: bool = True) -> Verdict:
        """:meth:`check` as one readable line ("✔ (8) proven"), for a slide or a reader.

        Parameters
        ----------
        one_hot : bool, default True
            As in :meth:`check`; False says so in the line.

        Returns
        -------
        Verdict
            Its ``repr`` is the line; Jupyter shows it as large text.
        """
        without = None
        if not one_hot and self.one_hot_from is not None:
            without = readable(f"{sp.sstr(self.context.labels)} = 1")
        tag = readable(" ".join(plain_tag(self.tag).split()))
        return Verdict(tag, self.check(one_hot=one_hot), without)

    def holds(self, *, one_hot: bool = True) -> bool:
        """Return True when SymPy proves every equality of the step."""
        return all(self.check(one_hot=one_hot))

    @property
    def tag(self) -> str:
        """The tag as LaTeX: the article's number ``(n)``, or words for added steps."""
        if self.number is not None:
            return f"({self.number})"
        return self.title or rf"\text{{{self.description}}}"

    def equation(self) -> Equation:
        """Return the step as a displayable :class:`Equation`."""
        using = None
        if self.one_hot_from is not None:
            using = (self.one_hot_from, self.context.labels, sp.Integer(1))
        return Equation(self.lhs, self.chain, self.tag, using)

    def latex(self) -> str:
        """Return the step, its local definitions and its tag as LaTeX (a stacked
        equation, too wide for its tag beside it, has the tag on a line above it)."""
        equation = self.equation()
        text = equation.latex(tag=not equation.stacked)
        if equation.stacked:
            text = rf"\left[\,{self.tag}\,\right] \\ {text}"
        lines = []
        if self.where:
            lines.append(r",\quad ".join(f"{latex(s)} = {latex(d)}" for s, d in self.where))
        if self.relation is not None:
            a, b = self.relation
            lines.append(rf"\text{{so that }} {latex(a)} = {latex(b)}")
        if self.indices:
            ranges = ", ".join(
                rf"{latex(s)} \in \{{{', '.join(str(v) for v in vals)}\}}"
                for s, vals in self.indices
            )
            lines.append(rf"\text{{for every }} {ranges}")
        if self.where:
            lines[0] = rf"\text{{where }} {lines[0]}"
        return text + "".join(rf" \\ {line}" for line in lines)

    def _repr_latex_(self) -> str:
        return rf"$$ \begin{{gathered}} {self.latex()} \end{{gathered}} $$"

    def __repr__(self) -> str:
        return f"<Step {plain_tag(self.tag)}: {self.description}>"

    def beside_article(self) -> ArticleForm:
        """The article's printed form above this step's, and why they differ.

        Raises
        ------
        ValueError
            If the article prints this step as it is here (``article`` is None).
        """
        if self.article is None:
            raise ValueError(f"the article prints {plain_tag(self.tag)} as it is here")
        return ArticleForm(self)


@dataclass(frozen=True)
class ArticleForm:
    """A step shown twice: as the article prints it, and as proven here, with the reason.

    Jupyter shows it as Markdown with both equations typeset.
    """

    step: Step

    def latex(self) -> str:
        """Both forms in one display: a row for the article's, a row for the one proven here."""
        s = self.step
        return (
            r"\begin{array}{rl} \text{the article:} & "
            rf"\begin{{gathered}} {s.article.latex()} \end{{gathered}} \\[1ex] "
            rf"\text{{proven here:}} & \begin{{gathered}} {s.latex()} \end{{gathered}} "
            r"\end{array}"
        )

    def _repr_markdown_(self) -> str:
        return f"$$ {self.latex()} $$\n\n*Why they differ:* {self.step.article_note}"

    def __repr__(self) -> str:
        s = self.step
        return f"article: {s.article}\nhere:    {s.equation()}\nwhy:     {s.article_note}"


@dataclass(frozen=True)
class Verdict:
    """SymPy's verdicts on one step, said in one line instead of a tuple of bools.

    ``✔ (12) proven: both equals signs`` or ``✘ (21): equals sign 3 of 3 not
    proven``; a claim with one equals sign is proven or not.  ``bool(verdict)``
    is whether every equals sign was proven.

    Attributes
    ----------
    tag : str
        The step's tag as plain text: ``(8)``, or the words of an added step.
    verdicts : tuple of bool
        One per equals sign, as :meth:`Step.check` returns them.
    without : str or None
        The assumption the proof was not allowed (``y1 + y2 + y3 = 1``), if any.
    unit : str, default "equals sign"
        What each bool is the verdict on, in the singular: ``"step"`` for a verdict
        on several steps at once (``✔ the Θ₁₁ steps proven: all 8 steps``).
    """

    tag: str
    verdicts: tuple[bool, ...]
    without: str | None = None
    unit: str = "equals sign"

    def __post_init__(self) -> None:
        if not self.unit.strip() or "\n" in self.unit:
            raise ValueError(f"a Verdict's unit is one word or two, got {self.unit!r}")
        if not self.verdicts or not all(isinstance(v, bool) for v in self.verdicts):
            raise ValueError(
                f"a Verdict needs one bool per equals sign (at least one), got {self.verdicts!r}"
            )

    @property
    def proven(self) -> bool:
        """Whether every equals sign was proven."""
        return all(self.verdicts)

    def __bool__(self) -> bool:
        return self.proven

    def line(self) -> str:
        """The verdict as one line of plain text."""
        n = len(self.verdicts)
        failed = [str(i + 1) for i, v in enumerate(self.verdicts) if not v]
        if not failed:
            every = "both" if n == 2 else f"all {n}"
            text = f"✔ {self.tag} proven" + (f": {every} {self._units}" if n > 1 else "")
        else:
            signs = failed[0] if len(failed) == 1 else ", ".join(failed[:-1]) + " and " + failed[-1]
            which = f"{self._units if len(failed) > 1 else self.unit} {signs}"
            text = f"✘ {self.tag}: {which} of {n} not proven"
            if n == 1:
                text = f"✘ {self.tag} not proven"
        if self.without is not None:
            text += f" (without {self.without})"
        return text

    @property
    def _units(self) -> str:
        """The plural of ``unit`` (equals signs, steps)."""
        return self.unit.replace("sign", "signs") if "sign" in self.unit else self.unit + "s"

    def __repr__(self) -> str:
        return self.line()

    def _repr_html_(self) -> str:
        return verdict_html(self.line(), self.proven)


@functools.lru_cache(maxsize=8192)
def _verdicts(claim: Step, one_hot: bool) -> tuple[bool, ...]:
    """A claim's verdicts, proven once (a Step is immutable; a changed one is a new Step)."""
    return claim._prove(one_hot)


def claim(
    key: str,
    description: str,
    lhs: sp.Basic,
    chain: Iterable[sp.Basic],
    context: Context,
    **kw,
) -> Step:
    """Make a proven claim that is not one of the article's numbered steps.

    Parameters
    ----------
    key : str
        Its name.
    description : str
        What it says, in one line; also its tag unless ``title`` is given.
    lhs, chain :
        The displayed ``lhs = chain[0] = ...``.
    context : Context
        What the prover knows about the symbols.
    **kw
        Any other :class:`Step` field (``where``, ``one_hot_from``, ``indices``,
        ``title``, ``kind``, ``relation``).

    Returns
    -------
    Step
    """
    if "where" in kw:
        kw["where"] = tuple((sp.sympify(a), sp.sympify(b)) for a, b in kw["where"])
    return Step(key, None, None, description, lhs, tuple(chain), context=context, **kw)
