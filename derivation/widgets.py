"""Interactive explorers: ipywidgets controls, numbers from ``numeric``.

The answer boxes of the exercises are in :mod:`derivation.answer_boxes`.

Each factory returns the widget without displaying it, so that a test can build
it, set a control's value and read the recomputed ``state``.  Updates change
the values of the existing output widgets (fast SVG views from
:mod:`derivation.views`, about a millisecond each); only the sliders are
rebuilt, when K or the logit range changes.

The explorers are sized for a projector: numbers of 16 px in the controls and
at least 14 px in the views, sliders of at least 300 px, labels typeset with
Unicode subscripts (z₁, Θ₁₀, x₁), and a layout that wraps instead of clipping.
The logits explorer with K = 3 fits a 1280 × 720 screen at 150 % zoom.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W
import numpy as np

from . import numeric, training, views
from .explorer_state import article_state, logits_state, training_state
from .views import fmt, subscript

__all__ = [
    "RANGES",
    "ArticleExplorer",
    "LogitsExplorer",
    "TrainingExplorer",
    "article_explorer",
    "logits_explorer",
    "training_explorer",
]

#: label -> (largest |logit|, slider step): arrows move one step, Home/End jump to the ends
RANGES = {"±10": (10.0, 0.1), "±1000": (1000.0, 1.0)}
#: labels of the Jacobian colour-scale switch
SCALES = (f"±{views.JACOBIAN_LIMIT}", "auto")

#: The one piece of front-end code: ipywidgets 8.1 gives a slider's handle (role="slider") no
#: accessible name, and an aria-valuetext that is not the value shown (T's is its log10; others
#: show float noise such as "0.29999").  Python cannot set ARIA attributes on a widget's DOM and
#: an HTML widget's <script> does not run, but its value is set with innerHTML, whose inline
#: event handlers do: the style sheet's "load" (fired once it is in the page) starts this
#: observer on the explorer's root.  It copies each slider's name (its label's tooltip, else its
#: text) into aria-label and the readout's text into aria-valuetext, now and after every change.
#: It works wherever the widget is drawn (JupyterLab, Voilà, an exported page), needs no extension
#: and adds no dependency; tests/test_accessibility.py checks it in Chromium with axe-core.
_ARIA_BRIDGE = """(function (sheet) {
  var root = sheet.closest('.projector');
  if (!root || root.hasAttribute('data-aria-bridge')) return;
  root.setAttribute('data-aria-bridge', '1');
  function sync() {
    root.querySelectorAll('.widget-slider').forEach(function (slider) {
      var handle = slider.querySelector('[role=slider]');
      var label = slider.querySelector('.widget-label');
      var readout = slider.querySelector('.widget-readout');
      if (!handle) return;
      var tip = label ? label.getAttribute('title') : null;
      var name = tip && tip !== 'null' ? tip : (label ? label.textContent.trim() : '');
      var text = readout ? readout.textContent.trim() : '';
      var want = {'aria-label': name, 'aria-valuetext': text};
      Object.keys(want).forEach(function (key) {
        var value = want[key];
        if (value && handle.getAttribute(key) !== value) handle.setAttribute(key, value);
      });
    });
  }
  new MutationObserver(sync).observe(root, {subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ['aria-valuetext', 'title']});
  sync();
})(this)"""

#: projector styling, scoped to the explorers' root class: 16 px text in every control; its
#: load event starts the ARIA bridge above
_CSS = f"""<style onload="{escape(_ARIA_BRIDGE)}">
.projector {{ --jp-widgets-font-size: 16px; --jp-widgets-inline-height: 30px;
             font-size: 16px; font-family: sans-serif; }}
