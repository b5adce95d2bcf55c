"""The explorers and answer boxes without a browser: set controls, compare the state with numeric.

Every stated answer in notebook 06 is checked here against the explorer itself:
each test drives the widget to the state the answer describes, asserts the claim
from the widget's own ``state``, and asserts that the figure quoted in the
notebook is the one the widget computes.
"""

import base64
import json
import re

import numpy as np
import pytest
from servers import ROOT

from derivation import numeric, stability, views
from derivation.answer_boxes import answer_box, answer_feedback, hint_ladder, typeset
from derivation.explorer_answers import article_answers, logits_answers
from derivation.widgets import (
    RANGES,
    article_explorer,
    logits_explorer,
    training_explorer,
)

NORMAL, HUGE = RANGES


def answers_06() -> str:
    """The text of notebook 06's hidden answers, as the notebook computes and shows them."""
    return logits_answers().text() + "\n" + article_answers().text()


def quoted(figure: str) -> str:
    """Assert that notebook 06's answers quote ``figure``; return it."""
    assert figure in answers_06(), f"notebook 06's answers do not say {figure}"
    return figure


# --- the logits explorer -------------------------------------------------------------------


def test_logits_explorer_recomputes_from_numeric():
    ex = logits_explorer()
    for slider, value in zip(ex.logit_sliders, (1.5, -0.5, 0.25), strict=True):
        slider.value = value
    ex.true_class.value = 2
    ex.temperature.value = 2.0
    z, u = np.array([1.5, -0.5, 0.25]), np.array([1.5, -0.5, 0.25]) / 2.0
    s = ex.state
    np.testing.assert_array_equal(s["z"], z)
    np.testing.assert_array_equal(s["h"], numeric.softmax(u))
    np.testing.assert_array_equal(s["jacobian"], numeric.softmax_jacobian(u) / 2.0)
    loss, grad = numeric.cross_entropy_and_grad(u[None, :], [2])
    assert s["loss"] == loss
    np.testing.assert_array_equal(s["gradient"], grad[0] / 2.0)
    assert s["symmetric"] and s["rank"] == 2
    np.testing.assert_allclose(s["row_sums"], 0, atol=1e-15)
    assert s["eigenvalues"][0] == pytest.approx(0, abs=1e-15)


def test_the_view_shows_the_state_numbers_typeset():
    ex = logits_explorer(logits=[0.0, 1.0, 2.0])
    for k, p in enumerate(ex.state["h"]):
        assert f'data-index="{k}"' in ex.probabilities.value
        assert f">{p:.4f}<" in ex.probabilities.value
    assert f"{ex.state['loss']:.6g}" in ex.readout.value
    assert [s.description for s in ex.logit_sliders] == ["z₁", "z₂", "z₃"]
    assert ">h₁<" in ex.probabilities.value and "−log h₁" in ex.readout.value
    assert "_" not in ex.probabilities.value + ex.jacobian.value + ex.gradient.value


def test_numbers_are_at_least_14_px_and_sliders_at_least_300_px():
    ex = logits_explorer(classes=6)
    for view in (ex.probabilities, ex.jacobian, ex.gradient):
        sizes = [int(v) for v in re.findall(r'font-size="(\d+)"', view.value)]
        assert sizes and min(sizes) >= 14
    for slider in [*ex.logit_sliders, ex.temperature]:
        width = int(slider.layout.width.removesuffix("px"))
        label = int(slider.style.description_width.removesuffix("px"))
        assert width - label - 56 - 20 >= 300  # the readout takes 56 px, margins 20


def test_exact_zeros_show_as_0_and_tiny_values_are_not_rounded_to_zero():
    assert views.fmt(0.0) == views.fmt(-0.0) == "0"
    assert views.fmt(-0.38171) == "−0.3817"
    assert views.fmt(-1.2e-17) == "−1.2e−17"
    ex = logits_explorer(logits=[2.0, 1.0, 0.1])
    ex.logit_sliders[0].value = 10.0
    assert "−0.0000" not in ex.jacobian.value and ">≈0<" in ex.jacobian.value
    assert "6.6e−5" in ex.readout.value  # the eigenvalues, tiny but not zero


def test_the_jacobian_colours_are_on_a_fixed_scale_with_a_switch_to_auto():
    ex = logits_explorer(logits=[10.0, 0.0, 0.0])
    fixed = ex.jacobian.value
    assert ex.state["jacobian_limit"] == views.JACOBIAN_LIMIT == 0.25
    assert "colours ±0.25<" in fixed or "colours ±0.25 " in fixed
    # on the fixed scale a near-zero Jacobian is near white (#f7f7f7 is RdBu_r's centre)
    assert fixed.count('fill="#f') >= 9
    ex.jacobian_scale.index = 1
    assert ex.state["jacobian_limit"] is None and "colours auto ±" in ex.jacobian.value
    # the bound itself: p(1 - p) and p_k p_l never exceed 1/4
    rng = np.random.default_rng(0)
    for z in rng.normal(scale=3, size=(200, 4)):
        assert np.abs(numeric.softmax_jacobian(z)).max() <= 0.25


