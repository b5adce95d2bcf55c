"""Shared by the tests of the commands that write files: snapshots, one-line errors, mounts."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

HANG = 60  # seconds: only to detect a hang, never a speed requirement


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root``: its kind, and a hash and mode for files; links not followed."""
    seen: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mode)
            else:
                seen[rel] = (stat.S_IFMT(info.st_mode),)
    return seen


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.endswith("\n") and "Traceback" not in err


def private_mount_available() -> str | None:
    """None if ``unshare -m`` can bind-mount read-only here, else why not."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "unshare or mount is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", 'd=$(mktemp -d) && mount --bind -o ro "$d" "$d" && '
         '! touch "$d/x" 2>/dev/null'],
        capture_output=True, text=True, timeout=HANG, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"cannot make a read-only mount here (needs root): {probe.stderr.strip()}"
    return None


_NO_MOUNT = private_mount_available() if sys.platform == "linux" else "not Linux"
needs_mount = pytest.mark.skipif(_NO_MOUNT is not None, reason=f"{_NO_MOUNT}")


def in_private_mount(setup: str, folder: Path, command: list[str]) -> subprocess.CompletedProcess:
    """Run ``setup`` (a shell line using $D) then ``command`` in a private mount namespace.

    The mounts vanish with the process, so nothing is left mounted, even if a test fails.
    Its output: the command's exit code, then the folder's files and their contents.
    """
    script = (f'D="$1"; shift; {setup} || exit 99; "$@"; echo "rc=$?"; '
              'for f in "$D"/* "$D"/.[!.]*; do [ -e "$f" ] && echo "== ${f##*/}" && cat "$f"; '
              "done; true")  # fmt: skip
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(folder), *command],
                          capture_output=True, text=True, timeout=HANG, check=False)  # fmt: skip


@contextlib.contextmanager
def stat_fails(below: Path, code: int) -> Iterator[None]:
    """Make :func:`os.stat` and :func:`os.lstat` fail with ``code`` for every path below ``below``.

    What root cannot produce with chmod (EACCES: a folder that cannot be searched)
    or at all on demand (EIO), for in-process tests; other paths are looked at as usual.
    """
    real_stat, real_lstat = os.stat, os.lstat
    prefix = str(below) + os.sep

    def failing(real):
        def look(path, *args, **kwargs):
            if kwargs.get("dir_fd") is None and os.fspath(path).startswith(prefix):
                raise OSError(code, os.strerror(code), os.fspath(path))
            return real(path, *args, **kwargs)

        return look

    with mock.patch("os.stat", failing(real_stat)), mock.patch("os.lstat", failing(real_lstat)):
        yield
