"""Build the collection as a static site that works with no network at all.

Run:  .venv/bin/python scripts/build_site.py [--output site] [--cache .cache/site-vendor]
                                            [--with-solutions]

- Every notebook becomes an HTML page with its stored outputs, equations
  rendered by MathJax and widgets drawn from their embedded state.  A page
  with widgets says, at its top, that its sliders need a live kernel.
- Notebooks 02 and 06 also become reveal.js slides (``*.slides.html``).
- MathJax, require.js, the widget renderer, jQuery and reveal.js are copied
  from npm packages into ``<output>/vendor``: the pages load nothing from a
  CDN.  Links between notebooks point to the HTML pages; ``index.html`` is
  notebook 00.
- The solutions (``notebooks/*_solutions.ipynb``) are left out unless
  ``--with-solutions`` is given: a site for students does not carry them.  A
  link to a left-out notebook becomes plain text that says so
  (:func:`unlink_left_out`), so no link on the site is dead.
- Nothing is lost: ``--output`` must be a new folder, an empty one, or one this
  script built before, which lists the files it wrote in ``.softmax-site``.  It
  overwrites only the files on that list and deletes nothing, so a file you add
  to the folder survives a rebuild; it never writes through a symbolic link.
  Anything else is refused with one line and an exit code (see ``--help``),
  before npm or nbconvert runs.  ``--cache`` follows the same rule.  So a
  rebuild without ``--with-solutions`` into a folder built with it leaves the
  solutions' page there: it says so, on standard error, and deletes nothing.

Needs node and npm (npm's registry is reached once, to fetch the packages into
``.cache/site-vendor``; later builds reuse them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    from derivation import outputs
except ImportError:  # run with a Python that does not have the package installed
    sys.path.insert(0, str(ROOT))
    from derivation import outputs

NPM = {  # package -> version: the ones nbconvert's templates expect
    "@jupyter-widgets/html-manager": "1.0.15",
    "requirejs": "2.3.8",
    "mathjax": "2.7.9",
    "reveal.js": "4.6.1",
    "jquery": "2.2.4",
}
SLIDES = ("02_derivation_parts_I_to_III.ipynb", "06_explorers.ipynb")
OWNER = "build_site.py"
#: how the notebooks a build leaves out unless ``--with-solutions`` end: the worked solutions
SOLUTIONS_SUFFIX = "_solutions.ipynb"
#: what a link to a left-out notebook becomes: its own text, then this, in brackets
LEFT_OUT_NOTE = "not in this build: ask your instructor for it, or build with --with-solutions"

#: the list of the files it wrote, kept in the site's folder; its first line
MARKER = ".softmax-site"
MARKER_HEAD = (
    "softmax-site: the files scripts/build_site.py wrote in this folder, one a line; "
    "it overwrites only these and deletes nothing"
)
#: the npm cache's own mark, written before npm runs; the stamp, after it succeeded
CACHE_MARKER, CACHE_STAMP = ".softmax-site-cache", "installed.txt"

EXIT_OK, EXIT_CONVERT, EXIT_USAGE = 0, 1, 2
EXIT_NOT_A_FOLDER, EXIT_NO_FOLDER, EXIT_NOT_WRITABLE = 3, 4, 5
EXIT_NOT_OURS, EXIT_SPECIAL, EXIT_SYMLINK, EXIT_NPM = 6, 7, 8, 9
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by `| head`
EPILOG = """exit codes:
  0    the site was built
  1    a notebook did not convert (nbconvert failed; its last line is shown)
  2    bad arguments (e.g. --output '' or ' ', a name too long for the file system)
  3    --output (or --cache) is a regular file, not a folder
  4    the folder that would hold it does not exist (or is not a folder, or a
       symbolic link on its way loops)
  5    it cannot be written or reached (permissions, a folder that cannot be
       searched, a read-only file system, disk full, I/O error; standard output)
  6    it holds things this script did not write: a folder that is not empty
       and has no .softmax-site list (such as / or the repository), or, in a
       folder it built, something in the way that is not on that list
  7    it is a FIFO, a device or a socket, not a folder
  8    it, or a folder or file inside it that the site uses, is a symbolic link
  9    npm is missing, or `npm install` failed
  141  standard output was closed by its reader; stops quietly
