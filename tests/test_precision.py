"""derivation.precision: bfloat16 rounding and the thresholds, against mpmath (independent)."""

import json
import math
import re
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivation import precision as P

#: (significant bits, smallest normal exponent, largest finite number) of each format
SPEC = {
    "bfloat16": (8, -126, (2 - 2.0**-7) * 2.0**127),
    "float16": (11, -14, 65504.0),
    "float32": (24, -126, float(np.finfo(np.float32).max)),
    "float64": (53, -1022, float(np.finfo(np.float64).max)),
}


def mp_round(x, fmt):
    """x rounded to the format's significant bits by mpmath (ties to even), no exponent limit."""
    with mpmath.workprec(SPEC[fmt][0]):
        return +mpmath.mpf(x)


def ulp(x, fmt):
    """The spacing of the format's numbers at x (normal range), from its exponent."""
    bits = SPEC[fmt][0]
    return 2.0 ** (math.frexp(x)[1] - bits)


# --------------------------------------------------------------------------- rounding
@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=2.0**-120, max_value=2.0**127, allow_nan=False, width=32))
def test_bfloat16_is_mpmath_rounding_to_8_bits(x):
    for value in (x, -x):
        got = float(P.to_bfloat16(np.float32(value)))
        expected = mp_round(float(np.float32(value)), "bfloat16")
        if abs(expected) > SPEC["bfloat16"][2]:
            assert math.isinf(got)
        else:
            assert got == float(expected)


def test_bfloat16_ties_nan_inf_and_overflow():
    one = 1.0
    ties = [one + 2.0**-8, one + 3 * 2.0**-8]  # halfway: to even (1, then 1 + 2^-6)
    assert P.to_bfloat16(ties).tolist() == [1.0, 1.0 + 2.0**-6]
    out = P.to_bfloat16([np.nan, np.inf, -np.inf, 3.4e38, -0.0])
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == -np.inf and out[3] == np.inf
    assert np.signbit(out[4])
    largest = SPEC["bfloat16"][2]
    assert float(P.to_bfloat16(np.float32(largest))) == largest
    assert (P.to_bfloat16(np.random.default_rng(0).normal(size=100)).view(np.uint32)
            & 0xFFFF).max() == 0  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=2.0**-14, max_value=65000, allow_nan=False))
def test_float16_rounding_is_mpmath_rounding_to_11_bits(x):
    assert float(P.round_to(x, "float16")) == float(mp_round(x, "float16"))


@pytest.mark.parametrize("fmt", P.FORMATS)
@pytest.mark.parametrize("x", [1.0, 3.0, 5.5625, 88.5, 0.1875])
def test_neighbours_are_one_ulp_away(fmt, x):
    assert P.next_up(x, fmt) - x == ulp(x, fmt)
    down = x - P.next_down(x, fmt)
    assert down == (ulp(x, fmt) / 2 if math.frexp(x)[0] == 0.5 else ulp(x, fmt))


@pytest.mark.parametrize("fmt", P.FORMATS)
def test_largest_and_smallest_numbers(fmt):
    bits, emin, top = SPEC[fmt]
    assert P.largest(fmt) == top
    assert P.smallest(fmt) == 2.0 ** (emin - bits + 1)
    if fmt != "bfloat16":
        info = np.finfo(np.dtype(fmt))
        assert P.largest(fmt) == float(info.max)
        assert P.smallest(fmt) == float(info.smallest_subnormal)


@pytest.mark.parametrize("fmt", ["float16", "float32", "float64"])
def test_neighbours_agree_with_nextafter(fmt):
    dtype = np.dtype(fmt).type
    for x in (1.0, 7.625, 36.75, 100.0):
        x = float(dtype(x))
        assert P.next_up(x, fmt) == float(np.nextafter(dtype(x), dtype(np.inf)))
        assert P.next_down(x, fmt) == float(np.nextafter(dtype(x), dtype(0)))


# --------------------------------------------------------------------------- thresholds
def mp_top_gradient(gap, fmt, classes=2):
    """h_1 - 1 for (gap, 0, ...) with every operation rounded to the format's bits, in mpmath."""
    with mpmath.workdps(40):
        e = mp_round(mpmath.exp(-mpmath.mpf(gap)), fmt)
    s = mpmath.mpf(1)
    for _ in range(classes - 1):
        s = mp_round(s + e, fmt)
    h1 = mp_round(1 / s, fmt)
    return mp_round(h1 - 1, fmt)


@pytest.mark.parametrize("fmt", P.FORMATS)
@pytest.mark.parametrize("classes", [2, 3])
def test_the_gradient_vanishes_where_mpmath_says(fmt, classes):
    t = P.thresholds(fmt, classes)["gradient is 0"]
    assert mp_top_gradient(t, fmt, classes) == 0
    assert mp_top_gradient(P.next_down(t, fmt), fmt, classes) != 0
    assert P.top_gradient(P.next_down(t, fmt), fmt, classes) < 0
    # 1 + e^-g rounds to 1 once e^-g <= 2^-p: g = p ln 2, to within an ulp of the format
    exact = SPEC[fmt][0] * math.log(2)
    assert abs(t - exact) <= ulp(t, fmt)


def test_the_gradient_thresholds_are_the_known_ones():
    got = {f: P.thresholds(f)["gradient is 0"] for f in P.FORMATS}
    assert [round(got[f], 1) for f in P.FORMATS] == [5.6, 7.6, 16.6, 36.7]


@pytest.mark.parametrize("fmt", P.FORMATS)
def test_exp_overflows_where_mpmath_says(fmt):
    t = P.thresholds(fmt)["exp overflows"]
    top = SPEC[fmt][2]
    bits = SPEC[fmt][0]
    with mpmath.workdps(40):
        half_ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(top, 2)) - bits)
        bound = mpmath.log(mpmath.mpf(top) + half_ulp)  # exp at or above it rounds to inf
        assert P.next_down(t, fmt) < bound <= t


