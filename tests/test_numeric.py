"""derivation.numeric against independent oracles: properties, mpmath, numerical gradients."""

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import numeric as N
from derivation.gradcheck import numerical_grad

moderate = st.floats(-30, 30, allow_nan=False, allow_infinity=False)
huge = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
shapes = st.tuples(st.integers(1, 6), st.integers(2, 6))


@st.composite
def logits_and_labels(draw, elements=moderate, dtype=np.float64):
    z = draw(arrays(dtype, shapes, elements=elements))
    y = draw(arrays(np.int64, z.shape[:1], elements=st.integers(0, z.shape[1] - 1)))
    return z, y


# --------------------------------------------------------------------------- softmax
@given(arrays(np.float64, shapes, elements=moderate), st.floats(-100, 100))
def test_softmax_sums_to_one_and_ignores_shifts(z, c):
    p = N.softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(N.softmax(z + c), p, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.exp(N.log_softmax(z)), p, rtol=1e-9, atol=1e-300)


@given(arrays(np.float64, shapes, elements=huge))
def test_softmax_and_log_softmax_are_finite_for_any_finite_logits(z):
    assert np.all(np.isfinite(N.softmax(z)))
    assume(np.ptp(z, axis=-1).max() < 1e307)  # beyond that the log-probability itself overflows
    assert np.all(np.isfinite(N.log_softmax(z)))


def test_softmax_along_another_axis_and_keeps_float32():
    z = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_allclose(N.softmax(z, axis=0), N.softmax(z.T).T)
    assert N.softmax(z.astype(np.float32)).dtype == np.float32


# --------------------------------------------------------------------------- the Jacobian
@settings(max_examples=40)
@given(arrays(np.float64, shapes, elements=moderate))
def test_jacobian_is_symmetric_with_zero_row_sums(z):
    jac = N.softmax_jacobian(z)
    assert jac.shape == (*z.shape, z.shape[-1])
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2), atol=1e-16)
    np.testing.assert_allclose(jac.sum(axis=-1), 0.0, atol=1e-15)


@settings(max_examples=25)
@given(arrays(np.float64, st.integers(2, 6), elements=moderate))
def test_jacobian_equals_the_complex_step_jacobian(z):
    K = z.shape[0]
    numerical = np.array(
        [numerical_grad(lambda v, j=j: N.softmax(v)[j], z, method="complex") for j in range(K)]
    )
    np.testing.assert_allclose(N.softmax_jacobian(z), numerical, rtol=1e-12, atol=1e-15)


def test_jacobian_diagonal_is_accurate_when_p_is_near_one():
    z = np.array([0.0, 50.0])
    exact = float(mpmath.exp(-50) / (1 + mpmath.exp(-50)) ** 2)  # p(1 - p) for the large p
    assert N.softmax_jacobian(z)[1, 1] == pytest.approx(exact, rel=1e-14)


# ----------------------------------------------------------------- cross-entropy and its gradient
@given(logits_and_labels())
def test_gradient_rows_sum_to_zero_and_match_p_minus_y(zy):
    z, y = zy
    g = N.cross_entropy_grad(z, y)
    np.testing.assert_allclose(g.sum(axis=-1), 0.0, atol=1e-14)
    np.testing.assert_allclose(g, N.softmax(z) - N.one_hot(y, z.shape[1]), atol=1e-15)


@settings(max_examples=30)
@given(logits_and_labels(elements=st.floats(-8, 8)))
def test_gradient_equals_central_differences_and_complex_step(zy):
    z, y = zy
    g = N.cross_entropy_grad(z, y)
    complex_step = numerical_grad(lambda v: N.cross_entropy(v, y), z, method="complex")
    np.testing.assert_allclose(g, complex_step, rtol=1e-12, atol=1e-15)
    central = numerical_grad(lambda v: N.cross_entropy(v, y), z, method="central")
    np.testing.assert_allclose(g, central, rtol=1e-6, atol=1e-8)


@given(logits_and_labels(elements=huge))
def test_loss_and_gradient_are_finite_for_logits_up_to_1e300(zy):
    z, y = zy
    loss, g = N.cross_entropy_and_grad(z, y)
    assert np.all(np.isfinite(g))
    assert np.isfinite(loss) or np.ptp(z, axis=-1).max() > 1e306  # -log p itself overflows


