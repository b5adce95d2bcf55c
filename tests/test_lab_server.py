"""The README's lab command: JupyterLab starts from .venv and serves the index notebook.

The server runs on 127.0.0.1 with a free port and a random token, is started so
that its own PID is known, and is stopped by that PID.
"""

import json
import secrets
import sys
from pathlib import Path

import pytest
from servers import free_port, get, running

JUPYTER = Path(sys.executable).with_name("jupyter")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not JUPYTER.exists():
        pytest.skip(f"no jupyter next to {sys.executable}; run scripts/setup.sh")
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    # no --allow-root here: the setting must come from jupyter-config/, as for the README command
    command = [
        str(JUPYTER), "lab", "notebooks/00_index.ipynb", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
    ]  # fmt: skip
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    with running(command, f"{base}/lab?token={token}", log):
        yield base, token


def test_lab_serves_the_index_notebook(lab):
    base, token = lab
    # given a notebook, JupyterLab serves the notebook's folder: notebooks/ is the root
    status, page = get(f"{base}/lab/tree/00_index.ipynb?token={token}")
    assert status == 200 and b"JupyterLab" in page
    status, body = get(f"{base}/api/contents/00_index.ipynb?token={token}")
    assert status == 200
    cells = json.loads(body)["content"]["cells"]
    assert "".join(cells[0]["source"]).startswith("# 00 · Index")


def test_lab_uses_the_classroom_settings(lab):
    base, token = lab
    plugin = "@jupyterlab/apputils-extension:notification"
    status, body = get(f"{base}/lab/api/settings/{plugin}?token={token}")
    assert status == 200
    defaults = json.loads(body)["schema"]["properties"]  # overrides.json changes the defaults
    assert defaults["fetchNews"]["default"] == "false"
    assert defaults["checkForUpdates"]["default"] is False


def test_lab_refuses_requests_without_the_token(lab):
    base, _ = lab
    assert get(f"{base}/api/contents/00_index.ipynb")[0] in (401, 403)
