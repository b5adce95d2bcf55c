"""Time to prove every derivative for K = 2 ... 8 classes (a benchmark, not a test).

Run:  .venv/bin/python benchmarks/bench_general.py

For each K, from cold caches: build and prove the K derivatives dJ/dz_k and the
K^2 Jacobian entries dh_k/dz_j (derivation.general.explicit_proofs), best of 3.
Prints the time per K and the exponent p of a fit time ~ K^p.
Target: K = 8 proven in at most 2 s.
"""

from __future__ import annotations

import time

import numpy as np

from derivation import general
from derivation.symbolic.prover import clear_caches


def cold() -> None:
    clear_caches()
    general.explicit_proofs.cache_clear()


def prove(K: int) -> float:
    cold()
    t0 = time.perf_counter()
    steps = general.explicit_proofs(K)
    if not all(step.holds() for step in steps):
        raise SystemExit(f"a derivative for K = {K} did not prove")
    return time.perf_counter() - t0


def main() -> None:
    Ks = np.arange(2, 9)
    seconds = np.array([min(prove(int(K)) for _ in range(3)) for K in Ks])
    for K, s in zip(Ks, seconds, strict=True):
        print(f"K = {K}: {K + K * K:3d} derivatives proven in {s:.3f} s")
    exponent = np.polyfit(np.log(Ks[2:]), np.log(seconds[2:]), 1)[0]
    print(f"fitted growth: time ~ K^{exponent:.2f} (K = 4 ... 8)")
    print(f"target K = 8 in <= 2 s: {'met' if seconds[-1] <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