@pytest.mark.parametrize("fmt", P.FORMATS)
def test_the_loss_vanishes_with_the_gradient_and_is_infinite_where_mpmath_says(fmt):
    found = P.thresholds(fmt)
    assert found["loss is 0"] == found["gradient is 0"]
    bits, emin, _ = SPEC[fmt]
    t = found["loss is inf"]
    with mpmath.workdps(40):
        tiny = mpmath.mpf(2) ** (emin - bits + 1)  # the smallest subnormal
        bound = mpmath.log(2 / tiny)  # e^-g below half of it rounds to 0
        assert P.next_down(t, fmt) < bound <= t + ulp(t, fmt)
    assert math.isinf(P.top_loss(t, fmt, true_class=1))
    assert math.isfinite(P.top_loss(P.next_down(t, fmt), fmt, true_class=1))


def test_threshold_confirms_or_refuses():
    assert P.threshold(lambda x: x >= 0.3, "float16", 0.25, 1.0) == float(np.float16(0.3))
    with pytest.raises(ValueError, match="false at low"):
        P.threshold(lambda x: True, "float16", 0.25, 1.0)
    with pytest.raises(ValueError, match="does not switch once"):
        P.threshold(lambda x: x == 0.5 or x == 1.0, "float16", 0.25, 1.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: P.round_to(1.0, "float8"), "format must be one of"),
        (lambda: P.next_up(0.1, "bfloat16"), "representable in bfloat16"),
        (lambda: P.next_up(-1.0, "float16"), "positive finite"),
        (lambda: P.top_gradient(1.0, "float16", classes=1), "classes must be"),
        (lambda: P.top_gradient(np.nan, "float16"), "gap must be finite"),
        (lambda: P.top_loss(1.0, "float16", true_class=2), "true_class"),
        (lambda: P.scaled_round_trip([1.0], 0.0), "scale must be finite and > 0"),
        (lambda: P.fused_grad([[1.0, 2.0]], [[1.0]], "float16"), "y of its shape"),
        (lambda: P.naive_route_grad([1.0, 2.0], [1.0, 0.0], "float32"), "matrix"),
    ],
)
def test_bad_input_is_a_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- remedies
def test_loss_scaling_keeps_small_gradients_that_plain_float16_flushes():
    g = np.geomspace(1e-9, 1e-4, 50)
    plain = P.scaled_round_trip(g, 1.0)
    scaled = P.scaled_round_trip(g, 2.0**16)
    assert (plain == 0).sum() > 10 and (scaled == 0).sum() == 0
    assert np.max(np.abs(scaled - g) / g) < 0.05  # subnormal at the small end: a few per cent
    assert np.max(np.abs(scaled[g > 1e-7] - g[g > 1e-7]) / g[g > 1e-7]) < 2.0**-10


@pytest.mark.parametrize("fmt", P.FORMATS)
def test_the_fused_kernel_matches_mpmath_and_never_divides_by_h(fmt):
    z = np.array([[0.0, 1.0, -2.0], [0.0, 800.0, 0.0]])
    y = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    got = P.fused_grad(z, y, fmt).astype(np.float64)
    assert np.all(np.isfinite(got))
    for row in range(2):
        lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in z[row]))
        exact = [float(mpmath.exp(v - lse)) - y[row, k] for k, v in enumerate(z[row])]
        assert np.allclose(got[row], exact, atol=8 * 2.0 ** -SPEC[fmt][0])
    naive = P.naive_route_grad(z, y, fmt)
    assert np.all(np.isnan(naive[1]))
    assert np.allclose(naive[0].astype(np.float64), got[0], atol=16 * 2.0 ** -SPEC[fmt][0])


# --------------------------------------------------------------------------- notebook 12's figures
NOTEBOOK = (
    Path(__file__).resolve().parents[1] / "notebooks" / "12_shapes_labels_and_precision.ipynb"
)


def _printed(start):
    """The stored output lines of notebook 12 that start (after spaces) with ``start``."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    return [line.strip() for line in text.splitlines() if line.strip().startswith(start)]


@pytest.mark.parametrize("fmt", P.FORMATS)
def test_the_notebook_prints_the_thresholds_mpmath_confirms(fmt):
    (line,) = _printed(f"{fmt}: h₁ − 1 is exactly 0")
    gap = float(line.rsplit(" ", 1)[1])
    t = P.thresholds(fmt)["gradient is 0"]
    assert gap == pytest.approx(t, rel=1e-5)  # printed to six figures
    assert mp_top_gradient(t, fmt) == 0 and mp_top_gradient(P.next_down(t, fmt), fmt) != 0
    (line,) = _printed(f"{fmt}: {SPEC[fmt][0]:2} bits, ε = 2^{1 - SPEC[fmt][0]}, ")
    assert float(re.search(r"ln\(2/ε\) = ([\d.]+)", line).group(1)) == pytest.approx(
        float(SPEC[fmt][0] * mpmath.log(2)), abs=5e-5
    )
    (line,) = _printed(f"{fmt}: exp(z) = inf from z = ")
    overflow = float(re.search(r"from z = ([\d.]+);", line).group(1))
    with mpmath.workdps(30):
        assert mpmath.exp(mpmath.mpf(overflow) * (1 + 1e-5)) > SPEC[fmt][2]
        assert mpmath.exp(mpmath.mpf(P.next_down(P.thresholds(fmt)["exp overflows"], fmt))) < (
            SPEC[fmt][2] * (1 + 2.0 ** -SPEC[fmt][0])
        )
