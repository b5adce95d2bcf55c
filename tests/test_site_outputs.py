"""Nothing lost: ``scripts/build_site.py --output`` writes only where it wrote before.

Its refusals are checked with a stand-in ``npm`` that records being run: they must all
come before npm (and so before nbconvert), in one line with their own exit code, and
leave every file that was there unchanged (hashed before and after).  A build, a
rebuild over it and a file in its way run the real script on a copy with one notebook.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from filesystem import HANG, in_private_mount, needs_mount, one_line, snapshot, stat_fails

ROOT = Path(__file__).resolve().parents[1]
BUILD_SITE = ROOT / "scripts" / "build_site.py"
slow = pytest.mark.slow  # a new process each


# --- scripts/build_site.py --output ---------------------------------------------------------


@pytest.fixture
def site_env(tmp_path):
    """A stand-in npm that records being run (and fails), a fresh cache, a place to work."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    ran = tmp_path / "npm-ran"
    (bin_ / "npm").write_text(f'#!/bin/sh\ntouch "{ran}"\necho "npm ERR! code E404" >&2\nexit 1\n')
    (bin_ / "npm").chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    return {"bin": bin_, "ran": ran, "cache": tmp_path / "cache", "work": work}


def build_site(env: dict, output: Path | str, *, path: str | None = None, cache=None):
    return subprocess.run(
        [sys.executable, str(BUILD_SITE), "--output", str(output),
         "--cache", str(cache or env["cache"])],
        capture_output=True, text=True, timeout=HANG, stdin=subprocess.DEVNULL, check=False,
        env={**os.environ, "PATH": path if path is not None else f"{env['bin']}:/usr/bin:/bin"},
    )  # fmt: skip


MARKER_HEAD = (
    "softmax-site: the files scripts/build_site.py wrote in this folder, one a line; "
    "it overwrites only these and deletes nothing"
)


def _marked(work: Path, *listed: str) -> Path:
    site = work / "site"
    site.mkdir()
    (site / ".softmax-site").write_text("\n".join([MARKER_HEAD, *listed]) + "\n")
    return site


def _users_folder(work: Path) -> Path:
    (work / "mine").mkdir()
    (work / "mine" / "thesis.tex").write_text("years of work")
    (work / "mine" / "vendor").mkdir()
    (work / "mine" / "vendor" / "kept.js").write_text("// mine")
    return work / "mine"


def _in_the_way(work: Path) -> Path:
    site = _marked(work, "vendor/require.js")
    (site / "00_index.html").write_text("<p>my own index, not built here</p>")
    return site


def _vendor_link(work: Path) -> Path:
    site = _marked(work, "vendor/require.js")
    (site / "vendor").symlink_to(_users_folder(work))
    return site


def _marker_link(work: Path) -> Path:
    (work / "list").write_text(MARKER_HEAD + "\n")
    (work / "site").mkdir()
    (work / "site" / "other").write_text("not ours")
    (work / "site" / ".softmax-site").symlink_to(work / "list")
    return work / "site"


def _marker_fifo(work: Path) -> Path:
    (work / "site").mkdir()
    (work / "site" / "page.html").write_text("not ours")
    os.mkfifo(work / "site" / ".softmax-site")
    return work / "site"


def _fifo_dir(work: Path) -> Path:
    os.mkfifo(work / "pipe")
    return work / "pipe"


def _file(work: Path) -> Path:
    (work / "site").write_text("a file, not a folder")
    return work / "site"


def _link_to_users_folder(work: Path) -> Path:
    (work / "site").symlink_to(_users_folder(work))
    return work / "site"


def _link_loop(work: Path) -> Path:
    (work / "loop").symlink_to("loop")  # ELOOP for anything below it
    return work / "loop" / "site"


def _dangling_dir(work: Path) -> Path:
    (work / "site").symlink_to(work / "nowhere")
    return work / "site"


