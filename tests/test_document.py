"""python -m derivation: formats, exit codes, a failing step, the committed K = 3 document."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from derivation import document, symbolic

ROOT = Path(__file__).resolve().parents[1]


def test_committed_K3_document_is_up_to_date():
    committed = (ROOT / "docs" / "derivation_K3.md").read_text(encoding="utf-8")
    assert committed == document.render(3, "md"), (
        "docs/derivation_K3.md is stale: python -m derivation --classes 3 -o docs/derivation_K3.md"
    )


def test_markdown_numbers_every_step_and_keeps_the_article_numbers():
    text = document.render(3, "md")
    steps = symbolic.article_steps(3)
    for n in range(1, len(steps) + 1):
        assert f"**Step {n}.**" in text
    assert r"\qquad (21)" in text and "## Any number of classes" in text
    assert "As the article prints it:" in text


def test_latex_is_a_standalone_document():
    text = document.render(4, "latex")
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")
    assert text.count(r"\paragraph{Step") == len(symbolic.article_steps(4))
    assert r"\Theta_{11}\text{: chain rule}" in text  # a readable tag, never an internal key
    assert "Theta_11/" not in text


def test_command_line_writes_a_file_and_explains_itself(tmp_path):
    out = tmp_path / "k2.md"
    run = subprocess.run([sys.executable, "-m", "derivation", "--classes", "2", "-o", str(out)],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_text().startswith("# The gradient of a softmax output layer with 2 classes")
    help_text = subprocess.run([sys.executable, "-m", "derivation", "--help"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "--classes" in help_text and "proven by SymPy" in help_text


@pytest.mark.parametrize("args", [["--classes", "1"], ["--format", "pdf"], ["--classes", "x"]])
def test_bad_arguments_exit_2(args, capsys):
    with pytest.raises(SystemExit) as stop:
        document.main(args)
    assert stop.value.code == 2
    assert "error" in capsys.readouterr().err


def test_a_step_that_does_not_prove_stops_the_run(monkeypatch, capsys, tmp_path):
    steps = symbolic.article_steps(3)
    broken = replace(steps[4], chain=(*steps[4].chain[:-1], steps[4].rhs + 1))
    monkeypatch.setattr(symbolic, "article_steps", lambda classes: (*steps[:4], broken))
    out = tmp_path / "never.md"
    assert document.main(["--classes", "3", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "step 5 [11] (11) does not hold" in err and not out.exists()


@pytest.mark.parametrize(
    ("make_path", "code", "words"),
    [
        (lambda tmp: tmp, 3, "is a directory"),
        (lambda tmp: tmp / "missing" / "k3.md", 4, "does not exist"),
        (lambda tmp: Path("/proc/version"), 5, "cannot write"),
    ],
)
def test_a_bad_output_path_is_one_line_with_its_own_code_before_any_proving(
    make_path, code, words, tmp_path, monkeypatch, capsys
):
    def never(*args, **kwargs):
        raise AssertionError("proving started before the output path was checked")

    monkeypatch.setattr(document, "render", never)
    assert document.main(["-o", str(make_path(tmp_path))]) == code
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_empty_output_path_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        document.main(["-o", ""])
    assert stop.value.code == 2 and "empty" in capsys.readouterr().err


def test_the_exit_codes_are_in_the_help(capsys):
    with pytest.raises(SystemExit):
        document.main(["--help"])
    out = capsys.readouterr().out
    for line in ("3  the output path is a directory", "4  the output file's folder",
                 "5  the output file cannot be written"):  # fmt: skip
        assert line in out


def test_a_file_that_is_not_written_is_not_left_behind(tmp_path):
    target = tmp_path / "new.md"
    assert document._output_problem(str(target)) is None and not target.exists()
