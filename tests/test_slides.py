"""Slides a hall can follow: notebooks 02 and 06 as live Voilà slides (reveal-hall) and as the
offline site's reveal.js decks, in Chromium at a projector's 1280 × 720.

Checked: → alone visits every slide, explorers included (slides reached by → against all
slides); no text on a slide smaller than 24 px times the slide's scale (the rendered size,
measured with getBoundingClientRect and the computed font size, through reveal.js's scale
and the template's zoom; an equation by its base size, as MathJax sets it); no slide taller than
720 px; SymPy's verdicts as one readable line, never a tuple; on the site, the live-kernel note
covers no heading and a saved slider that needs a kernel is switched off (dragging it or pressing
keys on it changes nothing).  Also :class:`derivation.symbolic.claims.Verdict` itself.
"""

from __future__ import annotations

import importlib.util
import json
import re
import secrets

import pytest
import sympy as sp
from servers import ROOT, free_port, running
from test_browser import (  # noqa: F401  (browser is a fixture)
    BIN,
    JUPYTER_DATA,
    REVEAL_TEMPLATE,
    browser,
    copy_of_notebooks,
)
from test_site import offline_page, site  # noqa: F401  (the fixtures)

from derivation.symbolic import step
from derivation.symbolic.claims import Verdict

HALL_PX = 24  # the smallest text a back row reads on a 1280 x 720 projector
SLIDES = ["02_derivation_parts_I_to_III", "06_explorers"]

# --- the verdict display ----------------------------------------------------------------------


def test_a_verdict_is_one_line_without_a_tuple():
    assert repr(step(7).verdict()) == "✔ (7) proven"
    assert repr(step(11).verdict()) == "✔ (11) proven: all 4 equals signs"
    refused = step(21).verdict(one_hot=False)
    without = "(without y₁ + y₂ + y₃ = 1)"
    assert repr(refused) == f"✘ (21): equals sign 3 of 3 not proven {without}"
    assert not refused and step(21).verdict()
    assert step(21).check(one_hot=False) == (True, True, False)  # check() keeps its tuple


def test_a_verdict_names_every_equals_sign_that_failed():
    assert Verdict("(5)", (False, True, False)).line() == (
        "✘ (5): equals signs 1 and 3 of 3 not proven"
    )
    assert Verdict("(5)", (False,)).line() == "✘ (5) not proven"
    line = Verdict("(5)", (False, False, False, True)).line()
    assert line.endswith("signs 1, 2 and 3 of 4 not proven")


def test_a_verdict_on_several_steps_counts_steps():
    assert Verdict("the Θ₁₁ steps", (True,) * 8, unit="step").line() == (
        "✔ the Θ₁₁ steps proven: all 8 steps"
    )
    assert Verdict("the steps", (True, False, False), unit="step").line() == (
        "✘ the steps: steps 2 and 3 of 3 not proven"
    )
    line = Verdict("the steps", (False, True), unit="step").line()
    assert line.endswith(": step 1 of 2 not proven")
    assert Verdict("(12)", (True, True)).line() == "✔ (12) proven: both equals signs"
    with pytest.raises(ValueError, match="unit"):
        Verdict("(1)", (True,), unit=" ")


def test_a_verdict_follows_the_proof_of_a_changed_step():
    from dataclasses import replace

    wrong = replace(step(10), chain=(sp.Integer(42),))
    assert repr(wrong.verdict()) == "✘ (10) not proven"
    x0 = step(23).where[0][0]
    assert not replace(step(23), where=((x0, sp.Integer(0)),)).verdict()


def test_a_verdict_shows_as_large_text_in_jupyter():
    shown = Verdict("<b>(1)</b>", (True,))._repr_html_()
    assert "✔ &lt;b&gt;(1)&lt;/b&gt; proven" in shown and "<b>" not in shown
    assert 'class="verdict"' in shown and "font-size: 1.5em" in shown