@slow
@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (_file, 3, "is a regular file"),
        (lambda work: _file(work) / "site", 4, "is a regular file"),
        (lambda work: work / "missing" / "site", 4, "does not exist"),
        (lambda work: Path("/proc/site"), 5, "cannot create files in '/proc'"),
        (lambda work: Path("/sys/site"), 5, "cannot create files in '/sys'"),
        (_users_folder, 6, "is not empty and was not made by build_site.py"),
        (lambda work: Path("/"), 6, "'/' is not empty"),
        (lambda work: ROOT, 6, "is not empty"),
        (_in_the_way, 6, "00_index.html' is in the way"),
        (_fifo_dir, 7, "is a FIFO"),
        (lambda work: Path("/dev/null"), 7, "is a character device"),
        (_link_to_users_folder, 8, "is a symbolic link"),
        (_dangling_dir, 8, "is a symbolic link"),
        (_vendor_link, 8, "vendor' is a symbolic link"),
        (_marker_link, 8, "is a symbolic link"),
        (_marker_fifo, 7, "is a FIFO"),
        (_link_loop, 4, "a symbolic link on its way points back to itself"),
        (lambda work: _link_loop(work).parent, 8, "is a symbolic link"),
        (lambda work: work / ("s" * 300), 2, "its longest name 300); expected a shorter"),
        (lambda work: work.joinpath(*["d" * 200] * 21), 2, "expected a shorter name"),
        (lambda work: work / "new\nline" / "site", 4, "new\\nline' of"),
    ],
    ids=["file", "file-as-folder", "missing-parent", "proc", "sys", "users-folder", "root",
         "repository", "file-in-the-way", "fifo", "dev-null", "link", "dangling-link",
         "vendor-link", "marker-link", "marker-fifo", "link-loop-on-the-way", "link-loop",
         "name-over-255-bytes", "path-over-4096-bytes", "newline-in-folder"],
)  # fmt: skip
def test_build_site_refuses_before_npm_and_changes_nothing(make, code, words, site_env):
    work = site_env["work"]
    output = make(work)
    before = snapshot(work)
    run = build_site(site_env, output)
    assert run.returncode == code, run.stderr
    assert one_line(run.stderr) and words in run.stderr, run.stderr
    assert not site_env["ran"].exists(), "npm ran before the output was checked"
    assert not site_env["cache"].exists()
    assert snapshot(work) == before


@slow
@pytest.mark.parametrize(
    ("make_cache", "code", "words"),
    [
        (lambda work: _file(work), 3, "--cache"),
        (_users_folder, 6, "--cache"),
        (_link_to_users_folder, 8, "--cache"),
        (_fifo_dir, 7, "--cache"),
        (_link_loop, 4, "points back to itself"),
        (lambda work: work / ("c" * 300) / "sub", 2, "expected a shorter name"),
    ],
    ids=["file", "users-folder", "link", "fifo", "link-loop-on-the-way", "long-name"],
)
def test_build_site_holds_its_cache_to_the_same_rule(make_cache, code, words, site_env):
    work = site_env["work"]
    cache = make_cache(work)
    before = snapshot(work)
    run = build_site(site_env, site_env["work"].parent / "new-site", cache=cache)
    assert run.returncode == code, run.stderr
    assert one_line(run.stderr) and words in run.stderr, run.stderr
    assert not site_env["ran"].exists() and not (work.parent / "new-site").exists()
    assert snapshot(work) == before


@slow
@needs_mount
def test_build_site_into_a_read_only_folder_is_code_5(site_env):
    work = site_env["work"]
    (work / "ro").mkdir()
    for output in (work / "ro", work / "ro" / "site"):  # empty and read-only; new in one
        run = in_private_mount('mount --bind -o ro "$D" "$D"', work / "ro",
                               [sys.executable, str(BUILD_SITE), "--output", str(output),
                                "--cache", str(site_env["cache"])])  # fmt: skip
        assert "rc=5" in run.stdout, run.stdout + run.stderr
        assert one_line(run.stderr) and "Read-only file system" in run.stderr
    assert snapshot(work) == {"ro": (stat.S_IFDIR,)}


@slow
@pytest.mark.parametrize("npm", ["failing", "missing"])
def test_npm_missing_or_failing_is_one_line_and_code_9(npm, site_env):
    output = site_env["work"] / "site"
    path = f"{site_env['bin']}:/usr/bin:/bin" if npm == "failing" else str(site_env["work"])
    run = build_site(site_env, output, path=path)
    assert run.returncode == 9, run.stderr
    assert one_line(run.stderr) and "npm" in run.stderr
    if npm == "failing":
        assert site_env["ran"].exists() and "npm ERR! code E404" in run.stderr
    else:
        assert "npm is needed" in run.stderr
    assert not output.exists()  # nothing is made before npm has fetched what the pages need


def _script():
    spec = importlib.util.spec_from_file_location("build_site", BUILD_SITE)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # its main() runs only as a script
    return script


