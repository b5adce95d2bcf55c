"""Explorers a screen reader can use: notebook 06 in JupyterLab and on Voilà's reveal slides.

Checked in Chromium, as a screen reader would meet the explorers: every slider handle
(``role="slider"``) has an accessible name that starts with its visible label (z₁, T, Θ₁₀, ...)
and an ``aria-valuetext`` that is the value its readout shows (T's included: ipywidgets gives it
its log10), also after a keyboard move, a change of K and a range switch (which rebuild the
sliders); every view (``svg role="img"``) has an ``aria-label`` that starts with its title and a
visually hidden table with the numbers it shows, which follows the view; and axe-core, injected
into the page, reports no serious or critical violation inside the explorers.  What axe reports
for the rest of the page (JupyterLab's own chrome) is written to ``axe-page.json`` in the test's
folder and attached to the report (``record_property``), not counted as a failure.

axe-core comes from npm, pinned, installed once into ``.cache/axe`` (as ``scripts/build_site.py``
installs its vendor packages); without npm the tests are skipped, except on CI (``CI`` set),
where they fail, like the other browser tests without Chromium.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import test_browser as tb
from servers import ROOT, free_port, running

pytestmark = pytest.mark.slow

#: the pinned axe-core, and where npm installs it (once; later runs reuse it)
AXE_VERSION = "4.14.1"
AXE_CACHE = ROOT / ".cache" / "axe"
#: axe's impacts that fail a test
BLOCKING = ("serious", "critical")
EXPLORERS = {"logits-explorer": 4, "article-explorer": 7}  # slider handles at the start

browser = tb.browser  # the module-scoped Chromium and JupyterLab of test_browser.py
lab = tb.lab


def unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message + ": on CI the accessibility tests must run")
    pytest.skip(message)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """``axe.min.js`` of the pinned axe-core (npm-installed into ``.cache/axe`` on first use)."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    package = script.parent / "package.json"
    try:
        installed = json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        installed = None
    if installed == AXE_VERSION and script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None:
        unavailable(f"npm is not installed (it installs axe-core {AXE_VERSION} once, into "
                    ".cache/axe): install node and npm")  # fmt: skip
    command = [npm, "install", "--prefix", str(AXE_CACHE), "--no-audit", "--no-fund",
               "--loglevel=error", f"axe-core@{AXE_VERSION}"]  # fmt: skip
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        unavailable(f"npm install axe-core@{AXE_VERSION} did not finish in 600 s")
    if run.returncode != 0 or not script.is_file():
        last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        unavailable(f"npm install axe-core@{AXE_VERSION} failed (exit {run.returncode}): {last[0]}")
    return script


#: axe's violations, as short records, for one element (or the whole document)
AXE_RUN = """async (element) => {
    const result = await axe.run(element || document, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)}))}));
}"""


