"""derivation.views: the explorers' SVG views carry every number they draw."""

import re

import numpy as np

from derivation import views


def test_views_carry_every_number_and_handle_nan():
    def count(svg, css_class):  # an element may carry more classes than the one asked for
        return len(re.findall(rf'class="(?:[^"]* )?{css_class}(?: [^"]*)?"', svg))

    svg = views.bars([0.25, np.nan, 0.75], title="h", css_class="h-value")
    assert svg.startswith("<svg") and count(svg, "h-value") == 3 and ">NaN<" in svg
    grid = views.heatmap(np.array([[0.25, -0.25], [-0.25, 0.25]]), title="dh/dz")
    assert count(grid, "jacobian-value") == 4 and re.search(">[-−]0.2500<", grid)  # − or -
    parts = np.array([[-0.5, 0.1], [0.2, 0.3]])
    stacked = views.stacked_parts(parts, [-0.3, 0.4], labels=["a", "b"], title="parts")
    assert count(stacked, "part") == 4 and re.search(">[-−]0.3000<", stacked)
