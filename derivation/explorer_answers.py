"""The answers to notebook 06's "predict, then move" questions, computed, never typed.

Each answer drives :mod:`derivation.explorer_state` to the state its question
describes and formats the figures it quotes from that state.  The notebook
shows them hidden (``<details>``) until the reader opens them; the tests drive
the explorer widgets to the same states and compare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import article
from .explorer_state import article_state, logits_state

__all__ = ["START_LOGITS", "Answers", "article_answers", "logits_answers"]

#: where notebook 06's logits explorer starts (true class 1, T = 1)
START_LOGITS = (2.0, 1.0, 0.1)


@dataclass(frozen=True)
class Answers:
    """Numbered answers, shown one hidden ``<details>`` block each (Markdown, math in ``$``)."""

    items: tuple[tuple[int, str], ...]

    def _repr_markdown_(self) -> str:
        return "\n\n".join(
            f"<details><summary>Answer {n}</summary>\n\n{text}\n\n</details>"
            for n, text in self.items
        )

    def __repr__(self) -> str:
        return "\n".join(f"Answer {n} (hidden): open it in the notebook" for n, _ in self.items)

    def text(self) -> str:
        """Every answer's text, for searching."""
        return "\n".join(text for _, text in self.items)

    def only(self, numbers: tuple[int, ...]) -> Answers:
        """The answers with these numbers (all of them when none are given).

        Raises
        ------
        ValueError
            For a number with no answer.
        """
        known = {n for n, _ in self.items}
        if unknown := set(numbers) - known:
            raise ValueError(
                f"no answer numbered {sorted(unknown)}; expected some of {sorted(known)}"
            )
        return Answers(tuple(item for item in self.items if not numbers or item[0] in numbers))


