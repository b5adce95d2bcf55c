"""derivation.training: seeded data, gradient descent, the L2 comparison."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from derivation import general, numeric, plots
from derivation.gradcheck import gradcheck
from derivation.training import accuracy, decision_boundaries, gradient_descent, make_data


def test_data_are_seeded_and_balanced():
    X, y = make_data(90, seed=3)
    X2, y2 = make_data(90, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert X.shape == (90, 2) and np.all(X[:, 0] == 1) and np.bincount(y).tolist() == [30, 30, 30]
    assert make_data(12, features=2)[0].shape == (12, 3)
    with pytest.raises(ValueError, match="features"):
        make_data(9, features=3)


def test_small_steps_lower_the_loss_monotonically_and_learn():
    X, y = make_data(90, seed=0)
    history = gradient_descent(X, y, learning_rate=0.01, steps=300)
    assert np.all(np.diff(history.losses) <= 1e-12)
    assert history.losses[-1] < 0.2 * history.losses[0]
    assert history.accuracy[-1] >= 0.85
    X2, y2 = make_data(120, features=2, seed=1)
    assert gradient_descent(X2, y2, learning_rate=0.01, steps=300).accuracy[-1] >= 0.95


def test_each_step_is_the_article_gradient():
    X, y = make_data(30, seed=2)
    history = gradient_descent(X, y, learning_rate=0.02, steps=1)
    expected = history.thetas[0] - 0.02 * numeric.theta_grad(history.thetas[0], X, y)
    np.testing.assert_allclose(history.thetas[1], expected, rtol=1e-14)


def test_boundaries_separate_the_three_classes():
    X, y = make_data(90, seed=0)
    theta = gradient_descent(X, y, learning_rate=0.01, steps=300).thetas[-1]
    bounds = decision_boundaries(theta)
    assert [(a, b) for _, a, b in bounds] == [(0, 1), (1, 2)]
    assert -2 < bounds[0][0] < 0 < bounds[1][0] < 2
    assert accuracy(theta, X, y) >= 0.85


def test_l2_gradient_is_right_but_keeps_the_jacobian():
    gradient, is_h_minus_y = general.l2_gradient(3)
    assert gradient.holds() and not is_h_minus_y.holds()
    assert "L2 gradient" in gradient.tag
    z = np.random.default_rng(0).normal(size=(4, 3))
    y = np.array([0, 1, 2, 1])

    def loss(v):
        return numeric.l2_loss_and_grad(v, y)[0]

    def grad(v):
        return numeric.l2_loss_and_grad(v, y)[1]

    result = gradcheck(loss, grad, z, method="central")  # not complex-safe: central differences
    assert result.ok, str(result)


def test_l2_learns_slower_from_a_saturated_start():
    X, y = make_data(90, seed=0)
    wrong = np.array([[0.0, 4.0], [0.0, 0.0], [0.0, -4.0]])  # confident and wrong
    ce = gradient_descent(X, y, learning_rate=0.01, steps=100, theta0=wrong)
    l2 = gradient_descent(X, y, learning_rate=0.01, steps=100, theta0=wrong, loss="l2")
    assert ce.cross_entropy[-1] < 0.1 * l2.cross_entropy[-1]
    assert ce.accuracy[-1] > l2.accuracy[-1]


def test_training_plots():
    X, y = make_data(60, features=2, seed=1)
    history = gradient_descent(X, y, learning_rate=0.01, steps=50, theta0=np.zeros((3, 3)))
    ax = plots.loss_curves({"cross-entropy": history.losses})
    assert len(ax.lines) == 1 and ax.get_yscale() == "log"
    ax = plots.decision_regions(history.thetas[-1], X, y)
    assert len(ax.collections) >= 3
    plt.close("all")


def test_bad_training_arguments():
    X, y = make_data(9)
    with pytest.raises(ValueError, match="learning_rate"):
        gradient_descent(X, y, learning_rate=0)
    with pytest.raises(ValueError, match="loss"):
        gradient_descent(X, y, loss="hinge")
