"""The whole ``python -m derivation --classes K`` process, K = 3 ... 10 (a benchmark, not a test).

Run:  .venv/bin/python benchmarks/bench_document.py [--repeat 3]

For each K, side by side in one run:
- the wall time of the whole command (a new Python process: imports, building
  every step, proving every step, rendering, writing the file), best of
  ``--repeat``;
- how many claims it proves;
- the time to prove ``derivation.general.explicit_proofs(K)`` (the K + K^2
  derivatives by the logits) in this process from cold caches, as a yardstick
  that moves with the machine's load.
Target: K = 8 within 3 s for the whole process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_general import prove  # the yardstick: explicit_proofs(K) from cold caches

from derivation import symbolic

TARGET_K, TARGET_SECONDS = 8, 3.0


def whole_process(K: int, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "derivation", "--classes", str(K), "-o", str(out)], check=True
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per K; the best counts")
    args = parser.parse_args()
    print(f"{'K':>3} {'claims':>7} {'python -m derivation':>21} {'explicit_proofs(K)':>19}")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for K in range(3, 11):
            out = Path(folder) / f"k{K}.md"
            whole = min(whole_process(K, out) for _ in range(args.repeat))
            yardstick = min(prove(K) for _ in range(args.repeat))
            claims = len(symbolic.article_steps(K))
            results[K] = whole
            print(f"{K:>3} {claims:>7} {whole:>19.2f} s {yardstick:>17.2f} s")
    verdict = "met" if results[TARGET_K] <= TARGET_SECONDS else "NOT met"
    print(f"target: K = {TARGET_K} whole process <= {TARGET_SECONDS:.0f} s: {verdict} "
          f"({results[TARGET_K]:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