def axe_violations(page, axe: Path, element=None) -> list[dict]:
    """axe-core's violations inside ``element`` (a locator) or, with None, in the whole page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe))
    if element is None:
        return page.evaluate(AXE_RUN)
    return element.evaluate(AXE_RUN)


def blocking(violations: list[dict]) -> list[str]:
    return [f"{v['impact']} {v['id']} ({v['help']}): {[n['html'] for n in v['nodes']]}"
            for v in violations if v["impact"] in BLOCKING]  # fmt: skip


#: every slider handle in an explorer: its visible label, readout and ARIA name and value text
SLIDERS = """(root) => [...root.querySelectorAll('.widget-slider')].map(s => {
    const handle = s.querySelector('[role=slider]');
    return {label: (s.querySelector('.widget-label') || {}).textContent || '',
            readout: ((s.querySelector('.widget-readout') || {}).textContent || '').trim(),
            name: handle && handle.getAttribute('aria-label'),
            text: handle && handle.getAttribute('aria-valuetext')};
})"""

#: every view: its title, accessible name, the numbers it draws, and its hidden table
VIEWS = """(root) => [...root.querySelectorAll('svg[role=img]')].map(svg => {
    const title = svg.querySelector('.view-title');
    const table = svg.nextElementSibling;
    const box = table ? table.getBoundingClientRect() : null;
    return {title: title ? title.textContent : '', name: svg.getAttribute('aria-label') || '',
            drawn: [...svg.querySelectorAll('text.value-label')].map(t => t.textContent.trim()),
            table: table && table.matches('.sr-only')
                ? [...table.querySelectorAll('td')].map(td => td.textContent.trim())
                    .filter(t => t) : null,
            caption: table ? (table.querySelector('caption') || {}).textContent || '' : '',
            size: box ? [box.width, box.height] : null};
})"""


def named(slider: dict) -> bool:
    """A name that starts with the visible label; a value text that is the shown value."""
    name, shown = slider["name"], slider["readout"]
    return bool(name and name.startswith(slider["label"]) and shown and slider["text"] == shown)


def assert_sliders_named(root, what: str, count: int | None = None) -> list[dict]:
    """Each slider: a name that starts with its label, a value text equal to its readout."""
    sliders = root.evaluate(SLIDERS)
    if count is not None:
        assert len(sliders) == count, f"{what}: {len(sliders)} sliders, expected {count}"
    problems = [s for s in sliders if not named(s)]
    assert not problems, f"{what}: sliders without a name or with a wrong value text: {problems}"
    return sliders


def sliders_follow(root, what: str, count: int | None = None) -> list[dict]:
    """``assert_sliders_named`` once the page has caught up (a few seconds at most)."""
    last: list[AssertionError] = []

    def all_named() -> bool:
        try:
            assert_sliders_named(root, what, count)
        except AssertionError as err:
            last[:] = [err]
            return False
        return True

    try:
        # generous: a wait for a condition, not a speed requirement (a loaded 2-core machine
        # takes seconds to rebuild six sliders)
        tb.wait_until(all_named, 60, f"{what}: every slider named with its shown value")
    except AssertionError:
        raise last[0] from None
    return root.evaluate(SLIDERS)


def assert_views_described(root, what: str) -> list[dict]:
    """Each view: a name that starts with its title; a hidden table with the numbers it draws."""
    views = root.evaluate(VIEWS)
    assert views, f"{what}: no view"
    for view in views:
        title = view["title"].split("   ")[0]  # the heatmap's title may carry its scale
        assert view["name"].startswith(title) and len(view["name"]) > len(title), view
        assert view["table"] is not None, f"{what}: {title!r} has no hidden table after it"
        assert view["caption"].startswith(title), view
        assert view["drawn"] and all(number in view["table"] for number in view["drawn"]), view
        # 1 px, drawn up to 2 px where the slides scale and zoom the explorer
        assert max(view["size"]) <= 2, f"the table of {title!r} shows: {view['size']} px"
    return views


# --- notebook 06 in JupyterLab ---------------------------------------------------------------


@pytest.fixture(scope="module")
def page06(browser, lab):
    """Notebook 06 after Run All, at a projector's 1280 x 720."""
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{base}/lab/tree/notebooks/06_explorers.ipynb?token={token}&reset")
    tb.run_all_cells(page)
    yield page
    page.close()
    tb.shut_down_kernels(base, token)


def reset(root) -> None:
    """Press Reset once the kernel has every slider move (a pending one could land after it)."""
    tb.settled(root.page, root)
    root.locator("button", has_text="Reset").click()