@pytest.mark.parametrize(
    ("code", "exit_code", "words"),
    [
        (errno.EACCES, 5, "cannot be searched or read"),
        (errno.EIO, 5, "Input/output error"),
        (errno.ELOOP, 4, "points back to itself"),
        (errno.ENAMETOOLONG, 2, "expected a shorter name"),
    ],
    ids=["EACCES", "EIO", "ELOOP", "ENAMETOOLONG"],
)
@pytest.mark.parametrize("which", ["output", "cache"])
def test_build_site_path_errors_are_one_line_and_their_code(
    which, code, exit_code, words, tmp_path, capsys, monkeypatch
):
    """In-process: errors root cannot make with chmod, or at all, come from a patched os.stat."""
    script = _script()
    monkeypatch.setattr(script, "fetch_vendor", lambda cache: pytest.fail("npm would run"))
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    paths = {"output": tmp_path / "site", "cache": tmp_path / "cache", which: blocked / "x"}
    with stat_fails(blocked, code):
        got = script.main(["--output", str(paths["output"]), "--cache", str(paths["cache"])])
    err = capsys.readouterr().err
    assert got == exit_code and one_line(err) and words in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked"]


def test_the_success_line_stays_one_line_with_a_newline_in_the_path(tmp_path, capsys, monkeypatch):
    script = _script()
    monkeypatch.setattr(script, "build", lambda output, cache, **options: ["00_index.html"])
    output = tmp_path / "new\nsite"
    assert script.main(["--output", str(output), "--cache", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n") and "new\\nsite" in out, out


# --- the solutions: left out unless --with-solutions, and no link to them left dead ----------


def test_the_site_leaves_the_solutions_out_unless_asked_for():
    script = _script()
    every = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    solutions = [stem for stem in every if stem.endswith("_solutions")]
    assert "09_exercises_solutions" in solutions
    pages = {rel for rel, _, _ in script.page_plan()}
    assert {rel.split(".")[0] for rel in pages} == set(every) - set(solutions)
    assert script.left_out() == solutions and script.left_out(with_solutions=True) == []
    with_them = {rel for rel, _, _ in script.page_plan(with_solutions=True)}
    assert with_them - pages == {f"{stem}.html" for stem in solutions}


def test_main_passes_with_solutions_to_the_build(tmp_path, monkeypatch, capsys):
    script = _script()
    asked = []
    monkeypatch.setattr(script, "build", lambda output, cache, with_solutions=False: (
        asked.append(with_solutions) or ["00_index.html"]))  # fmt: skip
    for extra in ([], ["--with-solutions"]):
        argv = ["--output", str(tmp_path / "site"), "--cache", str(tmp_path / "c"), *extra]
        assert script.main(argv) == 0
    assert asked == [False, True]
    capsys.readouterr()
    with pytest.raises(SystemExit):
        script.main(["--help"])
    assert "--with-solutions" in capsys.readouterr().out


def test_a_link_to_a_left_out_notebook_becomes_plain_text_that_says_so():
    script = _script()
    stem = "09_exercises_solutions"
    html = (
        f'<p>in <a href="{stem}.html">09 · Solutions</a>; '
        f"<a class='x' href='./{stem}.ipynb#part-a'>the <code>A</code> part</a>; "
        '<a href="09_exercises.html">09 · Exercises</a>, '
        f'<a href="#{stem}">an anchor</a></p>'
    )
    out = script.unlink_left_out(html, [stem])
    assert f"{stem}.html" not in out and f"{stem}.ipynb" not in out
    note = script.LEFT_OUT_NOTE
    assert f'<span class="left-out">09 · Solutions ({note})</span>' in out
    assert f'<span class="left-out">the <code>A</code> part ({note})</span>' in out
    assert '<a href="09_exercises.html">09 · Exercises</a>' in out  # a name it begins: kept
    assert f'<a href="#{stem}">an anchor</a>' in out  # not a link to the notebook: kept
    assert "instructor" in note and "--with-solutions" in note
    assert script.unlink_left_out(html, []) == html


@slow
def test_a_site_without_solutions_has_no_page_or_link_for_them_and_one_with_them_has(tmp_path):
    """The real script on a small copy: 00 (which links to the solutions) and a solutions
    notebook; built without, with, and again without --with-solutions into one folder."""
    repo, cache = _small_repository(tmp_path)
    stem = "09_exercises_solutions"
    (repo / "notebooks" / f"{stem}.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# 09s · Solutions"}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))  # fmt: skip
    site = tmp_path / "site"

    def build(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(repo / "scripts" / "build_site.py"), "--output", str(site),
             "--cache", str(cache), *extra],
            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip

    def index() -> str:
        return (site / "index.html").read_text(encoding="utf-8")

    run = build()
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert "1 pages in" in run.stdout and not (site / f"{stem}.html").exists()
    assert f'href="{stem}' not in index() and "not in this build: ask your instructor" in index()
    run = build("--with-solutions")
    assert run.returncode == 0 and "2 pages in" in run.stdout, run.stderr
    assert (site / f"{stem}.html").is_file() and f'href="{stem}.html"' in index()
    run = build()  # nothing is deleted: the page stays, and the build says so
    assert run.returncode == 0 and (site / f"{stem}.html").is_file()
    assert one_line(run.stderr) and f"{stem}.html' is from an earlier build" in run.stderr
    assert f'href="{stem}' not in index()


