"""Grading handed-in notebooks: each re-run in a fresh kernel, judged in the grader's process.

What a hand-in can and cannot do.  The notebook runs in a fresh kernel
(nbclient, as otter-grader and nbgrader run notebooks), every cell with a
time limit (``timeout`` seconds; a cell past it is interrupted and its
question earns nothing).  Two cells are added at the end: one prints the
values of ``q1`` … ``q4`` (text and numbers only) and one calls the
student's ``theta_grad`` on inputs drawn by the grader now.  Only those
printed values leave the kernel, as JSON text; everything else is decided
here: the variant is drawn again from the roster's id (the file's name), not
from anything in the notebook, and the answers are judged by
:mod:`derivation.homework.judge` in this process.  So a notebook that edits
the checker, or sets ``STUDENT_ID`` to another student's, changes nothing
but its own kernel, and another student's answers are judged against this
student's numbers.

Hand-ins are found as ``<id>.ipynb`` or ``<id>/<anything>.ipynb`` (one
notebook) in the submissions folder, for each id of the roster.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .judge import Verdict, code_cases, judge, judge_code_outputs
from .variants import ASSIGNMENT, POINTS, QUESTIONS, Variant, validate_id, variant

__all__ = [
    "BUDGET",
    "TIMEOUT",
    "Graded",
    "find_hand_in",
    "grade_folder",
    "grade_notebook",
    "read_roster",
    "unmatched",
    "write_grades",
]

#: seconds each cell of a hand-in may run
TIMEOUT = 30
#: megabytes of address space a hand-in's kernel may use (SymPy and NumPy take about 1000)
MEGABYTES = 4096
#: seconds a hand-in's own cells may run in all (an honest one takes a few)
BUDGET = 120
_ANSWERS = "@@softmax-gradients-answers@@"
_CODE = "@@softmax-gradients-q5@@"


@dataclass(frozen=True)
class Graded:
    """One student's row of the grades: the verdict of each question, and the total."""

    student_id: str
    verdicts: tuple[Verdict, ...]
    note: str = ""  # what went wrong with the hand-in as a whole, if anything

    @property
    def total(self) -> int:
        """The points of all questions."""
        return sum(v.points for v in self.verdicts)

    def feedback(self) -> str:
        """One line per question, and the note."""
        lines = [self.note] if self.note else []
        return "\n".join(lines + [str(v) for v in self.verdicts])


