"""Answer boxes for the exercises: a text box, a Check button and the checker's feedback.

The checking itself is :func:`derivation.exercises.check`; this module only
draws it (ipywidgets), so that the explorers in :mod:`derivation.widgets` and
the boxes can change apart.
"""

from __future__ import annotations

import re
from html import escape

import ipywidgets as W

from . import exercises
from .views import subscript

__all__ = ["PLACEHOLDER", "AnswerBox", "answer_box", "answer_feedback", "plain", "typeset"]

#: what an empty box shows: the syntax, in a formula that answers none of the exercises
PLACEHOLDER = "e.g. 2*h3**2 - y2/h1, then Enter"


def typeset(text: str) -> str:
    """Checker text as HTML with its formulas typeset: ``e^{z_1}`` becomes e<sup>z₁</sup>.

    >>> typeset("v' = e^{z_1} and h_k, x_j, Θ_10, y1 < 2")
    "v' = e<sup>z₁</sup> and hₖ, xⱼ, Θ₁₀, y1 &lt; 2"
    """
    out = _subscripts(escape(text, quote=False))
    out = re.sub(r"\^\{([^{}]*)\}", r"<sup>\1</sup>", out)
    return re.sub(r"\^([0-9A-Za-z⊤])", r"<sup>\1</sup>", out)


_SUPER = str.maketrans("0123456789+-−=()in⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿᵀ")


def _subscripts(text: str) -> str:
    text = re.sub(r"_\{([0-9a-z+-]+)\}", lambda m: subscript(m[1]), text)
    return re.sub(r"(?<=[A-Za-zΘΣ])_([0-9]+|[a-z])", lambda m: subscript(m[1]), text)


def _power(match: re.Match) -> str:
    inner = match[1]
    if all(c in "0123456789+-−=()in⊤" for c in inner):
        return inner.translate(_SUPER)
    return f"^({inner})"


def plain(text: str) -> str:
    """Checker text as plain Unicode, for printing: no TeX left in it.

    >>> plain("∂J^{(i)}/∂h_2, u = e^{z_2}, Σ_k e^{z_k}, h_1², Θ_10")
    '∂J⁽ⁱ⁾/∂h₂, u = exp(z₂), Σₖ exp(zₖ), h₁², Θ₁₀'
    """
    out = _subscripts(text)
    out = re.sub(r"\be\^\{([^{}]*)\}", r"exp(\1)", out)
    return re.sub(r"\^\{([^{}]*)\}", _power, out)


def _verdict(key: str, text: str):
    """(Feedback or None, message) for ``text``; None when nothing was typed."""
    if not text.strip():
        return None, "… not answered yet: type your answer between the quotes"
    feedback = exercises.check(key, text)
    shown = str(feedback)
    return feedback, f"{shown[:2]}for ‘{exercises.quote(text.strip())}’: {shown[2:]}"


def answer_feedback(key: str, text: str) -> str:
    """The verdict on ``text`` for exercise ``key``, tagged with the text it judged.

    An empty answer (or only spaces) is "not answered yet", not wrong; any
    other text goes to :func:`derivation.exercises.check` and its feedback is
    returned as ``str(feedback)`` in plain Unicode (:func:`plain`), with
    ``for ‘text’:`` after the ✔ or ✘.

    >>> answer_feedback("part2", "  ")
    '… not answered yet: type your answer between the quotes'
    >>> answer_feedback("part2", "y2*h1")[:18]
    '✔ for ‘y2*h1’: rig'
    """
    return plain(_verdict(key, text)[1])


class AnswerBox(W.VBox):
    """A text box for one exercise, a Check button, and the checker's feedback.

    Enter in the box checks (``continuous_update=False``: the text reaches the
    kernel on Enter or when the box loses focus, and a changed value is
    checked at once); so does the button.  The feedback names the text it
    judged ("✔ for ‘-h1*h2’: ...") and is cleared, never left standing, when
    a different text arrives.  The text is parsed by
    :func:`derivation.exercises.parse` (a whitelist, never evaluated), so the
    box is safe to serve with Voilà.  Box, button and feedback have fixed
    widths, so they sit at the same place in every answer box.

    Attributes
    ----------
    text : Text
        Where the learner types, e.g. ``-h1*h2``.
    button : Button
        Runs the check.
    feedback : HTML
        The result, for ``judged``.
    judged : str or None
        The text the shown feedback belongs to.
    result : derivation.exercises.Feedback or None
        The last check (None when the box is empty).
    """

    def __init__(self, key: str) -> None:
        if key not in exercises.EXERCISES:
            raise ValueError(
                f"unknown exercise {key!r}; expected one of {list(exercises.EXERCISES)}"
            )
        self.key = key
        exercises.start_worker()  # the checks' process starts now, not on the first Enter
        self.question = W.HTML(f"<b>{typeset(exercises.EXERCISES[key].question)}</b> =",
                               layout=W.Layout(width="100%"))  # fmt: skip
        self.text = W.Text(placeholder=PLACEHOLDER, continuous_update=False,
                           layout=W.Layout(width="360px"))  # fmt: skip
        self.button = W.Button(description="Check", button_style="primary",
                               layout=W.Layout(width="100px"))  # fmt: skip
        self.feedback = W.HTML(layout=W.Layout(width="560px", min_height="28px"))
        self.result = None
        self.judged: str | None = None
        self.button.on_click(lambda _: self.run())
        self.text.observe(self._on_text, names="value")
        super().__init__([self.question, W.HBox([self.text, self.button]), self.feedback],
                         layout=W.Layout(width="580px"))  # fmt: skip
        self.add_class("answer-box")

    def _repr_mimebundle_(self, **kwargs):
        """The live box, or (where widgets cannot load, e.g. before the notebook runs) a
        line that says what is here and what it needs, not the box's Python repr."""
        data = super()._repr_mimebundle_(**kwargs)
        question = plain(exercises.EXERCISES[self.key].question)
        data["text/plain"] = (
            f"[answer box for {question}: run the notebook (Run All) to type an answer here]"
        )
        return data

    def _on_text(self, change) -> None:
        self.feedback.value, self.judged, self.result = "", None, None
        self.run()

    def run(self) -> None:
        """Check the current text (unless its verdict is already shown) and show the feedback."""
        text = self.text.value
        if text == self.judged:
            return
        self.result, message = _verdict(self.key, text)
        colour = "#555" if self.result is None else "#0072B2" if self.result.correct else "#D55E00"
        self.feedback.value = (
            f'<div class="answer-feedback" data-judged="{escape(exercises.quote(text))}" '
            f'style="color: {colour}; font-family: sans-serif; font-size: 16px">'
            f"{typeset(message)}</div>"
        )
        self.judged = text


def answer_box(key: str) -> AnswerBox:
    """Build (without displaying) an answer box for exercise ``key``."""
    return AnswerBox(key)