@slow
def test_a_name_of_only_spaces_is_refused_as_such_not_as_empty(site_env):
    for name, words in ((" ", "a name of only white space (' ')"), ("", "an empty one")):
        run = build_site(site_env, name)
        assert run.returncode == 2 and words in run.stderr.splitlines()[-1], run.stderr
    assert not site_env["ran"].exists() and not site_env["cache"].exists()


# --- a build, a rebuild over it, and a file in its way: the real script on a small copy -------


def _small_repository(tmp: Path) -> tuple[Path, Path]:
    """The real build_site.py beside one notebook, and an npm cache it takes as fetched.

    Only the npm packages are stand-ins (a few files where the pages load theirs), so the
    build runs the real nbconvert with no network and in seconds.
    """
    repo = tmp / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "notebooks").mkdir()
    shutil.copy(BUILD_SITE, repo / "scripts" / "build_site.py")
    shutil.copy(ROOT / "notebooks" / "00_index.ipynb", repo / "notebooks")
    spec = importlib.util.spec_from_file_location("build_site", BUILD_SITE)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # its main() runs only as a script
    cache = tmp / "cache"
    modules = cache / "node_modules"
    files = [
        "requirejs/require.js",
        "jquery/dist/jquery.min.js",
        "mathjax/MathJax.js",
        "@jupyter-widgets/html-manager/dist/embed-amd.js",
        "reveal.js/dist/reveal.js",
        "reveal.js/plugin/notes/notes.js",
        "mathjax/fonts/HTML-CSS/TeX/woff/a.woff",
    ]
    files += [f"mathjax/{part}/a.js" for part in ("config", "extensions", "jax",
                                                   "localization/en")]  # fmt: skip
    for rel in files:
        (modules / rel).parent.mkdir(parents=True, exist_ok=True)
        (modules / rel).write_text(f"// stand-in for {rel}\n")
    wanted = [f"{name}@{version}" for name, version in script.NPM.items()]
    (cache / "installed.txt").write_text("\n".join(wanted))
    return repo, cache


@slow
def test_a_rebuild_overwrites_only_its_own_files_and_keeps_the_users(tmp_path):
    repo, cache = _small_repository(tmp_path)
    site = tmp_path / "site"

    def build() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(repo / "scripts" / "build_site.py"), "--output", str(site),
             "--cache", str(cache)],
            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip

    run = build()
    assert run.returncode == 0, run.stderr
    assert "1 pages in" in run.stdout
    listed = (site / ".softmax-site").read_text().splitlines()
    assert listed[0] == MARKER_HEAD
    written = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    assert sorted([*listed[1:], ".softmax-site"]) == written
    assert "index.html" in listed and "vendor/mathjax/jax/a.js" in listed
    # a user adds files, one in vendor/, and spoils one of the site's own
    (site / "vendor" / "my-notes.txt").write_text("mine")
    (site / "notes.md").write_text("also mine")
    (site / "index.html").write_text("spoilt")
    users = {k: v for k, v in snapshot(site).items() if "notes" in k}
    run = build()
    assert run.returncode == 0, run.stderr
    after = snapshot(site)
    assert {k: v for k, v in after.items() if "notes" in k} == users
    assert (site / "index.html").read_bytes() == (site / "00_index.html").read_bytes()
    assert not [name for name in after if name.endswith(".tmp")]
    # a file the site writes, but that is not on its list: refused, nothing changed
    (site / ".softmax-site").write_text(
        "\n".join(line for line in listed if line != "vendor/mathjax/jax/a.js") + "\n"
    )
    before = snapshot(tmp_path)
    run = build()
    assert run.returncode == 6, run.stderr
    assert one_line(run.stderr) and "a.js' is in the way" in run.stderr
    assert snapshot(tmp_path) == before


@slow
def test_a_notebook_that_does_not_convert_stops_the_build_and_a_rerun_goes_on(tmp_path):
    repo, cache = _small_repository(tmp_path)
    (repo / "notebooks" / "50_broken.ipynb").write_text("{ this is not a notebook")
    site = tmp_path / "site"
    command = [sys.executable, str(repo / "scripts" / "build_site.py"), "--output", str(site),
               "--cache", str(cache)]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    assert one_line(run.stderr) and "could not convert 50_broken.ipynb" in run.stderr
    listed = (site / ".softmax-site").read_text().splitlines()
    assert "00_index.html" in listed and (site / "00_index.html").is_file()  # on its list
    (repo / "notebooks" / "50_broken.ipynb").unlink()
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr  # the half-built folder is its own: built again
