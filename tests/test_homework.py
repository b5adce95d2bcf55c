"""Per-student variants, their checks, the class's notebooks and the grading (issue 20).

The grading tests run real hand-ins in fresh kernels (slow): honest ones earn
every point, a wrong answer loses exactly its question's points, and a
hand-in that copies another student's answers or edits the checks earns
nothing for those questions.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import time
from fractions import Fraction

import numpy as np
import pytest
from homework_handins import differs_everywhere, hand_in, right_answers, theta_grad_source

from derivation.exercises import check, exercise
from derivation.homework import POINTS, QUESTIONS, judge, judge_function, variant
from derivation.homework.__main__ import main
from derivation.homework.answer_key import key_text, solution
from derivation.homework.assign import NOTEBOOK, assign, personalise
from derivation.homework.grade import grade_folder, read_roster, write_grades
from derivation.homework.variants import validate_id

THREE = ["s001", "s002", "s003"]
A = "softmax-gradients-1"


def _canonical(formula: str):
    from derivation.exercises import parse

    return parse(formula).expand()


def _function(source: str):
    space: dict = {}
    exec(source, space)  # the test's own source (tests/homework_handins.py)
    return space["theta_grad"]


# ----------------------------------------------------------------------------- variants
def test_three_students_get_different_variants_and_each_is_solvable():
    variants = [variant(s) for s in THREE]
    assert len({(v.theta, v.x1, v.label, v.jacobian_pair, v.value_entry) for v in variants}) == 3
    for v in variants:
        answers = right_answers(v)
        for q in ("q1", "q2", "q3", "q4"):
            verdict = judge(v, q, answers[q])
            assert verdict.correct and verdict.points == POINTS[q], (v.student_id, q, verdict)
        assert judge_function(v, _function(theta_grad_source(v))).correct


def test_a_variant_is_recomputed_from_the_seed_and_stores_no_answer():
    assert variant("s001") == variant("s001")
    assert variant("s001", "other-term") != variant("s001")
    sheet = variant("s001").sheet()
    for q in ("q1", "q2"):
        assert solution(variant("s001"), q) not in sheet
    for q in ("q3", "q4"):
        assert f"{solution(variant('s001'), q):g}" not in sheet


@pytest.mark.parametrize("n", range(0, 400, 50))
def test_every_variant_is_equally_hard(n):
    """No ties, no tiny or trivial numbers, no question that repeats another."""
    for i in range(n, n + 50):
        v = variant(f"student{i}")
        h = np.sort(v.h)
        assert 0.1 <= h[0] and h[-1] <= 0.75 and np.min(np.diff(h)) >= 0.05
        flat = [abs(t) for row in v.theta for t in row] + [abs(v.x1)]
        assert all(t not in (0, 1, 2) for t in flat)
        assert min(abs(v.expected_value("q3")), abs(v.expected_value("q4"))) >= 0.02
        assert v.value_entry[0] != v.gradient_class
        k, l = v.jacobian_pair
        assert k != l
        for q in ("q1", "q2"):  # every mistake names one thing: no two are the same formula
            ex = exercise(v.key(q))
            forms = [ex.answer, *(m for m, _ in ex.mistakes)]
            assert len({_canonical(f) for f in forms}) == len(forms)


def test_two_variants_rarely_share_an_answer():
    """Copying pays only where two variants' answers coincide, as the grader judges: measured
    over 400 pairs it is a few in a hundred (q1's ∂h_k/∂Θ_l1 is symmetric in k and l), where
    the layout and the reduction alone left q5 alike for one pair in four."""
    pairs = [(variant(f"a{i}"), variant(f"b{i}")) for i in range(400)]
    shared = sum(not differs_everywhere(a, b) for a, b in pairs)
    assert shared / len(pairs) < 0.06


@pytest.mark.parametrize("bad", ["", "../x", "a b", "x" * 65, None, 7, "-lead"])
def test_an_unusable_id_is_refused_with_the_reason(bad):
    with pytest.raises(ValueError, match="expected 1 to 64 letters"):
        validate_id(bad)
    with pytest.raises(ValueError, match="expected 1 to 64"):
        variant(bad)


# ------------------------------------------------------------------------------ judging
def test_numbers_are_judged_to_four_significant_figures_with_the_mistake_named():
    v = variant("s002")
    e = v.expected_value("q3")
    assert judge(v, "q3", float(f"{e:.4g}")).correct
    assert judge(v, "q3", f"{e:.4g}").correct  # as text, too
    assert judge(v, "q3", -e).message == "the sign is wrong"
    assert (
        "4 significant figures" in judge(v, "q3", float(f"{e:.2g}") * 1.004 + 0).message
        or not judge(v, "q3", float(f"{e:.2g}")).correct
    )
    assert not judge(v, "q3", float("nan")).correct
    assert "expected a number" in judge(v, "q4", "abc").message
    assert "expected a number" in judge(v, "q4", True).message
    assert judge(v, "q4", ...).message == "not answered yet"
    assert judge(v, "q1", "").message == "not answered yet"
    assert "expected a formula" in judge(v, "q1", 3.0).message


def test_formula_answers_go_to_the_step_checker_with_the_variants_mistakes():
    v = variant("s003")
    key = v.key("q1")
    right = exercise(key).answer
    assert check(key, right).correct
    for wrong, hint in exercise(key).mistakes:
        verdict = judge(v, "q1", wrong)
        assert not verdict.correct and verdict.points == 0
        assert hint in verdict.message or "constant factor" in verdict.message


def test_the_function_is_judged_on_fresh_inputs_and_its_mistakes_named():
    v = variant("s001")
    right = _function(theta_grad_source(v))
    assert judge_function(v, right).correct
    lam = float(v.penalty)
    other = dataclasses.replace(v, reduction="sum" if v.reduction == "mean" else "mean")
    bare = dataclasses.replace(v, penalty=Fraction(0))
    mistakes = {
        "sign": lambda p, X, Y: 2 * lam * p - right(p, X, Y),
        "the summed cost" if v.reduction == "mean" else "the mean cost": _function(
            theta_grad_source(other)
        ),
        "the penalty is missing": _function(theta_grad_source(bare)),
        "added once": lambda p, X, Y: right(p, X, Y) - lam / 2 * p,
        "shape": lambda p, X, Y: right(p, X, Y).T,
    }
    for words, fn in mistakes.items():
        verdict = judge_function(v, fn)
        assert not verdict.correct and words in verdict.message, (words, verdict.message)

    def naive(p, X, Y):  # no shift: overflows near ±1000
        theta = p if v.layout == "article" else p.T
        E = np.exp(X @ theta.T)
        G = (E / E.sum(axis=1, keepdims=True) - Y).T @ X
        G = G / len(X) if v.reduction == "mean" else G
        return (G if v.layout == "article" else G.T) + float(v.penalty) * p

    assert "not finite" in judge_function(v, naive).message
    assert "raised ZeroDivisionError" in judge_function(v, lambda p, X, Y: 1 / 0).message
    assert "expected a function" in judge_function(v, 3).message
    assert "returned nothing" in judge_function(v, lambda p, X, Y: None).message


def test_the_homework_ladders_stop_short_of_the_answer():
    for sid in THREE:
        v = variant(sid)
        for q in ("q1", "q2"):
            ex = exercise(v.key(q))
            assert len(ex.ladder) == 3
            for rung in ex.ladder[:2]:
                assert ex.answer not in rung
            assert ex.ladder[2].endswith(ex.answer)


# ---------------------------------------------------------------- the class's notebooks
@pytest.fixture(scope="module")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "class"
    assign(THREE, out, assignment=A)
    return out


@pytest.mark.slow
def test_assign_writes_each_students_notebook_and_key_and_no_solution(course):
    for sid in THREE:
        text = (course / "students" / sid / NOTEBOOK).read_text()
        assert f'STUDENT_ID = \\"{sid}\\"' in text
        assert "answer_key" not in text and "# SOLUTION" not in text
        for q, value in right_answers(variant(sid, A)).items():
            assert f"{q} = {value!r}" not in text, q
        assert 'grader.check(\\"q1\\")' in text  # otter's self-checks
        key = (course / "keys" / f"{sid}.txt").read_text()
        assert key == key_text(variant(sid, A))
    assert (course / "autograder" / "softmax_gradients-autograder.zip").is_file()
    assert read_roster(course / "roster.csv") == THREE


@pytest.mark.slow
def test_assign_never_writes_over_a_folder(course, tmp_path):
    with pytest.raises(FileExistsError, match="nothing is ever written over"):
        assign(THREE, course, assignment=A)
    mine = tmp_path / "mine.txt"
    mine.write_text("mine")
    assert main(["assign", "--roster", str(course / "roster.csv"), "--output", str(tmp_path)]) == 2
    assert mine.read_text() == "mine"


def test_personalise_needs_the_one_id_line():
    nb = {"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}}]}
    with pytest.raises(ValueError, match="expected exactly one"):
        personalise(json.dumps(nb), "s001")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is empty"),
        ("id\n", "has no ids"),
        ("id\ns1\ns1\n", "ids repeated"),
        ("id,name\n../evil,x\n", "line 2: student id"),
    ],
)
def test_a_bad_roster_is_refused_with_the_line(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_roster(path)


# ------------------------------------------------------------------------------ grading
def _hand_ins(course, folder, kinds, roster):
    folder.mkdir()
    expected = {}
    for sid, kind in kinds.items():
        text = (course / "students" / sid / NOTEBOOK).read_text()
        notebook, expected[sid] = hand_in(kind, text, sid, roster, A)
        (folder / f"{sid}.ipynb").write_text(notebook)
    return expected


def _kernels_of_this_process() -> list[int]:
    """The kernels this process started that are still running (from /proc)."""
    import os
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and b"ipykernel" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_grading_every_kind_of_hand_in_and_a_missing_one(tmp_path):
    """Honest: all points; wrong: loses q3's; copied, tampered: nothing; a cell that never ends
    or asks for 64 GB loses its own question only; one that ignores the interrupt stops the
    notebook at its budget (nothing read, said why); reading the answer key is flagged; and no
    kernel is left running."""
    roster = [f"s{i:03d}" for i in range(1, 11)]
    course = tmp_path / "class"
    assign(roster, course, assignment=A)
    every = ["honest", "wrong", "copied", "tampered", "slow", "hog", "key", "deaf", "numpy"]
    kinds = dict(zip(roster, every, strict=False))
    expected = _hand_ins(course, tmp_path / "in", kinds, roster)
    handed_in = {p: p.read_bytes() for p in (tmp_path / "in").rglob("*")}
    graded = {
        g.student_id: g
        for g in grade_folder(roster, tmp_path / "in", assignment=A, timeout=8, budget=30, jobs=2)
    }
    assert _kernels_of_this_process() == []
    # each hand-in ran alone in a scratch folder: the submissions are as they were handed in
    assert {p: p.read_bytes() for p in (tmp_path / "in").rglob("*")} == handed_in
    for sid, points in expected.items():
        got = {v.question: v.points for v in graded[sid].verdicts}
        assert got == points, (sid, kinds[sid], graded[sid].feedback())
    assert graded["s001"].note == ""
    assert "flagged for the instructor" in graded["s007"].note
    assert "answer_key" in graded["s007"].note
    assert "1 cell(s) ran past 8 s and were interrupted" in graded["s005"].note
    assert graded["s005"].total == 8
    assert "ran past 8 s and were interrupted" in graded["s008"].note
    assert "could not be read" in graded["s008"].feedback()
    assert graded["s009"].total == 10 and graded["s009"].note == ""
    for sid in roster[9:]:
        assert graded[sid].total == 0 and graded[sid].note == "no hand-in"
    out = tmp_path / "grades.csv"
    write_grades(list(graded.values()), out)
    with pytest.raises(FileExistsError, match="never written over a file; choose a new --output"):
        write_grades(list(graded.values()), out)
    rows = out.read_text().splitlines()
    assert rows[0] == "id,q1,q2,q3,q4,q5,total,feedback"


@pytest.mark.slow
def test_past_its_budget_a_notebook_runs_only_the_graders_cells(tmp_path):
    """Many slow cells, none past the cell timeout: after the budget the student's cells
    are skipped, the grader's still run, and the note says how many were not run."""
    import nbformat

    from derivation.homework.grade import _ANSWERS, _CODE, _run

    ours = [f"print('noise')\nprint('{_ANSWERS}1')", f"print('{_CODE}2')"]
    noise = "for _ in range(30):\n    print('x' * 10**6)"  # 30 MB the grader must not keep
    cells = ["import time", noise] + ["time.sleep(2)"] * 8 + ours
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    note = _run(nb, timeout=20, folder=tmp_path, megabytes=4096, budget=3)
    skipped = [c for c in nb.cells if c.source == ""]
    assert 1 <= len(skipped) <= 8, note
    assert note == f"the notebook ran past its 3 s: its last {len(skipped)} cell(s) were not run"
    kept = [o["text"] for c in nb.cells for o in c.outputs]  # the grader's marked lines only
    assert kept == [f"{_ANSWERS}1\n", f"{_CODE}2\n"]
    assert _kernels_of_this_process() == []


@pytest.mark.slow
def test_fifty_hand_ins_are_graded_into_a_csv_with_the_expected_points(tmp_path, capsys):
    roster = [f"u{i:03d}" for i in range(50)]
    course = tmp_path / "class"
    assert main(["assign", "--roster", _roster(tmp_path, roster), "--output", str(course)]) == 0
    kinds = {
        sid: ("honest", "wrong", "copied", "tampered", "honest")[i % 5]
        for i, sid in enumerate(roster)
    }
    expected = _hand_ins(course, tmp_path / "in", kinds, roster)
    start = time.perf_counter()
    assert (
        main(
            [
                "grade",
                "--roster",
                str(course / "roster.csv"),
                "--submissions",
                str(tmp_path / "in"),
                "--output",
                str(tmp_path / "grades.csv"),
            ]
        )
        == 0
    )
    seconds = time.perf_counter() - start
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert [r["id"] for r in rows] == roster
    for row in rows:
        want = expected[row["id"]]
        assert {q: int(row[q]) for q in QUESTIONS} == want, (row["id"], kinds[row["id"]], row)
        assert int(row["total"]) == sum(want.values())
    with capsys.disabled():
        print(f"\n50 hand-ins graded in {seconds:.0f} s ({seconds / 50:.1f} s each, 2 at a time)")


def _roster(tmp_path, roster):
    path = tmp_path / "roster.csv"
    path.write_text("id,name\n" + "".join(f"{s},Student {s}\n" for s in roster))
    return str(path)


def test_the_commands_refuse_bad_input_with_exit_2(tmp_path, capsys):
    assert (
        main(
            [
                "grade",
                "--roster",
                _roster(tmp_path, ["s1"]),
                "--submissions",
                str(tmp_path / "missing"),
                "--output",
                str(tmp_path / "g.csv"),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "in").mkdir()
    (tmp_path / "old.csv").write_text("the instructor's own file")
    argv = ["grade", "--roster", _roster(tmp_path, ["s1"]), "--submissions", str(tmp_path / "in")]
    assert main([*argv, "--output", str(tmp_path / "old.csv")]) == 2
    assert "old.csv exists: grades are never written over a file" in capsys.readouterr().err
    assert (tmp_path / "old.csv").read_text() == "the instructor's own file"
    assert main([*argv, "--output", str(tmp_path / "no-such-folder" / "g.csv")]) == 2
    assert "does not exist or cannot be written to: create it first" in capsys.readouterr().err
    assert main(["key", "../x"]) == 2
    assert main(["key", "s001"]) == 0
    assert "Answers:" in capsys.readouterr().out


def test_q5_solution_is_the_variants_layout_and_reduction():
    for sid in THREE:
        v = variant(sid)
        assert judge_function(v, solution(v, "q5")).correct
        assert math.isfinite(solution(v, "q3"))


# ------------------------------------------------------------------- notebook 09's panel
def test_the_panel_with_no_id_says_what_to_do_and_with_an_id_checks_that_students_numbers():
    from derivation.answer_boxes import AnswerBox, HintLadder
    from derivation.homework.panel import NO_ID, NumberBox, homework_panel

    assert repr(homework_panel("  ")) == NO_ID
    with pytest.raises(ValueError, match="not usable"):
        homework_panel("../x")
    v = variant("s002")
    panel = homework_panel("s002")
    assert v.sheet() in panel.children[0].value.replace("&#x27;", "'")
    boxes = [c for c in panel.children if isinstance(c, AnswerBox)]
    ladders = [c for c in panel.children if isinstance(c, HintLadder)]
    numbers = [c for c in panel.children if isinstance(c, NumberBox)]
    assert [b.key for b in boxes] == [v.key("q1"), v.key("q2")]
    boxes[0].text.value = right_answers(v)["q1"]
    boxes[0].run()
    assert boxes[0].result.correct
    for ladder in ladders:  # two rungs: the worked step (the answer) is never offered
        ladder.open_next()
        ladder.open_next()
        ladder.open_next()
        assert ladder.opened == 2 and ladder.button.disabled
        assert exercise(ladder.key).answer not in ladder.shown.value
    numbers[0].text.value = str(right_answers(v)["q3"])
    numbers[0].run()
    assert numbers[0].result.correct and "✔ q3 (2/2)" in numbers[0].feedback.value
    numbers[1].text.value = "0.5"
    numbers[1].run()
    assert not numbers[1].result.correct and "✘ q4 (0/2)" in numbers[1].feedback.value
    numbers[1].text.value = "0.6"
    assert numbers[1].feedback.value == ""  # no verdict beside another text


def test_a_hand_in_is_found_by_id_flat_or_as_a_hubs_exchange_collects_it(tmp_path):
    from derivation.homework.grade import find_hand_in, unmatched

    (tmp_path / "s001.ipynb").write_text("{}")
    deep = tmp_path / "s002" / "softmax-gradients-1"
    (deep / ".ipynb_checkpoints").mkdir(parents=True)
    (deep / "softmax_gradients.ipynb").write_text("{}")
    (deep / ".ipynb_checkpoints" / "softmax_gradients-checkpoint.ipynb").write_text("{}")
    (tmp_path / "s003" / "a").mkdir(parents=True)
    for name in ("one.ipynb", "a/two.ipynb"):
        (tmp_path / "s003" / name).write_text("{}")
    assert find_hand_in(tmp_path, "s001") == tmp_path / "s001.ipynb"
    assert find_hand_in(tmp_path, "s002") == deep / "softmax_gradients.ipynb"
    assert find_hand_in(tmp_path, "s004") is None
    with pytest.raises(ValueError, match="holds 2 notebooks; expected one hand-in"):
        find_hand_in(tmp_path, "s003")
    (tmp_path / "jane_123_softmax_gradients.ipynb").write_text("{}")  # as an LMS renames it
    assert unmatched(tmp_path, ["s001", "s002", "s003"]) == ["jane_123_softmax_gradients.ipynb"]
    assert unmatched(tmp_path, ["s001", "s002"]) == [
        "jane_123_softmax_gradients.ipynb", "s003/a/two.ipynb", "s003/one.ipynb"]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("from derivation.answer_boxes import hint_ladder", False),
        ('hint_ladder(my.key("q1"), rungs=2)', False),  # the handed-out ladder: two rungs
        ('hint_ladder(my.key("q1"))', True),  # the same ladder opened to its worked step
        ('hint_ladder(my.key("q2"), rungs=3)', True),
        ("from derivation.exercises.ladders import ladder", True),
        ("q1 = ladder(my.key('q1'))[-1]", True),
        ("q1 = answer_key.solution(my, 'q1')", True),
        ("q3 = my.expected_value('q3')", True),
        ("q1 = exercise(my.key('q1')).answer", True),
        ("q3 = (h[2] - y[2]) * x[1]", False),
    ],
)
def test_lines_that_reach_the_packages_answers_are_flagged(line, named):
    from types import SimpleNamespace

    from derivation.homework.grade import flagged

    nb = SimpleNamespace(cells=[SimpleNamespace(cell_type="code", source=line)])
    assert flagged(nb) == ([line] if named else [])