.projector .widget-label, .projector .widget-readout, .projector select,
.projector button, .projector input {{ font-size: 16px; }}
.projector .widget-readout {{ min-width: 56px; overflow: visible; }}
.projector .explorer-readout td, .projector .explorer-readout th {{ padding: 1px 8px; }}
.projector .explorer-message {{ color: #A0522D; min-height: 22px; }}
.projector .hall-only {{ display: none; }}
</style>"""

_SLIDER_WIDTH = "420px"  # label + track (>= 300 px) + readout


class _Snapshot:
    """Adds a static HTML picture of the explorer to its display data.

    A front end that can load the ipywidgets manager shows the live widget
    (its MIME type ranks first in JupyterLab, Voilà and nbconvert).  One that
    cannot, such as the jupyterlab-rise 0.43.1 slideshow with ipywidgets 8
    (its app lacks the shared module ``@jupyterlab/console`` that the
    manager needs), falls back to this picture instead of the text repr; so does
    a notebook that is not trusted, whose sanitizer keeps the pictures because
    they are ``<img>`` elements (:func:`derivation.views.as_images`).
    """

    _snapshot_views: tuple[str, ...] = ()
    _title = "explorer"

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        pictures = views.as_images(
            "".join(getattr(self, name).value for name in self._snapshot_views)
        )
        data["text/plain"] = f"{self._title} (live sliders need a running kernel)"
        data["text/html"] = (
            '<div class="explorer-snapshot" style="font-family: sans-serif; font-size: 16px">'
            f'<p style="margin: 0 0 8px"><i>{self._title}, pictured as the cell left it: the '
            "sliders need a running kernel.</i></p>"
            '<div style="display: flex; flex-wrap: wrap; align-items: flex-start; '
            f'gap: 16px">{pictures}</div></div>'
        )
        return data


def _slider_style(label_px: int = 40) -> dict:
    return {"description_width": f"{label_px}px"}


def _root(children: list) -> list:
    """The children of an explorer's root box, with the projector style sheet first."""
    return [W.HTML(_CSS, layout=W.Layout(height="0px", margin="0")), *children]


def _reset_button(callback) -> W.Button:
    """A "Reset" button that takes an explorer back to its start."""
    button = W.Button(description="Reset", tooltip="back to the state this explorer started in",
                      layout=W.Layout(width="74px"))  # fmt: skip
    button.on_click(callback)
    return button


def _nice_limit(value: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is >= ``value`` (at least 1e-6).

    >>> [_nice_limit(v) for v in (0.34, 0.0004, 1.0, 9.9995, 0.0)]
    [0.5, 0.0005, 1.0, 10.0, 1e-06]
    """
    value = max(float(value), 1e-6) if np.isfinite(value) else 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value * (1 - 1e-12):
            return float(f"{factor * power:.1g}")
    return float(10 * power)  # pragma: no cover


class LogitsExplorer(_Snapshot, W.VBox):
    """Move the logits; watch h, the Jacobian diag(h) - hh^T, the gradient (h - y)/T and the loss.

    Attributes
    ----------
    logit_sliders : list of FloatSlider
        One per class; rebuilt when the number of classes or the range changes.
    classes, temperature, true_class, range_switch, jacobian_scale : widgets
        The other controls.
    message : HTML
        What the last range switch did to the logits (clipped ones are named).
    state : dict
        What is displayed, as numbers: ``z``, ``temperature``, ``true_class``,
        ``h`` (the hypotheses softmax(z / T), also under ``p``), ``jacobian``,
        ``gradient``, ``loss``, ``naive_h``, ``eigenvalues``, ``rank``,
        ``symmetric``, ``row_sums``, ``limit``, ``step``, ``jacobian_limit``
        (None for auto) and ``message``.
    """

    _snapshot_views = ("probabilities", "jacobian", "gradient", "readout")
    _title = "Logits explorer"

    def __init__(self, classes: int = 3, logits=None, true_class: int = 0,
                 temperature: float = 1.0) -> None:  # fmt: skip
        if not 2 <= classes <= 6:
            raise ValueError(f"classes must be between 2 and 6, got {classes}")
        narrow = W.Layout(width="76px")
        label = W.Layout(width="52px")
        self.classes = W.Dropdown(options=list(range(2, 7)), value=classes, description="K",
                                  style=_slider_style(18), layout=narrow)  # fmt: skip
        self.true_class = W.Dropdown(description="class y", style=_slider_style(56),
                                     layout=W.Layout(width="128px"))  # fmt: skip
        self.temperature = W.FloatLogSlider(
            value=temperature, base=10, min=-1, max=1, step=0.01, description="T",
            tooltip="T, the temperature", style=_slider_style(),
            layout=W.Layout(width=_SLIDER_WIDTH), readout_format=".2f",
        )  # fmt: skip
        self.range_switch = W.ToggleButtons(
            options=list(RANGES), style={"button_width": "80px"}, layout=W.Layout(width="170px"),
            tooltips=[f"logits in ±{limit:g}, arrow keys move {step:g}"
                      for limit, step in RANGES.values()],
        )  # fmt: skip
        self.jacobian_scale = W.ToggleButtons(
            options=list(SCALES),
            style={"button_width": "76px"},
            layout=W.Layout(width="166px"),
            tooltips=[
                "fixed: 0.25/T is the largest |entry| any softmax Jacobian has at T",
                "rescaled to this matrix's largest |entry|",
            ],
        )
        self.message = W.HTML(layout=W.Layout(width="142px"))
        self.logit_box = W.VBox()
        self.probabilities, self.jacobian, self.gradient = W.HTML(), W.HTML(), W.HTML()
        self.readout = W.HTML()
        self.logit_sliders: list[W.FloatSlider] = []
        self.state: dict = {}
        self._message, self._holding = "", False
        start = np.zeros(classes) if logits is None else np.asarray(logits, float)
        self._start = (classes, start, true_class, temperature)
        self.reset_button = _reset_button(self.reset)
        sliders = W.VBox([self.logit_box, self.temperature])
        # Reset shares its row with the message: four rows, as many as the sliders' column, so
        # the explorer is no taller for it (it must fit one screen at 150 % zoom)
        options = W.VBox([W.HBox([self.classes, self.true_class]),
                          W.HBox([W.Label("logits", layout=label), self.range_switch]),
                          W.HBox([W.Label("colours", layout=label), self.jacobian_scale]),
                          W.HBox([self.reset_button, self.message])],
                         layout=W.Layout(width="224px"))  # fmt: skip
        wrap = W.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="4px 8px")
        figures = W.HBox([self.probabilities, self.jacobian, self.gradient], layout=wrap)
        super().__init__(_root([W.HBox([sliders, options], layout=wrap), figures, self.readout]))
        self.add_class("projector")
        self.add_class("logits-explorer")
        self._build_sliders(start)
        self._set_class_options(true_class)
        self.classes.observe(self._on_classes, names="value")
        self.range_switch.observe(self._on_range, names="value")
        for control in (self.temperature, self.true_class, self.jacobian_scale):
            control.observe(self.update, names="value")
        self.update()

    # controls -------------------------------------------------------------------
    def _build_sliders(self, values: np.ndarray) -> None:
        """New sliders for the current range (new views: the keyboard follows the range)."""
        limit, step = RANGES[self.range_switch.value]
        if values.size != self.classes.value:
            raise ValueError(f"expected {self.classes.value} logits, got {values.size}")
        if np.any(np.abs(values) > limit):
            raise ValueError(f"logits must lie in ±{limit:g}, got {values}")
        self.logit_sliders = [
            W.FloatSlider(
                value=float(v), min=-limit, max=limit, step=step,
                description=f"z{subscript(k + 1)}", style=_slider_style(),
                tooltip=f"z{subscript(k + 1)}, the logit of class {k + 1}",
                layout=W.Layout(width=_SLIDER_WIDTH),
                readout_format=".2f" if step < 1 else ".0f", continuous_update=True,
            )
            for k, v in enumerate(values)
        ]  # fmt: skip
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
        """Switch the range: values are kept, or clipped to the new range with a message."""
        limit, step = RANGES[change["new"]]
        old = np.array([s.value for s in self.logit_sliders])
        new = np.clip(old, -limit, limit)
        clipped = [f"z{subscript(k + 1)} {fmt(a, 1)} → {fmt(b, 1)}"
                   for k, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]  # fmt: skip
        self._build_sliders(new)
        keys = f"arrow keys move {step:g}, Home/End go to ±{limit:g}"
        self._message = (f"clipped to ±{limit:g}: {', '.join(clipped)}; {keys}" if clipped
                         else f"logits kept; {keys}")  # fmt: skip
        self.update()

    def reset(self, _button=None) -> None:
        """Back to the state the explorer was built with (where each of 06's questions starts)."""
        classes, logits, true_class, temperature = self._start
        self._holding = True
        try:
            self.range_switch.value = next(iter(RANGES))
            self.classes.value = classes
            self._build_sliders(logits)
            self._set_class_options(true_class)
            self.temperature.value = temperature
            self.jacobian_scale.index = 0
        finally:
            self._holding = False
        self._message = ""
        self.update()

    # numbers ---------------------------------------------------------------------
    def compute(self) -> dict:
        """Everything the explorer shows, for the current controls
        (:func:`derivation.explorer_state.logits_state`, plus the range and the scale)."""
        z = np.array([s.value for s in self.logit_sliders], dtype=float)
        state = logits_state(z, float(self.temperature.value), int(self.true_class.value))
        limit, step = RANGES[self.range_switch.value]
        return {
            **state,
            "limit": limit, "step": step, "message": self._message,
            "jacobian_limit": (views.JACOBIAN_LIMIT / state["temperature"]
                               if self.jacobian_scale.index == 0 else None),
        }  # fmt: skip

    def update(self, _change=None) -> None:
        """Recompute and redraw (the output widgets keep their identity)."""
        if self._holding:
            return
        s = self.state = self.compute()
        K = s["h"].size
        self.probabilities.value = views.bars(
            s["h"], title="h = softmax(z / T)", css_class="p-value", symbol="h"
        )
        self.jacobian.value = views.heatmap(
            # dh/dz itself, the 1/T of the chain rule included: the title says exactly that
            s["jacobian"], title="∂hₖ/∂zₗ", limit=s["jacobian_limit"], cell=52 if K <= 4 else 48,
            digits=3,
        )  # fmt: skip
        self.gradient.value = views.bars(
            s["gradient"], title="∂J/∂z = (h − y) / T", css_class="grad-value",
            signed=True, limit=_nice_limit(np.abs(s["gradient"]).max()), symbol="∂J/∂z",
            height=188,
        )  # fmt: skip
        eigenvalues = ", ".join(
            # an eigenvalue that is zero in exact arithmetic, as rounding left it
            f"0 (rounding: {views.significant(e)})" if 0 < abs(e) <= s["eigenvalue_tolerance"]
            else views.significant(e) for e in s["eigenvalues"]
        )  # fmt: skip
        naive_ok = bool(np.all(np.isfinite(s["naive_h"])))
        naive = ("same as stable" if naive_ok else
                 "<b>NaN</b>: exp overflowed (the stable softmax is fine)")  # fmt: skip
        self.message.value = f'<div class="explorer-message">{escape(s["message"])}</div>'
        self.readout.value = (
            '<div class="explorer-readout">'
            f"<b>J</b> = −log h{subscript(s['true_class'] + 1)} = "
            f'<span class="loss-value">{s["loss"]:.6g}</span> · <b>Jacobian</b> '
            f'rank <span class="rank-value">{s["rank"]}</span> (K − 1 = {K - 1}), '
            f"{'symmetric' if s['symmetric'] else 'not symmetric'}, "
            f"|row sums| ≤ {views.significant(np.abs(s['row_sums']).max())}<br>"
            f'eigenvalues <span class="eigenvalues">{eigenvalues}'
            f"</span> · <b>naive softmax</b>: {naive}</div>"
        )


class ArticleExplorer(_Snapshot, W.VBox):
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

    _snapshot_views = ("hypotheses", "jacobian", "parts", "readout")
    _title = "Article explorer"

    def __init__(self, theta=None, x1: float = 0.5, label: int = 1) -> None:
        theta = numeric.example_problem()[2] if theta is None else np.asarray(theta, float)
        if theta.shape != (3, 2):
            raise ValueError(f"theta must have shape (3, 2), got {theta.shape}")
        self.theta_sliders = {
            (k, j): W.FloatSlider(
                value=float(theta[k, j]), min=-3, max=3, step=0.05,
                description=f"Θ{subscript(f'{k + 1}{j}')}", readout_format=".2f",
                tooltip=f"Θ{subscript(f'{k + 1}{j}')}, class {k + 1}'s weight of x{subscript(j)}",
                style=_slider_style(44), layout=W.Layout(width="440px"),
            )
            for k in range(3)
            for j in range(2)
        }  # fmt: skip
        self.x1 = W.FloatSlider(value=x1, min=-4, max=4, step=0.05, description="x₁",
                                tooltip="x₁, the sample's feature", readout_format=".2f",
                                style=_slider_style(44),
                                layout=W.Layout(width="440px"))  # fmt: skip
        self.label = W.Dropdown(options=[("class 1", 0), ("class 2", 1), ("class 3", 2)],
                                value=label, description="label y", style=_slider_style(60),
                                layout=W.Layout(width="200px"))  # fmt: skip
        self.hypotheses, self.jacobian, self.parts = W.HTML(), W.HTML(), W.HTML()
        self.readout = W.HTML()
        self.state: dict = {}
        self._start, self._holding = (theta.copy(), x1, label), False
        self.reset_button = _reset_button(self.reset)
        wrap = W.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="4px 16px")
        grid = W.HBox(list(self.theta_sliders.values()), layout=W.Layout(
            flex_flow="row wrap", width="900px", max_width="100%"))  # fmt: skip
        controls = W.VBox([grid, W.HBox([self.x1, self.label, self.reset_button], layout=wrap)])
        figures = W.HBox([self.hypotheses, self.jacobian, self.parts, self.readout], layout=wrap)
        # named for the slides' style sheet, which leaves these two views off a slide (at 24 px
        # the whole explorer cannot fit one) and shows the readout's line of h instead
        self.hypotheses.add_class("hypotheses-view")
        self.jacobian.add_class("jacobian-view")
        super().__init__(_root([controls, figures]))
        self.add_class("projector")
        self.add_class("article-explorer")
        for control in (*self.theta_sliders.values(), self.x1, self.label):
            control.observe(self.update, names="value")
        self.update()

    def reset(self, _button=None) -> None:
        """Back to the state the explorer was built with (where each of 06's questions starts)."""
        theta, x1, label = self._start
        self._holding = True
        try:
            for (k, j), slider in self.theta_sliders.items():
                slider.value = float(theta[k, j])
            self.x1.value, self.label.value = x1, label
        finally:
            self._holding = False
        self.update()

    def compute(self) -> dict:
        """Everything the explorer shows (:func:`derivation.explorer_state.article_state`)."""
        theta = np.array([[self.theta_sliders[k, j].value for j in range(2)] for k in range(3)])
        return article_state(theta, float(self.x1.value), int(self.label.value))

    def update(self, _change=None) -> None:
        """Recompute and redraw."""
        if self._holding:
            return
        s = self.state = self.compute()
        self.hypotheses.value = views.bars(s["h"], title="hypotheses hₖ", css_class="h-value",
                                           symbol="h")  # fmt: skip
        self.jacobian.value = views.heatmap(s["jacobian"], title="∂hₖ/∂zₗ = diag(h) − hhᵀ",
                                            cell=56)  # fmt: skip
        names = ["∂J/∂Θ₁₀", "∂J/∂Θ₁₁"]
        self.parts.value = views.stacked_parts(
            s["parts"], s["totals"], labels=names, title="Parts I, II, III of each derivative"
        )
        rows = "".join(
            f"<tr><td>Part {name}</td><td>{fmt(s['parts'][ell, 0])}</td>"
            f"<td>{fmt(s['parts'][ell, 1])}</td></tr>"
            for ell, name in enumerate(("I", "II", "III"))
        )
        h_line = ", ".join(fmt(v) for v in s["h"])
        self.readout.value = (
            f'<div class="hall-only explorer-readout">h₁, h₂, h₃ = {h_line}</div>'
            '<table class="explorer-readout"><tr><td></td>'
            f'<th scope="col">{names[0]}</th><th scope="col">{names[1]}</th></tr>{rows}'
            f'<tr><td><b>sum</b></td><td class="total">{fmt(s["totals"][0])}</td>'
            f'<td class="total">{fmt(s["totals"][1])}</td></tr>'
            f"<tr><td>(h₁ − y₁)·xⱼ</td><td>{fmt(s['expected'][0])}</td>"
            f"<td>{fmt(s['expected'][1])}</td></tr></table>"
        )


def logits_explorer(classes: int = 3, logits=None, true_class: int = 0,
                    temperature: float = 1.0) -> LogitsExplorer:  # fmt: skip
    """Build (without displaying) the logits explorer; see :class:`LogitsExplorer`."""
    return LogitsExplorer(classes, logits, true_class, temperature)


def article_explorer(theta=None, x1: float = 0.5, label: int = 1) -> ArticleExplorer:
    """Build (without displaying) the article explorer; see :class:`ArticleExplorer`."""
    return ArticleExplorer(theta, x1, label)


class TrainingExplorer(_Snapshot, W.VBox):
    """Step through gradient descent on the one-feature model; change the learning rate.

    Changing the learning rate retrains once (a few milliseconds for small
    data) and caches the run; moving the iteration slider only redraws two
    SVG views (about a millisecond), so both follow the slider live.

    Attributes
    ----------
    iteration : IntSlider
        Which step to show (0 is the starting point).
    learning_rate : FloatLogSlider
        The step size of the run.
    history : derivation.training.History
        The current run.
    state : dict
        ``iteration``, ``learning_rate``, ``theta``, ``loss``, ``accuracy`` and
        ``h`` (the hypotheses along ``x_grid``).
    """

    x_grid = np.linspace(-4.0, 4.0, 121)
    _snapshot_views = ("readout", "curves_view", "loss_view")
    _title = "Training explorer"

    def __init__(self, X, labels, *, steps: int = 300, learning_rate: float = 0.01) -> None:
        self.X, self.labels = np.asarray(X, float), np.asarray(labels)
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(f"expected the one-feature design matrix (m, 2), got {self.X.shape}")
        self.steps = steps
        self.iteration = W.IntSlider(
            value=0, min=0, max=steps, description="step", style=_slider_style(116),
            tooltip="step, the iteration of gradient descent shown",
            layout=W.Layout(width="500px"),
        )  # fmt: skip
        self.learning_rate = W.FloatLogSlider(
            value=learning_rate, base=10, min=-4, max=-1, step=0.1, description="learning rate η",
            tooltip="learning rate η",
            readout_format=".4f", continuous_update=False, style=_slider_style(116),
            layout=W.Layout(width="500px"),
        )  # fmt: skip
        self.curves_view, self.loss_view, self.readout = W.HTML(), W.HTML(), W.HTML()
        self.state: dict = {}
        self._runs: dict[float, training.History] = {}
        wrap = W.Layout(flex_flow="row wrap", align_items="flex-start", grid_gap="4px 16px")
        controls = W.HBox([W.VBox([self.iteration, self.learning_rate]), self.readout],
                          layout=wrap)  # fmt: skip
        views_box = W.HBox([self.curves_view, self.loss_view], layout=wrap)
        super().__init__(_root([controls, views_box]))
        self.add_class("projector")
        self.add_class("training-explorer")
        self._points = np.column_stack([self.X[:, 1], self.labels])
        self.learning_rate.observe(self._retrain, names="value")
        self.iteration.observe(self.update, names="value")
        self._retrain()

    def _retrain(self, _change=None) -> None:
        rate = float(self.learning_rate.value)
        if rate not in self._runs:
            self._runs[rate] = training.gradient_descent(
                self.X, self.labels, learning_rate=rate, steps=self.steps
            )
        self.history = self._runs[rate]
        self.update()

    def update(self, _change=None) -> None:
        """Show the model at the chosen iteration."""
        i = int(self.iteration.value)
        h = self.history
        self.state = {
            **training_state(h, i, self.x_grid),
            "learning_rate": float(self.learning_rate.value),
        }
        H = self.state["h"]
        self.readout.value = (
            f'<div class="training-readout explorer-readout">step {i}: cost J = '
            f"{h.losses[i]:.4f}<br>accuracy {h.accuracy[i]:.0%}</div>"
        )
        self.curves_view.value = views.curves(
            self.x_grid, H.T, title=f"hₖ(x₁) after {i} steps", xlabel="x₁",
            names=["h₁", "h₂", "h₃"], points=self._points,
        )  # fmt: skip
        losses = h.losses
        lo = 10 ** np.floor(np.log10(max(losses.min(), 1e-3)))
        hi = 10 ** np.ceil(np.log10(losses.max()))
        self.loss_view.value = views.curves(
            np.arange(losses.size), losses, title="cost J (log scale)", xlabel="step",
            names=[f"η = {self.learning_rate.value:.4g}"], y_range=(lo, hi), log=True,
            marker=(i, losses[i]),
        )  # fmt: skip


def training_explorer(
    X, labels, *, steps: int = 300, learning_rate: float = 0.01
) -> TrainingExplorer:
    """Build (without displaying) the training explorer; see :class:`TrainingExplorer`."""
    return TrainingExplorer(X, labels, steps=steps, learning_rate=learning_rate)
