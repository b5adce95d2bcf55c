"""Light imports: ``import derivation`` and the command line load no plotting and no widgets."""

import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "matplotlib.pyplot", "ipywidgets")


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return run.stdout.split()


@pytest.mark.parametrize(
    "code",
    [
        "import derivation",
        "import derivation.symbolic, derivation.general, derivation.document",
        "import derivation.numeric, derivation.gradcheck, derivation.exercises",
        "import derivation.explorer_state, derivation.style",
    ],
)
def test_the_core_loads_neither_plotting_nor_widgets(code):
    assert loaded_after(code) == []


def test_the_command_line_never_imports_pyplot(tmp_path):
    code = (
        "from derivation import document\n"
        f"document.main(['--classes', '2', '-o', {str(tmp_path / 'k2.md')!r}])"
    )
    assert loaded_after(code) == []


def test_submodules_load_on_first_use():
    code = "import derivation\nderivation.numeric\nderivation.plots"
    assert "matplotlib" in loaded_after(code)
