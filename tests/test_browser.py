"""What a person sees: the notebooks in JupyterLab and in RISE slides, the explorer served by
Voilà as an app and as live slides (the reveal-hall template), in Chromium.

Debian's Chromium is driven by Playwright (``executable_path``; no browser is
downloaded).  Each server runs on 127.0.0.1 with a free port and a random
token and is stopped by its own PID.  The lab gets its own settings and
workspace folders: notebook windowing is off, so that every cell is rendered
and every equation typeset (off-screen cells are otherwise not in the page).
Screenshots go to pytest's temporary folder.  Without Chromium the tests are
skipped, except on CI (``CI`` set), where a missing browser is a failure.

Checked here, besides "no error output": no MathJax error node (MathJax 3 draws
a failed equation as ``mjx-merror``, red raw LaTeX, with ``data-mjx-error``),
in the stored outputs and after Run All, and a typeset equation wherever a
notebook displays one; the explorers at a projector's 1280 × 720 (labels and
titles do not overlap, no text is clipped, numbers >= 14 px, sliders >= 300 px,
up to K = 6; the logits explorer fits the screen at 150 % zoom); Enter in an
answer box; RISE slides of 02 and 06 (widget views or their picture, never
the text repr; no slide taller than 720 px; text sized for a hall); and 06 as
Voilà reveal slides, where the explorers are live (a slider moved by keyboard).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from servers import ROOT, free_port, get, running

from derivation import numeric

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
BIN = Path(sys.executable).parent
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": on CI the browser tests must run")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        yield launched
        launched.close()


def copy_of_notebooks(tmp_path_factory) -> Path:
    """A copy of notebooks/ to serve: JupyterLab autosaves what it opens, and the
    committed notebooks must stay exactly as they were executed."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    return root


def lab_settings(tmp_path_factory) -> Path:
    """User settings for the test lab: every cell rendered (no windowing)."""
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    return settings


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    settings = lab_settings(tmp_path_factory)
    command = [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={copy_of_notebooks(tmp_path_factory)}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={settings}",
    ]  # fmt: skip
    with running(command, f"{base}/lab?token={token}", tmp_path_factory.mktemp("lab") / "log"):
        yield base, token


def shut_down_kernels(base: str, token: str) -> None:
    """Delete every kernel session, so each notebook starts cold and none piles up."""
    import urllib.request

    status, body = get(f"{base}/api/sessions?token={token}")
    for session in json.loads(body) if status == 200 else []:
        request = urllib.request.Request(
            f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=10).close()


def kernel_idle(page) -> bool:
    return page.locator(".jp-StatusBar-TextItem", has_text="Idle").count() > 0


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.3)


def settled(page, root, quiet: float = 1.0, timeout: float = 60) -> None:
    """Wait until the kernel has taken every pending change of the explorer ``root``.

    ipywidgets sends a slider's next value only once the kernel has answered the
    previous one, while a click on another widget goes at once: on a loaded machine the
    click can overtake the slider.  Settled means: the kernel is idle and what the
    kernel draws in the explorer has not changed for ``quiet`` seconds.
    """
    status = page.locator(".jp-StatusBar-TextItem", has_text="|")
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while True:
        drawn = root.inner_html()
        idle = status.count() == 0 or any("Idle" in t for t in status.all_text_contents())
        if drawn != last or not idle:
            last, since = drawn, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the explorer did not settle within {timeout} s")
        page.wait_for_timeout(100)


def run_all_cells(page, timeout: float = 180) -> None:
    """Run > Run All Cells, then wait until every code cell has a number and the kernel is idle.

    The menu item is disabled until the notebook's kernel is ready (clicking it earlier does
    nothing), so wait for an idle kernel first, and click again if no cell starts.
    """
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    wait_until(lambda: kernel_idle(page), 90, "the kernel becoming idle")
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")

    def started() -> bool:
        return any(t.strip() not in ("[ ]:", "") for t in prompts.all_text_contents())

    for _ in range(3):
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        item = page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text="Run All Cells")
        item.first.click(timeout=15_000)
        try:
            wait_until(started, 15, "a cell starting")
            break
        except AssertionError:
            page.keyboard.press("Escape")
    texts: list[str] = []

    def finished() -> bool:
        nonlocal texts
        texts = [t.strip() for t in prompts.all_text_contents()]
        return (
            bool(texts) and kernel_idle(page) and all(re.fullmatch(r"\[\d+\]:", t) for t in texts)
        )

    try:
        wait_until(finished, timeout, "all cells running")
    except AssertionError as err:
        raise AssertionError(f"{err}: prompts {texts}") from None


