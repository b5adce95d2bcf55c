"""Softmax gradients, in gory details: the package the notebooks call.

Modules
-------
symbolic
    The article's model in SymPy and every step of its derivation, each proven.
numeric
    The same model in NumPy: hypotheses, cost, the gradient (H - Y)^T X, checks.
"""

from . import numeric, symbolic

__all__ = ["numeric", "symbolic"]
__version__ = "0.1.0"
