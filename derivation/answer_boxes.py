"""Answer boxes for the exercises: a text box, a Check button and the checker's feedback;
and hint ladders, opened one rung at a time.

The checking itself is :func:`derivation.exercises.check`, and the ladders'
text is :mod:`derivation.exercises.ladders`; this module only draws them
(ipywidgets), so that the explorers in :mod:`derivation.widgets` and the boxes
can change apart.
"""

from __future__ import annotations

import re
from html import escape

import ipywidgets as W

from . import exercises
from .exercises import ladders
from .style import plain, subscripts

__all__ = [
    "PLACEHOLDER",
    "AnswerBox",
    "HintLadder",
    "answer_box",
    "answer_feedback",
    "hint_ladder",
    "plain",
    "typeset",
]

#: what an empty box shows: the syntax, in a formula that answers none of the exercises
PLACEHOLDER = "e.g. 2*h3**2 - y2/h1, then Enter"


def typeset(text: str) -> str:
    """Checker text as HTML with its formulas typeset: ``e^{z_1}`` becomes e<sup>z₁</sup>.

    >>> typeset("v' = e^{z_1} and h_k, x_j, Θ_10, y1 < 2")
    "v' = e<sup>z₁</sup> and hₖ, xⱼ, Θ₁₀, y1 &lt; 2"
    """
    out = subscripts(escape(text, quote=False))
    out = re.sub(r"\^\{([^{}]*)\}", r"<sup>\1</sup>", out)
    return re.sub(r"\^([0-9A-Za-z⊤])", r"<sup>\1</sup>", out)


