"""The instructor's command: ``python -m derivation.homework assign|grade|key ...``.

assign
    From a roster CSV, write each student's notebook and answer key into a new folder.
grade
    Grade a folder of handed-in notebooks into a CSV (id, q1 … q5, total, feedback).
key
    Print one student's numbers and answers.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .variants import ASSIGNMENT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m derivation.homework",
        description="Per-student homework variants: write the class's notebooks, grade hand-ins.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assign", help="write each student's notebook and answer key")
    a.add_argument("--roster", required=True, help="CSV with a column 'id' (or ids in column 1)")
    a.add_argument("--output", required=True, help="a new (or empty) folder for the class")
    a.add_argument("--assignment", default=ASSIGNMENT, help="its name draws the numbers")
    g = sub.add_parser("grade", help="grade a folder of hand-ins into a CSV")
    g.add_argument("--roster", required=True)
    g.add_argument(
        "--submissions",
        required=True,
        help="folder with <id>.ipynb or <id>/<notebook>.ipynb per student",
    )
    g.add_argument("--output", required=True, help="the grades CSV to write (must not exist)")
    g.add_argument("--assignment", default=ASSIGNMENT)
    g.add_argument("--timeout", type=float, default=30.0, help="seconds each cell may run")
    g.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="seconds a hand-in's own cells may run in all (later cells are skipped)",
    )
    g.add_argument("--jobs", type=int, default=2, help="hand-ins graded at once")
    g.add_argument(
        "--megabytes", type=int, default=4096, help="address space each hand-in's kernel may use"
    )
    k = sub.add_parser("key", help="print one student's numbers and answers")
    k.add_argument("student_id")
    k.add_argument("--assignment", default=ASSIGNMENT)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit status (2 for bad input, with the reason on stderr)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "assign":
            from .assign import assign
            from .grade import read_roster

            written = assign(read_roster(args.roster), args.output, assignment=args.assignment)
            print(
                f"wrote {written['notebooks']} students' notebooks ({args.output}/students), "
                f"{written['keys']} answer keys ({args.output}/keys: keep them) and "
                f"{written['autograder']} otter autograder zip"
            )
        elif args.command == "grade":
            from .grade import _EXISTS, grade_folder, read_roster, timed, unmatched, write_grades

            roster = read_roster(args.roster)
            output = Path(args.output)
            if output.exists():  # say so before grading, not after
                raise FileExistsError(_EXISTS.format(path=args.output))
            if not output.parent.is_dir() or not os.access(output.parent, os.W_OK):
                raise FileNotFoundError(
                    f"the folder of --output {args.output} does not exist or cannot be written "
                    "to: create it first"
                )
            graded, seconds = timed(
                grade_folder,
                roster,
                args.submissions,
                assignment=args.assignment,
                timeout=args.timeout,
                megabytes=args.megabytes,
                budget=args.budget,
                jobs=args.jobs,
            )
            write_grades(graded, args.output)
            stray = unmatched(args.submissions, roster)
            if stray:
                print(
                    f"homework grade: {len(stray)} notebook(s) in {args.submissions} belong to "
                    f"no id of the roster, so were not graded: {', '.join(stray[:5])}"
                    f"{' …' if len(stray) > 5 else ''} (name each <id>.ipynb or put it in <id>/)",
                    file=sys.stderr,
                )
            handed = sum(1 for g in graded if g.note != "no hand-in")
            print(
                f"graded {handed} hand-ins of {len(roster)} students in {seconds:.1f} s "
                f"into {args.output}"
            )
        else:
            from .answer_key import key_text
            from .variants import variant

            print(key_text(variant(args.student_id, args.assignment)), end="")
    except (ValueError, FileExistsError, FileNotFoundError, RuntimeError) as err:
        print(f"homework {args.command}: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
