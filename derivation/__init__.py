"""Softmax gradients, in gory details: the package the notebooks call.

Modules
-------
symbolic
    The article's model in SymPy and every step of its derivation, each proven.
numeric
    The same model in NumPy: hypotheses, cost, the gradient (H - Y)^T X, checks.
plots
    Matplotlib figures (``ax=None`` in, Axes out).
"""

from . import numeric, plots, symbolic

__all__ = ["numeric", "plots", "symbolic"]
__version__ = "0.1.0"
