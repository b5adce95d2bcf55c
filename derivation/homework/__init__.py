"""Homework for a class of hundreds: per-student variants, their checks, and grading.

Modules
-------
variants
    :func:`variant`: a student's own numbers and questions, drawn from a seed
    derived from (student id, assignment); nothing about a variant is stored.
judge
    :func:`judge`, :func:`judge_function`: points and feedback for a variant's
    answers, in the student's notebook and in the grader's own process.
assign
    Writes each student's notebook (otter-grader's assignment format) and answer
    key from a roster.
grade
    Grades a folder of handed-in notebooks into a CSV, each re-run in a fresh
    kernel with a time limit per question and judged in the grader's process.

``python -m derivation.homework --help`` is the instructor's command.
"""

from .judge import Verdict, judge, judge_function
from .variants import ASSIGNMENT, POINTS, QUESTIONS, Variant, seed_of, variant

__all__ = [
    "ASSIGNMENT",
    "POINTS",
    "QUESTIONS",
    "Variant",
    "Verdict",
    "judge",
    "judge_function",
    "seed_of",
    "variant",
]
