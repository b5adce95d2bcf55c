"""The notebooks' structure: executed in order, no errors, the house anatomy, working links.

nbval (configured in pyproject.toml) compares every stored output with a fresh run;
these tests check what nbval does not.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(nb):
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_the_collection_has_its_first_notebooks():
    assert NAMES[:3] == [
        "00_index.ipynb",
        "01_the_three_class_model.ipynb",
        "02_derivation_parts_I_to_III.ipynb",
    ]
    for name in NAMES:
        assert re.fullmatch(r"\d\d_[a-z0-9_IV]+\.ipynb", name), name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_executed_top_to_bottom_without_errors(path):
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code cells tests nothing under nbval"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"execution counts {counts}"
    for cell in code:
        for out in cell["outputs"]:
            assert out["output_type"] != "error", "".join(cell["source"])
            assert out.get("name") != "stderr", f"stderr output in: {''.join(cell['source'])}"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_house_anatomy(path):
    nb = load(path)
    texts = markdown(nb)
    number = path.name[:2]
    assert texts[0].startswith(f"# {number} · "), "title line '# NN · Title' first"
    assert "Learning goals" in "\n".join(texts[:3])
    headings = [line for t in texts for line in t.splitlines() if line.startswith("## ")]
    assert "## Summary" in headings and "## Exercises" in headings, headings
    assert headings.index("## Summary") < headings.index("## Exercises")
    nav = [t for t in texts if "index" in t.lower() and ".ipynb" in t and "·" in t]
    assert len(nav) >= 2, "navigation line at the top and at the bottom"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_code_cells_are_short(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            lines = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip()]
            assert len(lines) <= 12, "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_relative_links_point_to_existing_notebooks(path):
    for text in markdown(load(path)):
        for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", text):
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_index_lists_every_notebook_and_the_planned_ones():
    text = "\n".join(markdown(load(NOTEBOOKS[0])))
    for name in NAMES[1:]:
        assert name in text, f"the index does not link {name}"
    for planned in ("03", "04", "05", "06", "07", "08", "09", "10"):
        assert re.search(rf"\| *{planned} *\|", text), f"the index does not list notebook {planned}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_figure_has_a_text_description(path):
    """Accessibility: the markdown cell after a figure describes it in words."""
    cells = load(path)["cells"]
    for i, cell in enumerate(cells):
        outputs = cell.get("outputs", [])
        figures = [o for o in outputs if "image/png" in o.get("data", {})
                   and "".join(o["data"].get("text/plain", "")).startswith("<Figure")]  # fmt: skip
        if cell["cell_type"] == "code" and figures:
            if "# NBVAL_IGNORE_OUTPUT" in "".join(cell["source"]):
                continue  # widgets: a static figure with its description follows
            following = "".join(cells[i + 1]["source"]) if i + 1 < len(cells) else ""
            assert following.startswith("*Figure:"), f"figure without description: {cell['source']}"
