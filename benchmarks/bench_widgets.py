"""Update latency of the explorers in the kernel (a benchmark, not a test).

Run:  .venv/bin/python benchmarks/bench_widgets.py [--updates 400]

Sets control values programmatically a few hundred times, as a moved slider
would, and times each change from the value being set to the explorer's
outputs holding the new views (the observers run synchronously).  Prints p50
and p95 for each explorer.  Target: p95 <= 50 ms for both.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from derivation.widgets import article_explorer, logits_explorer


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def time_changes(changes) -> list[float]:
    times = []
    for control, value in changes:
        t0 = time.perf_counter()
        control.value = value
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=400, help="changes per explorer")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    logits = logits_explorer(classes=6)
    controls = [*logits.logit_sliders, logits.temperature]
    changes = []
    for _ in range(args.updates):
        control = controls[rng.integers(len(controls))]
        value = float(rng.uniform(0.2, 5) if control is logits.temperature else rng.uniform(-8, 8))
        changes.append((control, round(value, 2)))
    results = {"logits explorer (K = 6)": time_changes(changes)}

    article = article_explorer()
    sliders = [*article.theta_sliders.values(), article.x1]
    changes = [(sliders[rng.integers(len(sliders))], round(float(rng.uniform(-3, 3)), 2))
               for _ in range(args.updates)]  # fmt: skip
    results["article explorer"] = time_changes(changes)

    worst = 0.0
    for name, seconds in results.items():
        p50, p95 = percentiles(seconds)
        worst = max(worst, p95)
        print(f"{name:26} {len(seconds)} updates: p50 {p50 * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms")
    print(f"target p95 <= 50 ms: {'met' if worst <= 0.05 else 'NOT met'}")


if __name__ == "__main__":
    main()
