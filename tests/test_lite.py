"""The JupyterLite site (scripts/build_lite.py): built, served on 127.0.0.1 and run in Chromium.

The build's downloads are cached in .cache/lite, so a second run builds with no network.
Every notebook runs top to bottom in the browser's Pyodide kernel with no error, 06's explorer
moves by keyboard and by drag, 09's answer box judges, and no request leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from servers import ROOT, free_port, running
from test_browser import (  # noqa: F401  (browser is a fixture)
    assert_shows_softmax_of,
    browser,
    move_first_logit,
    run_all_cells,
    shown_probabilities,
    wait_until,
)

sys.path.insert(0, str(ROOT / "scripts"))
import build_lite

#: the notebooks of a default build: all but the solutions (only with --with-solutions)
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")
                   if not p.name.endswith("_solutions.ipynb"))  # fmt: skip
SOLUTIONS = sorted(p.name for p in (ROOT / "notebooks").glob("*_solutions.ipynb"))
#: the one line Pyodide's matplotlib writes to stderr, once, in a fresh browser profile
FONT_CACHE = "Matplotlib is building the font cache; this may take a moment."


# --- what the build refuses (no network, no browser) --------------------------------------


def test_a_tampered_download_is_refused_before_anything_is_used(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "pyodide-0.27.7.tgz").write_bytes(b"not npm's tarball")
    with pytest.raises(build_lite.Refused, match="does not match npm's sha512") as refused:
        build_lite.fetch(tmp_path)
    assert refused.value.code == build_lite.EXIT_UNVERIFIED


def _fake_npm_tarball(path: Path, lock: dict) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name in build_lite.PYODIDE_CORE:
            data = json.dumps(lock).encode() if name == "pyodide-lock.json" else b"core"
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_carried_wheel_is_used_only_if_npm_s_lock_has_its_hash(tmp_path):
    """The carrier's numpy differs from the lock's by one byte: it is left out, and the build
    stops, saying which package could not be verified."""
    good, bad = b"numpy wheel", b"numpy wheel!"
    names = ("numpy", "matplotlib", "micropip", "ipython", "traitlets")
    lock = {
        "info": {},
        "packages": {
            n: {"file_name": f"{n}.whl", "sha256": hashlib.sha256(good).hexdigest()} for n in names
        },
    }
    _fake_npm_tarball(tmp_path / "npm.tgz", lock)
    with zipfile.ZipFile(tmp_path / "carrier.whl", "w") as carrier:
        for n in names:
            carrier.writestr(build_lite.CARRIER_DIR + f"{n}.whl", bad if n == "numpy" else good)
    files = {"pyodide": tmp_path / "npm.tgz", build_lite.CARRIER: tmp_path / "carrier.whl"}
    with pytest.raises(build_lite.Refused, match="no wheel of numpy matched npm's lock"):
        build_lite.pyodide_folder(files, tmp_path / "pkg.whl", tmp_path / "pyodide")
    assert not (tmp_path / "pyodide" / "numpy.whl").exists()
    assert (tmp_path / "pyodide" / "matplotlib.whl").read_bytes() == good


def test_an_output_folder_the_script_did_not_make_is_refused_before_any_download(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_lite.py"), "--output",
         str(tmp_path / "mine"), "--cache", str(tmp_path / "cache")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 6, run.stderr
    assert "was not made by build_lite.py" in run.stderr and len(run.stderr.splitlines()) == 1
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "cache").exists()


def test_the_contents_leave_the_solutions_out_unless_asked_for(tmp_path):
    """The copies a build serves: no solutions by default, and the notebooks that link to
    them say in plain text that they are not in this build; with --with-solutions, every
    notebook, copied byte for byte."""
    assert SOLUTIONS
    default, every = tmp_path / "default", tmp_path / "every"
    default.mkdir()
    every.mkdir()
    assert build_lite.copy_contents(default) == NOTEBOOKS
    assert sorted(p.name for p in default.iterdir()) == NOTEBOOKS
    changed = []
    for name in NOTEBOOKS:
        source = (ROOT / "notebooks" / name).read_text(encoding="utf-8")
        copy = (default / name).read_text(encoding="utf-8")
        assert not [s for s in SOLUTIONS if f"]({s}" in copy or f'href="{s}' in copy], name
        if copy != source:
            changed.append(name)
            assert "not in this build: ask your instructor" in copy
            before, after = json.loads(source), json.loads(copy)
            assert [c["source"] for c in before["cells"] if c["cell_type"] == "code"] == [
                c["source"] for c in after["cells"] if c["cell_type"] == "code"]  # fmt: skip
            assert before["metadata"] == after["metadata"]
    assert "00_index.ipynb" in changed
    assert build_lite.copy_contents(every, with_solutions=True) == sorted(NOTEBOOKS + SOLUTIONS)
    for path in every.iterdir():
        assert path.read_bytes() == (ROOT / "notebooks" / path.name).read_bytes()


def test_links_in_markdown_to_a_left_out_notebook_become_plain_text():
    stem = "09_exercises_solutions"
    nb = {"cells": [
        {"cell_type": "markdown", "source": [
            f"in [09 · Solutions]({stem}.ipynb), [part A](./{stem}.ipynb#part-a \"A\"),\n",
            f"[09](09_exercises.ipynb) and <a href='{stem}.ipynb'>the key</a>\n"]},
        {"cell_type": "markdown", "source": f"[the [worked] steps](<{stem}.ipynb>)"},
        {"cell_type": "code", "source": [f"open('{stem}.ipynb')"], "outputs": []},
    ]}  # fmt: skip
    out = build_lite.unlink_left_out(nb, [stem])
    first, second = "".join(out["cells"][0]["source"]), out["cells"][1]["source"]
    note = build_lite.site.LEFT_OUT_NOTE
    assert f"in 09 · Solutions ({note}), part A ({note}),\n" in first
    assert "[09](09_exercises.ipynb)" in first and f"the key ({note})" in first
    assert second == f"the [worked] steps ({note})"
    assert out["cells"][2] == nb["cells"][2] and f"{stem}.ipynb" not in first + second
    assert len(out["cells"][0]["source"]) == 2  # still a list of lines
    reference = {"cells": [{"cell_type": "markdown", "source": f"[key][k]\n\n[k]: {stem}.ipynb"}]}
    with pytest.raises(build_lite.Refused, match="reference-style link"):
        build_lite.unlink_left_out(reference, [stem])


# --- the built site, in Chromium ------------------------------------------------------------


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    if shutil.which("npm") is None:
        message = "npm is needed to fetch Pyodide's core"
        if os.environ.get("CI"):
            pytest.fail(message + " (on CI it must be installed)")
        pytest.skip(message)
    output = tmp_path_factory.mktemp("lite") / "site"
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_lite.py"), "--output", str(output),
         "--cache", str(ROOT / ".cache" / "lite")],
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    print(f"lite build: {time.monotonic() - started:.0f} s")
    port = free_port()
    log = tmp_path_factory.mktemp("lite-log") / "http.log"
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
               "--directory", str(output)]  # fmt: skip
    with running(command, f"http://127.0.0.1:{port}/lab/index.html", log):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def lite_page(browser):  # noqa: F811
    """A page in a fresh profile (JupyterLite keeps notebooks in the browser's storage) that
    records every request leaving 127.0.0.1 and aborts it."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    leaving: list[str] = []

    def guard(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            leaving.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page, leaving
    context.close()


def open_notebook(page, base: str, name: str) -> float:
    """Open a notebook in JupyterLite; return the seconds until its kernel is ready."""
    started = time.monotonic()
    page.goto(f"{base}/lab/index.html?path={name}", timeout=120_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    wait_until(lambda: page.locator(".jp-StatusBar-TextItem", has_text="Idle").count() > 0,
               180, "the Pyodide kernel becoming ready")  # fmt: skip
    return time.monotonic() - started


def error_outputs(page) -> list[str]:
    return [t.strip()[:300] for t in page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
    ).all_text_contents() if t.strip() != FONT_CACHE]  # fmt: skip


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    """nbval's rules (tests/nbval_sanitize.cfg): the same differences allowed as on the desktop."""
    import configparser

    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


#: tags of cells whose outputs are not compared: nbval's, and an output that says which kernel
#: it runs in (09's "where the checks run": a process here, Pyodide's kernel in the browser)
NOT_COMPARED = {"nbval-ignore-output", "nbval-skip", "kernel-specific"}
COMPARED = ("text/plain", "text/markdown", "text/latex")


def shown_outputs(notebook: dict) -> list[tuple[int, str]]:
    """(cell index, its outputs as text) for every compared code cell: streams, and the text
    forms of results (not images, HTML or widget state), sanitized as nbval does."""
    rules, found = _sanitizers(), []
    for index, cell in enumerate(notebook["cells"]):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] != "code" or tags & NOT_COMPARED:
            continue
        parts = []
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                text = "".join(out["text"])
                parts.append(
                    text.replace(FONT_CACHE + "\n", "") if out["name"] == "stderr" else text
                )
            elif out["output_type"] in ("execute_result", "display_data"):
                parts += ["".join(out["data"][m]) for m in COMPARED if m in out["data"]]
            else:
                parts.append(f"{out['output_type']}: {out.get('ename')}: {out.get('evalue')}")
        text = "".join(parts)
        for pattern, replace in rules:
            text = pattern.sub(replace, text)
        found.append((index, "\n".join(line.rstrip() for line in text.strip().splitlines())))
    return found


def differences(stored: dict, shown: dict) -> list[str]:
    """Cells whose outputs in the browser differ from the committed ones, with both texts."""
    return [f"cell {i}:\n--- stored\n{a}\n--- browser\n{b}"
            for (i, a), (_, b) in zip(shown_outputs(stored), shown_outputs(shown), strict=True)
            if a != b]  # fmt: skip


#: records when the first verdict line ("✔ ... proven") computed by this kernel appears (the
#: stored outputs' verdicts, shown on opening, are marked old first)
FIRST_VERDICT_JS = """() => {
    window.firstVerdict = null;
    document.querySelectorAll('.verdict').forEach(v => v.setAttribute('data-stored', ''));
    new MutationObserver((_, observer) => {
        if (document.querySelector('.jp-OutputArea-output .verdict:not([data-stored])')) {
            window.firstVerdict = performance.now();
            observer.disconnect();
        }
    }).observe(document.body, {subtree: true, childList: true});
}"""


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_runs_in_the_browser_with_nothing_off_localhost(lite, lite_page, notebook):
    """Run All in the browser, with the committed outputs (nbval's allowances aside) and no
    request leaving 127.0.0.1."""
    page, leaving = lite_page
    ready = open_notebook(page, lite, notebook)
    page.evaluate(FIRST_VERDICT_JS)
    started = time.monotonic()
    run_all_cells(page, timeout=600)
    proof = page.evaluate("() => window.firstVerdict")  # ms since the page was opened
    took = time.monotonic() - started
    shown = f", first proof shown {proof / 1e3:.1f} s after opening" if proof else ""
    print(f"{notebook}: kernel ready {ready:.1f} s, Run All {took:.1f} s{shown}")
    if notebook == "00_index.ipynb":  # its installation check proves every step
        assert proof is not None
    assert not error_outputs(page)
    assert not leaving, f"requests that left 127.0.0.1: {leaving[:5]}"
    shown = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.model.toJSON()")
    stored = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    found = differences(stored, shown)
    assert not found, "\n\n".join(found)[:4000]
    if notebook == "09_exercises.ipynb":  # the one kernel-specific output says it is Pyodide's
        where = next(c for c in shown["cells"] if "where_checked()" in "".join(c["source"]))
        assert "Pyodide" in "".join(where["outputs"][0]["text"])


def test_the_comparison_finds_a_changed_output():
    """The comparison above can fail: one number changed in a stored notebook is found; a
    timing and a figure's size are not differences."""
    stored = json.loads((ROOT / "notebooks" / "01_the_three_class_model.ipynb").read_text())
    shown = json.loads(json.dumps(stored))
    cell = next(c for c in shown["cells"] if c["cell_type"] == "code" and any(
        o["output_type"] == "stream" and any(ch.isdigit() for ch in "".join(o["text"]))
        for o in c.get("outputs", [])))  # fmt: skip
    stream = next(o for o in cell["outputs"] if o["output_type"] == "stream")
    text = "".join(stream["text"])
    digit = next(ch for ch in text if ch.isdigit())
    stream["text"] = text.replace(digit, str((int(digit) + 1) % 10), 1)
    assert len(differences(stored, shown)) == 1
    assert not differences(stored, json.loads(json.dumps(stored)))


def run_06(lite, lite_page):
    """06 opened and run in the site; its logits explorer, showing the start state."""
    page, _ = lite_page
    open_notebook(page, lite, "06_explorers.ipynb")
    run_all_cells(page, timeout=600)
    explorer = page.locator(".jp-OutputArea-output", has=page.locator("text.p-value")).first
    explorer.scroll_into_view_if_needed()
    assert shown_probabilities(explorer) == [
        f"{v:.4f}" for v in np.exp([2, 1, 0.1]) / np.exp([2, 1, 0.1]).sum()
    ]
    return page, explorer


@pytest.mark.slow
def test_the_explorer_moves_by_keyboard_in_the_browser(lite, lite_page):
    """Arrow keys on a slider handle move the slider, not the notebook's cursor (the site
    re-binds the notebook's command-mode shortcuts outside widgets), and the views follow."""
    page, explorer = run_06(lite, lite_page)
    logits = move_first_logit(page, explorer)
    assert logits[0] == pytest.approx(2.5)
    assert_shows_softmax_of(explorer, logits)
    assert "noUi-handle" in page.evaluate("() => document.activeElement.className")
    assert not lite_page[1]


@pytest.mark.slow
def test_the_explorer_moves_by_drag_in_the_browser(lite, lite_page):
    page, explorer = run_06(lite, lite_page)

    def slider(k: int):
        label = page.locator(".widget-label", has_text=re.compile(f"^z{'₀₁₂₃'[k]}$"))
        return explorer.locator(".widget-hslider").filter(has=label).first

    box = slider(1).locator(".noUi-handle").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 6 * step, y)
    page.mouse.up()
    shown = [slider(k).locator(".widget-readout").text_content() for k in (1, 2, 3)]
    logits = np.array([float(text) for text in shown])
    assert logits[0] > 2.0 and logits[1:] == pytest.approx([1.0, 0.1])
    assert_shows_softmax_of(explorer, logits)


