"""The notebooks' structure: executed in order, no errors, the house anatomy, working links.

nbval (configured in pyproject.toml) compares every stored output with a fresh run;
these tests check what nbval does not.
"""

import ast
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
        figures = [
            o
            for o in outputs
            if "image/png" in o.get("data", {})
            and "".join(o["data"].get("text/plain", "")).startswith("<Figure")
        ]
        if cell["cell_type"] == "code" and figures:
            if "nbval-ignore-output" in cell["metadata"].get("tags", []):
                continue  # widgets: a static figure with its description follows
            following = "".join(cells[i + 1]["source"]) if i + 1 < len(cells) else ""
            assert following.startswith("*Figure:"), f"figure without description: {cell['source']}"


# --------------------------------------------------------------------------- a learner's cells
#: how many code cells a variable may travel from where it was made before it must be made
#: again, or at least named again in the prose in between
REACH = 8

#: the article's notation (00's table) and the letters it replaces: (pattern, what to write)
FORBIDDEN_NOTATION = [
    (r"\\hat ?\{?Y|Ŷ", "H or h (the hypotheses), not the student's Ŷ"),
    (r"(?<![\w\\])E ?=|\\partial E\b", "J for the cost, not E"),
    (r"softmax\}?\(X\)|\\partial X\b|\bX\^\{\(i\)\}_", "z for the logits: X is the design matrix"),
    (r"\bJS\^", "∂h/∂z for the softmax Jacobian"),
    (r"\\partial L\b", "J for the cost, not L"),
    (
        r"(?<![\w\\])p_\{?[a-z0-9]|(?<![\w\\])pp\^|\\log P\b|(?<![\w\\])P ?="
        r"|(?<![\w\\])p - [1y]\b|\(p\)|\$p\$",
        "h (the article's hypotheses), not p or P",
    ),
    (
        r"(?<![\w\\])[hyzv]_\{?[ij]\b|\\delta_\{?(?:kj|jk|ij)\b",
        "k and l for classes (j is the feature index, i the sample)",
    ),
    (r"\^\\top H [a-z]|Hessian,? \$H\$|\$H\$ is positive", "∇²J for the Hessian: H is (h_k)"),
    (
        r"\\pm h\b|[+-] ?h e_|\{2h\}|\{h\}|(?<![\w\\])h = (?:10|\\varepsilon)|step \$h\$",
        "δ for the finite-difference step",
    ),
    (
        r"\bn ?\\times|\bO\(n ?c|\bc ?\\times ?c\b|\$c = \d|(?<![\w\\])n = \d",
        "m samples, K classes",
    ),
]

#: a markdown cell that quotes the student's own letters says so with these words
STUDENT_QUOTE = "the student's letters"


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def prose(text):
    """Markdown without code spans and fenced code: what is left is prose and maths."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", " ", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_no_test_or_linter_markers_in_learners_cells(path):
    """nbval reads cell tags (nbval-ignore-output, nbval-skip); ruff is configured in pyproject."""
    for cell in code_cells(load(path)):
        source = "".join(cell["source"])
        for marker in ("NBVAL_", "fmt:", "noqa"):
            assert marker not in source, f"{marker!r} in a learner's cell:\n{source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notation_is_the_article_s(path):
    """Letters outside 00's notation table, in the prose and maths of every markdown cell."""
    found = []
    for text in markdown(load(path)):
        if STUDENT_QUOTE in " ".join(text.split()).lower():
            continue
        for pattern, instead in FORBIDDEN_NOTATION:
            for match in re.finditer(pattern, prose(text)):
                found.append(f"{match.group(0)!r} (write {instead})")
    assert not found, "\n".join(found)


def parse(source):
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_no_default_argument_captures(path):
    """``lambda v, g=wrong_grad: ...`` and ``def f(x, dtype=dtype)`` are a trap, not a lesson."""
    found = []
    for cell in code_cells(load(path)):
        for node in ast.walk(parse("".join(cell["source"]))):
            if isinstance(node, ast.Lambda | ast.FunctionDef):
                defaults = node.args.defaults + [d for d in node.args.kw_defaults if d]
                found += [ast.unparse(node.args) for d in defaults if isinstance(d, ast.Name)]
    assert not found, f"default-argument captures: {found}"


def names_in(tree):
    """(names this cell makes, names it reads); a name made in the cell is its own."""
    made, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (made if isinstance(node.ctx, ast.Store | ast.Del) else read).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            made.add(node.name)
        elif isinstance(node, ast.arg):
            made.add(node.arg)
        elif isinstance(node, ast.alias):
            made.add((node.asname or node.name).split(".")[0])
    return made, read - made


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_variables_are_used_near_where_they_are_made(path):
    cells = load(path)["cells"]
    made_at, imports, found = {}, None, []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        made, read = names_in(parse("".join(cell["source"])))
        if imports is None:
            imports = made  # the imports cell's names are the notebook's vocabulary
        number = sum(c["cell_type"] == "code" for c in cells[: index + 1])
        for name in sorted(read - imports):
            if name not in made_at:
                continue
            cell_at, number_at = made_at[name]
            between = "\n".join(prose_of(c) for c in cells[cell_at + 1 : index])
            named = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", between)
            if number - number_at > REACH and not named:
                found.append(f"{name} (made {number - number_at} code cells earlier)")
        made_at.update({name: (index, number) for name in made})
    assert not found, f"used far from where they were made, unnamed in between: {found}"


