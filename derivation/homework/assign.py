"""Writing a class's homework: each student's notebook and answer key, from a roster.

The assignment is written in otter-grader's format (``homework/softmax_gradients.ipynb``,
the instructor's notebook with the solutions); ``otter assign`` strips the
solutions and makes the student notebook (with otter's ``grader.check``
self-checks) and the autograder zip.  This module then writes one notebook per
student, the same but for the line ``STUDENT_ID = "..."``, and one answer key
per student, recomputed from the student's seed.

Nothing is written over: the output folder must not exist, or be empty.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .answer_key import key_text
from .variants import ASSIGNMENT, validate_id, variant

__all__ = ["MASTER", "NOTEBOOK", "assign", "personalise"]

ROOT = Path(__file__).resolve().parents[2]
#: the instructor's notebook, in otter-grader's assignment format
MASTER = ROOT / "homework" / "softmax_gradients.ipynb"
NOTEBOOK = "softmax_gradients.ipynb"
_ID_LINE = re.compile(r'^STUDENT_ID = ".*"$', re.MULTILINE)
_ASSIGNMENT_LINE = re.compile(r'^ASSIGNMENT = ".*"$', re.MULTILINE)


def personalise(student_notebook: str, student_id: str, assignment: str = ASSIGNMENT) -> str:
    """The student notebook's text with its ``STUDENT_ID`` and ``ASSIGNMENT`` lines set.

    Raises
    ------
    ValueError
        If the notebook has not exactly one such line of each (an edited master?).
    """
    import json

    validate_id(student_id)
    validate_id(assignment, "assignment")
    nb = json.loads(student_notebook)
    found = 0
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and _ID_LINE.search(source):
            source, n = _ID_LINE.subn(f"STUDENT_ID = {student_id!r}".replace("'", '"'), source)
            source = _ASSIGNMENT_LINE.sub(f'ASSIGNMENT = "{assignment}"', source)
            cell["source"], found = source, found + n
    if found != 1:
        raise ValueError(
            f'the student notebook has {found} lines STUDENT_ID = "..."; '
            "expected exactly one (in the cell that draws the variant)"
        )
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _otter_assign(master: Path, work: Path) -> Path:
    """Run ``otter assign`` on ``master`` into ``work/dist``; return that folder."""
    dist = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "otter", "assign", str(master), str(dist)],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=600,
    )
    if done.returncode != 0 or not (dist / "student" / master.name).is_file():
        raise RuntimeError(
            f"otter assign failed (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return dist


def _check_output(output: Path) -> None:
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise FileExistsError(
            f"{output} exists and is not an empty folder: choose a new folder for the class "
            "(nothing is ever written over)"
        )


def assign(
    roster: list[str],
    output: str | os.PathLike,
    *,
    assignment: str = ASSIGNMENT,
    master: str | os.PathLike = MASTER,
) -> dict[str, int]:
    """Write the class's homework into ``output`` (a new or empty folder).

    Writes ``students/<id>/softmax_gradients.ipynb`` (to hand out),
    ``keys/<id>.txt`` (answer keys: the instructor's only),
    ``autograder/softmax_gradients-autograder.zip`` (otter's, for ``otter run``
    or a hub) and ``roster.csv``.

    Parameters
    ----------
    roster : list of str
        Student ids (:func:`derivation.homework.grade.read_roster`).
    output : path-like
        A folder that does not exist yet, or is empty.
    assignment : str
        The assignment's name: a new name draws new numbers for everyone.
    master : path-like
        The instructor's notebook in otter's format.

    Returns
    -------
    dict
        How many files of each kind were written.

    Raises
    ------
    FileExistsError
        If ``output`` exists and is not empty.
    ValueError
        If an id or the assignment's name is not usable.
    """
    output, master = Path(output), Path(master)
    validate_id(assignment, "assignment")
    for student_id in roster:
        validate_id(student_id)
    if not master.is_file():
        raise FileNotFoundError(f"the assignment notebook {master} does not exist")
    _check_output(output)
    with tempfile.TemporaryDirectory() as tmp:
        dist = _otter_assign(master, Path(tmp))
        student = (dist / "student" / master.name).read_text(encoding="utf-8")
        zips = sorted((dist / "autograder").glob("*.zip"))
        output.mkdir(parents=True, exist_ok=True)
        (output / "autograder").mkdir()
        if zips:
            shutil.copyfile(zips[-1], output / "autograder" / f"{master.stem}-autograder.zip")
    (output / "students").mkdir()
    (output / "keys").mkdir()
    for student_id in roster:
        folder = output / "students" / student_id
        folder.mkdir()
        (folder / NOTEBOOK).write_text(
            personalise(student, student_id, assignment), encoding="utf-8"
        )
        (output / "keys" / f"{student_id}.txt").write_text(
            key_text(variant(student_id, assignment)), encoding="utf-8"
        )
    (output / "roster.csv").write_text("id\n" + "".join(f"{i}\n" for i in roster), encoding="utf-8")
    return {"notebooks": len(roster), "keys": len(roster), "autograder": len(zips)}
