"""derivation.symbolic.oracles: the student's Jacobian route as proven claims."""

import pytest

from derivation.symbolic import jacobian_route


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_the_jacobian_route_is_proven(classes):
    route = jacobian_route(classes)
    assert route.jacobian.shape == (classes, classes)
    assert route.jacobian_holds()
    assert route.chain_holds()
    assert not route.chain_holds(one_hot=False)
