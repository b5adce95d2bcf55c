"""The package on the oldest versions it declares (pyproject.toml's lower bounds): those of
the browser's Pyodide, NumPy 2.0 and matplotlib 3.8. A fresh venv gets requirements-oldest.txt
from PyPI and runs the unit tests (not the notebooks, whose stored outputs come from the pinned
versions)."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OLDEST = ROOT / "requirements-oldest.txt"


def pins() -> dict[str, str]:
    lines = [ln.split("#")[0].strip() for ln in OLDEST.read_text().splitlines()]
    return dict(ln.split("==") for ln in lines if ln)


def test_the_declared_lower_bounds_are_the_versions_tested():
    """Each dependency's lower bound in pyproject.toml is the version the old venv gets."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    tested = pins()
    for requirement in project["dependencies"]:
        name, bound = re.fullmatch(r"([\w-]+)>=([\d.]+)", requirement).groups()
        version = tested[name]
        assert version.split(".")[: len(bound.split("."))] == bound.split("."), (name, bound)


@pytest.mark.slow
def test_the_unit_tests_pass_on_the_oldest_versions(tmp_path):
    env = tmp_path / "oldest"
    subprocess.run([sys.executable, "-m", "venv", env], check=True)
    install = subprocess.run(
        [env / "bin" / "pip", "install", "-q", "--disable-pip-version-check", "-r", OLDEST],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]
    ask = "import numpy; print(numpy.__version__)"
    version = subprocess.run([env / "bin" / "python", "-c", ask],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert version == pins()["numpy"]
    run = subprocess.run(
        [env / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
         "-o", "addopts=--doctest-modules", "tests", "derivation",
         "--ignore=tests/test_notebooks.py", "--ignore=tests/test_lint.py",
         "--ignore=tests/test_browser.py", "--ignore=tests/test_oldest_versions.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    tail = run.stdout[-3000:]
    assert run.returncode == 0, tail
    passed = int(re.search(r"(\d+) passed", tail).group(1))
    assert passed > 1000, tail
