"""Interactive explorers: ipywidgets controls, numbers from :mod:`derivation.numeric`.

Each factory returns the widget without displaying it, so that a test can build
it, set a control's value and read the recomputed ``state``.  Updates change
the values of the existing output widgets (fast SVG views from
:mod:`derivation.views`); nothing is rebuilt but the sliders when K changes.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from . import numeric, plots, stability, training, views

__all__ = [
    "AnswerBox",
    "ArticleExplorer",
    "LogitsExplorer",
    "TrainingExplorer",
    "answer_box",
    "article_explorer",
    "logits_explorer",
    "training_explorer",
]

#: wide enough for every control's label ("temperature T")
_STYLE = {"description_width": "100px"}

#: label -> (largest |logit|, slider step)
RANGES = {"normal (±10)": (10.0, 0.1), "huge (±1000)": (1000.0, 1.0)}


def _fmt(values) -> str:
    return ", ".join("NaN" if np.isnan(v) else f"{v:.4f}" for v in np.ravel(values))


class LogitsExplorer(W.VBox):
    """Move the logits; watch p, the Jacobian diag(p) - pp^T, p - y and the loss.

    Attributes
    ----------
    logit_sliders : list of FloatSlider
        One per class; rebuilt when the number of classes changes.
    classes, temperature, true_class, range_switch : widgets
        The other controls.
    state : dict
        What is displayed, as numbers: ``z``, ``temperature``, ``true_class``,
        ``p``, ``jacobian``, ``gradient``, ``loss``, ``naive_p``,
        ``eigenvalues``, ``rank``, ``symmetric``, ``row_sums``.
    """

    def __init__(self, classes: int = 3, logits=None, true_class: int = 0,
                 temperature: float = 1.0) -> None:  # fmt: skip
        if not 2 <= classes <= 6:
            raise ValueError(f"classes must be between 2 and 6, got {classes}")
        self.classes = W.Dropdown(
            options=list(range(2, 7)), value=classes, description="classes K", style=_STYLE
        )
        self.temperature = W.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.01,
                                            description="temperature T", style=_STYLE)  # fmt: skip
        self.true_class = W.Dropdown(description="true class", style=_STYLE)
        self.range_switch = W.ToggleButtons(
            options=list(RANGES), description="logit range", style=_STYLE
        )
        self.logit_box = W.VBox()
        self.probabilities, self.jacobian, self.gradient = W.HTML(), W.HTML(), W.HTML()
        self.readout = W.HTML()
        self.logit_sliders: list[W.FloatSlider] = []
        self.state: dict = {}
        controls = W.VBox([self.classes, self.true_class, self.temperature, self.range_switch,
                           self.logit_box])  # fmt: skip
        figures = W.HBox([self.probabilities, self.jacobian, self.gradient])
        super().__init__([W.HBox([controls, self.readout]), figures])
        self._build_sliders(np.zeros(classes) if logits is None else np.asarray(logits, float))
        self._set_class_options(true_class)
        self.classes.observe(self._on_classes, names="value")
        self.range_switch.observe(self._on_range, names="value")
        for control in (self.temperature, self.true_class):
            control.observe(self.update, names="value")
        self.update()

    # controls -------------------------------------------------------------------
    def _build_sliders(self, values: np.ndarray) -> None:
        limit, step = RANGES[self.range_switch.value]
        if values.size != self.classes.value:
            raise ValueError(f"expected {self.classes.value} logits, got {values.size}")
        self.logit_sliders = [
            W.FloatSlider(
                value=float(v),
                min=-limit,
                max=limit,
                step=step,
                description=f"z{k + 1}",
                style=_STYLE,
                readout_format=".2f",
                continuous_update=True,
            )
            for k, v in enumerate(values)
        ]
        for slider in self.logit_sliders:
            slider.observe(self.update, names="value")
        self.logit_box.children = self.logit_sliders

    def _set_class_options(self, keep: int) -> None:
        K = self.classes.value
        self.true_class.options = [(str(k + 1), k) for k in range(K)]
        self.true_class.value = min(keep, K - 1)

    def _on_classes(self, change) -> None:
        old = [s.value for s in self.logit_sliders]
        K = change["new"]
        self._build_sliders(np.array((old + [0.0] * K)[:K]))
        self._set_class_options(self.true_class.value or 0)
        self.update()

    def _on_range(self, change) -> None:
        limit, step = RANGES[change["new"]]
        for slider in self.logit_sliders:
            with slider.hold_trait_notifications():
                slider.min, slider.max, slider.step = -limit, limit, step
        self.update()

    # numbers ---------------------------------------------------------------------
    def compute(self) -> dict:
        """Everything the explorer shows, from derivation.numeric, for the current controls."""
        z = np.array([s.value for s in self.logit_sliders], dtype=float)
        T = float(self.temperature.value)
        c = int(self.true_class.value)
        u = z / T
        p = numeric.softmax(u)
        J = numeric.softmax_jacobian(u)
        loss, g = numeric.cross_entropy_and_grad(u[None, :], [c])
        eig = np.linalg.eigvalsh(J)
        tol = 1e-12 * max(1.0, float(np.abs(eig).max()))
        return {
            "z": z, "temperature": T, "true_class": c, "p": p, "jacobian": J,
            "gradient": g[0] / T, "loss": float(loss), "naive_p": stability.naive_softmax(u),
            "eigenvalues": eig, "rank": int((np.abs(eig) > tol).sum()),
            "symmetric": bool(np.array_equal(J, J.T)), "row_sums": J.sum(axis=1),
        }  # fmt: skip

    def update(self, _change=None) -> None:
        """Recompute and redraw (the output widgets keep their identity)."""
        s = self.state = self.compute()
        K = s["p"].size
        self.probabilities.value = views.bars(s["p"], title="probabilities p = softmax(z / T)",
                                              css_class="p-value")  # fmt: skip
        self.jacobian.value = views.heatmap(s["jacobian"], title="Jacobian diag(p) − ppᵀ")
        limit = max(1.0, float(np.abs(s["gradient"]).max()))
        title = "gradient ∂L/∂z = (p − y) / T"
        self.gradient.value = views.bars(s["gradient"], title=title, css_class="grad-value",
                                         signed=True, limit=limit)  # fmt: skip
        naive_ok = bool(np.all(np.isfinite(s["naive_p"])))
        self.readout.value = (
            f'<div class="explorer-readout" style="font-family: sans-serif; margin-left: 1em">'
            f'<b>loss</b> −log p<sub>{s["true_class"] + 1}</sub> = '
            f'<span class="loss-value">{s["loss"]:.6g}</span><br>'
            f"<b>Jacobian</b>: symmetric {'yes' if s['symmetric'] else 'no'}; "
            f"largest |row sum| {np.abs(s['row_sums']).max():.1e}; "
            f"eigenvalues {_fmt(s['eigenvalues'])}; rank {s['rank']} (K − 1 = {K - 1})<br>"
            f"<b>naive softmax</b> (no max shift): {_fmt(s['naive_p'])} "
            f"{'— same' if naive_ok else '— <b>NaN</b>: exp overflowed; the stable one is fine'}"
            f"</div>"
        )  # fmt: skip


class ArticleExplorer(W.VBox):
    """The article's three-class model: how Parts I-III add up to dJ/dTheta_10 and dJ/dTheta_11.

    Attributes
    ----------
    theta_sliders : dict of (k, j) -> FloatSlider
        Theta (3 x 2), 0-based indices (``(0, 1)`` is Theta_11).
    x1 : FloatSlider
        The sample's feature.
    label : Dropdown
        The sample's class (values 0, 1, 2 for classes 1, 2, 3).
    state : dict
        ``theta``, ``x1``, ``y``, ``h``, ``jacobian``, ``parts`` (3 x 2: Part l
        of dJ/dTheta_1j), ``totals`` (their sums) and ``expected`` (the
        article's (h_1 - y_1) x_j, from ``theta_grad``).
    """

    def __init__(self, theta=None, x1: float = 0.5, label: int = 1) -> None:
        theta = numeric.example_problem()[2] if theta is None else np.asarray(theta, float)
        if theta.shape != (3, 2):
            raise ValueError(f"theta must have shape (3, 2), got {theta.shape}")
        self.theta_sliders = {
            (k, j): W.FloatSlider(
                value=float(theta[k, j]),
                min=-3,
                max=3,
                step=0.05,
                description=f"Θ{k + 1}{j}",
                readout_format=".2f",
            )
            for k in range(3)
            for j in range(2)
        }
        self.x1 = W.FloatSlider(value=x1, min=-4, max=4, step=0.05, description="x₁",
                                readout_format=".2f")  # fmt: skip
        self.label = W.Dropdown(options=[("class 1", 0), ("class 2", 1), ("class 3", 2)],
                                value=label, description="label y")  # fmt: skip
        self.hypotheses, self.jacobian, self.parts = W.HTML(), W.HTML(), W.HTML()
        self.readout = W.HTML()
        self.state: dict = {}
        grid = W.GridBox(list(self.theta_sliders.values()),
                         layout=W.Layout(grid_template_columns="repeat(2, 320px)"))  # fmt: skip
        controls = W.VBox([grid, self.x1, self.label])
        super().__init__([W.HBox([controls, self.readout]),
                          W.HBox([self.hypotheses, self.jacobian, self.parts])])  # fmt: skip
        for control in (*self.theta_sliders.values(), self.x1, self.label):
            control.observe(self.update, names="value")
        self.update()

    def compute(self) -> dict:
        """Everything the explorer shows, from derivation.numeric."""
        theta = np.array([[self.theta_sliders[k, j].value for j in range(2)] for k in range(3)])
        x1, y = float(self.x1.value), int(self.label.value)
        X = numeric.design_matrix([x1])
        parts = np.column_stack([numeric.article_parts(theta, x1, y, 0, j) for j in (0, 1)])
        return {
            "theta": theta, "x1": x1, "y": y, "h": numeric.hypotheses(theta, X)[0],
            "jacobian": numeric.softmax_jacobian(X[0] @ theta.T), "parts": parts,
            "totals": parts.sum(axis=0), "expected": numeric.theta_grad(theta, X, [y])[0],
        }  # fmt: skip

    def update(self, _change=None) -> None:
        """Recompute and redraw."""
        s = self.state = self.compute()
        self.hypotheses.value = views.bars(s["h"], title="hypotheses h_k", css_class="h-value")
        self.jacobian.value = views.heatmap(s["jacobian"], title="∂h_j/∂z_k = diag(h) − hhᵀ")
        self.parts.value = views.stacked_parts(
            s["parts"], s["totals"], labels=["∂J/∂Θ10", "∂J/∂Θ11"],
            title="Parts I, II, III of each derivative",
        )  # fmt: skip
        rows = "".join(
            f"<tr><td>Part {name}</td><td>{s['parts'][ell, 0]:+.4f}</td>"
            f"<td>{s['parts'][ell, 1]:+.4f}</td></tr>"
            for ell, name in enumerate(("I", "II", "III"))
        )
        self.readout.value = (
            '<table class="explorer-readout" style="font-family: sans-serif; margin-left: 1em">'
            "<tr><th></th><th>∂J/∂Θ10</th><th>∂J/∂Θ11</th></tr>"
            f"{rows}<tr><td><b>sum</b></td><td>{s['totals'][0]:+.4f}</td>"
            f"<td>{s['totals'][1]:+.4f}</td></tr>"
            f"<tr><td>(h₁ − y₁)·x_j</td><td>{s['expected'][0]:+.4f}</td>"
            f"<td>{s['expected'][1]:+.4f}</td></tr></table>"
        )


def logits_explorer(classes: int = 3, logits=None, true_class: int = 0,
                    temperature: float = 1.0) -> LogitsExplorer:  # fmt: skip
    """Build (without displaying) the logits explorer; see :class:`LogitsExplorer`."""
    return LogitsExplorer(classes, logits, true_class, temperature)


def article_explorer(theta=None, x1: float = 0.5, label: int = 1) -> ArticleExplorer:
    """Build (without displaying) the article explorer; see :class:`ArticleExplorer`."""
    return ArticleExplorer(theta, x1, label)


class TrainingExplorer(W.VBox):
    """Step through gradient descent on the one-feature model; change the learning rate.

    Changing the learning rate retrains (a few milliseconds for small data);
    moving the iteration slider only redraws.

    Attributes
    ----------
    iteration : IntSlider
        Which step to show (0 is the starting point).
    learning_rate : FloatLogSlider
        The step size of the run.
    history : derivation.training.History
        The current run.
    state : dict
        ``iteration``, ``learning_rate``, ``theta``, ``loss``, ``accuracy``.
    """

    def __init__(self, X, labels, *, steps: int = 300, learning_rate: float = 0.01) -> None:
        self.X, self.labels = np.asarray(X, float), np.asarray(labels)
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(f"expected the one-feature design matrix (m, 2), got {self.X.shape}")
        self.steps = steps
        self.iteration = W.IntSlider(value=0, min=0, max=steps, description="iteration",
                                     continuous_update=False, style=_STYLE)  # fmt: skip
        self.learning_rate = W.FloatLogSlider(value=learning_rate, base=10, min=-4, max=-1,
                                              step=0.1, description="learning rate",
                                              continuous_update=False, style=_STYLE)  # fmt: skip
        self.figure, self.readout = W.Output(), W.HTML()
        self.state: dict = {}
        super().__init__([W.HBox([W.VBox([self.iteration, self.learning_rate]), self.readout]),
                          self.figure])  # fmt: skip
        self.learning_rate.observe(self._retrain, names="value")
        self.iteration.observe(self.update, names="value")
        self._retrain()

    def _retrain(self, _change=None) -> None:
        self.history = training.gradient_descent(
            self.X, self.labels, learning_rate=float(self.learning_rate.value), steps=self.steps
        )
        self.update()

    def update(self, _change=None) -> None:
        """Show the model at the chosen iteration."""
        import matplotlib.pyplot as plt

        i = int(self.iteration.value)
        h = self.history
        self.state = {
            "iteration": i, "learning_rate": float(self.learning_rate.value),
            "theta": h.thetas[i], "loss": float(h.losses[i]), "accuracy": float(h.accuracy[i]),
        }  # fmt: skip
        self.readout.value = (
            f'<div class="training-readout" style="font-family: sans-serif; margin-left: 1em">'
            f"step {i}: loss J = {h.losses[i]:.4f}, accuracy {h.accuracy[i]:.0%}</div>"
        )
        Y = numeric.one_hot(self.labels, h.thetas.shape[1])
        with self.figure:
            self.figure.clear_output(wait=True)
            fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
            plots.hypotheses_along_x1(h.thetas[i], self.X, Y, ax=axes[0])
            plots.loss_curves({"cost J": h.losses}, ax=axes[1])
            axes[1].plot([i], [h.losses[i]], "o", color="black")
            fig.tight_layout()
            plt.show()


def training_explorer(
    X, labels, *, steps: int = 300, learning_rate: float = 0.01
) -> TrainingExplorer:
    """Build (without displaying) the training explorer; see :class:`TrainingExplorer`."""
    return TrainingExplorer(X, labels, steps=steps, learning_rate=learning_rate)


class AnswerBox(W.VBox):
    """A text box for one exercise, a Check button, and the checker's feedback.

    The text is parsed by :func:`derivation.exercises.parse` (a whitelist, never
    evaluated), so the box is safe to serve with Voilà.

    Attributes
    ----------
    text : Text
        Where the learner types, e.g. ``-h1*h2``.
    button : Button
        Runs the check (Enter in the box does too).
    feedback : HTML
        The result.
    result : derivation.exercises.Feedback or None
        The last check.
    """

    def __init__(self, key: str) -> None:
        from . import exercises

        if key not in exercises.EXERCISES:
            raise ValueError(
                f"unknown exercise {key!r}; expected one of {list(exercises.EXERCISES)}"
            )
        self.key = key
        self.question = W.HTML(f"<b>{exercises.EXERCISES[key].question}</b> =")
        self.text = W.Text(placeholder="e.g. -h1*h2", layout=W.Layout(width="320px"))
        self.button = W.Button(description="Check", button_style="primary")
        self.feedback = W.HTML()
        self.result = None
        self.button.on_click(lambda _: self.run())
        self.text.continuous_update = False
        super().__init__([W.HBox([self.question, self.text, self.button]), self.feedback])

    def run(self) -> None:
        """Check the current text and show the feedback."""
        from html import escape

        from . import exercises

        self.result = exercises.check(self.key, self.text.value)
        colour = "#0072B2" if self.result.correct else "#D55E00"
        self.feedback.value = (
            f'<div class="answer-feedback" style="color: {colour}; font-family: sans-serif">'
            f"{escape(str(self.result))}</div>"
        )


def answer_box(key: str) -> AnswerBox:
    """Build (without displaying) an answer box for exercise ``key``."""
    return AnswerBox(key)
