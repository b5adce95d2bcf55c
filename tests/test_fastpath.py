"""derivation.fastpath against the reference in derivation.numeric, and each of its devices."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import fastpath, numeric
from derivation.stability import exact_h_minus_one

DTYPES = [np.float32, np.float64]


def ulps(value, exact, dtype):
    """|value - exact| in units of the last place of ``exact`` in ``dtype`` (elementwise)."""
    value, exact = np.asarray(value, np.float64), np.asarray(exact, np.float64)
    return np.abs(value - exact) / np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)


def agreement_ulps(K: int) -> float:
    """The bound in fastpath's docstring: 8 + 2 log2 K ulps (the row sums differ in order)."""
    return 8 + 2 * np.log2(K)


def assert_agree(z, y, reduction="sum"):
    """The public function (the fast path) and the reference agree as fastpath's docstring says."""
    dtype, K = z.dtype.type, z.shape[-1]
    loss, grad = numeric.cross_entropy_and_grad(z, y, reduction)
    ref_loss, ref_grad = numeric.reference_cross_entropy_and_grad(z, y, reduction)
    assert grad.dtype == ref_grad.dtype == z.dtype and loss.dtype == ref_loss.dtype == z.dtype
    assert numeric.cross_entropy(z, y, reduction) == loss
    tol = agreement_ulps(K)
    assert ulps(loss, ref_loss, dtype) <= tol, (loss, ref_loss)
    rows, ref = grad.reshape(-1, K), ref_grad.reshape(-1, K)
    c = np.asarray(y).reshape(-1) if np.ndim(y) < z.ndim else np.asarray(y).reshape(-1, K).argmax(1)
    i = np.arange(len(rows))
    assert np.all(ulps(rows[i, c], ref[i, c], dtype) <= tol)  # p_c - 1
    # left uncorrected by the fast path (with a margin of 2 for the rounding of the bound)
    negligible = ref <= (2 * fastpath.NEGLIGIBLE / K) * -ref[i, c][:, None]
    negligible[i, c] = False
    counts = ~negligible
    counts[i, c] = False
    assert np.all(ulps(rows[counts], ref[counts], dtype) <= tol)
    eps = float(np.finfo(dtype).eps)
    scale = 1 / len(rows) if reduction == "mean" else 1
    assert np.all(np.abs(rows[negligible] - ref[negligible]) <= eps * 2.0**-20 * scale)