def read_roster(path: str | os.PathLike) -> list[str]:
    """The student ids of a roster CSV: the column ``id`` (or the first column), in order.

    Raises
    ------
    ValueError
        If the file is not a CSV with ids, an id is not usable, or one is repeated.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError(f"roster {path} is empty: expected a CSV with a column 'id'")
    header = [c.strip().lower() for c in rows[0]]
    column = header.index("id") if "id" in header else 0
    body = rows[1:] if "id" in header else rows
    ids = []
    for n, row in enumerate(body, start=2 if "id" in header else 1):
        if len(row) <= column:
            raise ValueError(f"roster {path}, line {n}: no id in {row!r}")
        ids.append(validate_id(row[column].strip(), f"roster {path}, line {n}: student id"))
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"roster {path}: ids repeated: {repeated}; expected each id once")
    if not ids:
        raise ValueError(f"roster {path} has no ids: expected a CSV with a column 'id'")
    return ids


def find_hand_in(folder: Path, student_id: str) -> Path | None:
    """``<id>.ipynb`` or the one notebook anywhere under ``<id>/`` of ``folder`` (as
    nbgrader's exchange collects them: ``<id>/<assignment>/<name>.ipynb``); None if none.

    Raises
    ------
    ValueError
        If ``<id>/`` holds more than one notebook (which one is the hand-in?);
        ``.ipynb_checkpoints`` copies are not counted.
    """
    single = folder / f"{student_id}.ipynb"
    if single.is_file():
        return single
    inner = folder / student_id
    if inner.is_dir():
        found = sorted(
            p
            for p in inner.rglob("*.ipynb")
            if p.is_file() and ".ipynb_checkpoints" not in p.relative_to(inner).parts
        )
        if len(found) > 1:
            raise ValueError(f"{inner} holds {len(found)} notebooks; expected one hand-in")
        return found[0] if found else None
    return None


def unmatched(folder: str | os.PathLike, roster: list[str]) -> list[str]:
    """Notebooks in ``folder`` that belong to no student of ``roster`` (by the names that
    :func:`find_hand_in` reads), so that a hand-in under another name is not silently lost."""
    folder, ids = Path(folder), set(roster)
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        parts = path.relative_to(folder).parts
        if ".ipynb_checkpoints" in parts:
            continue
        owner = path.stem if len(parts) == 1 else parts[0]
        if owner not in ids:
            found.append(str(path.relative_to(folder)))
    return found


def _export_cell() -> str:
    """The grader's cell that prints q1 … q4: text (cut to 1000 characters: the checker
    reads at most 300), or a number (Python's or NumPy's, not a bool); anything else None."""
    names = ", ".join(repr(q) for q in QUESTIONS if q != "q5")
    return (
        "import json as _grader_json\n"
        "import numbers as _grader_numbers\n"
        "_grader_values = {}\n"
        f"for _grader_name in ({names}):\n"
        "    _grader_value = globals().get(_grader_name)\n"
        "    if isinstance(_grader_value, str):\n"
        "        _grader_value = str(_grader_value)[:1000]\n"
        "    elif isinstance(_grader_value, _grader_numbers.Real) and not isinstance("
        "_grader_value, bool):\n"
        "        try:\n"
        "            _grader_value = float(_grader_value)\n"
        "        except Exception:\n"
        "            _grader_value = None\n"
        "    else:\n"
        "        _grader_value = None\n"
        "    _grader_values[_grader_name] = _grader_value\n"
        f"print({_ANSWERS!r} + _grader_json.dumps(_grader_values))\n"
    )


def _code_cell(cases: list[tuple]) -> str:
    data = json.dumps([[p.tolist(), X.tolist(), Y.tolist()] for p, X, Y in cases])
    return (
        "import json as _grader_json\n"
        "import numpy as _grader_np\n"
        "_grader_out = []\n"
        f"for _grader_p, _grader_X, _grader_Y in _grader_json.loads({data!r}):\n"
        "    try:\n"
        "        _grader_r = theta_grad(_grader_np.array(_grader_p), _grader_np.array(_grader_X),"
        " _grader_np.array(_grader_Y))\n"
        "        if _grader_r is None or _grader_r is Ellipsis:\n"
        "            _grader_out.append(None)\n"
        "        else:\n"
        "            _grader_r = _grader_np.asarray(_grader_r, dtype=float)\n"
        "            if _grader_r.shape == _grader_np.shape(_grader_p):\n"
        "                _grader_out.append(_grader_r.tolist())\n"
        "            else:  # the grader judges the shape; a huge array is never printed\n"
        "                _grader_out.append('returned an array of shape ' + "
        "str(tuple(_grader_r.shape))[:80] + ', expected ' + "
        "str(_grader_np.shape(_grader_p)) + ' (the shape of theta)')\n"
        "    except Exception as _grader_e:\n"
        "        _grader_out.append(('raised ' + type(_grader_e).__name__ + ': ' + "
        "str(_grader_e))[:200])\n"
        f"print({_CODE!r} + _grader_json.dumps(_grader_out))\n"
    )


def _printed(cell, marker: str):
    """The JSON a grader's cell printed after ``marker``, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            for line in "".join(output.get("text", "")).splitlines():
                if line.startswith(marker):
                    try:
                        return json.loads(line[len(marker) :])
                    except ValueError:
                        return None
    return None


def _kernel_manager(megabytes: int, sockets: Path):
    """A kernel manager whose kernel runs under an address-space limit of ``megabytes``,
    talking over IPC sockets in the private folder ``sockets`` (POSIX)."""
    # nbclient drives the kernel asynchronously: with a synchronous KernelManager its
    # interrupt after a cell's timeout never reaches the kernel and grading hangs (seen)
    from jupyter_client.manager import AsyncKernelManager

    class Limited(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            command = super().format_kernel_cmd(extra_arguments)
            return [sys.executable, "-m", "derivation.homework.limited", str(megabytes), *command]

    if os.name != "posix":
        return Limited(kernel_name="python3")
    # IPC sockets at an absolute path in a private folder: no port can be taken by another
    # kernel, and the kernel (whose working folder is the hand-in's) finds the same files
    return Limited(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))