def _verdict(key: str, text: str):
    """(Feedback or None, message) for ``text``; None when nothing was typed."""
    if not text.strip():
        return None, "… not answered yet: type your answer between the quotes"
    feedback = exercises.check(key, text)
    mark = "✔ " if feedback.correct else "✘ "
    return feedback, f"{mark}for ‘{exercises.quote(text.strip())}’: {feedback.message}"


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

    Enter in the box checks, and so does the button.  The text reaches the
    kernel as it is typed (``continuous_update=True``), and Enter sends the
    Text widget's "submit" message, which runs the check: so Enter works
    wherever the front end sends that message, also where the browser fires no
    "change" event on Enter (JupyterLite).  The feedback names the text it
    judged ("✔ for ‘-h1*h2’: ...") and is cleared, never left standing, as
    soon as the text differs from it.  The text is parsed by
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
        exercise = exercises.exercise(key)  # a ValueError names the keys for an unknown one
        self.key = key
        exercises.start_worker()  # the checks' process starts now, not on the first Enter
        self.question = W.HTML(f"<b>{typeset(exercise.question)}</b> =",
                               layout=W.Layout(width="100%"))  # fmt: skip
        self.text = W.Text(placeholder=PLACEHOLDER, continuous_update=True,
                           layout=W.Layout(width="360px"))  # fmt: skip
        self.button = W.Button(description="Check", button_style="primary",
                               layout=W.Layout(width="100px"))  # fmt: skip
        self.feedback = W.HTML(layout=W.Layout(width="560px", min_height="28px"))
        self.result = None
        self.judged: str | None = None
        self.button.on_click(lambda _: self.run())
        self.text.observe(self._on_text, names="value")
        self.text.on_msg(self._on_message)
        super().__init__([self.question, W.HBox([self.text, self.button]), self.feedback],
                         layout=W.Layout(width="580px"))  # fmt: skip
        self.add_class("answer-box")

    def _repr_mimebundle_(self, **kwargs):
        """The live box, or (where widgets cannot load, e.g. before the notebook runs) a
        line that says what is here and what it needs, not the box's Python repr."""
        data = super()._repr_mimebundle_(**kwargs)
        question = plain(exercises.exercise(self.key).question)
        data["text/plain"] = (
            f"[answer box for {question}: run the notebook (Run All) to type an answer here]"
        )
        return data

    def _on_text(self, change) -> None:
        if change["new"] != self.judged:  # a verdict never stands beside another text
            self.feedback.value, self.judged, self.result = "", None, None

    def _on_message(self, widget, content, buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":  # Enter
            self.run()

    def submit(self) -> None:
        """What Enter in the box does: the front end's "submit" message, as the kernel gets it."""
        self.text._handle_custom_msg({"event": "submit"}, [])

    def run(self) -> None:
        """Check the current text (unless its verdict is already shown) and show the feedback."""
        text = self.text.value
        if text == self.judged:
            return
        self.result, message = _verdict(self.key, text)
        colour = "#555" if self.result is None else "#0072B2" if self.result.correct else "#D55E00"
        self.feedback.value = (
            f'<div class="answer-feedback" data-judged="{escape(exercises.quote(text))}" '
            f'style="color: {colour}; font-family: sans-serif; font-size: 16px; line-height: 1.4">'
            f"{typeset(message)}</div>"
        )
        self.judged = text


def answer_box(key: str) -> AnswerBox:
    """Build (without displaying) an answer box for exercise ``key``."""
    return AnswerBox(key)


def _rung_name(index: int, length: int) -> str:
    """What rung ``index`` (from 0) of a ladder of ``length`` rungs is: the first is a hint,
    the last the worked step, and those between stronger hints."""
    first, between, last = ladders.RUNGS
    name = first if index == 0 else last if index == length - 1 else between
    return name.capitalize()


def _ladder_label(shown: int, offered: int, length: int) -> str:
    """The ladder's button once ``shown`` of the ``offered`` rungs (of ``length``) are open.

    >>> [_ladder_label(n, 3, 3) for n in range(4)]
    ['Hint 1 of 3', 'Stronger hint (2 of 3)', 'Worked step (3 of 3)', 'All 3 rungs shown']
    >>> _ladder_label(2, 2, 3)
    '2 of 3 rungs shown: no worked step here'
    """
    if shown >= offered:
        if offered == length:
            return f"All {length} rungs shown"
        return f"{offered} of {length} rungs shown: no worked step here"
    name = _rung_name(shown, length)
    return f"Hint 1 of {offered}" if shown == 0 else f"{name} ({shown + 1} of {offered})"


class HintLadder(W.VBox):
    """A hint ladder for one exercise: a button that opens one rung at a time.

    The button reads "Hint 1 of 3", then "Stronger hint (2 of 3)", then
    "Worked step (3 of 3)", and at the end, switched off, "All 3 rungs shown".
    Each opened rung stays on show, numbered, above the button.  With
    ``rungs=2`` (the homework's ladders) the worked step is never offered, and
    the switched-off button says so.  The rungs' text
    (:func:`derivation.exercises.ladders.ladder`) is kept in the kernel and
    sent to the page only as it is opened, so a saved notebook holds no rung
    that was not opened.

    Parameters
    ----------
    key : str
        One of :data:`derivation.exercises.EXERCISES` that has a ladder.
    rungs : int, optional
        How many rungs to offer, from 1 to the ladder's length (default: all).

    Attributes
    ----------
    button : Button
        Opens the next rung.
    shown : HTML
        The rungs opened so far, as a numbered list.
    opened : int
        How many rungs are open.

    Raises
    ------
    ValueError
        For an unknown exercise, one with no ladder, or ``rungs`` out of range.
    """

    def __init__(self, key: str, rungs: int | None = None) -> None:
        self.key = key
        self._ladder = ladders.ladder(key)
        length = len(self._ladder)
        if rungs is None:
            rungs = length
        if isinstance(rungs, bool) or not isinstance(rungs, int) or not 1 <= rungs <= length:
            raise ValueError(f"rungs must be a whole number from 1 to {length}, got {rungs!r}")
        self.offered = rungs
        self.opened = 0
        self.button = W.Button(description=_ladder_label(0, rungs, length),
                               layout=W.Layout(width="340px"))  # fmt: skip
        self.shown = W.HTML(layout=W.Layout(width="560px"))
        self.button.on_click(lambda _: self.open_next())
        super().__init__([self.shown, self.button], layout=W.Layout(width="580px"))
        self.add_class("hint-ladder")

    def _repr_mimebundle_(self, **kwargs):
        """The live ladder, or (where widgets cannot load) a line that says what is here."""
        data = super()._repr_mimebundle_(**kwargs)
        question = plain(exercises.exercise(self.key).question)
        data["text/plain"] = (
            f"[hint ladder for {question}: run the notebook (Run All) to open its hints "
            "one at a time]"
        )
        return data

    def open_next(self) -> None:
        """Open the next rung (what the button does); nothing once all offered are open."""
        if self.opened >= self.offered:
            return
        self.opened += 1
        length = len(self._ladder)
        items = "".join(
            f'<li data-rung="{i + 1}"><b>{_rung_name(i, length)}:</b> {typeset(rung)}</li>'
            for i, rung in enumerate(self._ladder[: self.opened])
        )
        self.shown.value = (
            '<ol class="hint-rungs" aria-live="polite" style="font-family: sans-serif; '
            f'font-size: 16px; line-height: 1.4; margin: 0.3em 0">{items}</ol>'
        )
        self.button.description = _ladder_label(self.opened, self.offered, length)
        self.button.disabled = self.opened >= self.offered


def hint_ladder(key: str, rungs: int | None = None) -> HintLadder:
    """Build (without displaying) the hint ladder of exercise ``key``, offering ``rungs`` rungs."""
    return HintLadder(key, rungs)
