"""The README's two commands, CI's use of them, Binder's postBuild, the slides extension."""

import re
import subprocess
import sys
import venv
from pathlib import Path

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
