"""Build the collection as a static site that works with no network at all.

Run:  .venv/bin/python scripts/build_site.py [--output site]

- Every notebook becomes an HTML page with its stored outputs, equations
  rendered by MathJax and widgets drawn from their embedded state.  A page
  with widgets says, at its top, that its sliders need a live kernel.
- Notebooks 02 and 06 also become reveal.js slides (``*.slides.html``).
- MathJax, require.js, the widget renderer, jQuery and reveal.js are copied
  from npm packages into ``<output>/vendor``: the pages load nothing from a
  CDN.  Links between notebooks point to the HTML pages; ``index.html`` is
  notebook 00.

Needs node and npm (npm's registry is reached once, to fetch the packages into
``.cache/site-vendor``; later builds reuse them).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NPM = {  # package -> version: the ones nbconvert's templates expect
    "@jupyter-widgets/html-manager": "1.0.15",
    "requirejs": "2.3.8",
    "mathjax": "2.7.9",
    "reveal.js": "4.6.1",
    "jquery": "2.2.4",
}
SLIDES = ("02_derivation_parts_I_to_III.ipynb", "06_explorers.ipynb")


def fetch_vendor(cache: Path) -> Path:
    """npm-install the pinned packages into ``cache`` (once); return node_modules."""
    modules = cache / "node_modules"
    wanted = [f"{name}@{version}" for name, version in NPM.items()]
    stamp = cache / "installed.txt"
    if not (stamp.exists() and stamp.read_text() == "\n".join(wanted)):
        cache.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("build_site: npm is needed (it installs MathJax, reveal.js, ... once)")
        subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund",
                        "--loglevel=error", *wanted], check=True)  # fmt: skip
        stamp.write_text("\n".join(wanted))
    return modules


def copy_vendor(modules: Path, vendor: Path) -> None:
    """Copy just the files the pages load into ``vendor``."""
    if vendor.exists():
        shutil.rmtree(vendor)
    vendor.mkdir(parents=True)
    shutil.copy(modules / "requirejs" / "require.js", vendor / "require.js")
    shutil.copy(modules / "jquery" / "dist" / "jquery.min.js", vendor / "jquery.min.js")
    shutil.copy(modules / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
                vendor / "embed-amd.js")  # fmt: skip
    mathjax = modules / "mathjax"
    (vendor / "mathjax").mkdir()
    shutil.copy(mathjax / "MathJax.js", vendor / "mathjax" / "MathJax.js")
    for folder in ("config", "extensions", "jax", "fonts/HTML-CSS/TeX/woff", "localization/en"):
        shutil.copytree(mathjax / folder, vendor / "mathjax" / folder)
    # no notebook here has a mermaid diagram; nbconvert's pages still name a mermaid module,
    # so give them a local stand-in instead of the CDN one
    (vendor / "mermaid-unused.mjs").write_text(
        "export default { initialize() {}, registerLayoutLoaders() {}, "
        "render: async () => ({ svg: '' }) };\n"
    )
    shutil.copytree(modules / "reveal.js" / "dist", vendor / "reveal.js" / "dist")
    shutil.copytree(modules / "reveal.js" / "plugin", vendor / "reveal.js" / "plugin")


#: shown at the top of every page (and slide deck) whose notebook displays widgets
LIVE_KERNEL_NOTE = (
    '<div class="live-kernel-note" role="note" style="{style}">The explorers and answer boxes '
    "on this page are pictures of their saved state: their sliders and buttons need a live "
    "kernel. Open the notebook in JupyterLab, or serve it with Voilà (see the README).</div>"
)
_NOTE_STYLE = ("font-family: sans-serif; font-size: 16px; background: #fff4e0; "
               "border: 1px solid #E69F00; padding: 8px 12px; margin: 8px 0")  # fmt: skip


def has_widgets(notebook: Path) -> bool:
    """Whether any output of the notebook is a widget view."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return any("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for cell in nb["cells"] for out in cell.get("outputs", []))  # fmt: skip


def add_live_kernel_note(html: str, slides: bool) -> str:
    """Put the note first in the page's main content (fixed at the top for slides)."""
    if slides:
        style = _NOTE_STYLE + "; position: fixed; top: 0; left: 0; right: 0; z-index: 40"
        return re.sub(r"(<body[^>]*>)", lambda m: m[1] + LIVE_KERNEL_NOTE.format(style=style),
                      html, count=1)  # fmt: skip
    note = LIVE_KERNEL_NOTE.format(style=_NOTE_STYLE)
    if "<main>" in html:
        return html.replace("<main>", "<main>" + note, 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m[1] + note, html, count=1)


def convert(notebook: Path, output: Path, to: str) -> Path:
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
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", to, *options,
                    "--output-dir", str(output), str(notebook)],
                   check=True, capture_output=True, text=True)  # fmt: skip
    suffix = ".slides.html" if to == "slides" else ".html"
    page = output / (notebook.stem + suffix)
    # links between notebooks: XX.ipynb -> XX.html
    html = page.read_text(encoding="utf-8")
    # nbconvert's mermaid URLs cannot be configured (the traits are not config=True): rewrite them
    html = re.sub(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid-layout-elk/[^\"']*", "", html)
    html = re.sub(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid/[^\"']*",
                  "./vendor/mermaid-unused.mjs", html)  # fmt: skip
    html = re.sub(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb', r'href="\1.html', html)
    if has_widgets(notebook):
        html = add_live_kernel_note(html, slides=to == "slides")
    page.write_text(html, encoding="utf-8")
    return page


def build(output: Path, cache: Path) -> list[Path]:
    modules = fetch_vendor(cache)
    output.mkdir(parents=True, exist_ok=True)
    copy_vendor(modules, output / "vendor")
    pages = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        pages.append(convert(notebook, output, "html"))
        if notebook.name in SLIDES:
            pages.append(convert(notebook, output, "slides"))
    shutil.copy(output / "00_index.html", output / "index.html")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "site", help="folder (default site/)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "site-vendor",
                        help="npm packages go here (default .cache/site-vendor)")  # fmt: skip
    args = parser.parse_args()
    pages = build(args.output.resolve(), args.cache.resolve())
    print(f"build_site: {len(pages)} pages in {args.output}; open {args.output / 'index.html'}")


if __name__ == "__main__":
    main()
