"""The collection in the browser (JupyterLite, Pyodide) beside the desktop (JupyterLab, CPython).

Run:  .venv/bin/python benchmarks/bench_lite.py [--moves 40] [--site FOLDER]

Builds the JupyterLite site (scripts/build_lite.py, downloads cached in .cache/lite) unless
``--site`` names a built one, serves it on 127.0.0.1, starts JupyterLab on a copy of the
notebooks, and drives both in headless Chromium (Debian's ``chromium``) at 1280 x 720, one after
the other, measuring in each:

- page open -> kernel ready (02 opened, the status bar says Idle);
- the K = 3 proof: every step of the article proven by SymPy in a fresh kernel (an execute
  request's round trip, as a reader waits for it);
- Run All of 02 and of 06 (from the menu click until every cell has run);
- the logits explorer's update latency: an arrow key on z1's slider until its probabilities and
  gradient views show the new state, timed in the page (p50 and p95 over ``--moves`` moves).
  Target: p95 <= 50 ms in the browser.

Prints each figure for the desktop and the browser and their ratio, measured in this one run.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROOF = "from derivation.symbolic import article_steps\nall(s.holds() for s in article_steps())"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], url: str, log: Path):
    """Run ``command`` until ``url`` answers, then yield; stop it afterwards."""
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"{command[0]} did not start; see {log}") from None
                time.sleep(0.5)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def idle(page) -> bool:
    return page.locator(".jp-StatusBar-TextItem", has_text="Idle").count() > 0


def open_and_wait(page, url: str) -> float:
    """Seconds from opening ``url`` until its notebook's kernel is ready."""
    started = time.monotonic()
    page.goto(url, timeout=120_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    wait(lambda: idle(page), 180, "the kernel becoming ready")
    return time.monotonic() - started


def execute(page, code: str) -> float:
    """Seconds for one execute request in the current notebook's kernel, until its reply."""
    return page.evaluate(
        """async (code) => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const started = performance.now();
            const reply = await kernel.requestExecute({code, store_history: false}).done;
            if (reply.content.status !== 'ok') throw new Error(JSON.stringify(reply.content));
            return (performance.now() - started) / 1000;
        }""",
        code,
    )


def run_all(page) -> float:
    """Seconds from Run All until every code cell has run and the kernel is idle."""
    page.locator(".jp-Notebook").first.click()
    started = time.monotonic()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    cells = page.locator(".jp-CodeCell .jp-InputArea-prompt")

    def done() -> bool:
        prompts = cells.all_text_contents()
        return idle(page) and all(p.strip() not in ("[ ]:", "[*]:", "") for p in prompts)

    wait(done, 900, "Run All")
    return time.monotonic() - started


#: in the page: an arrow key on z1's handle, then the time until both the probabilities and the
#: gradient views show new numbers (a MutationObserver; no polling from Python)
LATENCY_JS = """async (root, moves) => {
    const label = [...root.querySelectorAll('.widget-hslider')]
        .find(s => s.querySelector('.widget-label').textContent.trim() === 'z₁');
    const handle = label.querySelector('.noUi-handle');
    const text = css => [...root.querySelectorAll(css)].map(e => e.textContent).join(' ');
    const times = [];
    for (let i = 0; i < moves; i++) {
        const before = [text('text.p-value'), text('text.grad-value')];
        const changed = new Promise(resolve => {
            const observer = new MutationObserver(() => {
                if (text('text.p-value') !== before[0] && text('text.grad-value') !== before[1]) {
                    observer.disconnect();
                    resolve(performance.now());
                }
            });
            observer.observe(root, {subtree: true, childList: true, characterData: true});
        });
        const key = i % 20 < 10 ? 'ArrowRight' : 'ArrowLeft';
        const started = performance.now();
        handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
        times.push((await changed) - started);
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    return times;
}"""


def explorer_latency(page, moves: int) -> list[float]:
    """Seconds from an arrow key on z1's slider until the probabilities and the gradient views
    show the new state (the kernel's round trip and the redraw included)."""
    explorer = page.locator(".jp-OutputArea-output", has=page.locator("text.p-value")).first
    explorer.scroll_into_view_if_needed()
    return [ms / 1e3 for ms in explorer.evaluate(LATENCY_JS, moves)]


def measure(browser, base: str, path, moves: int) -> dict[str, object]:
    """Every figure for one front end; ``path(name)`` is the URL path that opens notebook name."""
    results: dict[str, object] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    results["page open -> kernel ready (s)"] = open_and_wait(page, base + path("02"))
    results["K = 3 proof, fresh kernel (s)"] = execute(page, PROOF)
    results["Run All of 02 (s)"] = run_all(page)
    open_and_wait(page, base + path("06"))
    results["Run All of 06 (s)"] = run_all(page)
    latency = sorted(explorer_latency(page, moves))
    results["explorer p50 (ms)"] = statistics.median(latency) * 1e3
    results["explorer p95 (ms)"] = latency[int(0.95 * (len(latency) - 1))] * 1e3
    context.close()
    return results


NAMES = {"02": "02_derivation_parts_I_to_III.ipynb", "06": "06_explorers.ipynb"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=40, help="slider moves timed per front end")
    parser.add_argument("--site", help="a site built by scripts/build_lite.py (default: build one)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = Path(args.site) if args.site else work / "site"
        if not args.site:
            started = time.monotonic()
            build = [sys.executable, str(ROOT / "scripts" / "build_lite.py"), "--output", str(site),
                     "--cache", str(ROOT / ".cache" / "lite")]  # fmt: skip
            subprocess.run(build, check=True)
            print(f"site built in {time.monotonic() - started:.0f} s")
        size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
        shutil.copytree(ROOT / "notebooks", work / "served" / "notebooks")
        settings = work / "settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True)
        (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
        lite_port, lab_port, token = free_port(), free_port(), "bench"
        lite = [sys.executable, "-m", "http.server", str(lite_port), "--bind", "127.0.0.1",
                "--directory", str(site)]  # fmt: skip
        lab = [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={lab_port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={work / 'served'}", "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={work / 'settings'}",
               f"--LabApp.workspaces_dir={work / 'settings'}"]  # fmt: skip
        lite_base, lab_base = f"http://127.0.0.1:{lite_port}", f"http://127.0.0.1:{lab_port}"
        with (
            serving(lite, f"{lite_base}/lab/index.html", work / "http.log"),
            serving(lab, f"{lab_base}/lab?token={token}", work / "lab.log"),
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
            desktop = measure(browser, lab_base,
                              lambda n: f"/lab/tree/notebooks/{NAMES[n]}?token={token}&reset",
                              args.moves)  # fmt: skip
            browser_side = measure(
                browser, lite_base, lambda n: f"/lab/index.html?path={NAMES[n]}", args.moves
            )
            browser.close()
    print(f"{'':32} {'desktop':>9} {'browser':>9} {'ratio':>7}")
    for name, value in desktop.items():
        other = browser_side[name]
        print(f"{name:32} {value:9.2f} {other:9.2f} {other / value:7.1f}")
    print(f"site size: {size / 1e6:.0f} MB")
    p95 = browser_side["explorer p95 (ms)"]
    print(f"target: explorer p95 <= 50 ms in the browser: {'met' if p95 <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
