"""How long SymPy takes to prove the article's derivation (a benchmark, not a test).

Run:  .venv/bin/python benchmarks/bench_symbolic.py [--classes 3] [--repeat 5]

Prints, measured in one run:
- the time to build and to prove every step of ``article_steps(K)``, in a
  fresh state each time (SymPy's cache and the package's caches cleared), as
  the first run in this process and as the best and median of the repeats;
- a fixed Python loop timed between the repeats, to show the machine's noise;
- the same equalities decided by plain ``sympy.simplify`` on the explicit
  forms, and the ratio of the two (the package's method against simplify).

Target for K = 3: prove every step in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp

from derivation import symbolic as S


def clear_caches() -> None:
    """Forget everything proven or built so far, so each run starts cold."""
    sp.core.cache.clear_cache()
    for cached in (S._diff, S._is_zero, S._explicit, S._exp_names, S.article_steps, S.model):
        cached.cache_clear()


def prove_all(classes: int) -> tuple[float, float, bool]:
    """Build and prove every step; return (build seconds, prove seconds, all held)."""
    clear_caches()
    t0 = time.perf_counter()
    steps = S.article_steps(classes)
    t1 = time.perf_counter()
    ok = all(s.holds() for s in steps)
    return t1 - t0, time.perf_counter() - t1, ok


def prove_all_with_simplify(classes: int) -> tuple[float, bool]:
    """Decide the same equalities with sympy.simplify on the explicit expressions."""
    clear_caches()
    steps = S.article_steps(classes)
    t0 = time.perf_counter()
    ok = True
    for s in steps:
        where = dict(s.where)
        for a, b, one_hot in s.links():
            pairs = zip(a, b, strict=True) if isinstance(a, sp.MatrixBase) else [(a, b)]
            for p, q in pairs:
                diff = S._evaluate(p, where, s.context) - S._evaluate(q, where, s.context)
                if one_hot:
                    diff = diff.xreplace(dict(s.context.one_hot))
                ok &= sp.simplify(diff) == 0
    return time.perf_counter() - t0, ok


def calibration_loop() -> float:
    """Seconds for a fixed pure-Python loop: shows how fast this machine is right now."""
    t0 = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i * i
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=3, help="number of classes K (default 3)")
    parser.add_argument("--repeat", type=int, default=7, help="cold repeats (default 7)")
    parser.add_argument("--skip-simplify", action="store_true", help="skip the slow comparison")
    args = parser.parse_args()

    first_build, first_prove, ok = prove_all(args.classes)
    runs, loops = [], []
    for _ in range(args.repeat):
        loops.append(calibration_loop())
        runs.append(prove_all(args.classes))
    ok = ok and all(r[2] for r in runs)
    proves = [p for _, p, _ in runs]
    totals = [b + p for b, p, _ in runs]
    steps = len(S.article_steps(args.classes))
    print(f"K = {args.classes}: {steps} steps, all proven: {ok}")
    print(f"  first run in this process: build {first_build:.3f} s, prove {first_prove:.3f} s")
    print(
        f"  cold repeats (n={args.repeat}): prove best {min(proves):.3f} s, "
        f"median {statistics.median(proves):.3f} s; build + prove best {min(totals):.3f} s, "
        f"median {statistics.median(totals):.3f} s"
    )
    relative = statistics.median(p / q for p, q in zip(proves, loops, strict=True))
    print(
        f"  machine noise: a fixed 1e6-step Python loop took {min(loops):.3f}-{max(loops):.3f} s; "
        f"prove / loop = {relative:.1f} "
        f"(median; stable while the machine's speed changes)"
    )
    if args.classes == 3:

        def verdict(seconds: float) -> str:
            return "met" if seconds <= 0.5 else "not met"

        print(
            f"  target prove <= 0.5 s: best run {verdict(min(proves))}, "
            f"median {verdict(statistics.median(proves))}"
        )
    if not args.skip_simplify:
        seconds, ok_simplify = prove_all_with_simplify(args.classes)
        print(
            f"  the same equalities by sympy.simplify: {seconds:.3f} s, all proven: {ok_simplify}"
        )
        print(f"  ratio simplify / package (prove, best): {seconds / min(proves):.1f}x")


if __name__ == "__main__":
    main()
