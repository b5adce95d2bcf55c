"""Test tiers: integration tests are marked ``slow``, so ``pytest -m "not slow"`` is the inner loop.

Slow: every notebook under nbval, the servers (JupyterLab, Voila), the browser,
the offline site, the set-up script, the command line in a new process, the
hostile-answer suite (one process per answer) and the mutation proofs for the
larger numbers of classes.  The README's test command runs everything.
"""

from __future__ import annotations

import pytest

SLOW_FILES = {
    "test_browser.py",
    "test_site.py",
    "test_lab_server.py",
    "test_setup.py",
    "test_hostile_answers.py",
    "test_lint.py",  # ruff in a new process over the whole tree
}
SLOW_TESTS = {
    "test_command_line_writes_a_file_and_explains_itself",  # python -m derivation, new process
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path
        if (
            path.suffix == ".ipynb"
            or path.name in SLOW_FILES
            or getattr(item, "originalname", None) in SLOW_TESTS
            or item.get_closest_marker("slow")
        ):
            item.add_marker(pytest.mark.slow)