def _run(nb, timeout: float, folder: Path, megabytes: int, budget: float, ours: int = 2) -> str:
    """Execute ``nb`` in place in a fresh kernel; return what went wrong, if anything.

    Each cell may run ``timeout`` seconds, then it is interrupted.  Once ``budget``
    seconds have passed, the student's remaining cells are skipped and only the last
    ``ours`` cells (the grader's) run, so a hand-in of many slow cells, or one whose
    cell ignores the interrupt, costs at most about ``budget + (ours + 1) * timeout``.
    The kernel is shut down (killed) at the end, whatever happened, and the event
    loop that ran it is closed.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    deadline = time.monotonic() + budget
    skipped, late = [], []

    def skip_when_late(cell, cell_index):
        if cell_index < len(nb.cells) - ours and time.monotonic() > deadline:
            if cell.cell_type == "code" and cell.source.strip():
                skipped.append(cell_index)
                cell.source = ""

    def count_timeouts(cell, cell_index, execute_reply):
        # nbclient's own reply to a timeout has no header; a kernel's reply always has one
        if "header" not in execute_reply and execute_reply["content"].get("ename") == "Timeout":
            late.append(cell_index)

    class Kept(NotebookClient):
        """Keeps only the grader's marked lines: a hand-in that prints without end (or
        makes widgets without end) costs the grader's process nothing."""

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            if cell_index < len(nb.cells) - ours or msg.get("msg_type") != "stream":
                return None
            lines = [
                line
                for line in content.get("text", "").splitlines()
                if line.startswith((_ANSWERS, _CODE))
            ]
            if not lines:
                return None
            kept = nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")
            outs.append(kept)
            return kept

        def handle_comm_msg(self, outs, msg, cell_index):
            return None

    sockets = Path(tempfile.mkdtemp(prefix="grade-kernel-"))
    km = _kernel_manager(megabytes, sockets)
    client = Kept(
        nb,
        km=km,
        timeout=timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        shutdown_kernel="immediate",
        on_cell_start=skip_when_late,
        on_cell_executed=count_timeouts,
        resources={"metadata": {"path": str(folder)}},
        error_on_timeout={
            "ename": "Timeout",
            "evalue": f"cell ran past {timeout:g} s",
            "traceback": [],
        },
    )

    async def execute() -> None:
        try:
            await client.async_execute(cleanup_kc=True)  # a km passed in is kept otherwise
        finally:
            if km.has_kernel:
                await km.shutdown_kernel(now=True)

    notes = []
    try:
        _in_own_loop(execute)
    except DeadKernelError:
        notes.append("the notebook's kernel died (out of memory?) before all answers were read")
    except CellExecutionError as err:  # not raised with allow_errors, but be sure
        notes.append(f"the notebook stopped with an error: {str(err)[:200]}")
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    if late:
        notes.insert(0, f"{len(late)} cell(s) ran past {timeout:g} s and were interrupted")
    if skipped:
        notes.insert(
            0,
            f"the notebook ran past its {budget:g} s: its last {len(skipped)} cell(s) were not run",
        )
    return "\n".join(notes)


