"""Softmax gradients, in gory details: the package the notebooks call.

Modules (each imported on first use, so ``import derivation`` is light and
``python -m derivation`` never loads matplotlib)
-------
symbolic
    The article's model in SymPy and every step of its derivation, each proven.
general
    Any number of classes: the proofs for symbolic K and for K = 2 ... 10.
document
    The derivation as a Markdown or LaTeX document (``python -m derivation``).
numeric
    NumPy, the reference: softmax, log-softmax, cross-entropy and its gradient,
    the softmax Jacobian, with the accuracy tricks explained.
fastpath
    The blocked fast path behind numeric's cross-entropy functions.
agreement, article, routes, checks
    The article's model in NumPy (hypotheses, cost, (H - Y)^T X); the student's
    Jacobian and vector-Jacobian routes and the L2 cost; shared input checks;
    numerical agreement said in one line (✔ H = …: largest difference 0).
differences, noise, gradcheck, gradcheck_guards
    Numerical gradients (central, forward, complex step), the measured error
    bound of each entry, and gradient checking with honest verdicts (and what
    it refuses or checks first).
stability, bugs, training, exercises
    Floating-point limits, real wrong gradients, gradient descent, and the
    exercises' checker.
outputs
    Writing files without losing anything (checks before work, atomic writes).
lse
    Notebook 11: log-sum-exp, whose gradient is softmax and whose Hessian is the
    Jacobian, proven for any K; the covariance reading, entropy and KL.
layouts, labels, precision
    Notebook 12: the gradient in either parameter layout and the Jacobian's
    two layouts; label smoothing, a temperature, sigmoid outputs and multi-hot
    labels, each proven; bfloat16/float16 and where the gradient breaks.
mlp
    Notebook 13: a tanh hidden layer, its backward pass proven entry by entry,
    a step-by-step checker that names the usual mistakes, and a bug hunt.
plots, views, widgets, answer_boxes
    Matplotlib figures (``ax=None`` in, Axes out), SVG views, the explorers and
    the exercises' answer boxes.
"""

import importlib

__all__ = [
    "agreement", "answer_boxes", "article", "bugs", "checks", "differences", "document",
    "exercises", "explorer_answers", "explorer_state", "fastpath", "general", "gradcheck",
    "gradcheck_guards", "labels", "layouts", "lse", "mlp", "noise", "numeric", "outputs",
    "plots", "precision", "routes", "stability", "symbolic", "timing", "training", "views",
    "widgets",
]  # fmt: skip
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
