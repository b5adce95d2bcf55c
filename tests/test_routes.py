"""derivation.routes: the student's Jacobian route, equal to p - y where it is finite."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from derivation import numeric, routes

shapes = st.tuples(st.integers(1, 6), st.integers(2, 6))


@st.composite
def logits_and_labels(draw):
    z = draw(arrays(np.float64, shapes, elements=st.floats(-30, 30)))
    y = draw(arrays(np.int64, z.shape[:1], elements=st.integers(0, z.shape[1] - 1)))
    return z, y


@given(logits_and_labels())
def test_the_jacobian_route_agrees_where_it_is_finite(zy):
    z, y = zy
    route = routes.jacobian_route_grad(z, y)
    rows = np.all(np.isfinite(route), axis=1)
    np.testing.assert_allclose(route[rows], numeric.cross_entropy_grad(z, y)[rows], atol=1e-12)


def test_the_jacobian_route_turns_nan_where_a_probability_underflows():
    route = routes.jacobian_route_grad(np.array([[0.0, 800.0, 0.0]]), [0])
    assert np.all(np.isnan(route))
    assert np.all(np.isfinite(numeric.cross_entropy_grad(np.array([[0.0, 800.0, 0.0]]), [0])))


def test_the_route_takes_a_batch_of_rows():
    with pytest.raises(ValueError, match="batch of rows"):
        routes.jacobian_route_grad(np.zeros(3), 0)