@pytest.mark.parametrize("bad", [(), (1, 0), ("True",), None])
def test_a_verdict_refuses_anything_but_bools(bad):
    with pytest.raises(ValueError, match="one bool per equals sign"):
        Verdict("(1)", bad)


#: what a slide must not show as an output: a bare bool, a lone number, a Python list, tuple or
#: array, or a sentence ending in a bool ("8 steps, all proven: True")
BARE = re.compile(
    r"(True|False|-?\d+(\.\d+)?|[(\[].*[)\]]|array\(.*\))|.*[:=]\s*(True|False)", re.S
)


@pytest.mark.parametrize("name", SLIDES)
def test_no_slide_shows_a_bare_bool_number_or_list(name):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    bare = []
    shown = [
        c
        for c in nb["cells"]
        if c.get("metadata", {}).get("slideshow", {}).get("slide_type") not in ("skip", "notes")
    ]
    for cell in shown:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if out["output_type"] == "stream":
                text = "".join(out["text"])
            elif set(data) <= {"text/plain"}:  # shown as plain text: nothing richer to show
                text = "".join(data.get("text/plain", ""))
            else:
                continue
            bare += [line for line in text.strip().splitlines() if BARE.fullmatch(line.strip())]
    assert not bare, f"outputs a hall cannot read: {bare}"


# --- the site's build: widgets switched off, the note in the first slide's flow -------------


