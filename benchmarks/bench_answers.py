"""The answer checker under hostile answers: the slowest and the hungriest (a benchmark).

Run:  .venv/bin/python benchmarks/bench_answers.py [--top 15] [--repeat 1]

Runs the hostile suite of ``tests/test_hostile_answers.py`` (each answer checked
in its own forked process under an address-space limit, killed after 10 s) and
prints, measured in one run:
- the answers that took longest, with the wall time of ``check`` measured
  inside its process and its peak resident memory above where it started;
- the answers with the largest peak memory;
- the maximum of each against the budget of issue 10 (2 s, 200 MB), and the
  cases killed, raised or over budget (there should be none).

With ``--repeat N`` each case is run N times and its worst time and memory kept.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hostile_suite():
    """Import ``tests/test_hostile_answers.py`` as a module (tests is not a package)."""
    path = ROOT / "tests" / "test_hostile_answers.py"
    spec = importlib.util.spec_from_file_location("hostile_answers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="how many answers to list")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole suite")
    args = parser.parse_args(argv)
    suite = hostile_suite()
    worst: dict[str, dict] = {}
    start = time.perf_counter()
    for _ in range(args.repeat):
        for result in suite.run_cases(suite.CASES):
            old = worst.get(result["name"])
            if old is not None:
                result["seconds"] = max(result.get("seconds", 0), old.get("seconds", 0))
                result["megabytes"] = max(result.get("megabytes", 0), old.get("megabytes", 0))
            worst[result["name"]] = result
    elapsed = time.perf_counter() - start
    results = list(worst.values())

    def show(result: dict) -> str:
        answer = result["answer"]
        answer = answer if len(answer) <= 58 else answer[:55] + "..."
        return (
            f"{result.get('seconds', float('nan')):8.3f} s {result.get('megabytes', 0):8.1f} MB"
            f"  {result.get('verdict', result.get('raised', 'KILLED')):<12} {answer}"
        )

    print(f"{len(results)} hostile answers, {args.repeat} run(s), {elapsed:.1f} s in all")
    print(f"\nslowest {args.top} (time of check inside its process, peak memory above start):")
    for result in sorted(results, key=lambda r: -r.get("seconds", 1e9))[: args.top]:
        print(show(result))
    print(f"\nhungriest {args.top}:")
    for result in sorted(results, key=lambda r: -r.get("megabytes", 1e9))[: args.top]:
        print(show(result))
    seconds = max(r.get("seconds", float("inf")) for r in results)
    megabytes = max(r.get("megabytes", float("inf")) for r in results)
    print(f"\nmax time   {seconds:.3f} s   (budget {suite.SECONDS} s)")
    print(f"max memory {megabytes:.1f} MB  (budget {suite.MEGABYTES} MB)")
    bad = [
        r
        for r in results
        if r.get("killed")
        or "raised" in r
        or r["seconds"] > suite.SECONDS
        or r["megabytes"] > suite.MEGABYTES
    ]
    print(f"killed, raised or over budget: {len(bad)}")
    for result in bad:
        print(show(result))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
