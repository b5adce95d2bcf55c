"""The article's softmax output layer in SymPy, and its derivation step by step, proven.

The model is the one of the seed article: one feature ``x_1`` plus a bias entry
``x_0 = 1``, a parameter matrix Θ with rows ``(Theta_k0, Theta_k1)``, logits
``z_k = Theta_k0 + Theta_k1 x_1``, one-hot labels ``y_k`` and the hypotheses
``h_k = exp(z_k) / sum_l exp(z_l)`` (2)-(4).  Every step is written for ONE sample,
``J^(i) = -sum_k y_k log h_k`` (erratum E2 of the article); the sum over the ``m``
samples of (5) is taken once, in the summed form of (23), proven for any m.

What lives where
----------------
notation
    Indexed symbols (k, l classes; j a feature; i a sample), Roman numerals,
    the article's equation numbers and labels as tables.
printing
    LaTeX in the article's notation (:func:`latex`), :class:`Equation`, tags.
prover
    :class:`Context` (what a claim's symbols mean) and :func:`prove_equal`, the
    exact test that two displayed expressions are equal.
claims
    :class:`Step`, the one claim type: what it displays is what ``check()``
    proves, one verdict per equals sign; :func:`claim` makes one.
model
    The article's :class:`Model` for K classes (:func:`model`) and
    :func:`equal` in its symbols.
steps
    :func:`article_steps` ((7)-(23) and the steps the article skips),
    :func:`short_route`, :func:`step`, :func:`general_gradient`.
oracles
    :func:`lambdified_gradient` (SymPy's own gradient, for NumPy) and
    :func:`jacobian_route` (the student's route as two claims).
"""

from .claims import ArticleForm, Step, Verdict, claim
from .model import LogitModel, Model, check_classes, equal, logit_model, model
from .oracles import JacobianRoute, jacobian_route, lambdified_gradient
from .printing import Equation, latex
from .prover import Context, prove_equal
from .steps import article_steps, general_gradient, short_route, step

__all__ = [
    "ArticleForm",
    "Context",
    "Equation",
    "JacobianRoute",
    "LogitModel",
    "Model",
    "Step",
    "Verdict",
    "article_steps",
    "check_classes",
    "claim",
    "equal",
    "general_gradient",
    "jacobian_route",
    "lambdified_gradient",
    "latex",
    "logit_model",
    "model",
    "prove_equal",
    "short_route",
    "step",
]
