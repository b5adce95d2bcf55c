"""Hand-ins made from a student's notebook, for the grading tests and the benchmark.

Kinds: ``honest`` (every answer right), ``wrong`` (q3 wrong), ``copied`` (every
answer taken from another student's honest hand-in), ``tampered`` (the
notebook makes its own checks say ✔ and draws another student's variant, then
answers for that one), ``slow`` (q4's cell never ends), ``deaf`` (q4's cell
never ends and ignores the interrupt), ``hog`` (q3's cell asks for 64 GB)
, ``key`` (right answers read from the package's answer key: full points,
and flagged for the instructor) and ``numpy`` (right, with q3 and q4 as NumPy
numbers, and a scratch file written beside the notebook: full points).
"""

from __future__ import annotations

import json

from derivation.exercises import exercise
from derivation.homework import POINTS, variant
from derivation.homework.variants import Variant

THETA_GRAD = """import numpy as np


def theta_grad(theta, X, Y):
    params = {transpose}
    Z = X @ params.T
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    H = E / E.sum(axis=1, keepdims=True)
    G = (H - Y).T @ X{scale}
    return {result} + {penalty!r} * theta
"""

TAMPER = """import derivation.exercises
import derivation.homework
import derivation.homework.judge as _j
from derivation.exercises import Feedback


def _always_right(*args, **kwargs):
    return Feedback(True, "right")


derivation.exercises.check = _always_right
_j.check = _always_right
_j._judge_number = lambda v, q, a: _j._verdict(q, True, "right")
STUDENT_ID = "{other}"
my = variant(STUDENT_ID, ASSIGNMENT)
"""


def theta_grad_source(v: Variant) -> str:
    """A right ``theta_grad`` for variant ``v``, written as a student would."""
    article = v.layout == "article"
    return THETA_GRAD.format(
        transpose="theta" if article else "theta.T",
        scale=" / len(X)" if v.reduction == "mean" else "",
        result="G" if article else "G.T",
        penalty=float(v.penalty),
    )


def right_answers(v: Variant) -> dict[str, object]:
    """q1 … q4's right values for ``v`` (what an honest student types)."""
    return {
        "q1": exercise(v.key("q1")).answer,
        "q2": exercise(v.key("q2")).answer,
        "q3": float(f"{v.expected_value('q3'):.4g}"),
        "q4": float(f"{v.expected_value('q4'):.4g}"),
    }


def fill(
    notebook_text: str,
    answers: dict[str, object],
    code: str,
    extra: str = "",
    slow: str | None = None,
    hog: str | None = None,
    deaf: str | None = None,
    sources: dict[str, str] | None = None,
) -> str:
    """The student's notebook with its answer cells filled (and ``extra`` after the sheet)."""
    nb = json.loads(notebook_text)
    cells = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for q, text in (sources or {}).items():
            if cell["cell_type"] == "code" and source.strip() == f"{q} = ...":
                source = text
        for q, value in answers.items():
            if cell["cell_type"] == "code" and source.strip() == f"{q} = ...":
                source = f"{q} = {value!r}"
                if q == slow:
                    source = "while True:\n    pass\n" + source
                if q == deaf:
                    source = (
                        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                        "while True:\n    pass\n" + source
                    )
                if q == hog:
                    source = "_hog = bytearray(64 * 1024**3)\n" + source
        if (
            cell["cell_type"] == "code"
            and source.lstrip().startswith("import numpy as np")
            and "def theta_grad" in source
        ):
            source = code
        cell["source"] = source
        cells.append(cell)
        if extra and cell["cell_type"] == "code" and "my = variant(" in source:
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": "tamper",
                    "metadata": {},
                    "outputs": [],
                    "source": extra,
                }
            )
    nb["cells"] = cells
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def differs_everywhere(a: Variant, b: Variant) -> bool:
    """Whether no answer of ``a`` is right for ``b``, as the grader judges (so a copy earns
    nothing); two variants can share an answer by chance (∂h_k/∂Θ_l1 is symmetric in k, l)."""
    from derivation.homework import judge, judge_function

    ra = right_answers(a)
    if any(judge(b, q, ra[q]).correct for q in ("q1", "q2", "q3", "q4")):
        return False
    space: dict = {}
    exec(theta_grad_source(a), space)  # our own source, written above
    return not judge_function(b, space["theta_grad"]).correct


def source_for(student_id: str, roster: list[str], assignment: str) -> str:
    """Another student of ``roster`` whose answers all differ from ``student_id``'s."""
    mine = variant(student_id, assignment)
    for other in roster:
        if other != student_id and differs_everywhere(mine, variant(other, assignment)):
            return other
    raise LookupError(f"no student of the roster differs from {student_id} everywhere")


def hand_in(
    kind: str, notebook_text: str, student_id: str, roster: list[str], assignment: str
) -> tuple[str, dict[str, int]]:
    """(notebook text, expected points per question) of one hand-in of ``kind``."""
    mine = variant(student_id, assignment)
    full = dict(POINTS)
    if kind == "honest":
        return fill(notebook_text, right_answers(mine), theta_grad_source(mine)), full
    if kind == "wrong":
        answers = right_answers(mine)
        answers["q3"] = round(answers["q3"] + 0.25, 4)
        return fill(notebook_text, answers, theta_grad_source(mine)), {**full, "q3": 0}
    if kind == "slow":
        return (
            fill(notebook_text, right_answers(mine), theta_grad_source(mine), slow="q4"),
            {**full, "q4": 0},
        )
    if kind == "deaf":  # the kernel never answers again: no answer can be read
        return (
            fill(notebook_text, right_answers(mine), theta_grad_source(mine), deaf="q4"),
            dict.fromkeys(POINTS, 0),
        )
    if kind == "hog":
        return (
            fill(notebook_text, right_answers(mine), theta_grad_source(mine), hog="q3"),
            {**full, "q3": 0},
        )
    if kind == "numpy":
        answers = right_answers(mine)
        sources = {q: f"import numpy as np\n{q} = np.float64({answers[q]!r})" for q in ("q3", "q4")}
        sources["q1"] = f"open('scratch.txt', 'w').write('mine')\nq1 = {answers['q1']!r}"
        return fill(notebook_text, answers, theta_grad_source(mine), sources=sources), full
    if kind == "key":
        sources = {q: f"{q} = answer_key.solution(my, {q!r})" for q in ("q1", "q2", "q3", "q4")}
        sources["q1"] = "from derivation.homework import answer_key\n" + sources["q1"]
        return fill(notebook_text, {}, theta_grad_source(mine), sources=sources), full
    other = variant(source_for(student_id, roster, assignment), assignment)
    text = fill(
        notebook_text,
        right_answers(other),
        theta_grad_source(other),
        extra=TAMPER.format(other=other.student_id) if kind == "tampered" else "",
    )
    if kind in ("copied", "tampered"):
        return text, dict.fromkeys(POINTS, 0)
    raise ValueError(
        f"unknown kind {kind!r}; expected honest, wrong, copied, tampered, slow, deaf, hog, "
        "key or numpy"
    )
