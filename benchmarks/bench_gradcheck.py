"""Print gradcheck's verdicts on random problems, right and wrong, with and without noise.

    .venv/bin/python benchmarks/bench_gradcheck.py [cases]

Runs ``cases`` (default 300) random problems from ``tests/gradcheck_cases.py``
(quadratic, cubic, cross-entropy and linear-layer losses; float64, float32, and
float64 input with a float32 loss; no noise, seeded noise, a fast oscillation or
random noise of relative size 1e-16 to 1e-3) with every method that applies.
Prints how the right gradients and the wrong ones (negated, 1.5x, zero, one
entry changed, transposed, off by 10x the fine bound) were judged, and the
median time of one check per method.  Exits with 1 if a wrong gradient was
"fine" or a right one was neither "fine" nor "cannot check".
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gradcheck_cases import (
    FAMILIES,
    NOISES,
    PRECISIONS,
    make_case,
    methods_for,
    wrong_versions,
)

from derivation.gradcheck import gradcheck

VERDICTS = ("fine", "suspicious", "uncomfortable", "wrong", "cannot check")


def main(cases: int = 300) -> int:
    rng = np.random.default_rng(2026)
    tally: Counter = Counter()
    seconds: dict[str, list[float]] = defaultdict(list)
    broken = []
    for i in range(cases):
        family, noise = FAMILIES[i % len(FAMILIES)], NOISES[(i // len(FAMILIES)) % 4]
        precision = PRECISIONS[(i // (4 * len(FAMILIES))) % 3]
        amplitude = 0.0 if noise == "none" else float(10 ** rng.uniform(-16, -3))
        case = make_case(family, noise, amplitude, precision, int(rng.integers(2**30)))
        for method in methods_for(case):
            versions = {"right": case.right(method)}
            versions.update(wrong_versions(case, method, np.random.default_rng(i)))
            for name, grad in versions.items():
                start = time.perf_counter()
                result = gradcheck(case.f, grad, case.x, method=method, h=case.h)
                seconds[method].append(time.perf_counter() - start)
                kind = "right" if name == "right" else "wrong"
                tally[(kind, method, noise != "none", result.verdict)] += 1
                if (kind == "wrong" and result.ok) or (
                    kind == "right" and result.verdict not in ("fine", "cannot check")
                ):
                    broken.append(f"{name} {case.name} {method}: {result}")
    print(f"{cases} random problems; counts of verdicts")
    print(f"{'gradient':9}{'method':9}{'noise':7}" + "".join(f"{v:>14}" for v in VERDICTS))
    for kind in ("right", "wrong"):
        for method in ("complex", "central", "forward"):
            for noisy in (False, True):
                row = [tally[(kind, method, noisy, v)] for v in VERDICTS]
                if sum(row):
                    label = f"{kind:9}{method:9}{'yes' if noisy else 'no':7}"
                    print(label + "".join(f"{n:14d}" for n in row))
    for method, times in seconds.items():
        print(f"median time of one check, {method}: {1e3 * float(np.median(times)):.1f} ms")
    print(f"broken promises: {len(broken)}")
    for line in broken:
        print("  " + line)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