--output and --cache are checked before npm or nbconvert runs. Nothing is ever
deleted, and no file is written that is not on the .softmax-site list."""
CODES = {
    outputs.NOT_A_FOLDER: EXIT_NOT_A_FOLDER, outputs.NO_FOLDER: EXIT_NO_FOLDER,
    outputs.NOT_WRITABLE: EXIT_NOT_WRITABLE, outputs.NOT_OURS: EXIT_NOT_OURS,
    outputs.IS_DIRECTORY: EXIT_NOT_OURS, outputs.SPECIAL: EXIT_SPECIAL,
    outputs.SYMLINK: EXIT_SYMLINK, outputs.BROKEN_PIPE: EXIT_BROKEN_PIPE, outputs.BAD_NAME: 2,
}  # fmt: skip


class BuildFailed(Exception):
    """npm or nbconvert failed; ``code`` is the exit code, the message one line."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


_lstat = outputs.lstat_or_none  # None if missing; a link loop, a long name, ... are refusals


def _link(path: str, what: str) -> outputs.OutputRefused:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return outputs.OutputRefused(
        outputs.SYMLINK,
        f"{what} {path!r} is a symbolic link (to {target!r}); the site is not written through "
        "links, so that nothing they point to is overwritten: give the real path",
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(it printed nothing)"


def _safe_relative(rel: str) -> bool:
    parts = rel.split("/")
    return (
        bool(rel)
        and "\\" not in rel
        and "\0" not in rel
        and all(part not in ("", ".", "..") for part in parts)
    )


def read_marker(folder: str, marker: str = MARKER, head_line: str = MARKER_HEAD) -> set[str] | None:
    """The files this script wrote in ``folder``, from its ``.softmax-site`` (or another
    builder's ``marker`` whose first line is ``head_line``); None if none."""
    path = os.path.join(folder, marker)
    try:
        head = outputs.read_head(path, size=1 << 24)
    except FileNotFoundError:
        return None
    except outputs.OutputRefused as refused:
        raise outputs.OutputRefused(refused.kind, f"{path!r}: {refused}") from None
    except OSError as err:
        raise outputs.OutputRefused(
            outputs.NOT_OURS, f"cannot read {path!r}: {err.strerror or err}"
        ) from None
    lines = head.decode("utf-8", "replace").splitlines()
    if not lines or lines[0] != head_line:
        return None
    return {line for line in lines[1:] if _safe_relative(line)}


def _cache_is_ours(folder: str) -> bool:
    """Whether ``folder`` is this script's npm cache (its mark, or the stamp of older builds)."""
    if _lstat(os.path.join(folder, CACHE_MARKER)) is not None:
        return True
    try:
        lines = outputs.read_head(os.path.join(folder, CACHE_STAMP)).decode().splitlines()
    except (OSError, outputs.OutputRefused, UnicodeDecodeError):
        return False
    return bool(lines) and all(line.rpartition("@")[0] in NPM for line in lines)


def check_folder(folder: str, what: str, is_ours: Callable[[str], bool], owner: str = OWNER,
                 mark: str | None = None) -> bool:  # fmt: skip
    """Check ``--output`` or ``--cache`` before any work; return whether it exists.

    It may be missing (its parent must then be a writable folder), empty, or one
    ``is_ours`` recognises; a symbolic link, a file, a FIFO, a device, or a folder
    holding other things is refused with an :class:`derivation.outputs.OutputRefused`.
    ``owner`` and ``mark`` (the file that marks the folder as the owner's) are named
    in the refusals.
    """
    if mark is None:
        mark = MARKER if what == "--output" else CACHE_MARKER
    info = _lstat(folder)
    if info is None:
        outputs.check_new_entry(os.path.dirname(folder), folder)
        return False
    if stat.S_ISLNK(info.st_mode):
        raise _link(folder, what)
    if stat.S_ISREG(info.st_mode):
        raise outputs.OutputRefused(
            outputs.NOT_A_FOLDER,
            f"{what} {folder!r} is a regular file; expected a folder that is new, empty, or "
            f"built by {owner}",
        )
    if not stat.S_ISDIR(info.st_mode):
        raise outputs.OutputRefused(
            outputs.SPECIAL,
            f"{what} {folder!r} is {outputs.kind_of(info.st_mode)}; expected a folder",
        )
    try:
        entries = os.listdir(folder)
    except OSError as err:
        raise outputs.OutputRefused(
            outputs.NOT_WRITABLE, f"cannot read {what} {folder!r}: {err.strerror or err}"
        ) from None
    if entries and not is_ours(folder):
        raise outputs.OutputRefused(
            outputs.NOT_OURS,
            f"{what} {folder!r} is not empty and was not made by {owner} (it has no "
            f"{mark}); nothing was changed: give a new or empty folder",
        )
    outputs.probe_writable(folder)
    return True


def check_cache(cache: str, is_ours: Callable[[str], bool] = _cache_is_ours,
                owner: str = OWNER, mark: str = CACHE_MARKER) -> None:  # fmt: skip
    """Check ``--cache``: as ``--output``, but a missing one is made with its parents."""
    if _lstat(cache) is not None:
        check_folder(cache, "--cache", is_ours, owner, mark)
        return
    ancestor = os.path.dirname(cache)
    while (info := _lstat(ancestor)) is None:
        ancestor = os.path.dirname(ancestor)
    info = os.stat(ancestor) if os.path.exists(ancestor) else info
    if not stat.S_ISDIR(info.st_mode):
        raise outputs.OutputRefused(
            outputs.NO_FOLDER,
            f"--cache {cache!r} cannot be made: {ancestor!r} is {outputs.kind_of(info.st_mode)}",
        )
    outputs.probe_writable(ancestor)


def check_in_the_way(output: str, rels: Iterable[str], owned: set[str], owner: str = OWNER,
                     marker: str = MARKER) -> None:  # fmt: skip
    """Refuse if a file the site would write is in the way and not on its list, or is a link."""
    seen: set[str] = set()
    for rel in rels:
        parts = rel.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in seen:
                continue
            seen.add(folder)
            info = _lstat(os.path.join(output, folder))
            if info is None:
                break
            if stat.S_ISLNK(info.st_mode):
                raise _link(os.path.join(output, folder), "inside --output,")
            if not stat.S_ISDIR(info.st_mode):
                raise outputs.OutputRefused(
                    outputs.NOT_OURS,
                    f"{os.path.join(output, folder)!r} is in the way: {owner} puts a folder "
                    f"there, and did not write this {outputs.kind_of(info.st_mode)}; nothing "
                    "was changed",
                )
        path = os.path.join(output, rel)
        info = _lstat(path)
        if info is None:
            continue
        if stat.S_ISLNK(info.st_mode):
            raise _link(path, "inside --output,")
        if not stat.S_ISREG(info.st_mode) or rel not in owned:
            raise outputs.OutputRefused(
                outputs.NOT_OURS,
                f"{path!r} is in the way: {owner} writes a file there but did not write this "
                f"{outputs.kind_of(info.st_mode)} (it is not listed in {marker}); nothing was "
                "changed: move it away, or build into a new folder",
            )


class SiteWriter:
    """Writes the site's files: only through real folders, only over files on its list.

    Each file is put on the folder's ``.softmax-site`` list before it is written,
    so that a build that stops half-way can be run again into the same folder.
    """

    def __init__(self, output: str, owned: set[str], marker: str = MARKER,
                 head_line: str = MARKER_HEAD, owner: str = OWNER) -> None:  # fmt: skip
        self.output, self.owned, self.listed = output, frozenset(owned), set(owned)
        self.marker, self.head_line, self.owner = marker, head_line, owner
        self.written: set[str] = set()
        if _lstat(output) is None:
            try:
                os.mkdir(output)
            except OSError as err:
                raise outputs.OutputRefused(
                    outputs.NOT_WRITABLE, f"cannot create {output!r}: {err.strerror or err}"
                ) from None
        try:
            root = os.open(output, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as err:
            raise outputs.OutputRefused(
                outputs.NOT_WRITABLE, f"cannot open {output!r}: {err.strerror or err}"
            ) from None
        self.folders = {"": root}

    def _folder(self, rel: str) -> int:
        if rel not in self.folders:
            parent, _, name = rel.rpartition("/")
            self.folders[rel] = outputs.open_subfolder(
                self._folder(parent), name, os.path.join(self.output, rel)
            )
        return self.folders[rel]

    def list(self, rels: Iterable[str]) -> None:
        """Put ``rels`` on the folder's list of the files this script wrote."""
        new = set(rels) - self.listed
        if not new and _lstat(os.path.join(self.output, self.marker)) is not None:
            return
        self.listed |= new
        text = "\n".join([self.head_line, *sorted(self.listed)]) + "\n"
        outputs.write_file(
            self.marker, text.encode(), lambda head: head.startswith(self.head_line.encode()),
            dir_fd=self.folders[""], shown=os.path.join(self.output, self.marker),
            owner=self.owner,
        )  # fmt: skip

    def write(self, rel: str, data: bytes) -> None:
        """Write one file of the site (``rel`` relative to the output folder)."""
        self.list([rel])
        parent, _, name = rel.rpartition("/")
        outputs.write_file(
            name, data, lambda head: rel in self.owned or rel in self.written,
            dir_fd=self._folder(parent), shown=os.path.join(self.output, rel), owner=self.owner,
        )  # fmt: skip
        self.written.add(rel)

    def close(self) -> None:
        for fd in self.folders.values():
            os.close(fd)
        self.folders = {}


def fetch_vendor(cache: str) -> Path:
    """npm-install the pinned packages into ``cache`` (once); return node_modules."""
    modules = Path(cache) / "node_modules"
    wanted = [f"{name}@{version}" for name, version in NPM.items()]
    stamp = Path(cache) / CACHE_STAMP
    try:
        current = outputs.read_head(str(stamp), size=1 << 16).decode("utf-8", "replace")
    except (OSError, outputs.OutputRefused):
        current = None
    if current == "\n".join(wanted):
        return modules
    try:
        os.makedirs(cache, exist_ok=True)
    except OSError as err:
        raise outputs.OutputRefused(
            outputs.NOT_WRITABLE, f"cannot create --cache {cache!r}: {err.strerror or err}"
        ) from None
    outputs.write_file(os.path.join(cache, CACHE_MARKER), b"npm packages for build_site.py\n",
                       lambda head: True, owner=OWNER)  # fmt: skip
    npm = shutil.which("npm")
    if npm is None:
        raise BuildFailed(EXIT_NPM, "npm is needed (it installs MathJax, reveal.js, ... once, "
                          "into --cache): install node and npm")  # fmt: skip
    command = [npm, "install", "--prefix", cache, "--no-audit", "--no-fund", "--loglevel=error",
               *wanted]  # fmt: skip
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        raise BuildFailed(EXIT_NPM, "npm install did not finish in 900 s (is npm's registry "
                          "reachable?)") from None  # fmt: skip
    except OSError as err:
        raise BuildFailed(EXIT_NPM, f"cannot run {npm!r}: {err.strerror or err}") from None
    if run.returncode != 0:
        raise BuildFailed(EXIT_NPM, f"npm install failed (exit {run.returncode}): "
                          f"{_last_line(run.stderr or run.stdout)}")  # fmt: skip
    outputs.write_file(str(stamp), "\n".join(wanted).encode(), lambda head: True, owner=OWNER)
    return modules


#: the vendor files whose names do not depend on the npm packages' contents
VENDOR_FIXED = ("vendor/require.js", "vendor/jquery.min.js", "vendor/embed-amd.js",
                "vendor/mathjax/MathJax.js", "vendor/mermaid-unused.mjs")  # fmt: skip
# no notebook here has a mermaid diagram; nbconvert's pages still name a mermaid module,
# so give them a local stand-in instead of the CDN one
MERMAID_STANDIN = (b"export default { initialize() {}, registerLayoutLoaders() {}, "
                   b"render: async () => ({ svg: '' }) };\n")  # fmt: skip


def vendor_plan(modules: Path) -> list[tuple[str, Path | bytes]]:
    """The files the pages load, as (path in the site, source file or content)."""
    mathjax = modules / "mathjax"
    plan: list[tuple[str, Path | bytes]] = [
        ("vendor/require.js", modules / "requirejs" / "require.js"),
        ("vendor/jquery.min.js", modules / "jquery" / "dist" / "jquery.min.js"),
        ("vendor/embed-amd.js", modules / "@jupyter-widgets" / "html-manager" / "dist"
         / "embed-amd.js"),
        ("vendor/mathjax/MathJax.js", mathjax / "MathJax.js"),
        ("vendor/mermaid-unused.mjs", MERMAID_STANDIN),
    ]  # fmt: skip
    trees = [
        (mathjax / folder, f"vendor/mathjax/{folder}")
        for folder in ("config", "extensions", "jax", "fonts/HTML-CSS/TeX/woff", "localization/en")
    ]
    trees += [(modules / "reveal.js" / part, f"vendor/reveal.js/{part}")
              for part in ("dist", "plugin")]  # fmt: skip
    lacking = [source for source, _ in trees if not source.is_dir()]
    for source, target in trees:
        plan += [(f"{target}/{path.relative_to(source).as_posix()}", path)
                 for path in sorted(source.rglob("*")) if path.is_file()]  # fmt: skip
    lacking += [source for _, source in plan if isinstance(source, Path) and not source.is_file()]
    if lacking:
        stamp = modules.parent / CACHE_STAMP
        raise BuildFailed(
            EXIT_NPM,
            f"npm's packages lack {str(lacking[0])!r}; remove {str(stamp)!r} to fetch them again",
        )
    return plan


#: shown at the top of every page (and slide deck) whose notebook displays widgets
LIVE_KERNEL_NOTE = (
    '<div class="live-kernel-note" role="note" style="{style}">The explorers and answer boxes '
    "on this page are pictures of their saved state: their sliders and buttons need a live "
    "kernel, so they are switched off here. Open the notebook in JupyterLab, or serve it with "
    "Voilà (see the README).</div>"
)
_NOTE_STYLE = ("font-family: sans-serif; font-size: 16px; background: #fff4e0; "
               "border: 1px solid #E69F00; padding: 8px 12px; margin: 8px 0")  # fmt: skip
#: on a slide the note is part of the first slide's flow, above its title: it covers nothing
_SLIDE_NOTE_STYLE = _NOTE_STYLE.replace("font-size: 16px", "font-size: 25px; line-height: 1.3")
#: the slides' own rules (1280 x 720, scaled to the screen by reveal.js): text that reads from
#: the back row (as notebooks/rise.css); a slide taller than the screen scrolls, never cut off
SLIDE_CSS = """<style>
  .reveal .slides { text-align: left; }
  .reveal .slides section { max-height: 720px; overflow-y: auto; box-sizing: border-box; }
  .reveal .jp-RenderedMarkdown, .reveal .jp-RenderedMarkdown p, .reveal .jp-RenderedMarkdown li {
    font-size: 26px; line-height: 1.4; }
  .reveal .jp-RenderedMarkdown h1 { font-size: 44px; }
  .reveal .jp-RenderedMarkdown h2 { font-size: 36px; }
  .reveal .jp-OutputArea pre { font-size: 24px !important; white-space: pre-wrap; }
  .reveal .MJXc-display { margin: 0.3em 0 !important; }
  .reveal .verdict { font-size: 28px !important; margin: 0 !important; }
  .reveal .jp-OutputArea .jp-RenderedMarkdown, .reveal .jp-OutputArea .jp-RenderedMarkdown p,
  .reveal .jp-RenderedMarkdown code, .reveal .jp-RenderedMarkdown td,
  .reveal .jp-RenderedMarkdown th { font-size: 24px; }
  /* MathJax 2 scales an equation to its parent's x-height: 109 % in a LaTeX output */
  .reveal .jp-RenderedLatex { font-size: 23px; }
  /* ... and 131 % in a Markdown output (the article's form beside ours): 19 px gives 24.9 px */
  .reveal .jp-OutputArea-output.jp-RenderedMarkdown p:has(> .MJXc-display) { font-size: 19px; }
  .reveal .jp-RenderedMarkdown h1, .reveal .jp-RenderedMarkdown h2 { margin-top: 0; }
  .reveal .jp-Cell { padding-top: 2px; padding-bottom: 2px; }
</style>"""


def has_widgets(nb: dict) -> bool:
    """Whether any output of the notebook (its parsed JSON) is a widget view."""
    return any("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for cell in nb["cells"] for out in cell.get("outputs", []))  # fmt: skip


def freeze_widgets(nb: dict) -> dict:
    """The notebook with every saved widget that has a ``disabled`` switch switched off.

    On a static page nothing recomputes: a slider that could still be dragged
    would move while its view stays.  Disabled, it shows its saved value and
    takes no pointer or key (the renderer marks it so for assistive technology).
    """
    frozen = json.loads(json.dumps(nb))
    saved = frozen.get("metadata", {}).get("widgets", {})
    for bundle in saved.values():
        for model in bundle.get("state", {}).values():
            state = model.get("state", {})
            if "disabled" in state:
                state["disabled"] = True
    return frozen


def add_live_kernel_note(html: str, slides: bool) -> str:
    """Put the note first in ``<main>``; on slides, first in the first slide's flow (so that
    it never covers a title)."""
    if slides:
        note = LIVE_KERNEL_NOTE.format(style=_SLIDE_NOTE_STYLE)
        first = re.compile(r'(<div class="slides">\s*(?:<section[^>]*>\s*)+)')
        if first.search(html) is None:
            raise BuildFailed(EXIT_CONVERT, "nbconvert's slides have no <section> for the note")
        return first.sub(lambda m: m[1] + note, html, count=1)
    note = LIVE_KERNEL_NOTE.format(style=_NOTE_STYLE)
    if "<main>" in html:
        return html.replace("<main>", "<main>" + note, 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m[1] + note, html, count=1)


def convert(notebook: Path, to: str, unlinked: Iterable[str] = ()) -> str:
    """One notebook as an HTML page or a reveal.js deck that loads only ``vendor/`` files;
    its saved widgets switched off (:func:`freeze_widgets`), slides 1280 x 720 (``SLIDE_CSS``),
    and its links to the notebooks ``unlinked`` (stems) made plain text
    (:func:`unlink_left_out`)."""
    local = {
        "mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        "require_js_url": "vendor/require.js",
        "widget_renderer_url": "vendor/embed-amd.js",
        "jquery_url": "vendor/jquery.min.js",
    }
    exporter = "SlidesExporter" if to == "slides" else "HTMLExporter"
    options = [f"--{exporter}.{key}={value}" for key, value in local.items()]
    if to == "slides":
        options.append("--SlidesExporter.reveal_url_prefix=vendor/reveal.js")
        options.append("--SlidesExporter.reveal_theme=white")  # its fonts are local
        options += ["--SlidesExporter.reveal_width=1280", "--SlidesExporter.reveal_height=720",
                    "--SlidesExporter.reveal_transition=none",
                    # what the hall sees live (Voilà shows no code): the outputs, at 24 px
                    "--SlidesExporter.exclude_input=True",
                    "--SlidesExporter.exclude_input_prompt=True",
                    "--SlidesExporter.exclude_output_prompt=True"]  # fmt: skip
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        widgets = has_widgets(nb)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as err:
        why = f"{type(err).__name__}: {_last_line(str(err))}"
        raise BuildFailed(EXIT_CONVERT, f"could not convert {notebook.name}: "
                          f"not a readable notebook, {why}") from None  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="build-site-") as folder:
        source = notebook
        if widgets:  # the same name, so that the page's title is the notebook's
            source = Path(folder) / notebook.name
            source.write_text(json.dumps(freeze_widgets(nb)), encoding="utf-8")
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", to, *options, "--stdout"]
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        run = subprocess.run([*command, str(source)], capture_output=True, encoding="utf-8",
                             env=env, check=False)  # fmt: skip
    if run.returncode != 0:
        raise BuildFailed(EXIT_CONVERT, f"nbconvert could not convert {notebook.name} to {to} "
                          f"(exit {run.returncode}): {_last_line(run.stderr)}")  # fmt: skip
    html = run.stdout
    # nbconvert's mermaid URLs cannot be configured (the traits are not config=True): rewrite them
    html = re.sub(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid-layout-elk/[^\"']*", "", html)
    html = re.sub(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid/[^\"']*",
                  "./vendor/mermaid-unused.mjs", html)  # fmt: skip
    # links between notebooks: XX.ipynb -> XX.html
    html = re.sub(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb', r'href="\1.html', html)
    html = unlink_left_out(html, unlinked)
    if to == "slides":
        html = html.replace("</head>", SLIDE_CSS + "\n</head>", 1)
    if widgets:
        html = add_live_kernel_note(html, slides=to == "slides")
    return html


def is_solutions(name: str) -> bool:
    """Whether the notebook ``name`` (a file name) holds solutions: ``*_solutions.ipynb``."""
    return name.endswith(SOLUTIONS_SUFFIX)


def notebooks(with_solutions: bool = False) -> list[Path]:
    """The notebooks of ``notebooks/`` that a build takes, in reading order: all of them
    with ``with_solutions``, else all but the solutions."""
    found = sorted((ROOT / "notebooks").glob("*.ipynb"))
    return [path for path in found if with_solutions or not is_solutions(path.name)]


def left_out(with_solutions: bool = False) -> list[str]:
    """The stems (names without ``.ipynb``) of the notebooks a build leaves out."""
    taken = set(notebooks(with_solutions))
    return [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p not in taken]


def left_out_text(text: str) -> str:
    """A left-out notebook's link text, as plain text that says it is not in this build."""
    return f"{text} ({LEFT_OUT_NOTE})"


def unlink_left_out(html: str, stems: Iterable[str]) -> str:
    """``html`` with every link to a left-out notebook (``<a href="STEM.html">``, or
    ``.ipynb``, with or without ``./`` and an anchor) made plain text that says it is not in
    this build: no dead links.  Other links are kept as they are.

    >>> unlink_left_out('see <a href="09_s.html#a">the solutions</a> or '
    ...                 '<a href="09_e.html">09</a>', ["09_s"])  # doctest: +ELLIPSIS
    'see <span class="left-out">the solutions (not in this build: ...)</span> or <a href=...'
    """
    for stem in stems:
        link = re.compile(
            rf"""<a\b[^>]*?\bhref=(["'])(?:\./)?{re.escape(stem)}\.(?:html|ipynb)"""
            rf"""(?:[#?][^"']*)?\1[^>]*>(.*?)</a\s*>""",
            flags=re.S | re.I,
        )
        html = link.sub(lambda m: f'<span class="left-out">{left_out_text(m[2])}</span>', html)
    return html


def page_plan(with_solutions: bool = False) -> list[tuple[str, Path, str]]:
    """The pages, as (path in the site, notebook, "html" or "slides"); index.html is 00's.

    The solutions are left out unless ``with_solutions``.
    """
    plan = []
    for notebook in notebooks(with_solutions):
        plan.append((notebook.stem + ".html", notebook, "html"))
        if notebook.name in SLIDES:
            plan.append((notebook.stem + ".slides.html", notebook, "slides"))
    return plan


def leftovers(output: str, owned: set[str], stems: Iterable[str]) -> list[str]:
    """Files an earlier build wrote for notebooks this build leaves out (``stems``), still
    in ``output``: nothing is deleted, so they stay, and the build says so."""
    names = tuple(f"{stem}." for stem in stems)
    return sorted(rel for rel in owned
                  if os.path.basename(rel).startswith(names) and os.path.lexists(
                      os.path.join(output, rel)))  # fmt: skip


def build(output: str, cache: str, with_solutions: bool = False) -> list[str]:
    """Build the site into ``output`` (absolute); return the pages written.

    The solutions are left out, and links to them made plain text, unless
    ``with_solutions``.

    Raises
    ------
    derivation.outputs.OutputRefused
        If ``output`` or ``cache`` cannot be used without losing something (checked
        before npm or nbconvert runs) or cannot be written.
    BuildFailed
        If npm or nbconvert fails.
    """
    exists = check_folder(output, "--output", lambda folder: read_marker(folder) is not None)
    owned = (read_marker(output) or set()) if exists else set()
    check_cache(cache)
    pages = page_plan(with_solutions)
    unlinked = left_out(with_solutions)
    check_in_the_way(output, [MARKER, "index.html", *VENDOR_FIXED, *(p[0] for p in pages)],
                     owned | {MARKER})  # fmt: skip
    vendor = vendor_plan(fetch_vendor(cache))
    check_in_the_way(output, [rel for rel, _ in vendor], owned)
    writer = SiteWriter(output, owned)
    try:
        writer.list(rel for rel, _ in vendor)
        for rel, source in vendor:
            writer.write(rel, source if isinstance(source, bytes) else source.read_bytes())
        for rel, notebook, to in pages:
            html = convert(notebook, to, unlinked).encode("utf-8")
            writer.write(rel, html)
            if rel == "00_index.html":
                writer.write("index.html", html)
    finally:
        writer.close()
    for rel in leftovers(output, owned, unlinked):
        _say(f"note: {os.path.join(output, rel)!r} is from an earlier build with "
             "--with-solutions; nothing is deleted, so remove it yourself if the site is for "
             "students")  # fmt: skip
    return [rel for rel, _, _ in pages]


def _say(message: str) -> None:
    if sys.stderr is None:  # closed (``2>&-``): print(file=None) would use standard output
        return
    try:
        print(f"build_site: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Command line; the exit codes are in ``--help``."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--output", default=str(ROOT / "site"),
                        help="new, empty, or built by it before (default site/)")  # fmt: skip
    parser.add_argument("--cache", default=str(ROOT / ".cache" / "site-vendor"),
                        help="npm packages go here (default .cache/site-vendor)")  # fmt: skip
    parser.add_argument("--with-solutions", action="store_true",
                        help="include the solutions (notebooks/*_solutions.ipynb), left out "
                        "by default")  # fmt: skip
    args = parser.parse_args(argv)
    for name in ("output", "cache"):
        value = getattr(args, name)
        if not value.strip():
            parser.error(f"--{name} needs a folder name, got " + ("a name of only white space "
                         f"({value!r}); to use it, give its folder too: {'./' + value!r}"
                         if value else "an empty one"))  # fmt: skip
    try:
        pages = build(
            os.path.abspath(args.output),
            os.path.abspath(args.cache),
            with_solutions=args.with_solutions,
        )
        index = os.path.join(args.output, "index.html")
        outputs.write_stdout(f"build_site: {len(pages)} pages in {args.output!r}; open {index!r}\n")
    except BuildFailed as failed:
        _say(str(failed))
        return failed.code
    except outputs.OutputRefused as refused:
        if refused.kind != outputs.BROKEN_PIPE:
            _say(str(refused))
        return CODES[refused.kind]
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
