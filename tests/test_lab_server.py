"""The README's lab command: JupyterLab starts from .venv and serves the index notebook.

The server runs on 127.0.0.1 with a free port and a random token, is started so
that its own PID is known, and is stopped by that PID.
"""

import json
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not JUPYTER.exists():
        pytest.skip(f"no jupyter next to {sys.executable}; run scripts/setup.sh")
    port, token = free_port(), secrets.token_hex(16)
    log = (tmp_path_factory.mktemp("lab") / "lab.log").open("w")
    # no --allow-root here: the setting must come from jupyter-config/, as for the README command
    server = subprocess.Popen(
        [
            str(JUPYTER), "lab", "notebooks/00_index.ipynb", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        ],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                log.flush()
                output = Path(log.name).read_text()
                pytest.fail(f"jupyter lab exited ({server.returncode}):\n{output}")
            try:
                if get(f"{base}/lab?token={token}")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("jupyter lab did not answer within 60 s")
        yield base, token
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


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