def shown_probabilities(scope) -> list[str]:
    return [t.strip() for t in scope.locator("text.p-value").all_text_contents()[:3]]


def move_first_logit(page, scope, presses: int = 5) -> np.ndarray:
    """Move z₁ of the logits explorer by keyboard; return the logits its sliders show."""
    sliders = scope.locator(".widget-hslider")

    def slider(k: int):
        label = page.locator(".widget-label", has_text=re.compile(f"^z{'₀₁₂₃₄₅₆'[k]}$"))
        return sliders.filter(has=label).first

    slider(1).scroll_into_view_if_needed()
    slider(1).locator(".noUi-handle").focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
    return np.array([float(slider(k).locator(".widget-readout").text_content()) for k in (1, 2, 3)])


def assert_shows_softmax_of(scope, logits: np.ndarray, timeout: float = 15) -> None:
    expected = [f"{v:.4f}" for v in numeric.softmax(logits)]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shown_probabilities(scope) == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"shown {shown_probabilities(scope)}, expected {expected} for z={logits}")


def displays_equations(notebook: str) -> bool:
    """Whether the notebook shows maths: $...$ in its markdown or a text/latex output."""
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and "$" in "".join(cell["source"]):
            return True
        if any("text/latex" in out.get("data", {}) for out in cell.get("outputs", [])):
            return True
    return False


def typeset_equations(page, timeout: float = 60) -> int:
    """Wait until MathJax has stopped adding equations (the count holds for 2 s); return it."""
    deadline, last, stable_since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = page.locator("mjx-container").count()
        if count != last:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since > 2:
            break
        time.sleep(0.3)
    return last


def mathjax_errors(page) -> list[str]:
    """Every equation MathJax 3 failed on: red raw LaTeX in an ``mjx-merror`` node."""
    return page.evaluate(
        """() => [...document.querySelectorAll('mjx-merror, [data-mjx-error]')].map(e =>
               (e.getAttribute('data-mjx-error') || 'error') + ': '
               + (e.closest('mjx-container')?.parentElement?.textContent || '').slice(0, 80))"""
    )