def prose_of(cell):
    return "".join(cell["source"]) if cell["cell_type"] == "markdown" else ""


def output_text(cell):
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            yield "".join(out["text"])
        elif set(out.get("data", {})) == {"text/plain"}:  # else a richer view is what is seen
            yield "".join(out["data"]["text/plain"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_output_lines_fit_in_100_columns(path):
    """Longer lines wrap mid-word in JupyterLab and on the static site."""
    long = [
        line
        for cell in code_cells(load(path))
        for text in output_text(cell)
        for line in text.splitlines()
        if len(line) > 100
    ]
    assert not long, "output lines over 100 columns:\n" + "\n".join(long)


NUMBER = re.compile(r"(?<![\w.^{])-?\d+\.\d+(?:e[-+]?\d+)?(?!\w|\.\d)")


def near_results(cells, index):
    """Numbers in the outputs of the two code cells before a markdown cell and the one after,
    and the numbers typed in those cells' source (inputs, not results)."""
    before = [c for c in cells[:index] if c["cell_type"] == "code"][-2:]
    after = [c for c in cells[index + 1 :] if c["cell_type"] == "code"][:1]
    shown = "\n".join(t for c in before + after for t in output_text(c)).replace("−", "-")
    outputs = {float(n) for n in NUMBER.findall(shown)}
    inputs = {float(n) for c in before + after for n in NUMBER.findall("".join(c["source"]))}
    return outputs, inputs


def rounds_to(value, typed):
    decimals = len(typed.split(".")[1].split("e")[0])
    return "e" not in typed and round(value, decimals) == float(typed)


def timed(cell):
    """A cell that measures time (not one that imports a timer)."""
    return re.search(r"median_seconds\(|timeit|perf_counter\(", "".join(cell["source"]))


ANY_NUMBER = re.compile(r"(?<![\w.^{_-])\d+(?:\.\d+)?(?!\w|\.\d|\^)")


def typed_beside_timings(cells, index):
    """Any number in prose right after a machine-dependent output (a timing) that the code
    did not type: such a figure can only have been copied from one run on one machine."""
    before = [c for c in cells[:index] if c["cell_type"] == "code"][-2:]
    if not any(timed(c) for c in before):
        return []
    typed_in_code = {
        n
        for c in cells
        if c["cell_type"] == "code"
        for n in ANY_NUMBER.findall("".join(c["source"]))
    }
    text = prose("".join(cells[index]["source"]))
    text = re.sub(r"\[[^]]*\]\([^)]*\)|notebooks? \d\d", " ", text, flags=re.IGNORECASE)
    return [n for n in ANY_NUMBER.findall(text) if n not in typed_in_code]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_figures_in_prose_are_computed_not_typed(path):
    """A figure that an output next to the prose shows is formatted by code (a Markdown display),
    so that it cannot fall out of step with the output when the code or the machine changes."""
    cells, found = load(path)["cells"], []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown" or "".join(cell["source"]).startswith("*Figure:"):
            continue
        outputs, inputs = near_results(cells, index)
        for typed in NUMBER.findall(prose("".join(cell["source"])).replace("−", "-")):
            if float(typed) in inputs:
                continue
            digits = typed.lstrip("-")
            if any(rounds_to(abs(value), digits) for value in outputs):
                found.append(typed)
        found += typed_beside_timings(cells, index)
    assert not found, f"figures typed in prose beside the outputs that show them: {found}"


# --- no giveaways: nothing a student reads before an answer box is that box's answer ----------


def _latex_as_text(math: str) -> str:
    """A rough plain-text reading of inline LaTeX (h_1 -> h1, \\frac{a}{b} -> (a)/(b))."""
    text = re.sub(r"\\(left|right|,|;|!|quad)", "", math)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"([hyx])_\{?(\d)\}?", r"\1\2", text)
    text = text.replace("\\cdot", "*").replace("\\times", "*").replace("{", "(").replace("}", ")")
    return re.sub(r"(?<=[\w)])\s+(?=[\w(])", "*", text.strip())  # juxtaposition is a product


def _readable_before(cells: list[dict]) -> list[str]:
    """Every fragment a student sees in these cells that could be typed as an answer:
    code spans and inline maths of the prose (hidden <details> answers left out), string
    literals of the code, and the lines and quoted texts of the outputs."""
    found = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            shown = re.sub(r"<details>.*?</details>", "", source, flags=re.S)
            found += re.findall(r"`([^`\n]+)`", shown)
            found += [_latex_as_text(m) for m in re.findall(r"\$([^$\n]+)\$", shown)]
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            tree = None
        if tree is not None:
            found += [n.value for n in ast.walk(tree)
                      if isinstance(n, ast.Constant) and isinstance(n.value, str)]  # fmt: skip
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for text in (out.get("text", ""), data.get("text/plain", ""),
                         data.get("text/markdown", "")):  # fmt: skip
                text = re.sub(r"<details>.*?</details>", "", "".join(text), flags=re.S)
                found += text.splitlines() + re.findall(r"‘([^’]+)’", text)
    return [f.strip() for f in found if f.strip()]


def test_no_answer_appears_before_its_answer_box():
    """A failing case names the fragment and the exercise it answers (the solutions notebook,
    which shows the answers on purpose, is left out)."""
    from derivation.answer_boxes import PLACEHOLDER
    from derivation.exercises import EXERCISES, check

    boxes = 0
    for path in NOTEBOOKS:
        if "solutions" in path.name:
            continue
        cells = load(path)["cells"]
        for index, cell in enumerate(cells):
            keys = re.findall(r"answer_box\(\"([^\"]+)\"\)", "".join(cell["source"]))
            for key in keys:
                boxes += 1
                assert key in EXERCISES, key
                fragments = [*_readable_before(cells[:index]), PLACEHOLDER.removeprefix("e.g. ")]
                fragments += [PLACEHOLDER.removeprefix("e.g. ").removesuffix(", then Enter")]
                given = [f for f in set(fragments) if len(f) < 300 and check(key, f).correct]
                assert not given, f"{path.name}: before the box for {key!r} a reader sees {given}"
    assert boxes >= 5


def test_the_giveaway_scan_finds_a_planted_answer():
    """The scan above can fail: plant the answer to A1 in a code span, an output and maths."""
    from derivation.exercises import check

    planted = [
        {"cell_type": "markdown", "source": ["try `-(h2*h1)` first"]},
        {"cell_type": "code", "source": ["print(1)"],
         "outputs": [{"output_type": "stream", "text": ["✔ for ‘-h1*h2’: right\n"]}]},
        {"cell_type": "markdown", "source": ["so $-h_1 h_2$ it is"]},
    ]  # fmt: skip
    for cell in planted:
        fragments = _readable_before([cell])
        assert any(check("dh2/dTheta10", f).correct for f in fragments), cell


def test_the_bug_hunt_names_no_mistake_before_its_diagnoses():
    """Notebook 10's suspects go by letters: before the revealed diagnoses, nothing a student
    reads (prose outside <details>, code, outputs) names a mistake or a bug's function."""
    from derivation import bugs

    cells = load(next(p for p in NOTEBOOKS if p.name == "10_bug_hunt.ipynb"))["cells"]
    reveal = next(i for i, c in enumerate(cells) if "Reveal: the diagnoses" in "".join(c["source"]))
    telling = [name.lower() for name in bugs.BUGS]
    telling += [function.__name__ for function, _ in bugs.BUGS.values()] + ["bugs.bugs"]
    seen = "\n".join(_readable_before(cells[:reveal]) + _code_before(cells[:reveal])).lower()
    assert not [t for t in telling if t in seen]
    assert "bugs.SUSPECTS" in "\n".join(_code_before(cells[:reveal]))
    assert not _innocence_named(cells[:reveal])


def _innocence_named(cells: list[dict]) -> list[str]:
    """Sentences of the prose (outside <details>) pairing a suspect's letter with innocence."""
    shown = "\n".join(re.sub(r"<details>.*?</details>", "", "".join(c["source"]), flags=re.S)
                      for c in cells if c["cell_type"] == "markdown")  # fmt: skip
    words = r"(innocent|harmless|exactly \$h - y\$|not a bug|fine)"
    return [s for s in re.split(r"(?<=[.;:])\s", shown)
            if re.search(rf"\b[A-F]\b.*{words}|{words}.*\b[A-F]\b", s, flags=re.S)]  # fmt: skip


def test_the_innocence_scan_finds_a_named_innocent():
    """The scan above can fail: 10's earlier prompt said which suspect computes h - y."""
    before = [{"cell_type": "markdown", "source": [
        "For each suspect, say in one sentence what it computes instead of $h - y$, and for D ",
        "why it\ncomputes exactly $h - y$; then compare with the diagnoses.\n"]}]  # fmt: skip
    assert _innocence_named(before)


def _code_before(cells: list[dict]) -> list[str]:
    """The code of the code cells, as a student reads it."""
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def test_previous_and_next_links_follow_the_collection_in_order():
    """Each lesson's "Previous" is the lesson before it and its "Next" the one after; the
    solutions notebook sits beside 09 (its Previous is 09) and is nobody else's neighbour."""
    lessons = [p.name for p in NOTEBOOKS if not p.name.endswith("_solutions.ipynb")]

    def links(name, word):
        nb = load(NOTEBOOKS[NAMES.index(name)])
        return {m for t in markdown(nb) for m in re.findall(rf"{word}: \[[^]]*\]\(([^)]+)\)", t)}

    befores, afters = [None, *lessons[:-1]], [*lessons[1:], None]
    for before, name, after in zip(befores, lessons, afters, strict=True):
        assert links(name, "Previous") == ({before} if before else set()), name
        assert links(name, "Next") == ({after} if after else set()), name
    assert links("09_exercises_solutions.ipynb", "Previous") == {"09_exercises.ipynb"}
