"""derivation.lse: log-sum-exp and its derivatives, the VJP, entropy and KL, the covariance of
the one-hot class, the Hessian's eigenvalues; against mpmath, SymPy and finite differences."""

import json
import re
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import lse, numeric

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "11_one_line_through_log_sum_exp.ipynb"

logits = arrays(np.float64, st.integers(2, 7), elements=st.floats(-30, 30))


def _mp_lse(row):
    """log sum exp in 50 digits; the largest term taken out, so log1p keeps what log(1 + ...)
    would lose at any precision (e^-5000 at a gap of 1e4)."""
    with mp.workdps(50):
        values = sorted(mp.mpf(float(v)) for v in row)
        top = values[-1]
        return top + mp.log1p(mp.fsum(mp.exp(v - top) for v in values[:-1]))


# --------------------------------------------------------------------------- log-sum-exp
@pytest.mark.parametrize("gap", [0.0, 1.0, 30.0, 100.0, 700.0, 1e4])
def test_logsumexp_is_within_two_ulps_of_mpmath_at_every_gap(gap):
    rng = np.random.default_rng(int(gap) + 1)
    for row in (np.array([0.0, -gap, -gap / 2]), rng.normal(size=5) * gap + 3.0,
                np.array([1000.0, 1000.0 - gap])):  # fmt: skip
        got = lse.logsumexp(row)
        exact = float(_mp_lse(row))
        assert abs(got - exact) <= 2 * np.spacing(abs(exact)) + 1e-300, (row, got, exact)


