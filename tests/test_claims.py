"""Every proven claim proves exactly what it displays: change what is shown, and it fails.

For every claim of the package (the article's steps for K = 2 ... 8, the short
route, the symbolic-K proof, the explicit-K proofs, the sigmoid case, the
Hessian, the L2 gradient, the Jacobian route), the displayed left side and the
displayed last right side are changed by +1, x2 and negation, and a displayed
assumption ("using y_1 + y_2 + y_3 = 1") is dropped; ``holds()`` must then be
False, and True for the claim as it stands.  An assumption is displayed exactly
where it is first needed, and nothing is proven with one that is not displayed.
"""

import re
from dataclasses import replace

import pytest
import sympy as sp

from derivation import general, labels, layouts, lse, mlp, symbolic
from derivation.symbolic.printing import plain_tag


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
    if claim.one_hot_from is not None and replace(claim, one_hot_from=None).holds():
        alive.append("assumption dropped from the display")
    return alive


def _assumption_problems(claim):
    """How a claim's use of sum y = 1 differs from its display (there must be none)."""
    n = claim.one_hot_from
    without = claim.check(one_hot=False)
    if n is None:
        return ["proven differently without the assumption"] if without != claim.check() else []
    problems = []
    if not all(without[:n]):
        problems.append("an equals sign before the displayed assumption needs it")
    if without[n]:
        problems.append("displayed where it is not needed")
    labels = rf"\text{{using }} {symbolic.latex(claim.context.labels)} = 1"
    rows = claim.equation().latex().split(r" \\ ")
    first = n + 1 if claim.equation().stacked else n  # stacked: the left side has its own row
    if [i for i, row in enumerate(rows) if labels in row] != [first]:
        problems.append("not displayed beside the equals sign that first uses it")
    if "(using " not in str(claim.equation()):
        problems.append("missing from the plain text")
    return problems


OTHER_CLAIMS = {
    "short route": lambda: symbolic.short_route(3),
    "symbolic K": general.general_proof,
    "explicit K = 3": lambda: general.explicit_proofs(3),
    "sigmoid": general.sigmoid_case,
    "Hessian": lambda: general.hessian_proof(3),
    "L2": lambda: general.l2_gradient(3)[:1],
    "Jacobian route": lambda: symbolic.jacobian_route(3).steps(),
    # notebook 11
    "log-sum-exp": lambda: lse.lse_proofs(),
    "(23) by log-sum-exp": lambda: lse.second_proof_of_23(),
    "one-hot covariance": lambda: lse.covariance_proofs(3),
    "entropy and KL": lambda: lse.information_proofs(3),
    # notebook 12
    "label variants": lambda: labels.proofs(),
    "two layouts": lambda: (layouts.layout_proof(3),),
    # notebook 13
    "hidden layer backprop": lambda: mlp.backprop_proofs(),
    "tanh'": lambda: mlp.tanh_proofs(),
    "L2 penalty": lambda: mlp.regulariser_proofs()[:2],
}


@pytest.mark.parametrize(
    "classes", [2, 3, 4, *(pytest.param(K, marks=pytest.mark.slow) for K in range(5, 9))]
)
def test_every_article_step_holds_and_fails_when_its_display_changes(classes):
    steps = symbolic.article_steps(classes)
    assert all(s.holds() for s in steps)
    survivors = {s.key: alive for s in steps if (alive := _survivors(s))}
    assert survivors == {}
    assert sum(s.one_hot_from is not None for s in steps) >= 2 * classes + 3
    assert {s.key: p for s in steps if (p := _assumption_problems(s))} == {}


@pytest.mark.parametrize("name", OTHER_CLAIMS)
def test_every_other_claim_holds_and_fails_when_its_display_changes(name):
    claims = OTHER_CLAIMS[name]()
    assert claims and all(isinstance(c, symbolic.Step) for c in claims)
    assert all(c.holds() for c in claims)
    survivors = {c.key: alive for c in claims if (alive := _survivors(c))}
    assert survivors == {}
    assert {c.key: p for c in claims if (p := _assumption_problems(c))} == {}