def wide_equations(page) -> list[str]:
    """Every typeset equation wider than the cell it is in (a reader must scroll sideways,
    and a tag at its right end is cut off): which cell, its width and the cell's."""
    return page.evaluate(
        """() => [...document.querySelectorAll('mjx-container')].flatMap(c => {
               const area = c.closest('.jp-OutputArea-output, .jp-RenderedHTMLCommon');
               const math = c.firstElementChild;
               if (!area || !math) return [];
               const width = Math.round(math.getBoundingClientRect().width);
               const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
               const cell = cells.indexOf(c.closest('.jp-Cell'));
               return width > area.clientWidth + 1
                   ? [`cell [${cell}]: ${width} px in ${area.clientWidth}`] : [];
           })"""
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_runs_in_jupyterlab_without_errors(browser, lab, notebook, tmp_path):
    """At 1280×720, the screen the collection is made for: no stderr, no equation MathJax
    failed on, none wider than its cell."""
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{base}/lab/tree/notebooks/{notebook}?token={token}&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        typeset_equations(page)
        stored = mathjax_errors(page)  # what a reader sees before running anything
        run_all_cells(page)
        stderr = '[data-mime-type="application/vnd.jupyter.stderr"]'
        errors = page.locator(f".jp-OutputArea-output{stderr}")
        assert errors.count() == 0, errors.first.text_content()
        equations = typeset_equations(page)
        page.screenshot(path=tmp_path / f"{notebook}.png")
        fresh = mathjax_errors(page)
        assert not fresh, f"{len(fresh)} equations MathJax could not typeset after Run All: {fresh}"
        assert not stored, f"{len(stored)} stored outputs MathJax could not typeset: {stored}"
        wide = wide_equations(page)
        assert not wide, f"equations wider than their cell at 1280 px: {wide}"
        if displays_equations(notebook):
            assert equations > 0, "the notebook displays equations, but none was typeset"
    finally:
        page.close()
        shut_down_kernels(base, token)


def test_moving_a_logit_slider_updates_the_probabilities_in_jupyterlab(browser, lab, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/lab/tree/notebooks/06_explorers.ipynb?token={token}&reset")
        run_all_cells(page)
        explorer = page.locator(".jp-OutputArea-output", has=page.locator("text.p-value")).first
        explorer.scroll_into_view_if_needed()
        assert shown_probabilities(explorer) == [f"{v:.4f}" for v in numeric.softmax([2, 1, 0.1])]
        logits = move_first_logit(page, explorer)
        assert logits[0] == pytest.approx(2.5)  # five steps of 0.1, by keyboard
        assert_shows_softmax_of(explorer, logits)
        page.screenshot(path=tmp_path / "logits-explorer-jupyterlab.png")
    finally:
        page.close()
        shut_down_kernels(base, token)


def test_the_explorer_served_as_an_app_by_voila(browser, tmp_path, tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/?token={token}"
    notebook = copy_of_notebooks(tmp_path_factory) / "notebooks" / "06_explorers.ipynb"
    command = [
        str(BIN / "voila"), str(notebook), "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", f"--token={token}",
    ]  # fmt: skip
    with running(command, url, tmp_path / "voila.log"):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(url)
            page.wait_for_selector("text.p-value", state="attached", timeout=120_000)
            assert shown_probabilities(page) == [f"{v:.4f}" for v in numeric.softmax([2, 1, 0.1])]
            logits = move_first_logit(page, page)
            assert logits[0] == pytest.approx(2.5)
            assert_shows_softmax_of(page, logits)
            page.screenshot(path=tmp_path / "logits-explorer-voila.png", full_page=True)
        finally:
            page.close()


# --- the explorers on a projector ------------------------------------------------------------

#: every problem a reader would see: text outside its view or box, texts on top of each other
#: (labels, titles, values), numbers under 14 px, slider tracks under 300 px
LAYOUT_PROBLEMS = """(root) => {
    const problems = [];
    const inside = (b, c) => b.left >= c.left - 1 && b.right <= c.right + 1
        && b.top >= c.top - 1 && b.bottom <= c.bottom + 1;
    const overlap = (b, c) => Math.min(b.right, c.right) - Math.max(b.left, c.left) > 1
        && Math.min(b.bottom, c.bottom) - Math.max(b.top, c.top) > 1;
    const name = e => `"${(e.textContent || '').trim().slice(0, 30)}"`;
    for (const svg of root.querySelectorAll('svg')) {
        const box = svg.getBoundingClientRect();
        const texts = [...svg.querySelectorAll('text')];
        const boxes = texts.map(t => t.getBoundingClientRect());
        texts.forEach((t, i) => {
            if (!inside(boxes[i], box)) problems.push(`${name(t)} is clipped by its view`);
            if (parseFloat(getComputedStyle(t).fontSize) < 14) problems.push(`${name(t)} < 14 px`);
            for (let j = 0; j < i; j++) {
                if (overlap(boxes[i], boxes[j])) {
                    problems.push(`${name(t)} overlaps ${name(texts[j])}`);
                }
            }
        });
    }
    const views = [...root.querySelectorAll('svg')].map(s => s.getBoundingClientRect());
    views.forEach((b, i) => views.slice(0, i).forEach(c => {
        if (overlap(b, c)) problems.push('two views overlap');
    }));
    const boxed = '.widget-label, .widget-readout, .explorer-readout, .explorer-message, '
        + 'button, select';
    for (const e of root.querySelectorAll(boxed)) {
        const text = document.createRange();
        text.selectNodeContents(e);  // laid out in full even where CSS paints an ellipsis
        const width = Math.max(e.scrollWidth, text.getBoundingClientRect().width);
        if (width > e.clientWidth + 1) {
            problems.push(`${name(e)} is clipped (${width} > ${e.clientWidth} px)`);
        }
        if (parseFloat(getComputedStyle(e).fontSize) < 14) problems.push(`${name(e)} < 14 px`);
    }
    for (const track of root.querySelectorAll('.widget-hslider .slider-container')) {
        // on a slide the template zooms the explorer: 300 px on the screen is what counts
        const width = track.getBoundingClientRect().width * parseFloat(root.dataset.zoom || '1');
        if (width < 300) problems.push(`a slider of ${width.toFixed(0)} px`);
    }
    const area = root.closest('.jp-OutputArea-output') || document.body;
    if (area.scrollWidth > area.clientWidth + 1) problems.push('wider than its output area');
    return problems;
}"""


def explorer(page, css: str):
    root = page.locator(f".jupyter-widgets.{css}").first
    root.wait_for(state="attached", timeout=60_000)
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    return root


def assert_readable(root, what: str) -> None:
    problems = root.evaluate(LAYOUT_PROBLEMS)
    assert not problems, f"{what}: {problems}"


@pytest.fixture(scope="module")
def explorers_page(browser, lab):
    """Notebook 06 after Run All, at a projector's 1280 x 720, the left sidebar closed."""
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{base}/lab/tree/notebooks/06_explorers.ipynb?token={token}&reset")
    run_all_cells(page)
    page.keyboard.press("Control+b")  # a lecturer hides the file browser
    page.wait_for_timeout(500)
    yield page
    page.close()
    shut_down_kernels(base, token)


@pytest.mark.parametrize("css", ["logits-explorer", "article-explorer"])
def test_the_explorers_are_readable_at_1280x720(explorers_page, css, tmp_path):
    root = explorer(explorers_page, css)
    root.screenshot(path=tmp_path / f"{css}-1280x720.png")
    assert_readable(root, f"{css} at 1280 x 720")


def test_the_logits_explorer_is_readable_with_6_classes(explorers_page, tmp_path):
    root = explorer(explorers_page, "logits-explorer")
    root.locator("select").first.select_option("6")
    sliders = root.locator(".widget-hslider")
    wait_until(lambda: sliders.count() == 7, 15, "six logit sliders and T")
    wait_until(lambda: root.locator("text.p-value").count() == 6, 15, "six bars")
    explorers_page.wait_for_timeout(800)
    root.screenshot(path=tmp_path / "logits-explorer-K6.png")
    root.locator(".explorer-readout").scroll_into_view_if_needed()
    explorers_page.screenshot(path=tmp_path / "logits-explorer-K6-lower-half.png")
    try:
        assert_readable(root, "logits explorer, K = 6")
        # h, the Jacobian and the gradient side by side, as with three classes (not wrapped)
        tops = [
            round(b["y"])
            for b in root.locator("svg").evaluate_all(
                "svgs => svgs.map(s => s.getBoundingClientRect().toJSON())"
            )
        ]
        assert len(tops) == 3 and max(tops) - min(tops) <= 2, f"the views' tops: {tops}"
    finally:
        root.locator("select").first.select_option("3")
        wait_until(lambda: sliders.count() == 4, 15, "back to three logit sliders")


#: at 150 % zoom a 1280 x 720 screen is 853 x 480 CSS px; the notebook's tab bar and toolbar take
#: 70 px once JupyterLab's header and status bar are hidden (View > Appearance), as on a projector
ZOOMED, CHROME = {"width": 853, "height": 480}, 70


def test_the_logits_explorer_fits_one_screen_at_150_percent_zoom(explorers_page, tmp_path):
    page = explorers_page
    page.set_viewport_size(ZOOMED)
    try:
        page.wait_for_timeout(800)
        root = explorer(page, "logits-explorer")
        root.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        page.screenshot(path=tmp_path / "logits-explorer-150-percent.png")
        root.screenshot(path=tmp_path / "logits-explorer-150-percent-whole.png")
        box = root.bounding_box()
        assert box["height"] <= ZOOMED["height"] - CHROME, f"{box['height']:.0f} px tall"
        assert_readable(root, "logits explorer at 150 %")
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


def test_the_range_switch_moves_the_keyboard_to_the_new_range(explorers_page):
    page = explorers_page
    root = explorer(page, "logits-explorer")
    root.locator(".widget-toggle-button", has_text="±1000").click()
    message = root.locator(".explorer-message")
    wait_until(lambda: "kept" in (message.text_content() or ""), 15, "the range message")
    readout = root.locator(".widget-hslider").first.locator(".widget-readout")
    handle = root.locator(".widget-hslider").first.locator(".noUi-handle")
    handle.focus()
    page.keyboard.press("End")
    wait_until(lambda: readout.text_content().strip() == "1000", 15, "End going to 1000")
    page.keyboard.press("ArrowLeft")
    wait_until(lambda: readout.text_content().strip() == "999", 15, "a step of 1")
    settled(page, root)  # the kernel has 999 too, before the click (which could overtake it)
    root.locator(".widget-toggle-button", has_text="±10").first.click()
    wait_until(lambda: "z₁ 999.0 → 10.0" in (message.text_content() or ""), 15, "a clip message")
    first = root.locator(".widget-hslider").first
    assert first.locator(".widget-readout").text_content() == "10.00"


def test_the_training_explorer_is_readable_and_live(browser, lab, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{base}/lab/tree/notebooks/08_training.ipynb?token={token}&reset")
        run_all_cells(page)
        page.keyboard.press("Control+b")  # a lecturer hides the file browser
        root = explorer(page, "training-explorer")
        assert_readable(root, "training explorer")
        handle = root.locator(".noUi-handle").first
        handle.focus()
        for _ in range(30):
            page.keyboard.press("ArrowRight")
        title = root.locator("text.view-title").first
        wait_until(lambda: "after 30 steps" in title.text_content(), 15, "the view following")
        root.screenshot(path=tmp_path / "training-explorer-1280x720.png")
    finally:
        page.close()
        shut_down_kernels(base, token)


# --- before Run All: what a student sees on opening a notebook it has not trusted --------------


def put_untrusted_copy(base: str, token: str, name: str) -> str:
    """Store a copy of notebook ``name`` through the contents API with one changed byte of
    metadata, so that no signature trusts it: JupyterLab then sanitizes its HTML outputs, as
    it does for a notebook freshly downloaded or cloned. Returns the copy's path."""
    import urllib.request

    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    nb["metadata"]["untrusted_copy"] = True
    path = f"notebooks/untrusted_{name}"
    body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
    request = urllib.request.Request(
        f"{base}/api/contents/{path}?token={token}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # fmt: skip
        assert response.status in (200, 201)
    return path


def test_before_run_all_explorers_show_pictures_and_boxes_say_what_they_are(browser, lab, tmp_path):
    """Opened, not run, not trusted: each explorer shows its picture (the sanitizer drops
    <svg>, so they are <img> with their numbers as alt text), never run-together text or a
    repr; each answer box says what it is and that it needs Run All."""
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        for name, pictures in (("06_explorers.ipynb", 6), ("08_training.ipynb", 2)):
            path = put_untrusted_copy(base, token, name)
            page.goto(f"{base}/lab/tree/{path}?token={token}&reset")
            page.wait_for_selector(".explorer-snapshot img", timeout=60_000)
            shown = page.locator(".explorer-snapshot img")
            wait_until(lambda n=pictures, s=shown: s.count() >= n, 30, f"{pictures} pictures")
            images = page.evaluate("""() => Array.from(
                document.querySelectorAll('.explorer-snapshot img'),
                i => [i.complete && i.naturalWidth > 0, i.alt])""")
            assert len(images) == pictures and all(ok for ok, _ in images), images
            assert all(re.search(r"\d\.\d", alt) for _, alt in images), images  # the numbers
            text = page.locator(".jp-Notebook").inner_text()
            assert "Explorer(children" not in text and "<svg" not in text
            page.locator(".explorer-snapshot").first.scroll_into_view_if_needed()
            page.screenshot(path=tmp_path / f"untrusted-{name}.png")
        page.goto(f"{base}/lab/tree/{put_untrusted_copy(base, token, '09_exercises.ipynb')}"
                  f"?token={token}&reset")  # fmt: skip
        page.wait_for_selector("text=[answer box for", timeout=60_000)
        text = page.locator(".jp-Notebook").inner_text()
        assert text.count("[answer box for") == 5 and "AnswerBox(" not in text
    finally:
        page.close()
        shut_down_kernels(base, token)


# --- answer boxes ----------------------------------------------------------------------------


def test_enter_in_an_answer_box_shows_the_verdict_for_the_typed_text(browser, lab, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{base}/lab/tree/notebooks/09_exercises.ipynb?token={token}&reset")
        run_all_cells(page)
        boxes = page.locator(".jupyter-widgets.answer-box")
        wait_until(lambda: boxes.count() == 5, 30, "five answer boxes")
        box = boxes.first
        box.scroll_into_view_if_needed()
        feedback = box.locator(".answer-feedback")
        for typed, verdict in (("h1*h2", "✘ for ‘h1*h2’"), ("-h1*h2", "✔ for ‘-h1*h2’"),
                               ("h2*h1", "✘ for ‘h2*h1’")):  # fmt: skip
            box.locator("input").fill(typed)
            box.locator("input").press("Enter")
            wait_until(lambda v=verdict: feedback.count() and v in feedback.text_content(), 20,
                       f"the verdict {verdict!r}")  # fmt: skip
        assert "e^{" not in feedback.text_content()  # the hint is typeset
        page.screenshot(path=tmp_path / "answer-box.png")
        inputs = [boxes.nth(i).locator("input").bounding_box() for i in range(5)]
        buttons = [boxes.nth(i).locator("button").bounding_box() for i in range(5)]
        assert len({(round(b["x"]), round(b["width"])) for b in inputs}) == 1, inputs
        assert len({(round(b["x"]), round(b["width"])) for b in buttons}) == 1, buttons
    finally:
        page.close()
        shut_down_kernels(base, token)


def test_the_homework_panel_with_an_id_wraps_between_words_and_checks_that_students_numbers(
    browser, lab, tmp_path
):
    """09 with a student's id typed in: the sheet of numbers wraps only between words (seen
    broken as "fi|gures" before), q1's box takes that student's answer, and the homework
    ladder stops after two rungs without the worked step."""
    import urllib.request

    from derivation.homework import variant
    from derivation.homework.answer_key import solution

    base, token = lab
    nb = json.loads((ROOT / "notebooks" / "09_exercises.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if 'student_id = ""' in "".join(c["source"])]
    assert len(cells) == 1
    cells[0]["source"] = "".join(cells[0]["source"]).replace(
        'student_id = ""', 'student_id = "s042"'
    )
    path = "notebooks/homework_09_s042.ipynb"
    body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
    headers = {"Content-Type": "application/json"}
    url = f"{base}/api/contents/{path}?token={token}"
    request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
    urllib.request.urlopen(request, timeout=30).close()
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{base}/lab/tree/{path}?token={token}&reset")
        run_all_cells(page)
        sheet = page.locator("pre", has_text="Student s042")
        wait_until(lambda: sheet.count() == 1, 30, "the sheet of s042's numbers")
        sheet.scroll_into_view_if_needed()
        breaks = sheet.evaluate("""pre => {
            const text = pre.firstChild.textContent, node = pre.firstChild, range = new Range();
            const found = []; let top = null;
            for (let i = 0; i < text.length; i++) {
                if (text[i] === '\\n') { top = null; continue; }
                range.setStart(node, i); range.setEnd(node, i + 1);
                const t = range.getClientRects()[0]?.top;
                if (top !== null && t > top + 2) found.push(text.slice(Math.max(0, i - 6), i + 6));
                if (t !== undefined) top = t;
            }
            return {found, overflow: pre.scrollWidth > pre.clientWidth + 1};
        }""")
        assert breaks["found"], "the sheet should need wrapping at this width"
        inside = [b for b in breaks["found"] if not re.search(r"\s", b[5:7])]
        assert not inside and not breaks["overflow"], breaks
        page.screenshot(path=tmp_path / "homework-panel.png")
        panel = page.locator(".jp-Cell", has_text='student_id = "s042"')
        box = panel.locator(".jupyter-widgets.answer-box").first
        box.scroll_into_view_if_needed()
        right = solution(variant("s042"), "q1")
        box.locator("input").fill(right)
        box.locator("input").press("Enter")
        feedback = box.locator(".answer-feedback")
        wait_until(lambda: feedback.count() and "✔" in feedback.text_content(), 30, "✔ for q1")
        ladder = panel.locator(".hint-ladder").first
        for _ in range(2):
            ladder.locator("button").click()
            page.wait_for_timeout(300)
        button = ladder.locator("button")
        wait_until(lambda: button.is_disabled(), 30, "the ladder ending after two rungs")
        assert "no worked step here" in button.text_content()
        assert ladder.locator("li[data-rung]").count() == 2
        assert "Worked step" not in ladder.inner_text()
        page.screenshot(path=tmp_path / "homework-ladder.png")
    finally:
        page.close()
        shut_down_kernels(base, token)


# --- RISE slides -----------------------------------------------------------------------------

#: the RISE app of jupyterlab-rise 0.43.1 cannot load the ipywidgets 8 manager (this message in
#: its console); explorers then show their static picture, and live sliders cannot be tested
RISE_WIDGETS_BROKEN = "Shared module @jupyterlab/console doesn't exist"


def present_slide(page) -> dict:
    return page.evaluate(
        """() => {
            const s = [...document.querySelectorAll('.reveal .slides section.present')]
                .filter(e => !e.classList.contains('stack')).pop();
            if (!s) return null;
            const p = s.querySelector('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li');
            return {height: s.scrollHeight, text: (s.textContent || '').trim().slice(0, 60),
                    font: p ? parseFloat(getComputedStyle(p).fontSize) : null,
                    explorer: !!s.querySelector('.explorer-snapshot, .jupyter-widgets.projector')};
        }"""
    )


@pytest.mark.parametrize("notebook", ["06_explorers.ipynb", "02_derivation_parts_I_to_III.ipynb"])
def test_rise_slides_show_the_explorers_and_fit_the_screen(browser, lab, notebook, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    rise = browser.new_page(viewport={"width": 1280, "height": 720})
    console: list[str] = []
    rise.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"{base}/lab/tree/notebooks/{notebook}?token={token}&reset")
        run_all_cells(page)
        page.keyboard.press("Control+s")
        page.wait_for_timeout(1500)
        rise.goto(f"{base}/rise/notebooks/{notebook}?token={token}")
        rise.wait_for_selector(".reveal .slides section", state="attached", timeout=60_000)
        rise.wait_for_timeout(3000)
        explorers = sum("_explorer(" in "".join(c["source"]) for c in json.loads(
            (ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code")  # fmt: skip
        live = rise.locator(".jupyter-widgets.projector").count()
        pictures = rise.locator(".explorer-snapshot img").count()
        assert rise.locator("text=Explorer(children").count() == 0, "an explorer as its text repr"
        assert live + pictures // 3 >= explorers, f"{explorers} explorers, {live} live, pictures"
        tall, small, seen = [], [], []
        for _ in range(len(rise.locator(".reveal .slides section").all()) + 1):
            slide = present_slide(rise)
            if slide and slide["text"] not in seen:
                seen.append(slide["text"])
                if slide["explorer"]:
                    rise.screenshot(path=tmp_path / f"rise-explorer-{len(seen)}.png")
                if slide["height"] > 720:
                    tall.append(f"{slide['height']} px: {slide['text']!r}")
                    rise.screenshot(path=tmp_path / f"tall-slide-{len(tall)}.png")
                if slide["font"] is not None and slide["font"] < 22:
                    small.append(f"{slide['font']} px: {slide['text']!r}")
            rise.keyboard.press("Space")
            rise.wait_for_timeout(400)
        rise.screenshot(path=tmp_path / f"{notebook}-rise-last.png")
        assert not small, f"slide text smaller than 22 px: {small}"
        assert not tall, f"slides taller than a 1280 x 720 screen: {tall}"
        if live < explorers and any(RISE_WIDGETS_BROKEN in line for line in console):
            pytest.xfail(
                "jupyterlab-rise 0.43.1 cannot load the ipywidgets 8 manager "
                f"({RISE_WIDGETS_BROKEN}): the explorers show their picture, not sliders"
            )
        assert live >= explorers, f"{explorers} explorers, {live} live widget views"
    finally:
        rise.close()
        page.close()
        shut_down_kernels(base, token)


# --- live explorers on slides: Voilà's reveal template ------------------------------------------

#: the template a lecturer presents with (jupyter-config/share/jupyter/voila/templates/reveal-hall,
#: copied into .venv by scripts/setup.sh): Voilà's reveal slides with reveal.js's layout served
#: locally, RISE's text sizes and a 1280 x 720 slide.  The test takes it from the repository
#: (JUPYTER_PATH comes first), so that it checks the committed template, not an older copy.
REVEAL_TEMPLATE = "reveal-hall"
JUPYTER_DATA = ROOT / "jupyter-config" / "share" / "jupyter"


def reveal_slide(page) -> dict:
    """The slide on screen: its place among all sections, height, text size, live widgets."""
    return page.evaluate(
        """() => {
            const all = [...document.querySelectorAll('.reveal .slides section')];
            const s = all.filter(e => e.classList.contains('present')
                                      && !e.classList.contains('stack')).pop();
            if (!s) return null;
            const p = s.querySelector('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li');
            return {index: all.indexOf(s), height: s.scrollHeight,
                    text: (s.innerText || '').trim().slice(0, 60),
                    font: p ? parseFloat(getComputedStyle(p).fontSize) : null,
                    live: s.querySelectorAll('.jupyter-widgets.projector .widget-hslider').length,
                    probabilities: s.querySelectorAll('text.p-value').length};
        }"""
    )


def assert_readable_unscaled(page, root, what: str) -> None:
    """``assert_readable`` on a slide: reveal.js scales the slide to the screen and the
    template zooms the explorer, while the clipping check compares a laid-out width with a
    drawn one; both are undone for the check (at the explorer's width on the slide)."""
    undo = """(root) => {
        const slides = document.querySelector('.reveal .slides'), saved = slides.style.transform;
        const width = root.offsetWidth;  // in the explorer's own pixels
        root.dataset.zoom = getComputedStyle(root).zoom;
        slides.style.transform = 'none';
        root.style.zoom = '1';
        root.style.width = `${width}px`;
        return saved;
    }"""
    saved = root.first.evaluate(undo)
    try:
        page.wait_for_timeout(200)
        assert_readable(root.first, what)
    finally:
        restore = """(root, saved) => {
            document.querySelector('.reveal .slides').style.transform = saved;
            root.style.zoom = '';
            root.style.width = '';
            delete root.dataset.zoom;
        }"""
        root.first.evaluate(restore, saved)


def test_voila_reveal_slides_show_live_explorers_and_fit_the_screen(
    browser, tmp_path, tmp_path_factory
):
    """The lecturer's live slides: ``voila notebooks/06_explorers.ipynb --template=reveal-hall``
    shows each explorer as sliders and views on its own slide, the numbers follow a slider moved
    by keyboard (and the slides stay put), and no slide is taller than the 1280 x 720 screen."""
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/?token={token}"
    notebook = copy_of_notebooks(tmp_path_factory) / "notebooks" / "06_explorers.ipynb"
    command = [
        "env", f"JUPYTER_PATH={JUPYTER_DATA}",  # env execs Voilà: the PID stays Voilà's
        str(BIN / "voila"), str(notebook), f"--template={REVEAL_TEMPLATE}", "--no-browser",
        f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", f"--token={token}",
    ]  # fmt: skip
    explorers = sum("_explorer(" in "".join(c["source"]) for c in json.loads(
        notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code")  # fmt: skip
    with running(command, url, tmp_path / "voila.log"):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(url)
            page.wait_for_selector("text.p-value", state="attached", timeout=120_000)
            page.wait_for_selector(".reveal .slides section.present", timeout=30_000)
            assert page.locator("mjx-container").count() > 0, "no equation typeset"
            present = page.locator(".reveal .slides section.present:not(.stack)")
            seen, live, tall, small = set(), 0, [], []
            for _ in range(page.locator(".reveal .slides section").count()):
                slide = reveal_slide(page)
                if slide is None or slide["index"] in seen:
                    break  # the last slide
                seen.add(slide["index"])
                if slide["height"] > 720:
                    tall.append(f"{slide['height']} px: {slide['text']!r}")
                    page.screenshot(path=tmp_path / f"tall-slide-{slide['index']}.png")
                if slide["font"] is not None and slide["font"] < 22:
                    small.append(f"{slide['font']} px: {slide['text']!r}")
                if slide["live"]:
                    live += 1
                    page.wait_for_timeout(300)
                    page.screenshot(path=tmp_path / f"reveal-explorer-{slide['index']}.png")
                    assert_readable_unscaled(page, present.locator(".jupyter-widgets.projector"),
                                             f"the explorer on slide {slide['index']}")  # fmt: skip
                if slide["probabilities"]:  # the logits explorer: move z₁, read h
                    start = [f"{v:.4f}" for v in numeric.softmax([2, 1, 0.1])]
                    assert shown_probabilities(present) == start
                    logits = move_first_logit(page, present)
                    assert logits[0] == pytest.approx(2.5)  # five keyboard steps of 0.1
                    assert_shows_softmax_of(present, logits)
                    assert reveal_slide(page)["index"] == slide["index"], "the keys moved on"
                    page.screenshot(path=tmp_path / "reveal-logits-explorer-moved.png")
                    page.keyboard.press("Escape")  # leave the explorer: keys move the slides
                page.keyboard.press("Space")
                page.wait_for_timeout(300)
            assert len(seen) > 10, f"only {len(seen)} slides shown"
            assert live >= explorers, f"{explorers} explorers, {live} slides with live ones"
            assert not tall, f"slides taller than a 1280 x 720 screen: {tall}"
            assert not small, f"slide text smaller than 22 px: {small}"
            assert not errors, f"errors in the page: {errors}"
        finally:
            page.close()
