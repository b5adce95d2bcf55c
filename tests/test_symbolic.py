"""The derivation in derivation.symbolic: every step holds, wrong steps do not."""

from dataclasses import replace

import pytest
import sympy as sp

from derivation.symbolic import (
    article_steps,
    equal,
    general_gradient,
    jacobian_route,
    latex,
    model,
    step,
)

STEPS = article_steps()
M = model()
T = M.theta
h1, h2, h3 = M.h
y1, y2, y3 = M.y
J, x1 = M.J, M.x1


@pytest.mark.parametrize("s", STEPS, ids=[s.key for s in STEPS])
def test_every_step_holds(s):
    assert s.holds(), f"step {s.key} ({s.description}) failed: {s.check()}"


def test_every_article_equation_from_7_to_23_is_a_step_in_order():
    numbers = [s.number for s in STEPS if s.number is not None]
    assert numbers == [*range(7, 24), 23]  # (23) for one sample, then summed over the samples
    assert step(7).label == "eq:gradient-10"
    assert step(12).label == "eq:gradient-10-5"
    assert step(20).label == "eq:gradient-10-13"
    assert step(23).label == "eq:final-gradient-3"


def test_the_steps_the_article_skips_are_there_in_full():
    for k in (1, 2, 3):
        for j in (0, 1):
            key = {(1, 0): "21", (1, 1): "22"}.get((k, j), f"Theta_{k}{j}/combination")
            s = step(key)
            assert s.lhs == sp.Derivative(J, T[k - 1, j])
            assert equal(s.rhs, general_gradient(k, j))
            if (k, j) != (1, 0):
                assert step(f"Theta_{k}{j}/chain").holds()
                for part in (1, 2, 3):
                    assert step(f"Theta_{k}{j}/quotient/h_{part}").holds()


def test_results_the_article_states():
    assert step(8).rhs == -y1 / h1
    assert step(11).rhs == h1 * (1 - h1)
    assert step(12).rhs == -y1 * (1 - h1)
    assert step(15).rhs == -h1 * h2
    assert step(16).rhs == y2 * h1
    assert step(20).rhs == y3 * h1
    assert step(21).rhs == h1 - y1
    assert sp.expand(step(22).rhs - (h1 - y1) * x1) == 0


def test_quotient_rule_shows_u_v_and_their_derivatives():
    s = step(11)
    names = [str(sym) for sym, _ in s.where]
    assert names == ["u", "v", "u'", "v'"]
    assert "u' v - u v'" in latex(s.chain[0])


@pytest.mark.parametrize(
    ("ref", "wrong"),
    [
        (12, y1 * (1 - h1)),  # lost minus sign
        (11, h1**2),  # diagonal term wrong
        (15, h1 * h2),  # off-diagonal sign lost
        (16, y1 * h1),  # swapped index
        (21, 2 * (h1 - y1)),  # factor of two
        (22, h1 - y1),  # missing factor x_1
        (8, -y1 / h2),  # wrong denominator
    ],
)
def test_a_wrong_result_is_rejected(ref, wrong):
    s = step(ref)
    broken = replace(s, chain=(*s.chain[:-1], wrong))
    assert not broken.holds()
    assert broken.check()[:-1] == s.check()[:-1]  # only the last equality fails


def test_a_diagonal_only_chain_rule_is_rejected():
    s = step(7)
    only_part_one = sp.Mul(sp.Derivative(J, h1), sp.Derivative(h1, T[0, 0]), evaluate=False)
    assert not replace(s, chain=(only_part_one,)).holds()


def test_a_wrong_definition_is_rejected():
    s = step(9)  # u must be the numerator of h_1
    assert not replace(s, chain=(sp.exp(M.logits[1]),)).holds()
    v = step(10)  # and v the shared denominator
    assert not replace(v, where=((v.where[0][0], sp.exp(M.logits[1])),)).holds()


def test_erratum_E3_the_combination_needs_one_hot_labels():
    s = step(21)
    assert s.check(one_hot=True) == (True, True, True)
    assert s.check(one_hot=False) == (True, True, False)
    residual = sp.factor(s.chain[1] - s.chain[2])
    assert sp.expand(residual - h1 * (y1 + y2 + y3 - 1)) == 0
    assert equal(sp.Derivative(J, T[0, 0]), s.chain[1], one_hot=False)


def test_erratum_E1_x0_must_be_one():
    assert general_gradient(1, 0, x0=0) == 0
    assert not equal(sp.Derivative(J, T[0, 0]), general_gradient(1, 0, x0=0))
    assert equal(sp.Derivative(J, T[0, 0]), general_gradient(1, 0))
    assert M.x[0] == 1


def test_sum_over_samples_is_the_matrix_form():
    s = step("samples")
    assert s.holds() and s.number == 23
    assert r"\left(H - Y\right)^{\top} X" in s.latex()


@pytest.mark.parametrize("classes", [2, 4])
def test_other_numbers_of_classes(classes):
    steps = article_steps(classes)
    assert all(s.number is None for s in steps)
    assert all(s.holds() for s in steps)
    assert len({s.key for s in steps}) == len(steps)