def test_a_display_that_is_true_only_by_its_assumption_passes_only_while_it_shows_it():
    s = symbolic.step(21)
    h1, (y1, y2, y3) = symbolic.model().h[0], symbolic.model().y
    odd = replace(s, chain=(*s.chain[:-1], h1 * (2 - y1 - y2 - y3) - y1))
    assert odd.check() == (True, True, True)  # h_1 (2 - sum y) - y_1 = h_1 - y_1 when sum y = 1
    assert r"\text{using } y_{1} + y_{2} + y_{3} = 1" in odd.latex()
    hidden = replace(odd, one_hot_from=None)
    assert hidden.check() == (True, True, False) and "using" not in hidden.latex()
    assert replace(s, one_hot_from=None).check() == (True, True, False)  # the true one too
    assert not replace(s, chain=(*s.chain[:-1], h1 * (3 - y1 - y2 - y3) - y1)).holds()


def test_every_equation_that_uses_one_hot_labels_displays_it():
    claims = [*symbolic.article_steps(3), *symbolic.short_route(3), *general.general_proof(),
              *general.explicit_proofs(3), *general.hessian_proof(3),
              *symbolic.jacobian_route(3).steps()]  # fmt: skip
    users = [c for c in claims if c.one_hot_from is not None]
    assert {c.key for c in users} >= {"21", "22", "23", "samples", "short/dJ/dz_k", "dJ/dz_k",
                                      "hessian", "variance", "jacobian route"}  # fmt: skip
    for c in users:
        assert not c.holds(one_hot=False), c.key
        assert r"\text{using }" in c.latex(), c.key


@pytest.mark.parametrize("bad", [-1, 3, 1.0, True, "1"])
def test_an_assumption_that_indexes_no_equals_sign_is_a_value_error(bad):
    s = symbolic.step(21)
    with pytest.raises(ValueError, match="one_hot_from must index one of the 3 equals signs"):
        replace(s, one_hot_from=bad)


def test_an_assumption_the_context_cannot_display_is_a_value_error():
    s = symbolic.step(21)
    silent = replace(s.context, labels=None)
    with pytest.raises(ValueError, match="no sum of the labels to display"):
        replace(s, context=silent)
    assert replace(s, context=silent, one_hot_from=None).check() == (True, True, False)


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
    assert r"\sum_{i=1}^{m}" in text and r"\left(H - Y\right)^{\top} X" in text
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


def test_only_a_chain_after_a_wide_matrix_is_stacked_with_its_tag_above():
    """The Hessian's quadratic form vᵀ(∇²J)v is too wide to stand before each equals sign (07
    showed it 1161 px wide in an 848-px column): its chain is set below it and its tag on a line
    above. Every other step keeps the usual layout."""
    from derivation import general

    variance = general.hessian_proof(3)[2]
    assert variance.equation().stacked
    text = variance.latex()
    assert text.startswith(r"\left[\,\text{a variance}\,\right] \\ \begin{aligned}&")
    assert text.count(r"&\qquad = ") == 2 and r"\right] \\ \begin{aligned}" in text
    others = [*symbolic.article_steps(), *general.hessian_proof(3)[:2]]
    assert not [s.key for s in others if s.equation().stacked]


def test_every_tag_reads_as_plain_text_without_latex_words():
    """The plain text of a tag (a Step's repr and its verdict line) has no LaTeX left in it:
    a title written in maths, such as (λ/2)‖W‖², reads as a reader writes it."""
    claims = [c for make in OTHER_CLAIMS.values() for c in make()]
    leftovers = re.compile(r"frac|lVert|rVert|lambda|alpha|operatorname|mathcal|mathbb|left|right")
    bad = {c.key: plain_tag(c.tag) for c in claims
           if leftovers.search(plain_tag(c.tag))}  # fmt: skip
    assert bad == {}
    assert plain_tag(r"\tfrac{\lambda}{2} \lVert W \rVert^2") == "(λ/2) ‖W‖²"