@pytest.mark.parametrize("css", list(EXPLORERS))
def test_every_slider_has_a_name_and_says_the_value_it_shows(page06, css):
    root = tb.explorer(page06, css)
    sliders = sliders_follow(root, css, EXPLORERS[css])
    names = [s["name"] for s in sliders]
    assert len(set(names)) == len(names), f"two sliders share a name: {names}"
    # the accessibility tree a screen reader gets: each slider by its name and shown value
    tree = root.aria_snapshot()
    for s in sliders:
        assert f'slider "{s["name"]}"' in tree, f"{s['name']!r} not in the tree:\n{tree}"
    handle = root.locator("[role=slider]").last  # T, or x₁: moved by keyboard
    handle.focus()
    before = sliders[-1]["readout"]
    for _ in range(5):
        page06.keyboard.press("ArrowRight")
    moved = sliders_follow(root, f"{css} after a keyboard move")
    assert moved[-1]["readout"] != before, "the keyboard did not move the slider"
    reset(root)
    sliders_follow(root, f"{css} after Reset")


def test_the_temperature_says_the_temperature_not_its_logarithm(page06):
    root = tb.explorer(page06, "logits-explorer")
    temperature = root.locator(".widget-slider").filter(has=page06.locator(
        ".widget-label", has_text=re.compile("^T$"))).first  # fmt: skip
    handle = temperature.locator("[role=slider]")
    handle.focus()
    for _ in range(5):  # five steps of 0.01 in log10(T)
        page06.keyboard.press("ArrowRight")
    expected = f"{10**0.05:.2f}"
    tb.wait_until(lambda: handle.get_attribute("aria-valuetext") == expected, 60,
                  f"T's aria-valuetext saying {expected}")  # fmt: skip
    assert temperature.locator(".widget-readout").text_content().strip() == expected
    reset(root)
    tb.wait_until(lambda: handle.get_attribute("aria-valuetext") == "1.00", 60, "T back at 1.00")


def test_rebuilt_sliders_are_named_too(page06):
    """Changing K and the range rebuilds the logit sliders: the new handles get names too."""
    root = tb.explorer(page06, "logits-explorer")
    try:
        root.locator("select").first.select_option("6")
        sliders = sliders_follow(root, "logits explorer, K = 6", 7)
        assert [s["label"] for s in sliders[:6]] == [f"z{'₁₂₃₄₅₆'[k]}" for k in range(6)]
        root.locator(".widget-toggle-button", has_text="±1000").click()
        first = root.locator(".widget-readout").first  # the old sliders are named too: wait
        tb.wait_until(lambda: first.text_content().strip() == "2", 60, "sliders rebuilt, ±1000")
        sliders = sliders_follow(root, "logits explorer, ±1000", 7)
        assert sliders[0]["text"] == sliders[0]["readout"] == "2"  # whole steps: no decimals
    finally:
        reset(root)
    sliders_follow(root, "logits explorer after Reset", EXPLORERS["logits-explorer"])


@pytest.mark.parametrize("css", list(EXPLORERS))
def test_every_view_has_a_hidden_table_that_follows_it(page06, css, tmp_path):
    root = tb.explorer(page06, css)
    before = assert_views_described(root, css)
    root.locator("[role=slider]").first.focus()
    for _ in range(5):
        page06.keyboard.press("ArrowRight")

    def redrawn() -> bool:
        return root.evaluate(VIEWS)[0]["drawn"] != before[0]["drawn"]

    tb.wait_until(redrawn, 60, f"{css}: the first view redrawn")
    after = assert_views_described(root, f"{css} after a move")
    assert after[0]["table"] != before[0]["table"], "the hidden table did not follow the view"
    root.screenshot(path=tmp_path / f"{css}-moved.png")  # the tables must not show
    reset(root)