def test_the_site_rebinds_only_command_mode_shortcuts_outside_widgets():
    schemas = [{"schema": {"jupyter.lab.shortcuts": [
        {"command": "notebook:move-cursor-heading-below-or-expand", "keys": ["ArrowRight"],
         "selector": build_lite.COMMAND_MODE},
        {"command": "notebook:move-cursor-down", "keys": ["ArrowDown"],
         "selector": build_lite.COMMAND_MODE},
        {"command": "notebook:enter-edit-mode", "keys": ["Enter"],
         "selector": ".jp-Notebook.jp-mod-commandMode .jp-Cell:focus"}]}}] * 2  # fmt: skip
    entries = build_lite.widget_safe_shortcuts(schemas)
    assert len(entries) == 4  # two bindings, each disabled and re-added once
    assert [e.get("disabled") for e in entries] == [True, None, True, None]
    assert entries[1]["selector"] == build_lite.COMMAND_MODE + ":not(.jupyter-widgets *)"
    assert {e["command"] for e in entries} == {"notebook:move-cursor-heading-below-or-expand",
                                               "notebook:move-cursor-down"}  # fmt: skip


def judge_in_09(lite, lite_page, submit) -> None:
    page, leaving = lite_page
    open_notebook(page, lite, "09_exercises.ipynb")
    run_all_cells(page, timeout=600)
    box = page.locator(".jupyter-widgets.answer-box").first
    box.scroll_into_view_if_needed()
    feedback = box.locator(".answer-feedback")
    for typed, verdict in (("h1*h2", "✘ for ‘h1*h2’"), ("-h1*h2", "✔ for ‘-h1*h2’")):
        box.locator("input").fill(typed)
        submit(box)
        wait_until(lambda v=verdict: feedback.count() and v in feedback.text_content(), 60,
                   f"the verdict {verdict!r}")  # fmt: skip
    assert not leaving


@pytest.mark.slow
def test_an_answer_box_judges_right_and_wrong_in_the_browser(lite, lite_page):
    """Checked by the box's Check button, as a student clicks it."""
    judge_in_09(lite, lite_page, lambda box: box.locator("button").click())


@pytest.mark.slow
def test_enter_in_an_answer_box_judges_in_the_browser(lite, lite_page):
    judge_in_09(lite, lite_page, lambda box: box.locator("input").press("Enter"))