def test_logsumexp_keeps_the_small_sum_and_the_batch_axes():
    assert lse.logsumexp([0.0, -100.0]) == pytest.approx(float(mp.log1p(mp.exp(-100))), rel=1e-15)
    z = np.random.default_rng(3).normal(size=(4, 2, 5))
    np.testing.assert_allclose(lse.logsumexp(z), np.log(np.exp(z).sum(-1)), rtol=1e-14)
    np.testing.assert_allclose(lse.logsumexp(z, axis=1), np.log(np.exp(z).sum(1)), rtol=1e-14)
    assert lse.logsumexp(np.zeros(3, np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    ("z", "words"),
    [([1.0], "at least two classes"), (np.zeros((0, 3)), "empty batch"),
     ([0.0, np.nan], "NaN"), ([0.0, np.inf], "infinite"), (np.array([1, 2]), "floating point")],
)  # fmt: skip
def test_logsumexp_refuses_bad_logits(z, words):
    with pytest.raises(ValueError, match=words):
        lse.logsumexp(z)


@given(logits)
@settings(max_examples=60, deadline=None)
def test_the_gradient_of_logsumexp_is_softmax_by_central_differences(z):
    step = 1e-5
    grad = [(lse.logsumexp(z + step * unit) - lse.logsumexp(z - step * unit)) / (2 * step)
            for unit in np.eye(z.size)]  # fmt: skip
    np.testing.assert_allclose(grad, numeric.softmax(z), atol=1e-8)


def test_the_hessian_of_logsumexp_is_the_softmax_jacobian_in_mpmath():
    z = [0.3, -1.2, 2.0]
    with mp.workdps(40):
        f = lambda a, b, c: mp.log(mp.exp(a) + mp.exp(b) + mp.exp(c))  # noqa: E731
        for k in range(3):
            for m in range(3):
                order = tuple(int(i == k) + int(i == m) for i in range(3))
                exact = mp.diff(f, z, order)
                assert float(exact) == pytest.approx(numeric.softmax_jacobian(z)[k, m],
                                                     abs=1e-15)  # fmt: skip


# --------------------------------------------------------------------------- the VJP
@given(logits, st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_vjp_is_the_product_with_the_explicit_jacobian(z, seed):
    g = np.random.default_rng(seed).normal(size=z.size)
    h = numeric.softmax(z)
    np.testing.assert_allclose(lse.vjp(h, g), g @ numeric.softmax_jacobian(z), atol=1e-14)


def test_vjp_of_the_cross_entropy_gradient_is_h_minus_y_and_the_student_s_route():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    y, h = numeric.one_hot(labels, 4), numeric.softmax(z)
    np.testing.assert_allclose(lse.vjp(h, -y / h), h - y, atol=1e-15)
    np.testing.assert_allclose(lse.vjp(h, -y / h), numeric.vjp_route_grad(z, labels), atol=0)


def test_vjp_agrees_with_sympy_for_K_3():
    h = sp.symbols("h_1:4", positive=True)
    g = sp.symbols("g_1:4")
    jac = sp.diag(*h) - sp.Matrix(h) * sp.Matrix(h).T
    product = (sp.Matrix([g]) * jac).subs(h[2], 1 - h[0] - h[1])
    values = {h[0]: sp.Rational(1, 5), h[1]: sp.Rational(3, 10), g[0]: 2, g[1]: -1, g[2]: 7}
    want = np.array([float(v) for v in product.subs(values)])
    got = lse.vjp([0.2, 0.3, 0.5], [2.0, -1.0, 7.0])
    np.testing.assert_allclose(got, want, rtol=1e-15)


@pytest.mark.parametrize(
    ("h", "g", "words"),
    [([0.5, 0.6], [1.0, 1.0], "must sum to 1"), ([1.5, -0.5], [1.0, 1.0], "negative"),
     ([0.5, 0.5], [1.0, np.nan], "NaN"), ([0.5, 0.5], [1.0, 1.0, 1.0], "same shape"),
     ([1.0], [1.0], "at least two classes")],
)  # fmt: skip
def test_vjp_refuses_what_is_not_a_distribution_and_a_gradient(h, g, words):
    with pytest.raises(ValueError, match=words):
        lse.vjp(h, g)


# --------------------------------------------------------------------------- entropy, KL
def _mp_information(y, h):
    with mp.workdps(40):
        terms = [(mp.mpf(a), mp.mpf(b)) for a, b in zip(y, h, strict=True) if a > 0]
        ent = -mp.fsum(a * mp.log(a) for a, _ in terms)
        kl = mp.fsum(a * mp.log(a / b) for a, b in terms)
        return float(ent), float(kl), float(-mp.fsum(a * mp.log(b) for a, b in terms))


@pytest.mark.parametrize(
    ("y", "h"),
    [([0.7, 0.2, 0.1], [0.5, 0.3, 0.2]), ([1.0, 0.0, 0.0], [0.2, 0.3, 0.5]),
     ([0.25, 0.25, 0.5], [0.25, 0.25, 0.5]), ([0.9, 0.05, 0.05], [0.01, 0.01, 0.98])],
)  # fmt: skip
def test_entropy_kl_and_cross_entropy_against_mpmath(y, h):
    ent, kl, cross = _mp_information(y, h)
    assert lse.entropy(y) == pytest.approx(ent, rel=1e-14, abs=1e-300)
    assert lse.kl_divergence(y, h) == pytest.approx(kl, rel=1e-13, abs=1e-15)
    assert lse.distribution_cross_entropy(y, h) == pytest.approx(cross, rel=1e-14)


@given(logits, st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_cross_entropy_is_entropy_plus_kl_and_kl_is_not_negative(z, seed):
    h = numeric.softmax(z)
    y = np.random.default_rng(seed).dirichlet(np.ones(z.size))
    cross = lse.distribution_cross_entropy(y, h)
    if np.isfinite(cross):
        assert cross == pytest.approx(lse.entropy(y) + lse.kl_divergence(y, h), rel=1e-9, abs=1e-9)
    assert lse.kl_divergence(y, h) >= -1e-12 and lse.kl_divergence(y, y) == 0


def test_kl_is_infinite_where_h_misses_a_class_y_has():
    assert lse.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert lse.kl_divergence([1.0, 0.0], [1.0, 0.0]) == 0


@pytest.mark.parametrize(
    ("y", "h", "words"),
    [([0.5, 0.6], [0.5, 0.5], "y must sum to 1"), ([0.5, 0.5], [-0.5, 1.5], "negative"),
     ([0.5, 0.5], [0.2, 0.3, 0.5], "same shape"), ([0.5, np.nan], [0.5, 0.5], "NaN")],
)  # fmt: skip
def test_information_functions_refuse_what_is_not_a_distribution(y, h, words):
    with pytest.raises(ValueError, match=words):
        lse.kl_divergence(y, h)
    with pytest.raises(ValueError, match=words):
        lse.distribution_cross_entropy(y, h)


def test_the_gradient_of_LSE_minus_y_z_is_h_minus_y_for_soft_labels():
    z, y = np.array([0.4, -1.0, 2.2]), np.array([0.6, 0.3, 0.1])
    cost = lambda logit: lse.logsumexp(logit) - y @ logit  # noqa: E731
    step = 1e-6
    grad = [(cost(z + step * unit) - cost(z - step * unit)) / (2 * step) for unit in np.eye(3)]
    np.testing.assert_allclose(grad, numeric.softmax(z) - y, atol=1e-9)
    assert cost(z) == pytest.approx(lse.distribution_cross_entropy(y, numeric.softmax(z)))


# ------------------------------------------------------------------------ covariance, eigenvalues
@given(logits)
@settings(max_examples=80, deadline=None)
def test_the_covariance_of_the_one_hot_class_is_the_hessian_psd_with_null_vector_one(z):
    h = numeric.softmax(z)
    mean, second, cov = lse.one_hot_moments(h)
    np.testing.assert_allclose(mean, h, atol=0)
    np.testing.assert_allclose(second, np.diag(h), atol=0)
    np.testing.assert_allclose(cov, numeric.softmax_jacobian(z), atol=1e-15)
    np.testing.assert_allclose(cov, cov.T, atol=0)
    np.testing.assert_allclose(cov @ np.ones(z.size), 0, atol=1e-15)
    values, vectors = lse.hessian_eigen(z)
    assert values.min() >= -1e-15 and values.max() <= 0.5 + 1e-15
    assert values.max() <= lse.gershgorin_bound(h) + 1e-15 <= 0.5 + 2e-15
    np.testing.assert_allclose(lse.variance_along(np.broadcast_to(h, vectors.T.shape), vectors.T),
                               values, atol=1e-15)  # fmt: skip


def test_sampled_one_hot_classes_have_that_covariance():
    h = np.array([0.5, 0.3, 0.2])
    draws = lse.sample_one_hot(h, 200_000, np.random.default_rng(1))
    assert draws.shape == (200_000, 3) and set(draws.sum(axis=1)) == {1.0}
    np.testing.assert_allclose(draws.mean(axis=0), h, atol=0.005)
    np.testing.assert_allclose(np.cov(draws.T), numeric.softmax_jacobian(np.log(h)), atol=0.005)
    with pytest.raises(ValueError, match="size"):
        lse.sample_one_hot(h, 0, np.random.default_rng(1))
    with pytest.raises(ValueError, match="one probability vector"):
        lse.sample_one_hot(np.tile(h, (2, 1)), 3, np.random.default_rng(1))


def _mp_eigenvalues(a):
    """The closed form for z = (a, 0, 0): 0, h_2 and 3 h_1 h_2, with h_2 = h_3 = 1/(e^a + 2)."""
    with mp.workdps(40):
        h_2 = 1 / (mp.exp(a) + 2)
        h_1 = mp.exp(a) * h_2
        return sorted([mp.mpf(0), h_2, 3 * h_1 * h_2])


@pytest.mark.parametrize("a", [-8.0, -2.0, 0.0, float(np.log(2)), 1.0, 8.0])
def test_the_eigenvalues_for_z_a00_match_their_closed_form_in_mpmath(a):
    values, vectors = lse.hessian_eigen([a, 0.0, 0.0])
    np.testing.assert_allclose(values, [float(mu) for mu in _mp_eigenvalues(a)], atol=1e-15)
    np.testing.assert_allclose(np.abs(vectors[:, 0]), np.full(3, 3**-0.5), atol=1e-12)


def test_the_bound_one_half_is_approached_and_never_passed():
    for a in (-5.0, -10.0, -20.0, -40.0):
        top = lse.hessian_eigen([a, 0.0, 0.0])[0].max()
        gap = float(mp.mpf(0.5) - _mp_eigenvalues(a)[-1])
        assert top <= 0.5 and 0.5 - top == pytest.approx(gap, rel=1e-6, abs=1e-16)


def test_the_figure_draws_without_error_and_needs_matplotlib_only_when_called():
    import matplotlib

    matplotlib.use("Agg")
    ax = lse.eigenvalue_figure(np.linspace(-8, 8, 33))
    assert len(ax.lines) >= 7 and ax.get_ylim()[1] > 0.5
    with pytest.raises(ValueError, match="1-D"):
        lse.eigenvalue_figure([0.0])


# --------------------------------------------------------------------------- the claims
def test_every_claim_holds_and_is_registered_for_the_display_mutation_tests():
    from test_claims import OTHER_CLAIMS

    families = {"log-sum-exp": lse.lse_proofs(), "(23) by log-sum-exp": lse.second_proof_of_23(),
                "one-hot covariance": lse.covariance_proofs(3),
                "entropy and KL": lse.information_proofs(3)}  # fmt: skip
    for name, claims in families.items():
        assert all(c.holds() for c in claims), name
        assert [c.key for c in OTHER_CLAIMS[name]()] == [c.key for c in claims]
    used = [c for cs in families.values() for c in cs if c.one_hot_from is not None]
    assert {c.key for c in used} >= {"J = LSE - y^T z", "vjp of J", "23 by LSE", "null vector",
                                     "row sum"}  # fmt: skip
    assert not any(c.holds(one_hot=False) for c in used)


def test_the_claims_for_other_K_hold_too():
    assert all(c.holds() for c in lse.covariance_proofs(4))
    assert all(c.holds() for c in lse.information_proofs(2))
    with pytest.raises(ValueError, match="at least two classes"):
        lse.covariance_proofs(1)


# --------------------------------------------------------------------------- the notebook's figures
def _printed(marker):
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            if marker in text:
                return text
    raise AssertionError(f"no output line with {marker!r}")


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 11 not written yet")
def test_the_eigenvalues_the_notebook_quotes_are_the_closed_form_s():
    text = _printed("largest eigenvalue at a =")
    for a, value in re.findall(r"largest eigenvalue at a = (-?[\d.]+): ([\d.]+)", text):
        exact = _mp_eigenvalues(float(a))[-1]
        assert float(value) == pytest.approx(
            float(exact), abs=0.6 * 10 ** -len(value.split(".")[1])
        )
    text = _printed("at a = 0 the eigenvalues are")
    values = [float(v) for v in re.findall(r"[\d.]+", text.split("are")[1])]
    assert values == pytest.approx([0.0, 1 / 3, 1 / 3], abs=5e-5)


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 11 not written yet")
def test_the_memory_figures_the_notebook_quotes_are_K_squared_and_K():
    text = _printed("bytes for the Jacobian")
    jacobian, product = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) bytes", text))
    K = int(re.search(r"K = ([\d,]+)", text).group(1).replace(",", ""))
    assert (jacobian, product) == (8 * K * K, 8 * K)


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 11 not written yet")
def test_the_notebook_and_its_claims_use_the_collection_s_notation():
    """∘ not ⊙; ℋ(y), not H(y) (H is the hypotheses); μ for an eigenvalue (λ is a penalty);
    d for a direction (v is the quotient rule's denominator); a for a logit (t is a K = 2
    target); o for the one-hot outcome (e_k is e^{z_k}); z_max, not m, for the largest logit."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    claims = [*lse.lse_proofs(), *lse.covariance_proofs(3), *lse.information_proofs(3)]
    text += "\n".join(c.latex() for c in claims)
    forbidden = [r"\\odot|⊙", r"(?<!\\mathcal\{)(?<![\w{])H\(y\)", r"\\lambda|λ", r"\bv\^\\top",
                 r"\(t, 0, 0\)|\$t\$", r"\bE\[|\$e\$|e_k\b|\be\^\\top", r"logit \$m\$",
                 r"\bc\\mathbf\{1\}|\bc \\left\["]  # fmt: skip
    found = [m.group(0) for pattern in forbidden for m in re.finditer(pattern, text)]
    assert not found, found
    assert r"\mathcal{H}(y)" in lse.information_proofs(3)[0].latex()