def test_the_gradient_is_drawn_as_visible_bars_with_their_scale():
    ex = logits_explorer(logits=[2.0, 1.0, 0.1])
    svg = ex.gradient.value
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 3 and min(heights) > 5  # px
    assert "bars to ±0.5" in svg  # |g| <= 0.341: the scale is the next of 1, 2, 5 x 10^n
    ex.temperature.value = 0.1
    assert "bars to ±0.0005" in ex.gradient.value


def test_changing_the_number_of_classes_rebuilds_the_sliders():
    ex = logits_explorer(logits=[3.0, 1.0, 0.0], true_class=2)
    ex.classes.value = 5
    assert len(ex.logit_sliders) == 5 and ex.state["h"].shape == (5,)
    assert [s.value for s in ex.logit_sliders] == [3.0, 1.0, 0.0, 0.0, 0.0]
    ex.classes.value = 2
    assert ex.true_class.value == 1 and ex.state["jacobian"].shape == (2, 2)


def test_the_huge_range_shows_naive_softmax_failing_and_the_stable_one_not():
    ex = logits_explorer()
    ex.range_switch.value = HUGE
    assert ex.logit_sliders[0].max == 1000
    ex.logit_sliders[0].value = 900.0
    assert np.isnan(ex.state["naive_h"]).any()
    np.testing.assert_array_equal(ex.state["naive_h"], stability.naive_softmax(ex.state["z"]))
    assert np.all(np.isfinite(ex.state["h"])) and np.isfinite(ex.state["loss"])
    assert "NaN" in ex.readout.value


def test_a_range_switch_keeps_the_logits_or_clips_them_and_says_so():
    ex = logits_explorer(logits=[2.0, 1.0, 0.1])
    old = ex.logit_sliders
    ex.range_switch.value = HUGE
    s = ex.state
    np.testing.assert_array_equal(s["z"], [2.0, 1.0, 0.1])  # kept, not rounded to the step
    assert ex.logit_sliders[0] is not old[0]  # new slider views: keys act on the new range
    assert [(sl.min, sl.max, sl.step) for sl in ex.logit_sliders] == [(-1000, 1000, 1.0)] * 3
    assert "logits kept" in ex.message.value and "move 1" in ex.message.value
    ex.logit_sliders[0].value = 800.0
    ex.logit_sliders[2].value = -25.0
    ex.range_switch.value = NORMAL
    np.testing.assert_array_equal(ex.state["z"], [10.0, 1.0, -10.0])
    assert "z₁ 800.0 → 10.0" in ex.message.value and "z₃ −25.0 → −10.0" in ex.message.value
    assert [(sl.min, sl.max, sl.step) for sl in ex.logit_sliders] == [(-10, 10, 0.1)] * 3