def load_build_site():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_switches_off_every_saved_widget_that_can_be():
    build_site = load_build_site()
    nb = json.loads((ROOT / "notebooks" / "08_training.ipynb").read_text(encoding="utf-8"))
    models = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    switches = [m["state"]["disabled"] for m in models.values() if "disabled" in m["state"]]
    assert switches and not all(switches), "08 saves widgets that are switched on"
    frozen = build_site.freeze_widgets(nb)
    saved = frozen["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert all(m["state"]["disabled"] for m in saved.values() if "disabled" in m["state"])
    assert {k: m["state"].get("value") for k, m in saved.items()} == {
        k: m["state"].get("value") for k, m in models.items()
    }, "values kept"
    after = [m["state"]["disabled"] for m in models.values() if "disabled" in m["state"]]
    assert after == switches, "the notebook itself is unchanged"


def test_the_note_on_slides_is_in_the_first_slide_not_over_it():
    build_site = load_build_site()
    deck = '<body><div class="reveal"><div class="slides"><section>\n<section><h1>T</h1>'
    shown = build_site.add_live_kernel_note(deck, slides=True)
    assert shown.index("live-kernel-note") > shown.index("<section>\n<section>")
    assert shown.index("live-kernel-note") < shown.index("<h1>")
    assert "position: fixed" not in shown and "position:" not in shown
    with pytest.raises(build_site.BuildFailed, match="no <section>"):
        build_site.add_live_kernel_note("<body><p>no slides</p>", slides=True)


# --- measuring a slide ------------------------------------------------------------------------

#: the slide on screen, measured: its place, height, every text smaller than the hall's size
#: times the slide's scale, its verdict lines and any tuple of bools in its text
MEASURE = """([minimum, root]) => {
    const all = [...document.querySelectorAll(root + ' section')]
        .filter(e => !e.querySelector('section'));
    const s = all.filter(e => e.classList.contains('present')).pop();
    if (!s) return null;
    const slides = document.querySelector(root);
    const scaleOf = (e) => {  // rendered px per CSS px: reveal's transform, the zoom
        let x = e;
        while (x && !(x instanceof HTMLElement && x.offsetWidth > 0)) x = x.parentElement;
        return x ? x.getBoundingClientRect().width / x.offsetWidth : 1;
    };
    const slideScale = scaleOf(slides);
    const shown = (e) => {
        for (let x = e; x && x !== slides; x = x.parentElement) {
            const c = getComputedStyle(x);
            if (c.display === 'none' || c.visibility === 'hidden') return false;
            if (c.opacity === '0') return false;
        }
        return true;
    };
    const size = (e) => {
        const px = parseFloat(getComputedStyle(e).fontSize);
        if (e instanceof SVGElement) {
            const m = e.getScreenCTM();
            return px * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
        }
        return px * scaleOf(e);
    };
    const small = [], inExplorer = [];
    const note = (e, text, px) => {
        const explorer = e.closest('.jupyter-widgets.projector');
        const what = explorer && (explorer.classList.contains('logits-explorer') ? 'logits'
                                                                                 : 'article');
        (explorer ? inExplorer : small).push(
            `${what ? what + ' explorer, ' : ''}${px.toFixed(1)} px: "${text.slice(0, 40)}"`);
    };
    const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent.trim(), e = n.parentElement;
        if (!text || e.closest('mjx-assistive-mml, .MJX_Assistive_MathML, script, style, '
                               + 'aside.notes, .MathJax_CHTML, .MathJax_Preview')) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const box = range.getBoundingClientRect();
        if (box.width < 1 || box.height < 1 || !shown(e)) continue;
        const px = size(e);
        if (px < minimum * slideScale - 0.5) note(e, text, px);
    }
    for (const m of s.querySelectorAll('mjx-container, .MathJax_CHTML')) {
        if (!shown(m) || m.getBoundingClientRect().width < 1) continue;
        const px = size(m);
        if (px < minimum * slideScale - 0.5) note(m, m.textContent || 'an equation', px);
    }
    const verdicts = [...s.querySelectorAll('.verdict')].map(v => ({
        text: v.textContent.trim(), px: size(v) / slideScale}));
    const wide = [s, ...s.querySelectorAll('.jp-Cell, .jp-OutputArea-output')]
        .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
        .map(e => `${e.scrollWidth} > ${e.clientWidth} px: "${e.innerText.trim().slice(0, 30)}"`);
    return {index: all.indexOf(s), total: all.length, height: s.scrollHeight, wide,
            scale: slideScale, small, inExplorer, verdicts,
            tuples: /\\((True|False)\\b/.test(s.innerText),
            text: (s.innerText || '').trim().slice(0, 50),
            explorer: !!s.querySelector('.jupyter-widgets.projector')};
}"""


def walk_with_right_arrow(page, root: str, shots, name: str, also: str = "") -> list[dict]:
    """Press → from the first slide until the slide stops changing; measure each slide
    (and evaluate ``also`` there, kept as its ``also``)."""
    seen: list[dict] = []
    for _ in range(400):
        page.wait_for_timeout(350)
        slide = page.evaluate(MEASURE, [HALL_PX, root])
        if slide is None or (seen and slide["index"] == seen[-1]["index"]):
            break
        slide["also"] = page.evaluate(also) if also else None
        seen.append(slide)
        page.screenshot(path=shots / f"{name}-{slide['index']:02d}.png")
        # → with nothing focused, as a lecturer's clicker sends it (Escape would open
        # reveal.js's overview of all slides, at a fifth of their size)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("ArrowRight")
    return seen


@pytest.fixture(scope="module", params=SLIDES)
def live_slides(request, browser, tmp_path_factory):  # noqa: F811
    """Voilà's reveal-hall slides of one notebook, walked with → alone, every slide measured."""
    name = request.param
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/?token={token}"
    notebook = copy_of_notebooks(tmp_path_factory) / "notebooks" / f"{name}.ipynb"
    shots = tmp_path_factory.mktemp(f"slides-{name[:2]}")
    command = [
        "env", f"JUPYTER_PATH={JUPYTER_DATA}",  # env execs Voilà: the PID stays Voilà's
        str(BIN / "voila"), str(notebook), f"--template={REVEAL_TEMPLATE}", "--no-browser",
        f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", f"--token={token}",
    ]  # fmt: skip
    with running(command, url, shots / "voila.log", timeout=120):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(url)
            page.wait_for_selector(".reveal .slides section.present", timeout=240_000)
            page.wait_for_function(
                "() => !document.querySelector('.jp-OutputArea-output .jupyter-widgets') ? "
                "document.querySelectorAll('mjx-container').length > 0 : true",
                timeout=120_000,
            )
            page.wait_for_timeout(2000)  # MathJax finishing the last equations
            walked = walk_with_right_arrow(page, ".reveal .slides", shots, name)
            yield {"name": name, "slides": walked, "errors": errors, "shots": shots}
        finally:
            page.close()


@pytest.mark.slow
def test_right_arrow_reaches_every_slide_and_every_explorer(live_slides):
    walked = live_slides["slides"]
    total = walked[0]["total"]
    reached = sorted({s["index"] for s in walked})
    assert reached == list(range(total)), f"→ reached {len(reached)} of {total} slides"
    if live_slides["name"].startswith("06"):
        assert sum(s["explorer"] for s in walked) == 2, "the logits and the article explorer"
    else:
        assert sum(s["explorer"] for s in walked) == 1, "the article explorer"
    assert not live_slides["errors"]


@pytest.mark.slow
def test_no_text_on_a_live_slide_is_smaller_than_24_px(live_slides):
    small = {s["index"]: s["small"][:4] for s in live_slides["slides"] if s["small"]}
    assert not small, f"text under {HALL_PX} px × the slide's scale, by slide: {small}"


def _explorer_text_under_24_px(live_slides, which: str) -> dict:
    return {s["index"]: [t for t in s["inExplorer"] if t.startswith(which)][:4]
            for s in live_slides["slides"]
            if any(t.startswith(which) for t in s["inExplorer"])}  # fmt: skip


@pytest.mark.slow
def test_no_text_in_the_live_logits_explorer_is_smaller_than_24_px(live_slides):
    if not live_slides["name"].startswith("06"):
        pytest.skip("the logits explorer is on 06's slides")
    small = _explorer_text_under_24_px(live_slides, "logits")
    assert small == {}, f"explorer text under {HALL_PX} px × the slide's scale: {small}"


@pytest.mark.slow
def test_no_text_in_the_live_article_explorer_is_smaller_than_24_px(live_slides):
    small = _explorer_text_under_24_px(live_slides, "article")
    assert small == {}, f"explorer text under {HALL_PX} px × the slide's scale: {small}"


@pytest.mark.slow
def test_every_live_slide_fits_the_screen(live_slides):
    slides = live_slides["slides"]
    tall = [(s["index"], s["height"], s["text"]) for s in slides if s["height"] > 720]
    assert not tall, f"slides taller than 720 px: {tall}"
    wide = {s["index"]: s["wide"] for s in slides if s["wide"]}
    assert not wide, f"text wider than its slide: {wide}"


@pytest.mark.slow
def test_verdicts_on_live_slides_are_readable_lines(live_slides):
    if not live_slides["name"].startswith("02"):
        pytest.skip("06 shows no verdicts")
    verdicts = [v for s in live_slides["slides"] for v in s["verdicts"]]
    assert len(verdicts) >= 20, f"only {len(verdicts)} verdict lines on 02's slides"
    for v in verdicts:
        assert re.fullmatch(r"[✔✘] \S.* (not )?proven.*", v["text"]), v
        assert v["px"] >= HALL_PX, v
    assert any(v["text"].startswith("✘") for v in verdicts), "the refused steps are shown"
    tuples = [s["text"] for s in live_slides["slides"] if s["tuples"]]
    assert not tuples, f"slides that show a tuple of bools: {tuples}"


# --- the offline site's slides and pages ------------------------------------------------------


@pytest.fixture
def hall_page(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else r.abort())  # fmt: skip
    page = context.new_page()
    yield page
    context.close()


#: every box the live-kernel note shares with a heading, on every slide or page
NOTE_OVERLAPS = """() => {
    const present = [...document.querySelectorAll('.reveal .slides section.present')].pop()
        || document;
    const note = present.querySelector('.live-kernel-note');
    if (!note) return {hit: [], shown: false};
    const n = note.getBoundingClientRect();
    const hit = [];
    for (const h of present.querySelectorAll('h1, h2, h3, h4')) {
        const b = h.getBoundingClientRect();
        if (b.width < 1 || b.height < 1) continue;
        const x = Math.min(n.right, b.right) - Math.max(n.left, b.left);
        const y = Math.min(n.bottom, b.bottom) - Math.max(n.top, b.top);
        if (x > 0 && y > 0) hit.push(h.textContent.trim().slice(0, 40));
    }
    return {hit, shown: n.width > 0 && n.height > 0};
}"""


@pytest.mark.slow
@pytest.mark.parametrize("name", SLIDES)
def test_site_slides_fit_the_screen_reach_every_slide_and_the_note_covers_nothing(
    site,  # noqa: F811
    hall_page,
    name,
    tmp_path,
):
    page = hall_page
    page.goto((site / f"{name}.slides.html").as_uri())
    page.wait_for_selector(".reveal .slides section.present", timeout=60_000)
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
                           " && !document.querySelector('.MathJax_Processing')",
                           timeout=60_000)  # fmt: skip
    page.wait_for_timeout(1000)
    walked = walk_with_right_arrow(page, ".reveal .slides", tmp_path, name, also=NOTE_OVERLAPS)
    total = walked[0]["total"]
    assert sorted({s["index"] for s in walked}) == list(range(total))
    tall = [(s["index"], s["height"], s["text"]) for s in walked if s["height"] > 720]
    assert not tall, f"slides taller than 720 px: {tall}"
    wide = {s["index"]: s["wide"] for s in walked if s["wide"]}
    assert not wide, f"text wider than its slide: {wide}"
    small = {s["index"]: s["small"][:4] for s in walked if s["small"]}
    assert not small, f"text under {HALL_PX} px × the slide's scale, by slide: {small}"
    assert walked[0]["also"]["shown"], "the first slide says that sliders need a kernel"
    covered = {s["index"]: s["also"]["hit"] for s in walked if s["also"]["hit"]}
    assert not covered, f"the live-kernel note covers headings: {covered}"


