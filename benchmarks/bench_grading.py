"""Grading a class: the time per hand-in, and what the fresh kernel costs of it (a benchmark).

Run:  .venv/bin/python benchmarks/bench_grading.py [--students 50] [--jobs 2]

Writes a class of ``--students`` from a roster (``python -m derivation.homework
assign``), makes one hand-in each (honest, wrong, copied, tampered, in turn:
``tests/homework_handins.py``), grades the folder ``--jobs`` at a time, checks
every row against the expected points, and prints, side by side in one run:

- the time per hand-in of the whole grading (wall clock / students);
- the time of an empty notebook run the same way (a fresh kernel, nothing
  else), the floor that any grader which re-runs notebooks pays;
- their ratio.

The exit status is 1 if any row has other points than expected.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from homework_handins import hand_in

from derivation.homework import QUESTIONS
from derivation.homework.assign import NOTEBOOK, assign
from derivation.homework.grade import grade_folder, write_grades

KINDS = ("honest", "wrong", "copied", "tampered")


def empty_run_seconds(folder: Path, repeat: int) -> float:
    """Median seconds of running an empty notebook in a fresh kernel (nbclient)."""
    from nbclient import NotebookClient

    times = []
    for _ in range(repeat):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        start = time.perf_counter()
        NotebookClient(
            nb, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
        ).execute()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> int:
    """Run the benchmark; return 1 if a grade is not the expected one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    roster = [f"b{i:03d}" for i in range(args.students)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        assign(roster, work / "class")
        assigned = time.perf_counter() - start
        hand_ins = work / "in"
        hand_ins.mkdir()
        expected = {}
        for i, sid in enumerate(roster):
            text = (work / "class" / "students" / sid / NOTEBOOK).read_text()
            notebook, expected[sid] = hand_in(
                KINDS[i % 4], text, sid, roster, "softmax-gradients-1"
            )
            (hand_ins / f"{sid}.ipynb").write_text(notebook)
        start = time.perf_counter()
        graded = grade_folder(roster, hand_ins, jobs=args.jobs)
        seconds = time.perf_counter() - start
        write_grades(graded, work / "grades.csv")
        rows = list(csv.DictReader(io.StringIO((work / "grades.csv").read_text())))
        wrong = [r["id"] for r in rows if {q: int(r[q]) for q in QUESTIONS} != expected[r["id"]]]
        floor = empty_run_seconds(work, 3)
    per = seconds / args.students
    print(
        f"class of {args.students}: notebooks and keys written in {assigned:.1f} s "
        "(otter assign included)"
    )
    print(f"grading, {args.jobs} at a time: {seconds:.1f} s in all, {per:.2f} s per hand-in")
    print(f"an empty notebook in a fresh kernel, one at a time: {floor:.2f} s")
    print(f"ratio, time per hand-in / empty run: {per / floor:.2f}")
    print(f"rows with unexpected points: {len(wrong)} {wrong[:5]}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