def test_the_explorers_fall_back_to_a_picture_not_their_text_repr():
    ex = logits_explorer()
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert not bundle["text/plain"].startswith("LogitsExplorer(")
    # pictures as <img>: a sanitizer (an untrusted notebook) drops <svg>, keeps data: images
    html = bundle["text/html"]
    assert "<svg" not in html
    sources = re.findall(r'<img alt="([^"]+)" src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(sources) == 3, html[:300]
    pictures = [base64.b64decode(data).decode() for _, data in sources]
    assert all(p.startswith('<svg xmlns="http://www.w3.org/2000/svg"') for p in pictures)
    assert "p-value" in pictures[0] and "h₁" in pictures[0] and "h₁" in sources[0][0]


def test_an_answer_box_without_widgets_says_what_it_is_not_its_repr():
    for key in ("dh2/dTheta10", "part2"):
        text = answer_box(key)._repr_mimebundle_()["text/plain"]
        assert text.startswith("[answer box for ∂") or text.startswith("[answer box for Part")
        assert "Run All" in text and "AnswerBox(" not in text and "_{" not in text


# --- notebook 06's answers, each driven and asserted ------------------------------------------


def start():
    """The logits explorer as notebook 06 builds it."""
    return logits_explorer(logits=[2.0, 1.0, 0.1])


def test_06_answer_1_adding_5_to_every_logit_changes_nothing():
    ex = start()
    before = ex.state
    for slider in ex.logit_sliders:
        slider.value += 5
    s = ex.state
    np.testing.assert_allclose(s["h"], before["h"], rtol=1e-12)
    np.testing.assert_allclose(s["jacobian"], before["jacobian"], atol=1e-15)
    np.testing.assert_allclose(s["gradient"], before["gradient"], atol=1e-15)
    assert quoted("(0.6590, 0.2424, 0.0986)") == f"({', '.join(f'{v:.4f}' for v in s['h'])})"


def test_06_answer_2_at_z1_10_the_rank_stays_2():
    ex = start()
    ex.logit_sliders[0].value = 10.0
    s = ex.state
    assert f"{s['h'][0]:.5f}" == quoted("0.99983")
    assert np.abs(s["jacobian"]).max() < float(quoted("0.0002"))
    assert s["rank"] == 2 and "rank <b>stays 2</b>" in answers_06()
    largest = [f"{e:.5f}" for e in s["eigenvalues"][::-1][:2]]
    assert largest == [quoted("0.00028"), quoted("0.00007")]
    assert f"{s['gradient'][0]:.5f}".replace("-", "−") == quoted("−0.00017")
    assert "\\partial J/\\partial z_1 = −0.00017" in answers_06()  # not g₁: g is ∂J/∂h
    ex.true_class.value = 1
    g = ex.state["gradient"]
    shown = f"({g[0]:.4f}, {g[1]:.4f}, {g[2]:.4f})".replace("-", "−")
    assert shown == quoted("(0.9998, −0.9999, 0.0001)")


def test_06_answer_3_a_small_T_gives_a_tiny_gradient_when_the_prediction_is_right():
    ex = start()
    ex.temperature.value = 0.1
    s = ex.state
    assert f"({', '.join(f'{v:.5f}' for v in s['h'])})" == quoted("(0.99995, 0.00005, 0.00000)")
    assert f"{np.abs(s['gradient']).max():.5f}" == quoted("0.00045")
    ex.true_class.value = 1
    assert round(np.abs(ex.state["gradient"]).max()) == 10 and "about 10" in answers_06()
    ex.true_class.value = 0
    ex.temperature.value = 10.0
    s = ex.state
    assert f"({', '.join(f'{v:.3f}' for v in s['h'])})" == quoted("(0.366, 0.331, 0.303)")
    assert f"{np.abs(s['gradient']).max():.3f}" == quoted("0.063")


def test_06_answer_4_at_800_naive_softmax_is_nan_and_the_stable_one_exact():
    ex = start()
    ex.range_switch.value = HUGE
    ex.logit_sliders[0].value = 800.0
    s = ex.state
    assert np.isnan(s["naive_h"][0]) and "NaN" in answers_06()
    np.testing.assert_array_equal(s["h"], [1.0, 0.0, 0.0])
    assert s["loss"] == 0.0 and "exactly 0" in answers_06()


def test_06_answer_5_with_K_6_exactly_one_eigenvalue_is_zero():
    ex = start()
    ex.classes.value = 6
    eig = ex.state["eigenvalues"]
    assert abs(eig[0]) < 1e-16 and np.all(eig[1:] > 0.01) and ex.state["rank"] == 5
    assert "5 $= K - 1$" in answers_06()
    # the readout says which eigenvalue is zero, and that its float value is rounding
    shown = ex.readout.value.split('class="eigenvalues">')[1].split("</span>")[0].split(", ")
    assert len(shown) == 6 and shown[0].startswith("0 (rounding: ")
    assert all(not e.startswith("0 ") and not e.startswith("−") for e in shown[1:]), shown


def test_06_article_answer_1_with_label_class_1_part_I_survives_negative():
    ex = article_explorer(x1=0.5, label=1)
    ex.label.value = 0
    s = ex.state
    assert np.all(s["parts"][1:] == 0) and np.all(s["parts"][0] < 0)
    assert [views.fmt(t).replace("−", "-") for t in s["totals"]] == [
        quoted("-0.7633"),
        quoted("-0.3817"),
    ]


def test_06_article_answer_2_at_x1_0_dJ_dTheta11_is_exactly_0():
    ex = article_explorer(x1=0.5, label=1)
    ex.x1.value = 0.0
    s = ex.state
    assert s["totals"][1] == 0 and np.all(s["parts"][:, 1] == 0)
    assert f"{s['totals'][0]:.4f}" == quoted("0.3982")


def test_06_article_answer_3_theta10_at_its_maximum_gives_h1_0_84_not_1():
    ex = article_explorer(x1=0.5, label=1)
    ex.label.value = 0
    slider = ex.theta_sliders[0, 0]
    slider.value = slider.max
    s = ex.state
    assert slider.max == 3 and f"{s['h'][0]:.4f}" == quoted("0.8360")
    assert [f"{t:.4f}" for t in s["totals"]] == [quoted("-0.1640"), quoted("-0.0820")]
    np.testing.assert_allclose(s["totals"][0], s["h"][0] - 1, atol=1e-15)


def test_every_06_question_has_a_hidden_computed_answer():
    nb = json.loads((ROOT / "notebooks" / "06_explorers.ipynb").read_text(encoding="utf-8"))
    cells = nb["cells"]
    checked = 0
    for i, cell in enumerate(cells):
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith("**Predict, then move"):
            questions = [int(n) for n in re.findall(r"^\*\*(\d)\.\*\* ", text, re.M)]
            assert "<details" not in text and "What to notice" not in text  # nothing typed
            code = "".join(cells[i + 1]["source"])  # the next cell shows the answers
            call = re.fullmatch(r"(logits|article)_answers\(([\d, ]+)\)", code.strip())
            assert call and [int(n) for n in call[2].split(",")] == questions, code
            shown = "".join(cells[i + 1]["outputs"][0]["data"]["text/markdown"])
            assert shown.count("<details><summary>Answer") == len(questions)
            checked += 1
    assert checked == 3


# --- the article explorer ----------------------------------------------------------------------


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
    assert 'class="part-total' in ex.parts.value
    assert "Θ₁₀" in ex.parts.value and ex.theta_sliders[0, 0].description == "Θ₁₀"


def test_bad_arguments():
    with pytest.raises(ValueError, match="classes"):
        logits_explorer(classes=7)
    with pytest.raises(ValueError, match="expected 3 logits"):
        logits_explorer(logits=[1.0, 2.0])
    with pytest.raises(ValueError, match="±10"):
        logits_explorer(logits=[11.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        article_explorer(theta=np.zeros((2, 2)))


# --- the training explorer ---------------------------------------------------------------------


def test_training_explorer_steps_through_the_run():
    from derivation.training import gradient_descent, make_data

    X, labels = make_data(30, seed=4)
    ex = training_explorer(X, labels, steps=40, learning_rate=0.01)
    ex.iteration.value = 25
    run = gradient_descent(X, labels, learning_rate=0.01, steps=40)
    np.testing.assert_array_equal(ex.state["theta"], run.thetas[25])
    assert ex.state["loss"] == run.losses[25]
    H = numeric.hypotheses(run.thetas[25], numeric.design_matrix(ex.x_grid))
    np.testing.assert_array_equal(ex.state["h"], H)
    assert "after 25 steps" in ex.curves_view.value and 'class="marker"' in ex.loss_view.value
    ex.learning_rate.value = 0.001
    slower = gradient_descent(X, labels, learning_rate=0.001, steps=40)
    np.testing.assert_allclose(ex.state["theta"], slower.thetas[25], rtol=1e-12)
    assert "step 25" in ex.readout.value
    with pytest.raises(ValueError, match="one-feature"):
        training_explorer(np.ones((3, 3)), [0, 1, 2])


def test_moving_the_step_slider_redraws_from_the_cached_run_and_never_retrains(monkeypatch):
    """The step slider only redraws: no gradient step is taken again (its speed, p95 under
    50 ms, is measured side by side in benchmarks/bench_widgets.py, not asserted here, so that
    a loaded machine cannot fail this test)."""
    from derivation import training
    from derivation.training import make_data

    X, labels = make_data(90, seed=0)
    ex = training_explorer(X, labels, steps=300, learning_rate=0.01)
    calls = []
    real = training.gradient_descent
    monkeypatch.setattr(training, "gradient_descent",
                        lambda *a, **k: calls.append(1) or real(*a, **k))  # fmt: skip
    for i in range(0, 301, 7):
        ex.iteration.value = i
        assert ex.state["theta"].tolist() == ex.history.thetas[i].tolist()
        assert f"after {i} steps" in ex.curves_view.value
    assert calls == []  # every redraw came from the cached run
    ex.learning_rate.value = 0.001  # a new rate trains once, then its run is cached too
    ex.iteration.value, ex.iteration.value = 5, 6
    ex.learning_rate.value = 0.01
    assert len(calls) == 1


# --- answer boxes ------------------------------------------------------------------------------


def test_answer_box_checks_what_is_typed():
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


def test_enter_checks_and_the_verdict_names_the_text_it_judged():
    box = answer_box("dh2/dTheta10")
    assert box.text.continuous_update  # the text arrives as it is typed; Enter sends "submit"
    box.text.value = "h1*h2"
    assert box.judged is None and box.feedback.value == ""  # typing alone checks nothing
    box.submit()
    assert box.judged == "h1*h2" and not box.result.correct
    assert "✘ for ‘h1*h2’" in box.feedback.value
    box.text.value = "-h1*h2"
    assert box.feedback.value == "" and box.result is None  # no verdict beside another text
    box.submit()
    assert box.judged == "-h1*h2" and box.result.correct
    assert "✔ for ‘-h1*h2’" in box.feedback.value and "h1*h2’: a lost" not in box.feedback.value
    box.button.click()  # the same text again: the verdict stays, nothing is re-checked
    assert box.judged == "-h1*h2"
    box.text.value = ""
    box.submit()
    assert "not answered yet" in box.feedback.value and box.result is None


def test_hints_are_typeset_and_the_layout_is_fixed():
    box = answer_box("dh2/dTheta10")
    box.text.value = "h1*h2"
    box.submit()
    assert "e^{" not in box.feedback.value and "e<sup>z₂</sup>" in box.feedback.value
    assert typeset("e^{z_1} and x_j") == "e<sup>z₁</sup> and xⱼ"
    other = answer_box("mean")
    for a, b in ((box.text, other.text), (box.button, other.button), (box, other)):
        assert a.layout.width == b.layout.width and a.layout.width.endswith("px")


def test_code_checks_not_yet_answered_say_so():
    assert answer_feedback("part2", "").startswith("… not answered yet")
    assert answer_feedback("part2", "y2*h1").startswith("✔ for ‘y2*h1’: ")
    assert answer_feedback("part2", "h1").startswith("✘ for ‘h1’: ")


# --- hint ladders ------------------------------------------------------------------------------


def _rungs_shown(ladder) -> list[str]:
    """The rungs a ladder shows, in order, by their number (``data-rung``)."""
    found = re.findall(r'<li data-rung="(\d)">(.*?)</li>', ladder.shown.value)
    assert [int(n) for n, _ in found] == list(range(1, len(found) + 1))
    return [text for _, text in found]


def test_a_hint_ladder_opens_one_rung_at_a_time_and_keeps_them_shown():
    from derivation.exercises.ladders import ladder as rungs

    hints = hint_ladder("dh2/dTheta10")
    assert (hints.button.description, hints.shown.value) == ("Hint 1 of 3", "")
    assert not hints.button.disabled
    names = ("Hint", "Stronger hint", "Worked step")
    texts = rungs("dh2/dTheta10")
    expected = [f"<b>{n}:</b> {typeset(t)}" for n, t in zip(names, texts, strict=True)]
    steps = ["Stronger hint (2 of 3)", "Worked step (3 of 3)", "All 3 rungs shown"]
    for opened, label in enumerate(steps, start=1):
        hints.button.click()
        shown = _rungs_shown(hints)
        assert shown == expected[:opened] and opened == hints.opened
        assert hints.button.description == label
    assert hints.button.disabled and shown[2].endswith("= −h₁ h₂")
    assert "e<sup>z₂</sup>" in shown[1] and "_{" not in hints.shown.value
    hints.open_next()  # nothing more to open: nothing changes
    assert len(_rungs_shown(hints)) == 3 and hints.button.description == "All 3 rungs shown"


def test_a_ladder_sends_no_rung_before_it_is_opened():
    """The rungs stay in the kernel until opened, so a saved notebook holds none of them."""
    from derivation.exercises.ladders import ladder as rungs

    for key in ("d2J/dTheta21^2", "part2"):
        hints = hint_ladder(key)
        sent = json.dumps([w.get_state() for w in (hints, hints.shown, hints.button)])
        assert "h₁" not in sent and "h_1" not in sent and "−" not in sent
        hints.open_next()
        assert typeset(rungs(key)[1]) not in hints.shown.value


def test_a_homework_ladder_with_two_rungs_never_offers_the_worked_step():
    hints = hint_ladder("part2", rungs=2)
    assert hints.button.description == "Hint 1 of 2"
    hints.button.click()
    assert hints.button.description == "Stronger hint (2 of 2)"
    hints.button.click()
    assert hints.button.disabled
    assert hints.button.description == "2 of 3 rungs shown: no worked step here"
    hints.open_next()
    shown = _rungs_shown(hints)
    assert len(shown) == 2 and "Worked step" not in hints.shown.value
    assert "= y₂ h₁" not in hints.shown.value


def test_a_hint_ladder_refuses_an_unknown_exercise_and_a_bad_number_of_rungs():
    with pytest.raises(ValueError, match=r"unknown exercise 'nope'; expected one of .*'part2'"):
        hint_ladder("nope")
    for bad in (0, 4, True, 2.0, "2"):
        with pytest.raises(ValueError, match="rungs must be a whole number from 1 to 3"):
            hint_ladder("mean", rungs=bad)


def test_a_hint_ladder_without_widgets_says_what_it_is_not_its_repr():
    text = hint_ladder("dh2/dTheta10")._repr_mimebundle_()["text/plain"]
    assert text.startswith("[hint ladder for ∂h₂/∂Θ₁₀") and "Run All" in text
    assert "HintLadder(" not in text and "_{" not in text


# --- every view of one state agrees, at every temperature ------------------------------------


def _shown(svg: str, css_class: str) -> dict[tuple[int, ...], str]:
    """The numbers a view prints, by position (``data-row``/``data-col`` or ``data-index``)."""
    found = {}
    for attributes, text in re.findall(rf'<text class="{css_class}[^"]*"([^>]*)>([^<]*)<', svg):
        position = tuple(int(v) for v in re.findall(r'data-(?:row|col|index)="(\d+)"', attributes))
        found[position] = text
    return found


def _as_number(text: str) -> float:
    return 0.0 if text == "≈0" else float(text.replace("−", "-").replace("e-", "e-"))


@pytest.mark.parametrize("T", [0.1, 0.3, 1.0, 3.0, 10.0])
def test_the_heatmap_shows_dh_dz_at_every_T_as_finite_differences_of_h_measure_it(T):
    """The title says ∂h_k/∂z_l; its numbers are central differences of h = softmax(z/T) by z."""
    ex = logits_explorer(logits=[2.0, 1.0, 0.1])
    ex.temperature.value = T
    assert ex.temperature.value == pytest.approx(T)
    assert "∂hₖ/∂zₗ" in ex.jacobian.value
    z, step = np.array([2.0, 1.0, 0.1]), 1e-6
    h = lambda v: numeric.softmax(v / ex.temperature.value)  # noqa: E731
    columns = [(h(z + step * e) - h(z - step * e)) / (2 * step) for e in np.eye(3)]
    differences = np.array(columns).T  # [k, l] = dh_k/dz_l
    shown = _shown(ex.jacobian.value, "jacobian-value")
    assert len(shown) == 9
    for (k, l), text in shown.items():
        # three decimals are printed: the shown value is the derivative rounded, ≈0 below 5e-4
        assert _as_number(text) == pytest.approx(differences[k, l], abs=5.01e-4), (k, l, text)
    # the bars beside it: dJ/dz for J = -log h_1, by the same differences
    loss = lambda v: -np.log(h(v)[0])  # noqa: E731
    gradient = [(loss(z + step * e) - loss(z - step * e)) / (2 * step) for e in np.eye(3)]
    bars = _shown(ex.gradient.value, "grad-value")
    assert len(bars) == 3
    for (k,), text in bars.items():
        assert _as_number(text) == pytest.approx(gradient[k], abs=5.01e-4), (k, text)
    # and the chain rule ties them: dJ/dz = (dh/dz)^T dJ/dh, with dJ/dh = -1/h_1 at class 1
    s = ex.state
    np.testing.assert_allclose(s["jacobian"].T @ (-np.eye(3)[0] / s["h"]), s["gradient"],
                               atol=1e-12)  # fmt: skip


def test_at_T_10_the_heatmap_divides_diag_h_minus_hhT_by_T():
    ex = logits_explorer(logits=[2.0, 1.0, 0.1])
    ex.temperature.value = 10.0
    shown = _shown(ex.jacobian.value, "jacobian-value")
    assert _as_number(shown[(0, 0)]) == pytest.approx(
        ex.state["h"][0] * (1 - ex.state["h"][0]) / 10, abs=5e-4
    )
    assert "colours ±0.025" in ex.jacobian.value  # the fixed scale follows 1/T too


# --- 06's questions each start from the explorer's start: in order or not ----------------


def _logits_moves(ex, n):
    """Question n's moves, from the start; returns the state the answer describes."""
    if n == 1:
        for slider in ex.logit_sliders:
            slider.value += 5
    elif n == 2:
        ex.logit_sliders[0].value = 10.0
    elif n == 3:
        ex.temperature.value = 0.1
    elif n == 4:
        ex.range_switch.value = HUGE
        ex.logit_sliders[0].value = 800.0
    elif n == 5:
        ex.classes.value = 6
    return ex.state


def _expected_logits_state(n):
    from derivation.explorer_state import logits_state

    z = np.array([2.0, 1.0, 0.1])
    return {1: logits_state(z + 5), 2: logits_state([10.0, 1.0, 0.1]),
            3: logits_state(z, 0.1), 4: logits_state([800.0, 1.0, 0.1]),
            5: logits_state([*z, 0.0, 0.0, 0.0])}[n]  # fmt: skip


@pytest.mark.parametrize("order", [(1, 2, 3, 4, 5), (5, 4, 3, 2, 1), (3, 1, 5, 2, 4)])
def test_06_logits_questions_answered_in_any_order_after_reset(order):
    ex = start()
    for n in order:
        ex.reset()
        s = _logits_moves(ex, n)
        want = _expected_logits_state(n)
        np.testing.assert_allclose(s["h"], want["h"], rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(s["gradient"], want["gradient"], rtol=1e-12, atol=1e-15)
        assert s["rank"] == want["rank"] and s["true_class"] == 0
    ex.reset()
    assert ex.state["z"].tolist() == [2.0, 1.0, 0.1] and ex.temperature.value == 1.0
    assert ex.range_switch.value == next(iter(RANGES)) and ex.message.value.count("clipped") == 0


def _article_moves(ex, n):
    if n == 1:
        ex.label.value = 0
    elif n == 2:
        ex.x1.value = 0.0
    elif n == 3:
        ex.label.value = 0
        ex.theta_sliders[0, 0].value = 3.0
    return ex.state


@pytest.mark.parametrize("order", [(1, 2, 3), (3, 2, 1), (2, 3, 1)])
def test_06_article_questions_answered_in_any_order_after_reset(order):
    from derivation.explorer_state import article_state

    theta = numeric.example_problem()[2]
    raised = theta.copy()
    raised[0, 0] = 3.0
    expected = {1: article_state(theta, 0.5, 0), 2: article_state(theta, 0.0, 1),
                3: article_state(raised, 0.5, 0)}  # fmt: skip
    ex = article_explorer(x1=0.5, label=1)
    for n in order:
        ex.reset()
        s = _article_moves(ex, n)
        np.testing.assert_allclose(s["totals"], expected[n]["totals"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(s["h"], expected[n]["h"], rtol=1e-12)
    # the answers quote exactly these states
    text = article_answers().text()
    assert f"{expected[3]['h'][0]:.4f}" in text and f"{expected[2]['totals'][0]:.4f}" in text


def test_the_reset_buttons_take_the_explorers_back_to_their_start():
    ex = start()
    ex.logit_sliders[1].value = -3.0
    ex.temperature.value = 5.0
    ex.classes.value = 4
    ex.reset_button.click()
    assert [s.value for s in ex.logit_sliders] == [2.0, 1.0, 0.1] and ex.classes.value == 3
    art = article_explorer(x1=0.5, label=1)
    art.x1.value, art.label.value = -2.0, 2
    art.reset_button.click()
    assert art.x1.value == 0.5 and art.label.value == 1


# --- what a screen reader gets: names, hidden tables of the numbers, the ARIA bridge ----------


def _hidden_tables(html: str) -> list[tuple[str, list[list[str]]]]:
    """Each visually hidden table in ``html``: its caption and its rows of cells (headers too)."""
    found = []
    for table in re.findall(r'<div class="sr-only view-table" style="([^"]*)">(.*?)</div>', html):
        style, body = table
        assert "clip: rect(0, 0, 0, 0)" in style and "width: 1px" in style  # out of sight
        caption = re.search(r"<caption>(.*?)</caption>", body).group(1)
        rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
                for row in re.findall(r"<tr>(.*?)</tr>", body)]  # fmt: skip
        found.append((caption, rows))
    return found


def _matches(text: str, value: float, digits: int = 4, tiny: str | None = None) -> bool:
    """Whether ``text`` is ``value`` as the views print it, and reads back as that number."""
    shown = views.fmt(value, digits, tiny=tiny)
    return text == shown and _as_number(text) == pytest.approx(value, abs=0.51 * 10**-digits)


SIX_LOGITS = [3.0, -2.5, 0.4, 1.0, 0.0, -7.0]


@pytest.mark.parametrize(("logits", "T", "K"), [([2.0, 1.0, 0.1], 1.0, 3), (SIX_LOGITS, 0.3, 6)])
def test_each_logits_view_has_a_hidden_table_of_the_states_numbers(logits, T, K):
    ex = logits_explorer(classes=K, logits=logits)
    ex.temperature.value = T
    s = ex.state
    for view, key, symbol in ((ex.probabilities, "h", "h"), (ex.gradient, "gradient", "∂J/∂z")):
        [(caption, rows)] = _hidden_tables(view.value)
        assert caption in view.value.split("</text>")[0]  # the view's title
        assert rows[0] == ["", "value"] and len(rows) == K + 1
        for k, (name, text) in enumerate(rows[1:]):
            # six bars print 3 decimals, to fit beside the heatmap (views.bars)
            digits = 4 if K <= 4 else 3
            assert name == f"{symbol}{views.subscript(k + 1)}" and _matches(text, s[key][k], digits)
    [(caption, rows)] = _hidden_tables(ex.jacobian.value)
    assert caption.startswith("∂hₖ/∂zₗ") and rows[0] == ["", *map(str, range(1, K + 1))]
    for k, row in enumerate(rows[1:]):
        assert row[0] == str(k + 1) and len(row) == K + 1
        assert all(_matches(t, v, 3, "≈0") for t, v in zip(row[1:], s["jacobian"][k], strict=True))
    # the tables follow the view: move a logit and they hold the new state's numbers
    ex.logit_sliders[0].value = -4.0
    [(_, rows)] = _hidden_tables(ex.probabilities.value)
    assert all(_matches(t, v, digits) for (_, t), v in zip(rows[1:], ex.state["h"], strict=True))


def test_each_article_view_has_a_hidden_table_of_the_states_numbers():
    ex = article_explorer(x1=-1.5, label=0)
    ex.theta_sliders[0, 1].value = 2.25
    s = ex.state
    [(_, rows)] = _hidden_tables(ex.hypotheses.value)
    assert all(_matches(t, v) for (_, t), v in zip(rows[1:], s["h"], strict=True))
    [(_, rows)] = _hidden_tables(ex.jacobian.value)
    shown = np.ravel([row[1:] for row in rows[1:]])
    assert all(_matches(t, v) for t, v in zip(shown, np.ravel(s["jacobian"]), strict=True))
    [(_, rows)] = _hidden_tables(ex.parts.value)
    assert rows[0] == ["", "∂J/∂Θ₁₀", "∂J/∂Θ₁₁"]
    assert [row[0] for row in rows[1:]] == ["Part I", "Part II", "Part III", "sum"]
    numbers = np.vstack([s["parts"], s["totals"]])
    assert all(_matches(t, v) for t, v in zip(np.ravel([r[1:] for r in rows[1:]]),
                                              np.ravel(numbers), strict=True))  # fmt: skip
    assert "<th></th>" not in ex.readout.value  # the visible table has no empty header


def test_each_view_is_named_by_its_title_and_a_summary_with_its_numbers():
    ex = logits_explorer(logits=[2.0, 1.0, 0.1])
    for view in (ex.probabilities, ex.jacobian, ex.gradient):
        label = re.search(r'<svg [^>]*role="img" aria-label="([^"]*)"', view.value).group(1)
        title = re.search(r'class="view-title"[^>]*>([^<]*)<', view.value).group(1)
        assert label.startswith(title.split("   ")[0]) and len(label) > len(title)
    label = re.search(r'aria-label="([^"]*)"', ex.probabilities.value).group(1)
    assert all(f"h{views.subscript(k + 1)} = {views.fmt(p)}" in label
               for k, p in enumerate(ex.state["h"]))  # fmt: skip
    diagonal = ", ".join(views.fmt(v, 3, tiny="≈0") for v in np.diag(ex.state["jacobian"]))
    assert f"a 3 × 3 matrix, diagonal {diagonal}" in ex.jacobian.value


def test_every_slider_has_a_tooltip_naming_it_that_starts_with_its_label():
    """The ARIA bridge copies the tooltip into the handle's aria-label: it must name the slider."""
    X = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0]])
    sliders = [
        *logits_explorer(classes=6).logit_sliders, logits_explorer().temperature,
        *article_explorer().theta_sliders.values(), article_explorer().x1,
        training_explorer(X, np.array([0, 1, 2]), steps=3).iteration,
    ]  # fmt: skip
    for slider in sliders:
        assert slider.tooltip and slider.tooltip.startswith(slider.description), slider
    names = [s.tooltip for s in sliders]
    assert len(set(names)) == len(names)
    assert logits_explorer().temperature.tooltip == "T, the temperature"


def test_every_explorer_starts_the_aria_bridge_from_its_style_sheet():
    from html import unescape

    from derivation import widgets

    X = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0]])
    for ex in (logits_explorer(), article_explorer(),
               training_explorer(X, np.array([0, 1, 2]), steps=3)):  # fmt: skip
        sheet = ex.children[0].value
        handler = re.match(r'<style onload="([^"]*)">', sheet)
        assert handler and unescape(handler.group(1)) == widgets._ARIA_BRIDGE
        assert "projector" in ex._dom_classes
    for attribute in ("aria-label", "aria-valuetext", "widget-readout", "MutationObserver"):
        assert attribute in widgets._ARIA_BRIDGE


def test_a_hidden_table_with_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="cells must be 2 rows of 1 entries, got"):
        views.value_table("h", ["h₁", "h₂"], ["value"], [["0.5"]])
    with pytest.raises(ValueError, match=r"got \[2\]"):
        views.value_table("h", ["h₁"], ["value"], [["0.5", "0.5"]])


def test_the_article_explorers_line_of_h_is_its_state_for_the_slides():
    """On a slide the bars of h are left off (the reveal-hall style sheet); the readout's line,
    shown only there, says the same values."""
    ex = article_explorer(x1=-1.5, label=0)
    ex.theta_sliders[0, 1].value = 2.25
    line = re.search(r'class="hall-only[^"]*">h₁, h₂, h₃ = ([^<]*)</div>', ex.readout.value)
    assert line and line[1].split(", ") == [views.fmt(v) for v in ex.state["h"]]
    assert "hypotheses-view" in ex.hypotheses._dom_classes
    assert "jacobian-view" in ex.jacobian._dom_classes
