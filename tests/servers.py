"""Start a local Jupyter-family server for a test, and stop it by its own PID."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@contextlib.contextmanager
def running(command: list[str], ready_url: str, log_path: Path, timeout: float = 90):
    """Run ``command`` (from the repository's root) until ``ready_url`` answers 200.

    Yields the process; afterwards it is stopped with SIGTERM (then SIGKILL).
    On a failure to start, the error names the command and shows its log.
    """
    log = log_path.open("w")
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                log.flush()
                raise RuntimeError(
                    f"{command[0]} exited ({server.returncode}):\n{log_path.read_text()}"
                )
            try:
                if get(ready_url)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer within {timeout} s")
            time.sleep(0.3)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
