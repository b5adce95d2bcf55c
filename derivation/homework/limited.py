"""Run a command under an address-space limit: ``python -m derivation.homework.limited MB cmd ...``.

The grader starts each hand-in's kernel through this, so that a notebook that
allocates without bound fails with a MemoryError (or its kernel dies) instead
of taking the grading machine's memory.  The limit is inherited by every
process the kernel starts.
"""

from __future__ import annotations

import os
import resource
import sys


def main(argv: list[str]) -> None:
    """Set RLIMIT_AS to ``argv[0]`` megabytes, then replace this process with ``argv[1:]``."""
    if len(argv) < 2 or not argv[0].isdigit() or int(argv[0]) < 64:
        sys.exit("usage: python -m derivation.homework.limited MEGABYTES COMMAND [ARGS...] "
                 "(MEGABYTES a whole number of at least 64)")  # fmt: skip
    limit = int(argv[0]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
