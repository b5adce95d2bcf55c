"""The notation shared by the claims: indexed symbols, Roman numerals, the article's numbers.

Claims written for symbolic indices use these indexed symbols (``h[k]``,
``Theta[k, j]``, ``y[k, i]`` ...): k and l are classes, j a feature, i a
sample, m the number of samples.  The article's equation numbers and labels
for Parts I-III come from tables here, not from arithmetic.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "ARTICLE_CONDITION_23", "ARTICLE_LABELS", "ARTICLE_PARTS", "ERRATA", "H_I", "MAX_CLASSES",
    "ROMAN", "THETA", "X_I", "Y_I", "Z_I", "i_", "j_", "k_", "l_", "m_",
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

#: the condition the article prints beside (23), as it prints it (erratum E1: x_0 is 1, not 0)
ARTICLE_CONDITION_23 = (
    r"k \in \{1, 2, 3\},\ j \in \{0, 1\},\ \text{with } x_j^{(i)} = 0 \text{ if } j = 0"
)

#: the article's errata, in Markdown (math in $...$), by name
ERRATA = {
    "E1": (
        "(23) is printed with the condition $x_j^{(i)} = 0$ if $j = 0$. The bias entry is "
        "$x_0^{(i)} = 1$, as in (1); with 0, (23) would make every "
        r"$\partial J / \partial \Theta_{k0}$ vanish, which contradicts (21). Both forms are "
        "shown at (23); the proven one has $x_0 = 1$."
    ),
    "E2": (
        "(8), (13) and (17) write $\\partial J / \\partial h_k$ as a sum over the samples and "
        "then multiply it by one sample's $\\partial h_k / \\partial \\Theta_{10}$. The chain rule "
        "holds sample by sample: every step here is written for one sample's $J^{(i)}$, and the "
        "sum over the samples comes last, in the summed (23). The final lines of (12), (16) "
        "and (20) are right."
    ),
    "E3": (
        "(21) replaces $y_1 + y_2 + y_3$ by 1, which needs one-hot (or probability) labels: "
        "entries in $\\{0, 1\\}$ alone allow $(1, 1, 0)$. Every step here that uses it says "
        "so in its display (using $y_1 + y_2 + y_3 = 1$); without it the result is "
        "$h_1 \\sum_k y_k - y_1$."
    ),
    "E4": (
        "The third hypothesis, (4), carries the label `eq:hyphotesis-4` after "
        "`eq:hyphotesis-1` and `eq:hyphotesis-2`, and hypothesis is misspelt in all three; "
        "the article has a few such slips of spelling. The numbers (2), (3) and (4) are "
        "right, and they are the ones used here."
    ),
}
