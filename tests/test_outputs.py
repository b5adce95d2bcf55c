"""Nothing lost: ``python -m derivation -o`` refuses, in one line, what it did not write.

The command runs as a new process with a timeout (a hang fails the test instead of
blocking the suite).  Each case checks the exit code, that standard error is one line
with no traceback, and that every file that was there before is unchanged (hashed
before and after).  Read-only and full file systems are made in a private mount
namespace.  The safe write itself (derivation.outputs) is tested in-process.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filesystem import HANG, in_private_mount, needs_mount, one_line, snapshot, stat_fails

from derivation import document, outputs

ROOT = Path(__file__).resolve().parents[1]
BUILD_SITE = ROOT / "scripts" / "build_site.py"
slow = pytest.mark.slow  # a new process each


def derivation(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivation", "--classes", "2", *args],
                          capture_output=True, text=True, timeout=HANG, stdin=subprocess.DEVNULL,
                          check=False, **kwargs)  # fmt: skip


def header(fmt: str = "md") -> str:
    return document.generated(2, fmt).splitlines()[0]


# --- python -m derivation -o ------------------------------------------------------------------


def _notes(tmp: Path) -> Path:
    (tmp / "notes.md").write_text("# my notes on softmax\nkeep me\n")
    return tmp / "notes.md"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe")
    return tmp / "pipe"


def _dangling(tmp: Path) -> Path:
    (tmp / "link.md").symlink_to(tmp / "nowhere.md")
    return tmp / "link.md"


def _link_to_notes(tmp: Path) -> Path:
    (tmp / "link.md").symlink_to(_notes(tmp))
    return tmp / "link.md"


def _link_to_own(tmp: Path) -> Path:
    (tmp / "own.md").write_text(header() + "\nan earlier run\n")
    (tmp / "link.md").symlink_to(tmp / "own.md")
    return tmp / "link.md"


def _file_as_folder(tmp: Path) -> Path:
    return _notes(tmp) / "k2.md"


def _link_loop(tmp: Path) -> Path:
    (tmp / "loop").symlink_to("loop")  # ELOOP for anything below it
    return tmp / "loop" / "k2.md"


def _deep(tmp: Path) -> Path:
    """A path of more than 4096 bytes (PATH_MAX) made of names that are each allowed."""
    return tmp.joinpath(*["d" * 200] * 21, "k2.md")


def _old_generated_without_header(tmp: Path) -> Path:
    text = document.render(2, "md")  # what this command wrote before it had a header
    (tmp / "old.md").write_text(text)
    return tmp / "old.md"


@slow
@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (_notes, 6, "was not written by python -m derivation"),
        (_old_generated_without_header, 6, "was not written by"),
        (lambda tmp: tmp, 3, "is a directory"),
        (lambda tmp: tmp / "missing" / "k2.md", 4, "does not exist"),
        (_file_as_folder, 4, "is a regular file"),
        (_fifo, 7, "is a FIFO"),
        (lambda tmp: Path("/dev/full"), 7, "is a character device"),
        (lambda tmp: Path("/dev/null"), 7, "is a character device"),
        (_dangling, 8, "dangling symbolic link"),
        (_link_to_notes, 8, "symbolic link"),
        (_link_to_own, 8, "symbolic link"),
        (lambda tmp: Path("/proc/k2.md"), 5, "cannot create files in '/proc'"),
        (lambda tmp: Path("/sys/k2.md"), 5, "cannot create files in '/sys'"),
        (lambda tmp: Path("/proc/version"), 5, "cannot create files in '/proc'"),
        (_link_loop, 4, "a symbolic link on its way points back to itself"),
        (lambda tmp: _link_loop(tmp).parent, 8, "is a symbolic link"),
        (lambda tmp: tmp / ("a" * 300 + ".md"), 2, "its longest name 303); expected a shorter"),
        (_deep, 2, "expected a shorter name"),
        (lambda tmp: tmp / "new\nline" / "k2.md", 4, "new\\nline' of"),
    ],
    ids=["users-file", "old-output-without-header", "folder", "missing-folder",
         "file-as-folder", "fifo", "dev-full", "dev-null", "dangling-link", "link-to-users-file",
         "link-to-own-file", "proc", "sys", "proc-file", "link-loop-on-the-way", "link-loop",
         "name-over-255-bytes", "path-over-4096-bytes", "newline-in-folder"],
)  # fmt: skip
def test_derivation_refuses_in_one_line_and_changes_nothing(make, code, words, tmp_path):
    target = make(tmp_path)
    before = snapshot(tmp_path)
    started = time.monotonic()
    run = derivation("-o", str(target))
    elapsed = time.monotonic() - started
    assert run.returncode == code, run.stderr
    error = run.stderr if code != 2 else run.stderr.splitlines(keepends=True)[-1]  # after usage
    assert one_line(error) and words in error, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert snapshot(tmp_path) == before  # nothing created, changed, or deleted
    assert elapsed < HANG  # refused before proving: well under a second here, never blocked


@slow
def test_a_name_of_only_spaces_is_refused_as_such_and_taken_with_its_folder(tmp_path):
    run = derivation("-o", " ", cwd=tmp_path)
    assert run.returncode == 2 and "a name of only white space (' ')" in run.stderr, run.stderr
    assert "empty" not in run.stderr and list(tmp_path.iterdir()) == []
    run = derivation("-o", "./ ", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / " ").read_text().startswith(header())


@slow
def test_derivation_overwrites_only_what_it_wrote(tmp_path):
    out = tmp_path / "k2.md"
    assert derivation("-o", str(out)).returncode == 0
    first = out.read_text(encoding="utf-8")
    assert first.splitlines()[0] == header()
    assert first == document.generated(2, "md")
    out.write_text(header() + "\nedited below the header\n")
    out.chmod(0o640)
    run = derivation("-o", str(out))
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == first
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # its permission bits are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k2.md"]  # no temporary file left


@slow
def test_derivation_writes_an_empty_file_and_recognises_its_latex(tmp_path):
    empty = tmp_path / "empty.md"
    empty.touch()
    assert derivation("-o", str(empty)).returncode == 0
    assert empty.read_text(encoding="utf-8") == document.generated(2, "md")
    tex = tmp_path / "k2.tex"
    assert derivation("--format", "latex", "-o", str(tex)).returncode == 0
    assert tex.read_text(encoding="utf-8").startswith("% generated by python -m derivation")
    run = derivation("--format", "latex", "-o", str(tex))
    assert run.returncode == 0, run.stderr


@slow
def test_stdout_that_is_full_is_one_line_and_code_5():
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "derivation", "--classes", "2"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=HANG, check=False,
        )  # fmt: skip
    assert run.returncode == 5
    assert one_line(run.stderr) and "standard output: No space left on device" in run.stderr


@slow
def test_stdout_closed_by_its_reader_stops_quietly_with_141():
    proc = subprocess.Popen([sys.executable, "-m", "derivation", "--classes", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    proc.stdout.close()  # the reader goes away before anything is written, as `| head` may
    try:
        _, err = proc.communicate(timeout=HANG)
    finally:
        proc.kill()
    assert proc.returncode == 141
    assert err == b""  # like a shell tool stopped by SIGPIPE: nothing to say


@slow
def test_stderr_that_is_full_still_gives_the_exit_code(tmp_path):
    _notes(tmp_path)
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "derivation", "-o", str(tmp_path / "notes.md")],
            stdout=subprocess.PIPE, stderr=full, timeout=HANG, check=False,
        )  # fmt: skip
    assert run.returncode == 6 and run.stdout == b""


def closed(stream: str, command: list[str]) -> subprocess.CompletedProcess:
    """Run ``command`` with its standard output (1) or error (2) closed, as ``>&-`` does."""
    fd = {"stdout": 1, "stderr": 2}[stream]
    return subprocess.run(["sh", "-c", f'exec "$@" {fd}>&-', "sh", *command],
                          capture_output=True, text=True, timeout=HANG, check=False)  # fmt: skip


@slow
def test_closed_standard_streams_give_the_exit_code_and_nothing_misplaced(tmp_path):
    run = closed("stdout", [sys.executable, "-m", "derivation", "--classes", "2"])
    assert run.returncode == 5
    assert one_line(run.stderr) and "standard output: it is closed" in run.stderr
    _notes(tmp_path)
    before = snapshot(tmp_path)
    run = closed("stderr", [sys.executable, "-m", "derivation", "-o", str(tmp_path / "notes.md")])
    assert run.returncode == 6 and run.stdout == ""  # the message is not put on stdout instead
    run = closed("stderr", [sys.executable, str(BUILD_SITE), "--output", str(tmp_path)])
    assert run.returncode == 6 and run.stdout == ""
    assert snapshot(tmp_path) == before


@slow
@needs_mount
def test_derivation_into_a_read_only_folder_is_code_5(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "own.md").write_text(header() + "\nan earlier run\n")
    before = snapshot(tmp_path)
    for target in ("k2.md", "own.md"):
        run = in_private_mount('mount --bind -o ro "$D" "$D"', folder,
                               [sys.executable, "-m", "derivation", "--classes", "2", "-o",
                                str(folder / target)])  # fmt: skip
        assert "rc=5" in run.stdout, run.stdout + run.stderr
        assert one_line(run.stderr) and "Read-only file system" in run.stderr
    assert snapshot(tmp_path) == before


@slow
@needs_mount
def test_derivation_onto_a_full_disk_keeps_the_old_file_and_leaves_no_stray(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    old = header() + "\nan earlier run\n"
    setup = f'mount -t tmpfs -o size=8k tmpfs "$D" && printf %s "{old}" > "$D/own.md"'
    run = in_private_mount(setup, folder, [sys.executable, "-m", "derivation", "--classes", "2",
                                           "-o", str(folder / "own.md")])  # fmt: skip
    assert "rc=5" in run.stdout, run.stdout + run.stderr
    assert one_line(run.stderr) and "No space left on device" in run.stderr
    listing = run.stdout.split("rc=5\n", 1)[1]
    assert listing == f"== own.md\n{old}"  # the old file as it was, and nothing else


@slow
def test_the_exit_codes_are_in_both_commands_help():
    for command in ([sys.executable, "-m", "derivation", "--help"],
                    [sys.executable, str(BUILD_SITE), "--help"]):  # fmt: skip
        text = subprocess.run(command, capture_output=True, text=True, timeout=HANG,
                              check=True).stdout  # fmt: skip
        assert "exit codes:" in text
        for code in range(10 if "build_site" in command[1] else 9):
            assert f"\n  {code}  " in text, (command, code)
        assert "\n  141  " in text


# --- derivation.outputs, in-process ---------------------------------------------------------


def _ours(head: bytes) -> bool:
    return head.startswith(b"OURS")


def test_write_file_replaces_its_own_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.txt"
    target.write_bytes(b"OURS old")
    target.chmod(0o600)
    outputs.write_file(str(target), b"OURS new", _ours)
    assert target.read_bytes() == b"OURS new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda t: t.write_bytes(b"someone else's"), outputs.NOT_OURS),
        (lambda t: t.mkdir(), outputs.IS_DIRECTORY),
        (lambda t: t.symlink_to(t.parent / "elsewhere"), outputs.SYMLINK),
    ],
    ids=["not-ours", "folder", "dangling-link"],
)
def test_write_file_refuses_and_leaves_no_temporary_file(make, kind, tmp_path):
    target = tmp_path / "out.txt"
    make(target)
    before = snapshot(tmp_path)
    with pytest.raises(outputs.OutputRefused) as refused:
        outputs.write_file(str(target), b"OURS new", _ours)
    assert refused.value.kind == kind and "\n" not in str(refused.value)
    assert snapshot(tmp_path) == before


def test_write_file_in_a_missing_folder_is_not_writable(tmp_path):
    with pytest.raises(outputs.OutputRefused) as refused:
        outputs.write_file(str(tmp_path / "no" / "out.txt"), b"x", _ours)
    assert refused.value.kind == outputs.NOT_WRITABLE and "No such file" in str(refused.value)


def test_check_file_target_leaves_nothing_behind(tmp_path):
    outputs.check_file_target(str(tmp_path / "new.txt"), _ours, "test")
    (tmp_path / "ours.txt").write_bytes(b"OURS")
    outputs.check_file_target(str(tmp_path / "ours.txt"), _ours, "test")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours.txt"]


def test_open_subfolder_never_goes_through_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "vendor").symlink_to(tmp_path / "real")
    root = os.open(tmp_path / "site", os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(outputs.OutputRefused) as refused:
            outputs.open_subfolder(root, "vendor", "site/vendor")
        assert refused.value.kind == outputs.SYMLINK
        fd = outputs.open_subfolder(root, "fresh", "site/fresh")
        os.close(fd)
    finally:
        os.close(root)
    assert (tmp_path / "site" / "fresh").is_dir() and list((tmp_path / "real").iterdir()) == []


@pytest.mark.parametrize(
    ("code", "kind", "exit_code", "words"),
    [
        (errno.EACCES, outputs.NOT_WRITABLE, 5, "cannot be searched or read"),
        (errno.EPERM, outputs.NOT_WRITABLE, 5, "cannot be searched or read"),
        (errno.EIO, outputs.NOT_WRITABLE, 5, "Input/output error"),
        (errno.ELOOP, outputs.NO_FOLDER, 4, "points back to itself"),
        (errno.ENAMETOOLONG, outputs.BAD_NAME, 2, "expected a shorter name"),
    ],
    ids=["EACCES", "EPERM", "EIO", "ELOOP", "ENAMETOOLONG"],
)
def test_every_error_of_a_path_check_is_one_line_and_its_code(
    code, kind, exit_code, words, tmp_path, capsys
):
    """In-process: errors root cannot make with chmod, or at all, come from a patched os.stat."""
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    target = blocked / "k2.md"
    with stat_fails(blocked, code):
        with pytest.raises(outputs.OutputRefused) as refused:
            outputs.check_file_target(str(target), _ours, "test")
        assert refused.value.kind == kind and "\n" not in str(refused.value)
        assert document.main(["--classes", "2", "-o", str(target)]) == exit_code
    err = capsys.readouterr().err
    assert one_line(err) and words in err, err
    assert list(blocked.iterdir()) == []


def test_the_folder_of_a_new_file_that_cannot_be_reached_is_one_line(tmp_path):
    with stat_fails(tmp_path, errno.EIO), pytest.raises(outputs.OutputRefused) as refused:
        outputs.check_new_entry(str(tmp_path / "sub"), "sub/k2.md")
    assert refused.value.kind == outputs.NOT_WRITABLE and "Input/output error" in str(refused.value)


@pytest.mark.parametrize("length", [240, 255])
def test_write_file_takes_a_name_up_to_the_limit_and_leaves_no_temporary_file(length, tmp_path):
    """Its temporary name must not be the one that is too long (.NAME.TOKEN.tmp is 18 more)."""
    target = tmp_path / ("a" * (length - 3) + ".md")
    outputs.check_file_target(str(target), _ours, "test")
    outputs.write_file(str(target), b"OURS new", _ours)
    assert target.read_bytes() == b"OURS new" and len(list(tmp_path.iterdir())) == 1


def test_write_file_near_the_longest_path_writes_and_leaves_no_temporary_file(tmp_path):
    """A path just under PATH_MAX (4096 bytes) whose temporary neighbour would be over it."""
    folder = tmp_path
    while len(os.fsencode(str(folder))) < 4090 - 255:
        folder = folder / ("d" * 240)
    folder.mkdir(parents=True)
    name = "n" * (4090 - len(os.fsencode(str(folder))) - 1)
    target = folder / name
    assert 4080 < len(os.fsencode(str(target))) < 4096
    outputs.check_file_target(str(target), _ours, "test")
    outputs.write_file(str(target), b"OURS new", _ours)
    assert [p.name for p in folder.iterdir()] == [name] and target.read_bytes() == b"OURS new"
