"""Every proven claim proves exactly what it displays: change what is shown, and it fails.

For every claim of the package (the article's steps for K = 2 ... 8, the short
route, the symbolic-K proof, the explicit-K proofs, the sigmoid case, the
Hessian, the L2 gradient, the Jacobian route), the displayed left side and the
displayed last right side are changed by +1, x2 and negation; ``holds()`` must
then be False, and True for the claim as it stands.
"""

import re
from dataclasses import replace

import pytest
import sympy as sp

from derivation import general, symbolic


def _mutations(expr):
    if isinstance(expr, (sp.MatrixBase, sp.MatrixExpr)):
        ones = sp.ImmutableMatrix.ones(*expr.shape)
        return {"+1": expr + ones, "x2": 2 * expr, "negated": -expr}
    return {"+1": expr + 1, "x2": 2 * expr, "negated": -expr}


def _survivors(claim):
    """The mutations of the displayed sides that still 'hold' (there must be none)."""
    alive = []
    for name, mutant in _mutations(claim.lhs).items():
        if replace(claim, lhs=mutant).holds():
            alive.append(f"lhs {name}")
    for name, mutant in _mutations(claim.rhs).items():
        if replace(claim, chain=(*claim.chain[:-1], mutant)).holds():
            alive.append(f"rhs {name}")
    return alive


OTHER_CLAIMS = {
    "short route": lambda: symbolic.short_route(3),
    "symbolic K": general.general_proof,
    "explicit K = 3": lambda: general.explicit_proofs(3),
    "sigmoid": general.sigmoid_case,
    "Hessian": lambda: general.hessian_proof(3),
    "L2": lambda: general.l2_gradient(3)[:1],
    "Jacobian route": lambda: symbolic.jacobian_route(3).steps(),
}


@pytest.mark.parametrize(
    "classes", [2, 3, 4, *(pytest.param(K, marks=pytest.mark.slow) for K in range(5, 9))]
)
def test_every_article_step_holds_and_fails_when_its_display_changes(classes):
    steps = symbolic.article_steps(classes)
    assert all(s.holds() for s in steps)
    survivors = {s.key: alive for s in steps if (alive := _survivors(s))}
    assert survivors == {}


@pytest.mark.parametrize("name", OTHER_CLAIMS)
def test_every_other_claim_holds_and_fails_when_its_display_changes(name):
    claims = OTHER_CLAIMS[name]()
    assert claims and all(isinstance(c, symbolic.Step) for c in claims)
    assert all(c.holds() for c in claims)
    survivors = {c.key: alive for c in claims if (alive := _survivors(c))}
    assert survivors == {}


def test_a_refuted_claim_is_a_claim_that_does_not_hold():
    gradient, not_h_minus_y = general.l2_gradient(3)
    assert gradient.holds() and not not_h_minus_y.holds()


@pytest.mark.parametrize(
    ("ref", "wrong"),
    [
        (9, sp.Integer(42)),  # (9) shown as u = 42
        (10, sp.Integer(42)),  # (10) shown as v = 42
        (14, sp.exp(symbolic.model().logits[0])),  # Part II's u shown as Part I's
        (18, sp.Integer(0)),
    ],
)
def test_a_definition_is_checked_as_displayed(ref, wrong):
    s = symbolic.step(ref)
    assert s.kind == "definition" and s.holds()
    assert not replace(s, chain=(wrong,)).holds()


def test_the_general_form_is_proven_as_displayed():
    s = symbolic.step(23)
    assert s.holds()
    assert not replace(s, chain=(sp.Integer(0),)).holds()  # (23) shown as 0
    x0 = s.where[0][0]
    assert not replace(s, where=((x0, sp.Integer(0)),)).holds()  # E1: x_0 = 0


def test_the_summed_form_holds_for_a_symbolic_number_of_samples():
    s = symbolic.step("samples")
    assert s.number == 23 and s.holds()
    assert any(isinstance(sym, sp.Symbol) and sym.name == "m" for sym in s.chain[0].free_symbols)
    text = s.latex()
    assert r"\sum_{i=1}^{m}" in text and r"\left(H - Y\right)^{T} X" in text
    for side in (s.lhs, *s.chain):
        assert not (isinstance(side, sp.Symbol) and "sum" in side.name)


def test_every_tag_reads_as_words_or_a_number_and_renders():
    claims = [*symbolic.article_steps(3), *general.general_proof(), *general.sigmoid_case(),
              *general.hessian_proof(3), *general.l2_gradient(3)]  # fmt: skip
    for c in claims:
        tag = c.tag
        assert "/" not in tag.replace(r"\partial J / \partial", ""), tag  # no internal keys
        text = c.latex()
        for inner in re.findall(r"\\text\{([^}]*)\}", text):
            assert "_" not in inner and "^" not in inner, (c.key, inner)