def _signed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals and a real minus sign."""
    return f"{value:.{digits}f}".replace("-", "−")


def _row(values, digits: int) -> str:
    return "(" + ", ".join(_signed(v, digits) for v in values) + ")"


def _ceil_1(value: float) -> str:
    """``value`` rounded up to one significant figure: 0.000171 -> '0.0002'."""
    exponent = math.floor(math.log10(value))
    digits = max(0, -exponent)
    return f"{math.ceil(value / 10**exponent) * 10**exponent:.{digits}f}"


def logits_answers(*numbers: int) -> Answers:
    """The answers (all five, or those numbered) about the logits explorer, from the states
    they describe.

    Examples
    --------
    >>> "stays 2" in logits_answers(2).text()
    True
    >>> logits_answers(1, 3)
    Answer 1 (hidden): open it in the notebook
    Answer 3 (hidden): open it in the notebook
    """
    z = np.array(START_LOGITS)
    start = logits_state(z)
    shifted = logits_state(z + 5)
    same = bool(np.allclose(shifted["h"], start["h"], rtol=1e-12))
    one = (
        f"{'Nothing changes' if same else 'h changes'}: $h$ stays {_row(start['h'], 4)}, and so "
        "do the Jacobian and the gradient. Softmax depends only on differences of logits; the "
        "Jacobian's rows sum to zero for the same reason."
    )

    far = logits_state([10.0, *z[1:]])
    wrong = logits_state([10.0, *z[1:]], true_class=1)
    small = np.sort(np.abs(far["eigenvalues"]))[::-1][: far["rank"]]
    g = wrong["gradient"]
    two = (
        f"$h_1$ becomes {far['h'][0]:.5f} and every Jacobian entry shrinks below "
        f"{_ceil_1(np.abs(far['jacobian']).max())}: on the fixed colour scale the heatmap turns "
        f"almost white. The rank <b>stays {far['rank']}</b> $= K - 1$: the non-zero eigenvalues, "
        f"{' and '.join(f'{e:.5f}' for e in small)}, are tiny, not zero. With true class 1 the "
        f"gradient is tiny too ($\\partial J/\\partial z_1 = {_signed(far['gradient'][0], 5)}$: "
        f"the prediction is right). With true class 2 it is about {_row(g, 4)}: the cross-entropy "
        "gradient $h - y$ does <i>not</i> vanish when a saturated prediction is wrong. The $1/h$ "
        "of the loss undoes the saturation; that is why softmax is paired with cross-entropy."
    )

    sharp, flat = logits_state(z, 0.1), logits_state(z, 10.0)
    sharp_wrong = logits_state(z, 0.1, true_class=1)
    three = (
        f"$T = 0.1$ sharpens $h$ to {_row(sharp['h'], 5)}; $T = 10$ flattens it to "
        f"{_row(flat['h'], 3)}. The gradient does <b>not</b> simply grow as $T$ shrinks: with "
        f"true class 1, at $T = 0.1$ its largest entry is only "
        f"{np.abs(sharp['gradient']).max():.5f}, because the sharp prediction is right and "
        f"$h - y$ is almost zero; at $T = 10$ it is {np.abs(flat['gradient']).max():.3f}. With "
        f"true class 2, at $T = 0.1$ it is about {round(np.abs(sharp_wrong['gradient']).max())}: "
        "an error near 1, divided by 0.1. Sharpening amplifies the gradient of a wrong "
        "prediction only."
    )

    huge = logits_state([800.0, *z[1:]])
    naive = "NaN" if np.isnan(huge["naive_h"][0]) else f"{huge['naive_h'][0]:.4f}"
    stable = "(" + ", ".join(f"{v:g}" for v in huge["h"]) + ")"
    loss = "exactly 0" if huge["loss"] == 0 else f"{huge['loss']:.3g}"
    four = (
        f"Naive softmax gives {naive} for $h_1$ ($e^{{800}}$ overflows to infinity, and "
        f"$\\infty/\\infty$ is NaN); the stable one gives {stable}, and the loss is {loss}."
    )

    six = logits_state(np.array([*z, 0.0, 0.0, 0.0]))
    K = six["z"].size
    zeros = int(K - six["rank"])
    five = (
        f"{'One' if zeros == 1 else zeros}, always: the readout shows it as 0, with the value "
        "rounding left (about "
        f"$10^{{{math.floor(math.log10(abs(six['eigenvalues'][0]) or 1e-300))}}}$); the other "
        f"{six['rank']} are positive, so the rank is {six['rank']} $= K - 1$. The all-ones "
        "direction, adding a constant to every logit, changes nothing."
    )
    return Answers(((1, one), (2, two), (3, three), (4, four), (5, five))).only(numbers)


def article_answers(*numbers: int) -> Answers:
    """The answers (all three, or those numbered) about the article explorer (notebook 01's Θ,
    x_1 = 0.5).

    Examples
    --------
    >>> "Part I" in article_answers().text()
    True
    """
    theta = article.example_problem()[2]
    one_state = article_state(theta, 0.5, 0)
    t = one_state["totals"]
    one = (
        "Part I, $-y_1(1 - h_1)x_j$, which is negative: "
        f"${t[0]:.4f}$ for $\\Theta_{{10}}$ and ${t[1]:.4f}$ for $\\Theta_{{11}}$. Raising "
        "$\\Theta_{1j}$ would lower the loss."
    )

    zero_state = article_state(theta, 0.0, 1)
    t = zero_state["totals"]
    exact = "exactly 0" if t[1] == 0 else f"{t[1]:.4g}"
    two = (
        f"$\\partial J / \\partial \\Theta_{{11}}$ becomes {exact}: every Part of it carries the "
        "factor $x_1$. $\\partial J / \\partial \\Theta_{10}$ stays non-zero, "
        f"{t[0]:.4f} (it changes, because $h_1$ depends on $x_1$): the bias derivatives carry "
        "$x_0 = 1$ instead (erratum E1 again)."
    )

    raised = theta.copy()
    raised[0, 0] = 3.0
    top = article_state(raised, 0.5, 0)
    t = top["totals"]
    three = (
        f"$h_1$ reaches only {top['h'][0]:.4f}, so both derivatives shrink but do not vanish: "
        f"$\\partial J / \\partial \\Theta_{{10}} = h_1 - 1 = {t[0]:.4f}$ and "
        f"$\\partial J / \\partial \\Theta_{{11}} = {t[1]:.4f}$. They go to 0 only as "
        "$h_1 \\to 1$: the more confident a correct prediction, the smaller its gradient."
    )
    return Answers(((1, one), (2, two), (3, three))).only(numbers)
