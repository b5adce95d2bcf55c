"""The explorers without a browser: set controls, compare the state with derivation.numeric."""

import numpy as np
import pytest

from derivation import numeric, stability
from derivation.widgets import article_explorer, logits_explorer


def test_logits_explorer_recomputes_from_numeric():
    ex = logits_explorer()
    for slider, value in zip(ex.logit_sliders, (1.5, -0.5, 0.25), strict=True):
        slider.value = value
    ex.true_class.value = 2
    ex.temperature.value = 2.0
    z, u = np.array([1.5, -0.5, 0.25]), np.array([1.5, -0.5, 0.25]) / 2.0
    s = ex.state
    np.testing.assert_array_equal(s["z"], z)
    np.testing.assert_array_equal(s["p"], numeric.softmax(u))
    np.testing.assert_array_equal(s["jacobian"], numeric.softmax_jacobian(u))
    loss, grad = numeric.cross_entropy_and_grad(u[None, :], [2])
    assert s["loss"] == loss
    np.testing.assert_array_equal(s["gradient"], grad[0] / 2.0)
    assert s["symmetric"] and s["rank"] == 2
    np.testing.assert_allclose(s["row_sums"], 0, atol=1e-15)
    assert s["eigenvalues"][0] == pytest.approx(0, abs=1e-15)


def test_the_view_shows_the_state_numbers():
    ex = logits_explorer(logits=[0.0, 1.0, 2.0])
    for k, p in enumerate(ex.state["p"]):
        assert f'class="p-value" data-index="{k}"' in ex.probabilities.value
        assert f">{p:.4f}<" in ex.probabilities.value
    assert f"{ex.state['loss']:.6g}" in ex.readout.value


def test_changing_the_number_of_classes_rebuilds_the_sliders():
    ex = logits_explorer(logits=[3.0, 1.0, 0.0], true_class=2)
    ex.classes.value = 5
    assert len(ex.logit_sliders) == 5 and ex.state["p"].shape == (5,)
    assert [s.value for s in ex.logit_sliders] == [3.0, 1.0, 0.0, 0.0, 0.0]
    ex.classes.value = 2
    assert ex.true_class.value == 1 and ex.state["jacobian"].shape == (2, 2)


def test_the_huge_range_shows_naive_softmax_failing_and_the_stable_one_not():
    ex = logits_explorer()
    ex.range_switch.value = "huge (±1000)"
    assert ex.logit_sliders[0].max == 1000
    ex.logit_sliders[0].value = 900.0
    assert np.isnan(ex.state["naive_p"]).any()
    np.testing.assert_array_equal(ex.state["naive_p"], stability.naive_softmax(ex.state["z"]))
    assert np.all(np.isfinite(ex.state["p"])) and np.isfinite(ex.state["loss"])
    assert "NaN" in ex.readout.value


def test_article_explorer_parts_add_up_to_the_article_result():
    ex = article_explorer()
    ex.theta_sliders[0, 1].value = 0.7
    ex.x1.value = -1.25
    ex.label.value = 2
    s = ex.state
    theta = numeric.example_problem()[2].copy()
    theta[0, 1] = 0.7
    X = numeric.design_matrix([-1.25])
    np.testing.assert_array_equal(s["theta"], theta)
    np.testing.assert_array_equal(s["h"], numeric.hypotheses(theta, X)[0])
    for j in (0, 1):
        np.testing.assert_array_equal(
            s["parts"][:, j], numeric.article_parts(theta, -1.25, 2, 0, j)
        )
    np.testing.assert_allclose(s["totals"], s["expected"], atol=1e-15)
    np.testing.assert_allclose(s["expected"], (s["h"][0] - 0) * X[0], atol=1e-15)
    assert s["parts"][0, 0] == 0  # Part I vanishes when the label is not class 1


@pytest.mark.parametrize("label", [0, 1, 2])
def test_article_explorer_for_every_label(label):
    ex = article_explorer(label=label)
    np.testing.assert_allclose(ex.state["totals"], ex.state["expected"], atol=1e-15)
    assert 'class="part-total"' in ex.parts.value


def test_bad_arguments():
    with pytest.raises(ValueError, match="classes"):
        logits_explorer(classes=7)
    with pytest.raises(ValueError, match="expected 3 logits"):
        logits_explorer(logits=[1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        article_explorer(theta=np.zeros((2, 2)))


def test_training_explorer_steps_through_the_run():
    from derivation.training import gradient_descent, make_data
    from derivation.widgets import training_explorer

    X, labels = make_data(30, seed=4)
    ex = training_explorer(X, labels, steps=40, learning_rate=0.01)
    ex.iteration.value = 25
    run = gradient_descent(X, labels, learning_rate=0.01, steps=40)
    np.testing.assert_array_equal(ex.state["theta"], run.thetas[25])
    assert ex.state["loss"] == run.losses[25]
    ex.learning_rate.value = 0.001
    slower = gradient_descent(X, labels, learning_rate=0.001, steps=40)
    np.testing.assert_allclose(ex.state["theta"], slower.thetas[25], rtol=1e-12)
    assert "step 25" in ex.readout.value
    with pytest.raises(ValueError, match="one-feature"):
        training_explorer(np.ones((3, 3)), [0, 1, 2])


def test_answer_box_checks_what_is_typed():
    from derivation.widgets import answer_box

    box = answer_box("part2")
    box.text.value = "-y2*h1"
    box.button.click()
    assert not box.result.correct and "minus" in box.feedback.value
    box.text.value = "__import__('os')"
    box.button.click()
    assert "cannot read the answer" in box.feedback.value and "&#x27;" in box.feedback.value
    box.text.value = "y2*h1"
    box.button.click()
    assert box.result.correct
    with pytest.raises(ValueError, match="unknown exercise"):
        answer_box("nope")