@pytest.mark.parametrize("css", list(EXPLORERS))
def test_axe_finds_nothing_serious_in_the_explorers_in_jupyterlab(
    page06, axe_script, css, tmp_path, record_property
):
    root = tb.explorer(page06, css)
    handles = root.locator("[role=slider]")
    tb.wait_until(lambda: handles.count() == EXPLORERS[css], 20, f"the {css}'s sliders")
    found = axe_violations(page06, axe_script, root)
    assert not blocking(found), f"axe on the {css} in JupyterLab: {blocking(found)}"
    if css == "logits-explorer":  # and with six classes, the most sliders and the largest views
        try:
            root.locator("select").first.select_option("6")
            tb.wait_until(lambda: handles.count() == 7, 20, "six logit sliders and T")
            six = axe_violations(page06, axe_script, root)
            assert not blocking(six), f"axe on the logits explorer, K = 6: {blocking(six)}"
        finally:
            reset(root)
    # JupyterLab's own chrome, reported beside the test, not judged
    page = [v for v in axe_violations(page06, axe_script) if not any(
        n["target"].find("explorer") >= 0 for n in v["nodes"])]  # fmt: skip
    (tmp_path / "axe-page.json").write_text(json.dumps(page, indent=1, ensure_ascii=False))
    record_property("axe_jupyterlab_page", [f"{v['impact']} {v['id']} x{len(v['nodes'])}"
                                            for v in page])  # fmt: skip


# --- notebook 06 as Voilà reveal slides ------------------------------------------------------


def test_the_voila_reveal_slides_explorers_pass_axe_and_name_their_sliders(
    browser, axe_script, tmp_path, tmp_path_factory, record_property
):
    """``voila notebooks/06_explorers.ipynb --template=reveal-hall``: on each explorer's slide,
    its sliders are named with their shown values, its views have their tables, and axe finds
    nothing serious in it; a keyboard move on the slide updates the value text."""
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/?token={token}"
    notebook = tb.copy_of_notebooks(tmp_path_factory) / "notebooks" / "06_explorers.ipynb"
    command = [
        "env", f"JUPYTER_PATH={tb.JUPYTER_DATA}",  # env execs Voilà: the PID stays Voilà's
        str(tb.BIN / "voila"), str(notebook), f"--template={tb.REVEAL_TEMPLATE}",
        "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
        f"--token={token}",
    ]  # fmt: skip
    with running(command, url, tmp_path / "voila.log"):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            page.goto(url)
            page.wait_for_selector("text.p-value", state="attached", timeout=120_000)
            page.wait_for_selector(".reveal .slides section.present", timeout=30_000)
            present = page.locator(".reveal .slides section.present:not(.stack)")
            checked, seen = [], set()
            for _ in range(page.locator(".reveal .slides section").count()):
                slide = tb.reveal_slide(page)
                if slide is None or slide["index"] in seen:
                    break  # the last slide
                seen.add(slide["index"])
                for css, count in EXPLORERS.items():
                    root = present.locator(f".jupyter-widgets.{css}")
                    if root.count() == 0:
                        continue
                    page.wait_for_timeout(300)
                    sliders_follow(root.first, f"{css} on the slides", count)
                    assert_views_described(root.first, f"{css} on the slides")
                    found = axe_violations(page, axe_script, root.first)
                    assert not blocking(found), f"axe on the {css} slide: {blocking(found)}"
                    handle = root.first.locator("[role=slider]").first
                    handle.focus()
                    page.keyboard.press("ArrowRight")
                    sliders_follow(root.first, f"{css} on the slides after a keyboard move")
                    page.screenshot(path=tmp_path / f"reveal-{css}.png")
                    page.keyboard.press("ArrowLeft")
                    page.keyboard.press("Escape")  # give the keys back to the slides
                    checked.append(css)
                page.keyboard.press("Space")
                page.wait_for_timeout(300)
            assert sorted(checked) == sorted(EXPLORERS), f"explorers checked on slides: {checked}"
            outside = [v for v in axe_violations(page, axe_script) if not any(
                "explorer" in n["target"] for n in v["nodes"])]  # fmt: skip
            (tmp_path / "axe-page.json").write_text(json.dumps(outside, indent=1))
            record_property("axe_voila_page", [f"{v['impact']} {v['id']} x{len(v['nodes'])}"
                                               for v in outside])  # fmt: skip
        finally:
            page.close()
