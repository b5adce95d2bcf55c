"""derivation.style: one palette, one set of markers, Part names that never wrap round."""

import subprocess
import sys

import pytest

from derivation import style


def test_parts_beyond_six_keep_their_own_numerals():
    names = [style.part_name(ell) for ell in range(10)]
    assert names[:3] == ["Part I", "Part II", "Part III"] and names[6] == "Part VII"
    assert len(set(names)) == 10
    with pytest.raises(ValueError, match="Part number 11"):
        style.part_name(10)


def test_colours_and_markers_are_shared_and_colour_blind_safe():
    assert style.class_colour(0) == "#0072B2" and style.class_colour(7) == style.class_colour(1)
    assert len(set(style.CLASS_COLOURS)) == 6 and len(set(style.MARKERS)) == 6


def test_the_style_loads_no_plotting_library():
    code = "import sys, derivation.style; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
