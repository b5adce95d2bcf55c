"""How long SymPy takes to prove the article's derivation (a benchmark, not a test).

Run:  .venv/bin/python benchmarks/bench_symbolic.py [--classes 3] [--repeat 5]

Prints, measured in one run:
- the time to build and to prove every step of ``article_steps(K)``, in a
  fresh state each time (SymPy's cache and the package's caches cleared), as
  the first run in this process and as the best and median of the repeats;
- a fixed Python loop timed between the repeats, to show the machine's noise;
- the equalities of the steps written without symbolic indices or
  definitions, decided by plain ``sympy.simplify`` on the explicit forms, and
  the ratio of the two on those steps (the package's method against simplify).

Target for K = 3: prove every step in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp

from derivation import symbolic as S
from derivation.symbolic.prover import clear_caches, explicit


def cold() -> None:
    """Forget everything proven or built so far, so each run starts cold."""
    clear_caches()
    for cached in (S.article_steps, S.model, S.short_route):
        cached.cache_clear()


def plain_steps(steps):
    """The steps the simplify comparison can take: no symbolic indices, no definitions."""
    return [s for s in steps if not s.indices and s.kind == "identity"]


def prove_all(classes: int) -> tuple[float, float, bool, float]:
    """Build and prove every step from cold.

    Returns (build seconds, prove seconds, all held, seconds for the plain steps alone).
    """
    cold()
    t0 = time.perf_counter()
    steps = S.article_steps(classes)
    t1 = time.perf_counter()
    plain = plain_steps(steps)
    ok = all(s.holds() for s in plain)
    t2 = time.perf_counter()
    ok = ok and all(s.holds() for s in steps)
    return t1 - t0, time.perf_counter() - t1, ok, t2 - t1


def prove_all_with_simplify(classes: int) -> tuple[float, bool]:
    """Decide the plain steps' equalities with sympy.simplify on the explicit expressions."""
    cold()
    steps = plain_steps(S.article_steps(classes))
    t0 = time.perf_counter()
    ok = True
    for s in steps:
        sides = (s.lhs, *s.chain)
        for n in range(len(s.chain)):
            needs = s.one_hot_from is not None and n >= s.one_hot_from
            a, b = sides[n], sides[n + 1]
            pairs = zip(a, b, strict=True) if isinstance(a, sp.MatrixBase) else [(a, b)]
            for p, q in pairs:
                diff = explicit(p, s.where, s.context) - explicit(q, s.where, s.context)
                if needs:
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

    first_build, first_prove, ok, _ = prove_all(args.classes)
    runs, loops = [], []
    for _ in range(args.repeat):
        loops.append(calibration_loop())
        runs.append(prove_all(args.classes))
    ok = ok and all(r[2] for r in runs)
    proves = [p for _, p, _, _ in runs]
    plain_proves = [q for _, _, _, q in runs]
    totals = [b + p for b, p, _, _ in runs]
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
        n_plain = len(plain_steps(S.article_steps(args.classes)))
        print(
            f"  the {n_plain} steps without symbolic indices or definitions, by sympy.simplify: "
            f"{seconds:.3f} s, all proven: {ok_simplify}; by the package (best): "
            f"{min(plain_proves):.3f} s"
        )
        print(f"  ratio simplify / package on those steps: {seconds / min(plain_proves):.1f}x")


if __name__ == "__main__":
    main()
