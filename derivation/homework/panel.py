"""Notebook 09's homework panel: a student's own numbers, with boxes that check them.

With an id, :func:`homework_panel` shows the student's variant (their Θ, x, y
and five questions), an answer box and a two-rung hint ladder for each formula
question, and a number box for each number question; the checks are the
grader's (:mod:`derivation.homework.judge`), and no solution is shown.  With no
id it says so, and the exercises of 09 are the same for everyone.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from ..answer_boxes import AnswerBox, HintLadder
from .judge import judge
from .variants import ASSIGNMENT, QUESTIONS, Variant, variant

__all__ = ["NO_ID", "NumberBox", "homework_panel"]

#: the sheet wraps between words (JupyterLab's outputs otherwise break inside a word)
_SHEET_STYLE = (
    "font-size: 15px; white-space: pre-wrap; word-break: normal; overflow-wrap: break-word"
)

NO_ID = (
    "No id entered: the exercises below are the same for everyone.\n"
    "If your instructor gave you an id, type it between the quotes\n"
    "and run the cell again to get your own numbers."
)


class NumberBox(W.VBox):
    """A box for a number question (q3, q4) of a variant, with a Check button and the verdict.

    Attributes
    ----------
    text : Text
    button : Button
    feedback : HTML
    result : Verdict or None
    """

    def __init__(self, v: Variant, question: str) -> None:
        if question not in ("q3", "q4"):
            raise ValueError(f"{question!r} is not a number question; expected 'q3' or 'q4'")
        self.variant, self.question = v, question
        self.text = W.Text(
            placeholder="a number, e.g. -0.1234, then Enter",
            continuous_update=True,
            layout=W.Layout(width="360px"),
        )
        self.button = W.Button(
            description="Check", button_style="primary", layout=W.Layout(width="100px")
        )
        self.feedback = W.HTML(layout=W.Layout(width="560px", min_height="28px"))
        self.result = None
        self.button.on_click(lambda _: self.run())
        self.text.on_msg(
            lambda w, content, b: (
                self.run()
                if isinstance(content, dict) and content.get("event") == "submit"
                else None
            )
        )
        self.text.observe(lambda _: setattr(self.feedback, "value", ""), names="value")
        super().__init__(
            [W.HBox([self.text, self.button]), self.feedback], layout=W.Layout(width="580px")
        )

    def run(self) -> None:
        """Judge the text in the box and show the verdict."""
        self.result = judge(self.variant, self.question, self.text.value)
        colour = "#0072B2" if self.result.correct else "#D55E00"
        self.feedback.value = (
            f'<div style="color: {colour}; font-family: sans-serif; '
            f'font-size: 16px">{escape(str(self.result))}</div>'
        )


def homework_panel(student_id: str, assignment: str = ASSIGNMENT):
    """The student's variant with its boxes, or (with no id) a line that says what to do.

    Parameters
    ----------
    student_id : str
        The id from the instructor; empty for none.
    assignment : str
        The assignment's name.

    Returns
    -------
    VBox or str
        The panel; with an empty id, :data:`NO_ID` (a string, printed as it is).

    Raises
    ------
    ValueError
        If the id is not usable (it says what an id looks like).
    """
    if isinstance(student_id, str) and not student_id.strip():
        return _Text(NO_ID)
    v = variant(student_id.strip() if isinstance(student_id, str) else student_id, assignment)
    parts = [W.HTML(f'<pre style="{_SHEET_STYLE}">{escape(v.sheet())}</pre>')]
    for q in QUESTIONS:
        parts.append(W.HTML(f"<b>{q}</b>"))
        if q in ("q1", "q2"):
            parts += [AnswerBox(v.key(q)), HintLadder(v.key(q), rungs=2)]
        elif q in ("q3", "q4"):
            parts.append(NumberBox(v, q))
        else:
            parts.append(
                W.HTML(
                    "Write <code>theta_grad</code> in a cell below, then run "
                    "<code>print(judge_function(variant(student_id), theta_grad))"
                    "</code>."
                )
            )
    return W.VBox(parts)


class _Text(str):
    """A string that a notebook shows as itself (no quotes)."""

    def __repr__(self) -> str:
        return str(self)
