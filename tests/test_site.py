"""The offline site: built by scripts/build_site.py, opened from disk with the network blocked.

Every page must render its equations and make no request that leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from servers import ROOT
from test_browser import browser  # noqa: F401  (the fixture)

#: the pages of a default build: every notebook but the solutions (only with --with-solutions)
PAGES = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb") if "_solutions" not in p.stem)
SOLUTIONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*_solutions.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if shutil.which("npm") is None:
        message = "npm is needed to fetch MathJax, reveal.js and the widget renderer"
        if os.environ.get("CI"):
            pytest.fail(message + " (on CI it must be installed)")
        pytest.skip(message)
    output = tmp_path_factory.mktemp("site")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--output", str(output)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return output


@pytest.fixture
def offline_page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, offline=True)
    leaving: list[str] = []

    def guard(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            leaving.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page, leaving, errors
    context.close()


def rendered_equations(page) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        count = page.locator(".MathJax_CHTML").count()
        if count and page.locator(".MathJax_Processing, #MathJax_Message:visible").count() == 0:
            return count
        time.sleep(0.3)
    return page.locator(".MathJax_CHTML").count()


#: text that shows LaTeX instead of an equation: a TeX command in prose or an output (code
#: may spell LaTeX in a string, as 02 does to display an equation; MathJax keeps its source in
#: <script> tags)
RAW_LATEX = r"""() => {
    const raw = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!/\\(frac|partial|Theta|sum)(?![a-zA-Z])/.test(n.textContent)) continue;
        if (n.parentElement.closest('script, .jp-InputArea, .MathJax_Preview')) continue;
        raw.push(n.textContent.trim().slice(0, 60));
    }
    return raw;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_offline(site, offline_page, name, tmp_path):
    page, leaving, errors = offline_page
    page.goto((site / f"{name}.html").as_uri())
    assert rendered_equations(page) > 0, "no equation rendered"
    raw = page.evaluate(RAW_LATEX)
    assert raw == [], f"raw LaTeX left on the page: {raw}"
    page.screenshot(path=tmp_path / f"{name}.png")
    assert leaving == [], f"requests that would leave the machine: {leaving}"
    assert errors == []


def test_links_lead_from_the_index_to_the_notebooks(site, offline_page):
    page, leaving, _ = offline_page
    page.goto((site / "index.html").as_uri())
    page.locator("a[href='01_the_three_class_model.html']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("01_the_three_class_model.html")
    assert page.locator("h1", has_text="01 · The three-class model").count() == 1
    assert leaving == []


def test_the_solutions_are_left_out_and_no_link_to_them_is_dead(site):
    """A default build is for students: no solutions page, and where a notebook links to the
    solutions (00 and 09 do), its page says in plain text that they are not in this build."""
    assert SOLUTIONS and not [stem for stem in SOLUTIONS if (site / f"{stem}.html").exists()]
    pages = {p.stem: p.read_text(encoding="utf-8") for p in site.glob("*.html")}
    linking = [name for name, html in pages.items()
               for stem in SOLUTIONS if f'href="{stem}' in html]  # fmt: skip
    assert linking == []
    sources = {name: (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
               for name in PAGES}  # fmt: skip
    citing = [name for name, text in sources.items()
              if any(f"]({stem}.ipynb" in text for stem in SOLUTIONS)]  # fmt: skip
    assert "00_index" in citing
    for name in citing:
        assert '<span class="left-out">' in pages[name], name
        assert "not in this build: ask your instructor" in pages[name], name


def test_widgets_are_drawn_from_their_saved_state(site, offline_page):
    page, leaving, errors = offline_page
    page.goto((site / "06_explorers.html").as_uri())
    page.wait_for_selector(".widget-hslider", timeout=30_000)
    shown = [t.strip() for t in page.locator("text.p-value").all_text_contents()[:3]]
    assert shown == ["0.6590", "0.2424", "0.0986"]  # softmax(2, 1, 0.1), as saved
    assert leaving == [] and errors == []


def test_pages_with_widgets_say_that_sliders_need_a_live_kernel(site, offline_page):
    page, leaving, errors = offline_page
    for name in PAGES:
        page.goto((site / f"{name}.html").as_uri())
        note = page.locator(".live-kernel-note")
        widgets = '"application/vnd.jupyter.widget-view+json"' in (
            ROOT / "notebooks" / f"{name}.ipynb"
        ).read_text(encoding="utf-8")
        assert note.count() == int(widgets), name
        if widgets:
            assert note.is_visible() and "need a live kernel" in note.text_content(), name
    assert leaving == [] and errors == []


@pytest.mark.parametrize("name", ["02_derivation_parts_I_to_III", "06_explorers"])
def test_slides_work_offline(site, offline_page, name, tmp_path):
    page, leaving, errors = offline_page
    page.goto((site / f"{name}.slides.html").as_uri())
    page.wait_for_selector(".reveal .slides section", state="attached", timeout=30_000)
    assert page.locator(".reveal .slides section").count() > 5
    assert rendered_equations(page) > 0
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(1200)  # let the slide transition finish before the screenshot
    page.screenshot(path=tmp_path / f"{name}.slides.png")
    assert leaving == [] and errors == []


def test_a_rebuild_into_its_own_folder_keeps_what_a_user_added(site):
    """build_site.py overwrites only the files on its .softmax-site list and deletes nothing."""
    (site / "vendor" / "my-notes.txt").write_text("kept in vendor/")
    (site / "notes.md").write_text("kept beside the pages")
    (site / "index.html").write_text("spoilt: build_site.py wrote this file, so it restores it")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--output", str(site)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert (site / "vendor" / "my-notes.txt").read_text() == "kept in vendor/"
    assert (site / "notes.md").read_text() == "kept beside the pages"
    assert (site / "index.html").read_bytes() == (site / "00_index.html").read_bytes()
    listed = set((site / ".softmax-site").read_text().splitlines()[1:])
    on_disk = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    assert on_disk - listed == {".softmax-site", "vendor/my-notes.txt", "notes.md"}
