"""Update latency of the explorers in the kernel (a benchmark, not a test).

Run:  .venv/bin/python benchmarks/bench_widgets.py [--updates 400]

Sets control values programmatically a few hundred times, as a moved slider
would, and times each change from the value being set to the explorer's
outputs holding the new views (the observers run synchronously).  Prints p50
and p95 of every explorer side by side.  Target: p95 <= 50 ms for each.
The training explorer is timed on its iteration slider (a redraw) and,
separately, on learning-rate changes (a retrain, once per rate, then cached).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from derivation.training import make_data
from derivation.widgets import article_explorer, logits_explorer, training_explorer


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

    X, labels = make_data(90, seed=0)
    trainer = training_explorer(X, labels, steps=300, learning_rate=0.01)
    changes = [(trainer.iteration, int(rng.integers(0, 301))) for _ in range(args.updates)]
    results["training explorer: step"] = time_changes(changes)
    rates = [round(10**e, 6) for e in np.arange(-4, -0.95, 0.1)]
    changes = [(trainer.learning_rate, rates[rng.integers(len(rates))]) for _ in range(40)]
    results["training explorer: rate"] = time_changes(changes)

    worst = 0.0
    print(f"{'explorer':26} {'updates':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, seconds in results.items():
        p50, p95 = percentiles(seconds)
        worst = max(worst, p95)
        print(f"{name:26} {len(seconds):7d} {p50 * 1e3:8.2f} {p95 * 1e3:8.2f}")
    print(f"target p95 <= 50 ms: {'met' if worst <= 0.05 else 'NOT met'}")


if __name__ == "__main__":
    main()