@pytest.mark.slow
def test_the_note_on_pages_covers_no_heading(site, hall_page):  # noqa: F811
    for name in ("06_explorers", "08_training", "09_exercises"):
        hall_page.goto((site / f"{name}.html").as_uri())
        hall_page.wait_for_selector(".live-kernel-note", timeout=30_000)
        result = hall_page.evaluate(NOTE_OVERLAPS)
        assert result["shown"] and not result["hit"], (name, result)


@pytest.mark.slow
def test_a_saved_slider_on_the_site_is_switched_off(site, hall_page, tmp_path):  # noqa: F811
    """08's step slider on the static page: no drag, no key moves it, and it says it is off."""
    page = hall_page
    page.goto((site / "08_training.html").as_uri())
    root = page.locator(".jupyter-widgets.training-explorer").first
    root.wait_for(state="attached", timeout=60_000)
    root.scroll_into_view_if_needed()
    slider = root.locator(".widget-hslider").first
    readout = slider.locator(".widget-readout")
    handle = slider.locator(".noUi-handle")
    before = readout.text_content()
    assert slider.locator(".noUi-target[disabled]").count() == 1, "not switched off"
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 250, box["y"] + box["height"] / 2, steps=10)
    page.mouse.up()
    handle.focus()
    for key in ("ArrowRight", "End", "PageUp"):
        page.keyboard.press(key)
    page.wait_for_timeout(500)
    root.screenshot(path=tmp_path / "08-slider-switched-off.png")
    assert readout.text_content() == before, "the slider moved while its view stays"
    assert handle.bounding_box()["x"] == pytest.approx(box["x"], abs=1)
