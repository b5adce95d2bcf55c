"""Smaller helpers: the Jacobian route in SymPy, comparison tables, step sweeps, timing, plots."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from derivation import numeric as N
from derivation import plots
from derivation.gradcheck import comparison_table, error_vs_step
from derivation.symbolic import jacobian_route
from derivation.timing import median_seconds


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_the_jacobian_route_is_proven(classes):
    route = jacobian_route(classes)
    assert route.jacobian.shape == (classes, classes)
    assert route.jacobian_holds()
    assert route.chain_holds()
    assert not route.chain_holds(one_hot=False)


def test_comparison_table_lists_entries_and_errors():
    g = np.array([[1.0, -2.0]])
    text = comparison_table({"a": g, "b": g * (1 + 1e-9)}, reference="a")
    lines = text.splitlines()
    assert lines[0].split() == ["entry", "a", "b"]
    assert len(lines) == 4 and lines[-1].startswith("max rel. error")
    assert "1.0e-09" in lines[-1]
    with pytest.raises(ValueError, match="reference"):
        comparison_table({"a": g}, reference="c")
    with pytest.raises(ValueError, match="shape"):
        comparison_table({"a": g, "b": g.ravel()}, reference="a")


def test_error_vs_step_has_the_u_shape_for_central_differences():
    z = np.array([[0.3, -0.2, 0.1]])
    exact = N.cross_entropy_grad(z, [1])
    steps = np.logspace(-14, -1, 14)
    errors = error_vs_step(lambda v: N.cross_entropy(v, [1]), exact, z, steps, "central")
    best = errors.argmin()
    assert 0 < best < len(steps) - 1 and errors[best] < 1e-9
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]
    flat = error_vs_step(lambda v: N.cross_entropy(v, [1]), exact, z, steps, "complex")
    assert flat[steps <= 1e-6].max() < 1e-13  # no round-off at all: only O(h^2) truncation
    with pytest.raises(ValueError, match="positive"):
        error_vs_step(lambda v: 0.0, exact, z, [0.0])


def test_median_seconds():
    assert 0 < median_seconds(lambda: sum(range(100)), repeat=3, min_time=0.001) < 0.01
    with pytest.raises(ValueError, match="repeat"):
        median_seconds(lambda: None, repeat=0)


def test_plots_return_their_axes():
    X, Y, theta = N.example_problem()
    ax = plots.hypotheses_along_x1(theta, X, Y)
    assert len(ax.get_lines()) == 3
    ax = plots.error_vs_step({"a": ([1e-3, 1e-2], [1e-8, 0.0])}, marks={"h*": 1e-3})
    assert ax.get_xscale() == "log" and len(ax.get_lines()) == 2
    ax = plots.error_vs_gap({"naive": ([10, 20], [1e-16, 1e-8])})
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="theta"):
        plots.hypotheses_along_x1(np.zeros(3))
    plt.close("all")
