"""The notation shared by the claims: indexed symbols, Roman numerals, the article's numbers.

Claims written for symbolic indices use these indexed symbols (``h[k]``,
``Theta[k, j]``, ``y[k, i]`` ...): k and l are classes, j a feature, i a
sample, m the number of samples.  The article's equation numbers and labels
for Parts I-III come from tables here, not from arithmetic.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "ARTICLE_LABELS", "ARTICLE_PARTS", "H_I", "MAX_CLASSES", "ROMAN", "THETA", "X_I", "Y_I",
    "Z_I", "i_", "j_", "k_", "l_", "m_",
]  # fmt: skip

#: Part names; a derivation with more classes than numerals is refused (see MAX_CLASSES)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
MAX_CLASSES = len(ROMAN)

# Indexed symbols of the displayed general claims (k, l classes; j feature; i sample)
THETA = sp.IndexedBase("Theta")
H_I, Y_I, X_I, Z_I = (sp.IndexedBase(n) for n in ("h", "y", "x", "z"))
k_, l_, j_, i_ = sp.symbols("k l j i", integer=True)
m_ = sp.Symbol("m", integer=True, positive=True)

#: the article's numbers in Parts I-III, by Part: dJ/dh, u, v (Part I only), quotient rule, Part
ARTICLE_PARTS = {0: (8, 9, 10, 11, 12), 1: (13, 14, None, 15, 16), 2: (17, 18, None, 19, 20)}
#: the article's LaTeX labels, by equation number
ARTICLE_LABELS = {
    7: "eq:gradient-10", 8: "eq:gradient-10-1", 9: "eq:gradient-10-2", 10: "eq:gradient-10-3",
    11: "eq:gradient-10-4", 12: "eq:gradient-10-5", 13: "eq:gradient-10-6",
    14: "eq:gradient-10-7", 15: "eq:gradient-10-8", 16: "eq:gradient-10-9",
    17: "eq:gradient-10-10", 18: "eq:gradient-10-11", 19: "eq:gradient-10-12",
    20: "eq:gradient-10-13", 21: "eq:final-gradient-1", 22: "eq:final-gradient-2",
    23: "eq:final-gradient-3",
}  # fmt: skip