def _in_own_loop(coroutine_function) -> None:
    """Run ``coroutine_function()`` to the end in a new event loop, closed after it (in a
    helper thread if this thread already runs a loop, as a Jupyter kernel does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine_function())
        return
    with ThreadPoolExecutor(max_workers=1) as helper:
        helper.submit(asyncio.run, coroutine_function()).result()


#: cells of the handed-out notebook that only check or hint, dropped before grading (the grader
#: judges every answer itself); a cell the student changed is not one of them and runs
_SELF_CHECKS = re.compile(
    "|".join(
        (
            r"# Initialize Otter\nimport otter\ngrader = otter\.Notebook\(\"[\w.-]+\"\)",
            r"grader\.check\(\"q\d\"\)",
            r"print\(judge\(my, \"q\d\", q\d\)\)",
            r"judge\(my, \"q\d\", q\d\)\.correct",
            r"print\(judge_function\(my, theta_grad\)\)",
            r"judge_function\(my, theta_grad\)\.correct",
            r"hint_ladder\(my\.key\(\"q\d\"\), rungs=2\)",
        )
    )
)
#: names through which a notebook can read the package's own answers instead of working them out
_ANSWER_NAMES = re.compile(
    r"\b(answer_key|expected_value|EXERCISES|ladders?|HintLadder)\b|\.answer\b"
    r"|\bhint_ladder\((?!my\.key\(\"q\d\"\), rungs=2\))"  # a ladder opened past rung 2
)


def flagged(nb) -> list[str]:
    """Lines of the hand-in's code that name the package's answers (for the instructor to read).

    Not a proof of anything either way: a notebook can reach them under another
    name; it is a pointer for a human, reported in the feedback.
    """
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                if _ANSWER_NAMES.search(line):
                    lines.append(line.strip()[:120])
    return lines


def grade_notebook(
    path: str | os.PathLike,
    v: Variant,
    *,
    timeout: float = TIMEOUT,
    megabytes: int = MEGABYTES,
    budget: float = BUDGET,
) -> Graded:
    """Grade one hand-in for variant ``v`` (drawn from the roster's id, not the notebook).

    Parameters
    ----------
    path : path-like
        The handed-in notebook.
    v : Variant
        The student's variant.
    timeout : float
        Seconds each cell may run.
    megabytes : int
        The address space the kernel (and what it starts) may use.
    budget : float
        Seconds the student's cells may run in all; later cells are skipped.

    Returns
    -------
    Graded
    """
    import nbformat  # with Jupyter: not needed to import this module (nor in the browser)

    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # a broken file is the student's, and must not stop the grading
        return _nothing(
            v, f"the hand-in {path.name} is not a readable notebook ({type(err).__name__})"
        )
    nb.cells = [
        c
        for c in nb.cells
        if not (c.cell_type == "code" and _SELF_CHECKS.fullmatch(c.source.strip()))
    ]
    suspicious = flagged(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    cases = code_cases(v)
    nb.cells.append(nbformat.v4.new_code_cell(_export_cell()))
    nb.cells.append(nbformat.v4.new_code_cell(_code_cell(cases)))
    with tempfile.TemporaryDirectory(prefix="hand-in-") as alone:  # no other hand-in beside it
        note = _run(nb, timeout, Path(alone), megabytes, budget)
    if suspicious:
        note = (note + "\n" if note else "") + (
            "flagged for the instructor: the notebook names the package's answers in "
            + "; ".join(repr(line) for line in suspicious[:3])
        )
    answers = _printed(nb.cells[-2], _ANSWERS)
    outputs = _printed(nb.cells[-1], _CODE)
    verdicts = []
    for q in QUESTIONS:
        if q == "q5":
            if isinstance(outputs, list) and len(outputs) == len(cases):
                verdicts.append(judge_code_outputs(v, cases, outputs))
            else:
                verdicts.append(
                    Verdict(
                        q,
                        0,
                        POINTS[q],
                        "theta_grad could not be run here (timed out, or the notebook stopped)",
                    )
                )
        elif isinstance(answers, dict):
            verdicts.append(judge(v, q, answers.get(q)))
        else:
            verdicts.append(
                Verdict(
                    q,
                    0,
                    POINTS[q],
                    "the answers could not be read (the "
                    "notebook timed out or stopped before its end)",
                )
            )
    return Graded(v.student_id, tuple(verdicts), note)


def _nothing(v: Variant, note: str) -> Graded:
    return Graded(
        v.student_id, tuple(Verdict(q, 0, POINTS[q], "no answer") for q in QUESTIONS), note
    )


def _load_the_judges() -> None:
    """Import every module the judging uses and warm the checker's worker, before any
    hand-in runs: what a hand-in then changes on disk is not what judges it."""
    from .. import layouts  # noqa: F401  (q5's expected values)
    from ..exercises import check

    check("part2", "-h1*h2")  # starts the worker and loads SymPy there


def grade_folder(
    roster: list[str],
    folder: str | os.PathLike,
    *,
    assignment: str = ASSIGNMENT,
    timeout: float = TIMEOUT,
    megabytes: int = MEGABYTES,
    budget: float = BUDGET,
    jobs: int = 2,
) -> list[Graded]:
    """Grade every student of ``roster`` from the hand-ins in ``folder``, ``jobs`` at a time.

    A student with no hand-in gets 0 and the note "no hand-in".

    Raises
    ------
    ValueError
        If ``folder`` is not a folder, or ``jobs`` is not a positive integer.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} does not exist or is not a folder")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not budget > 0:
        raise ValueError(f"budget must be a positive number of seconds, got {budget!r}")
    if not isinstance(megabytes, int) or megabytes < 512:
        raise ValueError(f"megabytes must be a whole number of at least 512, got {megabytes!r}")

    _load_the_judges()

    def one(student_id: str) -> Graded:
        v = variant(student_id, assignment)
        try:
            hand_in = find_hand_in(folder, student_id)
        except ValueError as err:
            return _nothing(v, str(err))
        if hand_in is None:
            return _nothing(v, "no hand-in")
        return grade_notebook(hand_in, v, timeout=timeout, megabytes=megabytes, budget=budget)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, roster))


def write_grades(graded: list[Graded], path: str | os.PathLike) -> None:
    """Write the grades CSV: id, the points of q1 … q5, total, feedback.

    Raises
    ------
    FileExistsError
        If ``path`` exists: grades are never written over a file.
    """
    path = Path(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", *QUESTIONS, "total", "feedback"])
    for g in graded:
        writer.writerow([g.student_id, *(v.points for v in g.verdicts), g.total, g.feedback()])
    try:
        with open(path, "x", encoding="utf-8", newline="") as f:  # "x": never over another file
            f.write(buffer.getvalue())
    except FileExistsError:
        raise FileExistsError(_EXISTS.format(path=path)) from None


_EXISTS = "{path} exists: grades are never written over a file; choose a new --output"


def timed(fn, *args, **kwargs):
    """``(result, seconds)`` of a call: for the command's summary and the benchmark."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start