@pytest.mark.parametrize("magnitude", [1e4, 1e6, 1e10, 1e100])
def test_huge_logits_give_the_limits(magnitude):
    z = np.array([[magnitude, 0.0, -magnitude]])
    loss, g = N.cross_entropy_and_grad(z, [0])
    assert loss == 0.0
    np.testing.assert_array_equal(g, [[0.0, 0.0, 0.0]])
    loss, g = N.cross_entropy_and_grad(z, [2])
    assert loss == pytest.approx(2 * magnitude)
    np.testing.assert_array_equal(g, [[1.0, 0.0, -1.0]])


def test_mean_is_sum_over_n_and_labels_may_be_one_hot():
    z = np.random.default_rng(0).normal(size=(4, 3))
    y = np.array([0, 2, 1, 1])
    loss_s, g_s = N.cross_entropy_and_grad(z, y, "sum")
    loss_m, g_m = N.cross_entropy_and_grad(z, y, "mean")
    assert loss_m == pytest.approx(loss_s / 4)
    np.testing.assert_allclose(g_m, g_s / 4)
    np.testing.assert_array_equal(N.cross_entropy_grad(z, N.one_hot(y, 3)), g_s)
    assert N.cross_entropy(z, N.one_hot(y, 3)) == loss_s


def test_batches_of_any_leading_shape():
    z = np.random.default_rng(1).normal(size=(2, 3, 4))
    y = np.array([[0, 1, 3], [2, 2, 0]])
    g = N.cross_entropy_grad(z, y)
    assert g.shape == z.shape
    np.testing.assert_allclose(g.reshape(6, 4), N.cross_entropy_grad(z.reshape(6, 4), y.ravel()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    z = np.random.default_rng(2).normal(size=(3, 4)).astype(dtype)
    loss, g = N.cross_entropy_and_grad(z, [0, 1, 2])
    assert g.dtype == dtype and np.asarray(loss).dtype == dtype
    assert N.softmax_jacobian(z).dtype == dtype


# ----------------------------------------------------------------- accuracy against mpmath
def digits(z):
    """Decimal digits that resolve exp(-spread) next to 1, plus a margin."""
    return int(60 + float(np.ptp(z)) / 2.3)


def exact_p_minus_one(z, c):
    with mpmath.workdps(digits(z)):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        return e[c] / mpmath.fsum(e) - 1


def exact_loss(z, c):
    with mpmath.workdps(digits(z)):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        return -mpmath.log(e[c] / mpmath.fsum(e))


def ulps(value, exact):
    exact = float(exact)
    return abs(value - exact) / np.spacing(abs(exact))


@pytest.mark.parametrize("gap", [1.0, 10.0, 20.0, 30.0, 36.0, 40.0, 100.0, 700.0])
def test_p_minus_one_is_accurate_to_a_few_ulps_at_any_gap(gap):
    z = np.array([0.0, gap, -1.0, -5.0])
    g = N.cross_entropy_grad(z[None, :], [1])[0, 1]
    assert g < 0
    assert ulps(g, exact_p_minus_one(z, 1)) <= 4
    naive = N.softmax(z)[1] - 1.0  # what frameworks compute
    if gap >= 40:
        assert naive == 0.0  # rounded away completely


@pytest.mark.parametrize("gap", [0.5, 5.0, 30.0, 40.0, 300.0])
@pytest.mark.parametrize("true_class", [0, 1])
def test_the_loss_is_accurate_to_a_few_ulps(gap, true_class):
    z = np.array([0.0, gap, gap / 2])
    loss = N.cross_entropy(z[None, :], [true_class])
    assert ulps(loss, exact_loss(z, true_class)) <= 4


def test_float32_accuracy_of_p_minus_one():
    z = np.array([0.0, 20.0, 1.0], dtype=np.float32)
    g = N.cross_entropy_grad(z[None, :], [1])[0, 1]
    exact = float(exact_p_minus_one(z, 1))
    assert abs(g - exact) <= 4 * np.spacing(np.float32(abs(exact)))


# ----------------------------------------------------------------- PyTorch, when installed
def test_agrees_with_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    z = np.random.default_rng(3).normal(size=(8, 5)) * 3
    y = np.arange(8) % 5
    zt = torch.tensor(z, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(zt, torch.tensor(y), reduction="sum")
    loss.backward()
    ours, grad = N.cross_entropy_and_grad(z, y)
    assert ours == pytest.approx(loss.item(), rel=1e-13)
    np.testing.assert_allclose(grad, zt.grad.numpy(), atol=1e-15)


# --------------------------------------------------------------------------- bad input
Z = np.zeros((2, 3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: N.softmax([1.0, np.nan]), "NaN at index"),
        (lambda: N.cross_entropy([[1.0, np.inf]], [0]), "infinite value"),
        (lambda: N.cross_entropy_grad([[1.0, -np.inf]], [0]), "infinite value"),
        (lambda: N.softmax([1.0]), "at least two classes"),
        (lambda: N.cross_entropy(np.zeros((2, 1)), [0, 0]), "at least two classes"),
        (lambda: N.cross_entropy(np.zeros((0, 3)), np.zeros(0, int)), "empty batch"),
        (lambda: N.softmax(3.0), "class axis"),
        (lambda: N.softmax(np.array([1, 2])), "floating point"),
        (lambda: N.cross_entropy(np.array([[True, False]]), [0]), "floating point"),
        (lambda: N.softmax(["a", "b"]), "floating point"),
        (lambda: N.softmax_jacobian(np.array([1 + 1j, 0])), "floating point"),
        (lambda: N.cross_entropy_grad(Z, [0, 3]), "out of range"),
        (lambda: N.cross_entropy_grad(Z, [0, -1]), "out of range"),
        (lambda: N.cross_entropy_grad(Z, [0, 1, 2]), "do not match"),
        (lambda: N.cross_entropy_grad(Z, [0.0, 1.0]), "must be integers"),
        (lambda: N.cross_entropy_grad(Z, [[1, 1, 0], [0, 0, 1]]), "sum to 1"),
        (lambda: N.cross_entropy_grad(Z, [[0, 0, 0], [0, 0, 1]]), "sums to 0"),
        (lambda: N.cross_entropy_grad(Z, [[0.5, 0.5, 0], [0, 0, 1]]), "only 0 and 1"),
        (lambda: N.cross_entropy(Z, [0, 1], reduction="avg"), "reduction"),
        (lambda: N.one_hot([0, 3], 3), r"0\.\.2"),
        (lambda: N.one_hot([0.5], 3), "integer"),
        (lambda: N.one_hot([], 3), "empty"),
        (lambda: N.one_hot([0], 1), "classes"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_may_be_a_reused_buffer_or_the_logits_themselves(dtype):
    z = (np.random.default_rng(5).normal(size=(7, 5)) * 3).astype(dtype)
    y = np.array([0, 4, 1, 2, 3, 0, 1])
    loss, expected = N.cross_entropy_and_grad(z, y)
    buffer = np.empty_like(z)
    loss_b, grad_b = N.cross_entropy_and_grad(z, y, out=buffer)
    assert grad_b is buffer and loss_b == loss
    np.testing.assert_array_equal(buffer, expected)
    overwritten = z.copy()
    N.cross_entropy_and_grad(overwritten, y, out=overwritten)
    np.testing.assert_array_equal(overwritten, expected)
    with pytest.raises(ValueError, match="out must be"):
        N.cross_entropy_and_grad(z, y, out=np.empty((7, 4), dtype))


# ------------------------------------------------------- issue 10: log-softmax, float16, axis, out
def exact_log_softmax(z):
    """log softmax(z) in mpmath, with the digits to resolve exp(-spread) next to 1."""
    values = [float(v) for v in z]
    with mpmath.workdps(int(40 + (max(values) - min(values)) / 2.3)):
        e = [mpmath.exp(mpmath.mpf(v)) for v in values]
        total = mpmath.fsum(e)
        return [float(mpmath.log(v / total)) for v in e]


def ulps_in(value, exact, dtype):
    """|value - exact| in units of the last place of ``exact`` in ``dtype``."""
    if exact == 0:
        return 0.0 if value == 0 else np.inf
    return abs(float(value) - exact) / float(np.spacing(dtype(abs(exact))))


#: stated bound: log_softmax and cross_entropy within 4 ulps of mpmath (measured: 2)
ULPS = 4
GAPS = [0.0, *np.geomspace(1e-3, 1e4, 36)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("offset", [0.0, 0.37, -123.4, 5e3])
def test_log_softmax_and_cross_entropy_match_mpmath_at_gaps_from_0_to_1e4(dtype, offset):
    rng = np.random.default_rng(int(abs(offset) * 100) + np.dtype(dtype).itemsize)
    for gap in GAPS:
        for K in (2, 3, 8):
            z = (offset + np.concatenate([[0.0], -rng.uniform(0, gap, K - 1)])).astype(dtype)
            z[-1] = dtype(offset - gap)  # the full gap, exactly as far as dtype allows
            exact = exact_log_softmax(z)
            mine = N.log_softmax(z)
            assert mine.dtype == dtype
            for c in range(K):
                ce = N.cross_entropy(z[None, :], [c])
                where = f"gap {gap}, K {K}, class {c}, z = {z.tolist()}"
                assert ulps_in(mine[c], exact[c], dtype) <= ULPS, where
                assert ulps_in(ce, -exact[c], dtype) <= ULPS, where
                assert ulps_in(ce, -float(mine[c]), dtype) <= ULPS, where  # consistent


def test_log_softmax_keeps_the_largest_entry():
    assert N.log_softmax([0.0, -30.0])[0] == pytest.approx(-9.357622968839737e-14, rel=2e-16)
    assert N.log_softmax([0.0, -100.0])[0] == pytest.approx(-3.720075976020836e-44, rel=2e-16)
    # a gap whose z - max is inexact: the rounding of the subtraction is corrected too
    z = np.array([0.1, -700.3])
    assert ulps_in(N.log_softmax(z)[0], exact_log_softmax(z)[0], np.float64) <= 2


def test_log_softmax_stays_complex_step_differentiable():
    z = np.array([0.3, -1.2, 2.0])
    p = N.softmax(z)
    for j in range(3):
        row = numerical_grad(lambda v, j=j: N.log_softmax(v)[j], z, method="complex")
        np.testing.assert_allclose(row, np.eye(3)[j] - p, rtol=1e-13, atol=1e-15)


def test_float16_is_computed_in_float32_and_returned_as_float16():
    z = np.zeros(70_000, dtype=np.float16)  # a float16 sum of 70 000 ones overflows to inf
    p = N.softmax(z)
    assert p.dtype == np.float16 and abs(p.astype(np.float64).sum() - 1) < 1e-2
    logp = N.log_softmax(z)
    assert logp.dtype == np.float16 and logp[0] == np.float16(-np.log(70_000))
    z16 = np.array([[11.5, 0.0, -3.0], [0.5, 1.0, 2.0]], dtype=np.float16)  # e^11.5 > float16 max
    y = np.array([0, 2])
    loss, grad = N.cross_entropy_and_grad(z16, y)
    loss32, grad32 = N.cross_entropy_and_grad(z16.astype(np.float32), y)
    assert loss.dtype == np.float16 and grad.dtype == np.float16
    assert loss == np.float16(loss32) and N.cross_entropy(z16, y) == np.float16(loss32)
    np.testing.assert_array_equal(grad, grad32.astype(np.float16))
    out = np.empty_like(z16)
    assert N.cross_entropy_and_grad(z16, y, out=out)[1] is out
    np.testing.assert_array_equal(out, grad)
    assert N.softmax_jacobian(z16).dtype == np.float16


def test_the_class_axis_is_checked_where_it_is():
    column = np.zeros((3, 1))  # three classes on axis 0, one sample
    np.testing.assert_allclose(N.softmax(column, axis=0), np.full((3, 1), 1 / 3))
    np.testing.assert_allclose(N.log_softmax(column, axis=0), np.full((3, 1), -np.log(3)))
    with pytest.raises(ValueError, match="at least two classes on axis 0"):
        N.softmax(np.zeros((1, 3)), axis=0)
    with pytest.raises(ValueError, match="at least two classes on axis 0"):
        N.log_softmax(np.zeros((1, 3)), axis=0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        N.softmax(np.zeros((2, 3)), axis=2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("spread", [3.0, 400.0])  # the unshifted and the max-shifted path
def test_an_out_that_overlaps_the_logits_in_part_is_detected(dtype, spread):
    buffer = (np.random.default_rng(6).normal(size=(9, 5)) * spread).astype(dtype)
    z, out = buffer[1:], buffer[:-1]  # the same memory, one row apart
    y = np.array([0, 4, 1, 2, 3, 0, 1, 2])
    original = z.copy()
    loss, expected = N.cross_entropy_and_grad(original, y)
    loss_o, grad = N.cross_entropy_and_grad(z, y, out=out)
    assert grad is out and loss_o == loss
    np.testing.assert_array_equal(out, expected)
    itself = original.copy()  # exactly the logits: documented and still in place
    N.cross_entropy_and_grad(itself, y, out=itself)
    np.testing.assert_array_equal(itself, expected)


# ------------------------------------------------ names that moved to article and routes (issue 13)
def test_the_article_and_the_routes_are_still_reached_through_numeric():
    from derivation import article, routes
    from derivation.numeric import theta_grad, vjp_route_grad

    assert theta_grad is article.theta_grad and vjp_route_grad is routes.vjp_route_grad
    for name in N.__all__:
        home = article if name in article.__all__ else routes if name in routes.__all__ else N
        assert getattr(N, name) is getattr(home, name), name
        assert name in dir(N)
    with pytest.raises(AttributeError, match="no attribute 'softmax_grad'"):
        N.softmax_grad  # noqa: B018
