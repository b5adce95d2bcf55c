"""What a person sees: the notebooks in JupyterLab, and the explorer served by Voilà, in Chromium.

Debian's Chromium is driven by Playwright (``executable_path``; no browser is
downloaded).  Each server runs on 127.0.0.1 with a free port and a random
token and is stopped by its own PID.  Screenshots go to pytest's temporary
folder.  Without Chromium the tests are skipped, except on CI (``CI`` set),
where a missing browser is a failure.
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    command = [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={copy_of_notebooks(tmp_path_factory)}",
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
    """Move z1 of the logits explorer by keyboard; return the logits its sliders show."""
    sliders = scope.locator(".widget-hslider")
    z1 = sliders.filter(has=page.locator(".widget-label", has_text=re.compile(r"^z1$"))).first
    z1.scroll_into_view_if_needed()
    handle = z1.locator(".noUi-handle")
    handle.focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
    logits = []
    for k in (1, 2, 3):
        slider = sliders.filter(has=page.locator(".widget-label", has_text=re.compile(f"^z{k}$")))
        logits.append(float(slider.first.locator(".widget-readout").text_content()))
    return np.array(logits)


def assert_shows_softmax_of(scope, logits: np.ndarray, timeout: float = 15) -> None:
    expected = [f"{v:.4f}" for v in numeric.softmax(logits)]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shown_probabilities(scope) == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"shown {shown_probabilities(scope)}, expected {expected} for z={logits}")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_runs_in_jupyterlab_without_errors(browser, lab, notebook, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/lab/tree/notebooks/{notebook}?token={token}&reset")
        run_all_cells(page)
        stderr = '[data-mime-type="application/vnd.jupyter.stderr"]'
        errors = page.locator(f".jp-OutputArea-output{stderr}")
        assert errors.count() == 0, errors.first.text_content()
        page.screenshot(path=tmp_path / f"{notebook}.png")
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