# --------------------------------------------------------------- the fast path and the reference
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("spread", [3.0, 100.0])  # typical (no shift) and wide (shifted) logits
@pytest.mark.parametrize("K", [2, 3, 10, 100, 1000])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_the_fast_path_agrees_with_the_reference_on_random_logits(dtype, spread, K, reduction):
    rng = np.random.default_rng(K + int(spread))
    n = max(2, 40_000 // K)
    z = (rng.normal(size=(n, K)) * spread + rng.uniform(-spread, spread, (n, 1))).astype(dtype)
    y = rng.integers(0, K, n)
    assert_agree(z, y, reduction)
    assert_agree(z, numeric.one_hot(y, K), reduction)  # one-hot labels: the same numbers


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_fast_path_agrees_with_the_reference_across_blocks(dtype):
    """More rows than one block holds, with typical and wide blocks side by side."""
    rng = np.random.default_rng(11)
    n = 7 * (3 * fastpath.BLOCK_ELEMENTS // 70 + 1)  # three blocks of rows of 10, and a bit
    z = rng.normal(size=(n, 10)) * 3
    z[n // 2 :] *= 40  # the later blocks are shifted
    z = z.astype(dtype)
    y = rng.integers(0, 10, n)
    assert_agree(z, y)
    assert_agree(z.reshape(-1, 7, 10)[:, :5].copy(), y.reshape(-1, 7)[:, :5], "mean")


def hard_rows(dtype):
    """Rows at the edges: ties, huge gaps, a true class far ahead, maxima near and far from 0."""
    rng = np.random.default_rng(12)
    rows = [[0.0, 0.0], [0.0, 40.0], [40.0, 0.0], [0.1, -700.3], [5e3, 5e3 - 1e-3, 0.0]]
    rows += [[1e4, 0.0, -1e4], [-1e4, 0.0, 1e4], [37.0, -37.0, 0.0], [345.0, -345.0, 1.0]]
    rows += [[np.finfo(dtype).max / 4, 0.0, -np.finfo(dtype).max / 4]]
    z = [np.array(r, dtype) for r in rows]
    for gap in [0.0, *np.geomspace(1e-3, 1e4, 15)]:
        for K in (2, 3, 8):
            row = np.concatenate([[0.0], -rng.uniform(0, gap, K - 1)]) + rng.uniform(-50, 50)
            z.append(row.astype(dtype))
    return z


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_fast_path_agrees_with_the_reference_on_hard_rows(dtype):
    for row in hard_rows(dtype):
        for c in range(len(row)):
            assert_agree(row[None], [c])
    z, y = wide_rows(np.random.default_rng(13), dtype, 10)
    assert_agree(z, y)
    assert_agree(z, y, "mean")


@settings(max_examples=60)
@given(
    st.sampled_from(DTYPES),
    st.integers(1, 5),
    st.integers(2, 40),
    st.floats(-1e4, 1e4),
    st.sampled_from([1.0, 30.0, 300.0]),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["sum", "mean"]),
)
def test_the_fast_path_agrees_with_the_reference_on_drawn_logits(
    dtype, n, K, offset, spread, seed, reduction
):
    rng = np.random.default_rng(seed)
    z = (offset + rng.normal(size=(n, K)) * spread).astype(dtype)
    assert_agree(z, rng.integers(0, K, n), reduction)


# --------------------------------------------------------------------------- the devices
SHAPES = st.tuples(st.integers(1, 6), st.integers(2, 6))


@settings(max_examples=40)
@given(
    arrays(np.float64, SHAPES, elements=st.floats(-38, 38)),
    st.sampled_from(DTYPES),
    st.data(),
)
def test_the_unshifted_and_the_max_shifted_paths_agree(z, dtype, data):
    y = data.draw(arrays(np.int64, z.shape[:1], elements=st.integers(0, z.shape[1] - 1)))
    z = z.astype(dtype)
    fast = numeric.cross_entropy_and_grad(z, y)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fastpath, "NO_SHIFT_LIMIT", {}, raising=True)  # force the shift by the row max
        shifted = numeric.cross_entropy_and_grad(z, y)
    assert fastpath.NO_SHIFT_LIMIT  # restored
    tol = 8 * float(np.finfo(dtype).eps)
    assert fast[0] == pytest.approx(shifted[0], rel=tol, abs=tol)
    np.testing.assert_allclose(fast[1], shifted[1], rtol=tol, atol=tol)


def test_the_no_shift_table_is_what_the_fast_path_reads(monkeypatch):
    """Forcing the shift changes the numbers of typical logits: the table is really in use."""
    z = np.random.default_rng(14).normal(size=(200, 10)) * 3
    y = np.arange(200) % 10
    unshifted = numeric.cross_entropy_and_grad(z, y)[1]
    monkeypatch.setattr(fastpath, "NO_SHIFT_LIMIT", {}, raising=True)
    assert not np.array_equal(numeric.cross_entropy_and_grad(z, y)[1], unshifted)


def wide_rows(rng, dtype, K, n=64):
    """Rows that exercise every case of the shifted path's correction (see _correct_shift)."""
    base = rng.normal(size=(5, n, K))
    rows = [
        base[0] * 100,  # wide: the maxima far from 0, corrected nowhere
        base[1] * 10 + rng.uniform(-200, 200, size=(n, 1)),  # logits close together, offset
        -np.abs(base[2]) * 30 + rng.uniform(0, 120, size=(n, 1)),  # maxima around 2 (lam + 1)
        -np.abs(base[3]) * 30 - rng.uniform(0, 120, size=(n, 1)),  # maxima around -(lam + 1)
        base[4] * 3 + np.eye(K)[0] * rng.uniform(0, 600, size=(n, 1)),  # true class far ahead
    ]
    z = np.concatenate(rows).astype(dtype)
    y = rng.integers(0, K, len(z))
    y[4 * n :] = 0
    return z, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("K", [2, 10, 100])
def test_skipping_the_negligible_corrections_changes_nothing_that_counts(dtype, K, monkeypatch):
    z, y = wide_rows(np.random.default_rng(K), dtype, K)
    loss, grad = numeric.cross_entropy_and_grad(z, y)
    monkeypatch.setattr(fastpath, "NEGLIGIBLE", 0.0, raising=True)  # the full correction
    loss_full, grad_full = numeric.cross_entropy_and_grad(z, y)
    eps = float(np.finfo(dtype).eps)
    assert loss == pytest.approx(loss_full, rel=2 * eps)
    rows = np.arange(len(z))
    np.testing.assert_allclose(grad[rows, y], grad_full[rows, y], rtol=2 * eps)  # p_c - 1
    np.testing.assert_allclose(grad, grad_full, rtol=2 * eps, atol=eps * 2.0**-20)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_left_uncorrected_have_exact_shifts_where_it_matters(dtype):
    """Sterbenz: where the row's maximum is far from 0, z - max is exact above the bound."""
    rng = np.random.default_rng(8)
    for K in (2, 10, 100):
        z, y = wide_rows(rng, dtype, K)
        top = fastpath.row_max(z)
        d, r, t = np.empty_like(z), np.empty_like(z), np.empty_like(z)
        fastpath.two_diff(z, top, d, r, t, finite=True)
        e = np.exp(d)
        e[np.arange(len(z)), y] = 0
        others = e.sum(axis=1)
        bound = others * (fastpath.NEGLIGIBLE / K)
        with np.errstate(divide="ignore"):
            lam1 = 1 - np.log(bound)
        skipped = (top[:, 0] >= 2 * lam1) | (top[:, 0] <= -lam1)
        assert skipped.sum() > len(z) / 4  # the rule is exercised
        matters = skipped[:, None] & (e > bound[:, None])
        assert matters.any() and np.all(r[matters] == 0)


def exact_loss(z, c):
    """-log softmax(z)[c] in mpmath, with the digits to resolve exp(-spread) next to 1."""
    values = [float(v) for v in z]
    with mpmath.workdps(int(40 + (max(values) - min(values)) / 2.3)):
        e = [mpmath.exp(mpmath.mpf(v)) for v in values]
        return float(-mpmath.log(e[c] / mpmath.fsum(e)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_loss_of_long_wide_rows_matches_mpmath(dtype):
    rng = np.random.default_rng(9)
    z, y = wide_rows(rng, dtype, 40, n=6)
    losses = [numeric.cross_entropy(row[None], [c]) for row, c in zip(z, y, strict=True)]
    _, grad = numeric.cross_entropy_and_grad(z, y)
    for row, c, loss, g in zip(z, y, losses, grad, strict=True):
        assert ulps(loss, exact_loss(row, c), dtype) <= 4, row.tolist()
        assert ulps(g[c], exact_h_minus_one(row, c), dtype) <= 4, row.tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_diff_is_exact(dtype):
    rng = np.random.default_rng(15)
    z = (rng.normal(size=(50, 7)) * rng.choice([1e-3, 1.0, 1e3, 1e30], size=(50, 1))).astype(dtype)
    top = fastpath.row_max(z)
    d, r, t = np.empty_like(z), np.empty_like(z), np.empty_like(z)
    fastpath.two_diff(z, top, d, r, t)
    for zi, ti, di, ri in zip(z.ravel(), np.repeat(top, 7), d.ravel(), r.ravel(), strict=True):
        exact = Fraction(float(zi)) - Fraction(float(ti))
        assert Fraction(float(di)) + Fraction(float(ri)) == exact


@pytest.mark.parametrize("K", [2, 5, 32, 33, 100])
def test_row_max_is_the_maximum_of_each_row(K):
    z = np.random.default_rng(K).normal(size=(9, K))
    np.testing.assert_array_equal(fastpath.row_max(z), z.max(axis=1, keepdims=True))
