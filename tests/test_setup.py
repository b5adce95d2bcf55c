"""The README's two commands, CI's use of them, Binder's postBuild, the slides extension,
and setup.sh's messages when the interpreter is missing or too old."""

import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_after(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```bash\n(.*?)\n```", README, flags=re.S)
    assert match, f"no ```bash block after <!-- {marker} -->"
    return match.group(1)


def test_readme_has_exactly_the_two_commands():
    assert command_after("lab-command") == (
        "bash scripts/setup.sh && .venv/bin/jupyter lab notebooks/00_index.ipynb"
    )
    assert command_after("test-command") == "bash scripts/setup.sh && .venv/bin/python -m pytest"


def test_ci_runs_the_readme_test_command_unchanged():
    script = (ROOT / ".ci" / "run").read_text()
    extract = re.search(r"cmd=\$\((awk .*?README\.md)\)", script).group(1)
    printed = subprocess.run(["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()  # fmt: skip
    assert printed == command_after("test-command")


def test_postbuild_gives_a_fresh_environment_the_classroom_settings(tmp_path):
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    path = f"{env / 'bin'}:/usr/bin:/bin"
    subprocess.run(["bash", "postBuild"], cwd=ROOT, env={"PATH": path}, check=True)
    assert (env / "share" / "jupyter" / "lab" / "settings" / "overrides.json").exists()


def test_the_slides_extension_is_enabled():
    jupyter = Path(sys.executable).with_name("jupyter")
    listing = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True,
                             text=True, check=True)  # fmt: skip
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)  # no colour codes
    assert re.search(r"jupyterlab-rise v\S+ enabled", text), text


def run_setup(python: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """scripts/setup.sh with PYTHON set; it must stop before touching .venv."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON": python}
    return subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh")], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize("python", ["/missing", "no-such-python3"])
def test_setup_says_plainly_when_the_interpreter_is_missing(python, tmp_path):
    done = run_setup(python, tmp_path)
    assert done.returncode == 127 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr  # one line
    assert done.stderr.startswith(f"setup: Python interpreter '{python}' not found; install ")
    assert "PYTHON=python3.11 bash scripts/setup.sh" in done.stderr


def test_setup_keeps_its_message_for_a_python_that_is_too_old(tmp_path):
    old = tmp_path / "python3.8"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.8.18" && exit 0\nexit 1\n')
    old.chmod(0o755)
    done = run_setup(str(old), tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"setup: Python 3.11 or newer is needed; '{old}' is Python 3.8.18.",
        "       Install it, or point PYTHON at one: PYTHON=python3.11 bash scripts/setup.sh",
    ]