def test_keys_are_unique():
    assert len({s.key for s in STEPS}) == len(STEPS)


@pytest.mark.parametrize("classes", [1, 0, -3, 2.5, True, "3", 11])
def test_bad_number_of_classes_is_a_value_error(classes):
    with pytest.raises(ValueError, match="classes"):
        article_steps(classes)


@pytest.mark.parametrize("ref", [6, 24, "nope", "Theta_41/chain", True])
def test_unknown_step_is_a_value_error(ref):
    with pytest.raises(ValueError, match="unknown step"):
        step(ref)


@pytest.mark.parametrize(("k", "j"), [(0, 0), (4, 0), (1, 2), (1, -1)])
def test_general_gradient_rejects_bad_indices(k, j):
    with pytest.raises(ValueError):
        general_gradient(k, j)


def test_latex_never_prints_plus_minus():
    for s in STEPS:
        assert "+ -" not in s.latex(), s.key
    assert "y_{1} h_{2} - y_{2}" in step("Theta_20/combination").latex()


def test_latex_uses_the_article_numbers_and_partial_fractions():
    text = step(7).latex()
    assert r"\frac{\partial J^{(i)}}{\partial \Theta_{10}}" in text
    assert r"\qquad (7)" in text
    assert step(7).equation()._repr_latex_().startswith("$$")


def test_model_definitions_are_the_hypotheses_and_cost():
    eqs = M.definitions()
    assert [e.tag for e in eqs] == ["(2)", "(3)", "(4)", r"(5)\ \text{for one sample}"]
    total = sum(M.hypotheses)
    assert sp.simplify(total) == 1


def test_the_articles_23_is_shown_with_its_condition_x_j_0_if_j_0():
    form = step(23).beside_article()
    assert r"x_j^{(i)} = 0 \text{ if } j = 0" in form.latex()  # E1, as the article prints it
    assert r"\text{where } x_{0} = 1" in form.latex()  # and the proven form beside it
    assert "erratum E1" in step(23).article_note
    assert "with  x_j^(i) = 0  if  j = 0" in repr(form)


def test_erratum_E3_is_displayed_where_it_is_used():
    assert r"= h_{1} - y_{1} \qquad \text{using } y_{1} + y_{2} + y_{3} = 1" in step(21).latex()
    assert "using" not in step(12).latex()
    assert "(using y_1 + y_2 + y_3 = 1)" in str(step(22).equation())


@pytest.mark.parametrize("classes", [2, 3, 4])
def test_the_jacobian_route_proves_a_matrix_equal_whatever_its_form(classes):
    route = jacobian_route(classes)
    h = sp.symbols(f"h_1:{classes + 1}", positive=True)  # the student's own symbols
    column = sp.Matrix(h)
    expanded = sp.diag(*h) - column * column.T  # h_k - h_k**2 on the diagonal
    factored = sp.Matrix(classes, classes, lambda a, b: h[a] * (int(a == b) - h[b]))
    assert expanded != factored  # == compares forms ...
    assert route.is_jacobian(expanded, names=h) and route.is_jacobian(factored, names=h)
    assert route.is_jacobian(expanded.T, names=h)  # ... the prover the matrices
    assert not route.is_jacobian(sp.diag(*(hk * (1 - hk) for hk in h)), names=h)  # diagonal only
    assert not route.is_jacobian(-expanded, names=h)
    assert not route.is_jacobian(expanded)  # other symbols than the route's: not its h


@pytest.mark.parametrize(
    ("matrix", "names", "message"),
    [
        (sp.eye(2), None, "expected a 3 x 3 SymPy matrix"),
        ([[1, 0, 0]] * 3, None, "expected a 3 x 3 SymPy matrix"),
        (sp.eye(3), sp.symbols("a b"), "names must be 3 SymPy symbols"),
    ],
)
def test_the_jacobian_route_rejects_what_is_not_a_K_by_K_matrix(matrix, names, message):
    with pytest.raises(ValueError, match=message):
        jacobian_route(3).is_jacobian(matrix, names=names)


def test_the_document_shows_the_articles_23_beside_the_proven_one_and_every_erratum():
    from derivation import document

    text = document.render(3, "md")
    proven = text.index(r"\text{where } x_{0} = 1")
    printed = text.index(r"\text{with } x_j^{(i)} = 0 \text{ if } j = 0 \qquad (23)")
    assert proven < printed < text.index("## The article's errata")  # E1 beside (23)
    for name in ("E1", "E2", "E3", "E4"):
        assert f"- **{name}.** " in text
    assert "`eq:hyphotesis-4`" in text
    tex = document.render(3, "latex")
    assert r"\item \textbf{E4.} " in tex and r"\texttt{eq:hyphotesis-4}" in tex
    assert "`" not in tex.split(r"\subsection*{The article's errata}")[1]
    assert "errata" not in document.render(2, "md")  # they name the article's numbers (K = 3)
