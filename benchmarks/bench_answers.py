"""The answer checker under hostile answers: the slowest and the hungriest (a benchmark).

Run:  .venv/bin/python benchmarks/bench_answers.py [--top 10] [--repeat 1]

Runs the hostile suite of ``tests/test_hostile_answers.py`` three ways and
prints, for each, the answers that took longest and those with the largest
peak memory, then the maximum of each against the budget (2 s, 200 MB):

- ``in process, main thread``: :func:`derivation.exercises.check_in_process`
  in the main thread (its ``SIGALRM`` timer), each answer in its own forked
  process under an address-space limit, killed after 10 s; the time is that
  of the check inside its process, the memory its peak resident memory above
  where it started;
- ``check, main thread`` and ``check, threading.Thread``: the public
  :func:`derivation.exercises.check`, called from the main thread or from a
  new thread per answer, so each check runs in the checker's worker process;
  the time is the wall time of ``check`` seen by the caller, the CPU time the
  worker's own (its budget is CPU time), the memory the peak the worker
  measured inside it.

Over budget means over 2 s of CPU time or 200 MB: on a quiet machine the clock
and the CPU time agree; on a loaded one the clock also counts the other
programs, so the load average is printed first.

Then the latency an answer box sees (a fresh Python process): the first check
(which starts the worker process), later checks, and the first check after
the worker was killed.  With ``--repeat N`` each case is run N times and its
worst time and memory kept.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LATENCY = r"""
import json, time
start = time.perf_counter()
from derivation.exercises import check, checker
imported = time.perf_counter() - start
answers = ["-h1*h2", "h1*h2", "-h1 h2", "−h₁×h₂", "h2*(1 - h2)", "0/0", "-2*h1*h2"]
first_start = time.perf_counter()
check("dh2/dTheta10", "-h1*h2")
first = time.perf_counter() - first_start
later = []
for _ in range(4):
    for answer in answers:
        t = time.perf_counter()
        check("dh2/dTheta10", answer)
        later.append(time.perf_counter() - t)
grace, checker.GRACE = checker.GRACE, 0.005 - checker.TIME_BUDGET  # give up at once: a kill
check("dJ/dTheta10", "h1*(y1 + y2 + y3)**4 - y1*(h1 + h2 + h3)**4")
checker.GRACE = grace
t = time.perf_counter()
check("dh2/dTheta10", "-h1*h2")
restarted = time.perf_counter() - t
print(json.dumps({"import": imported, "first": first, "later": later, "restarted": restarted}))
"""


def hostile_suite():
    """Import ``tests/test_hostile_answers.py`` as a module (tests is not a package)."""
    path = ROOT / "tests" / "test_hostile_answers.py"
    spec = importlib.util.spec_from_file_location("hostile_answers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu(result: dict) -> float:
    """The check's CPU time: measured in its own process, or by the worker."""
    value = result.get("cpu_seconds", result.get("inside"))
    return float("nan") if value is None else value


def show(result: dict) -> str:
    answer = result["answer"]
    answer = answer if len(answer) <= 50 else answer[:47] + "..."
    verdict = result.get("verdict", result.get("raised", "KILLED"))
    memory = "  killed" if result.get("killed_worker") else f"{result.get('megabytes', 0):8.1f}"
    return (f"{result.get('seconds', float('nan')):8.3f} s {cpu(result):6.3f} cpu {memory} MB  "
            f"{verdict:<12} {answer}")  # fmt: skip


def report(title: str, results: list[dict], suite, top: int) -> list[dict]:
    """Print the slowest and hungriest answers and the maxima; return those over budget."""
    print(f"\n=== {title}: {len(results)} answers")
    print(f"slowest {top}:")
    for result in sorted(results, key=lambda r: -r.get("seconds", 1e9))[:top]:
        print(show(result))
    print(f"hungriest {top}:")
    for result in sorted(results, key=lambda r: -r.get("megabytes", 1e9))[:top]:
        print(show(result))
    seconds = max(r.get("seconds", float("inf")) for r in results)
    cpu_seconds = max((cpu(r) for r in results if cpu(r) == cpu(r)), default=float("nan"))
    megabytes = max(r.get("megabytes", float("inf")) for r in results)
    print(
        f"max time   {seconds:.3f} s on the clock, {cpu_seconds:.3f} s of CPU "
        f"(budget {suite.SECONDS} s of CPU; the clock also counts other programs)"
    )
    print(f"max memory {megabytes:.1f} MB  (budget {suite.MEGABYTES} MB)")
    bad = [
        r
        for r in results
        if r.get("killed")
        or "raised" in r
        or cpu(r) > suite.SECONDS
        or r["megabytes"] > suite.MEGABYTES
    ]
    if any(r.get("killed_worker") for r in results):
        print("(killed: the worker was killed at the time budget; its memory is bounded by")
        print(" RLIMIT_AS at 200 MB above the warmed-up worker, but not measured)")
    print(f"killed, raised or over budget: {len(bad)}")
    for result in bad:
        print(show(result))
    return bad


def worst_of(runs: list[list[dict]]) -> list[dict]:
    worst: dict[str, dict] = {}
    for results in runs:
        for result in results:
            old = worst.get(result["name"])
            if old is not None:
                result["seconds"] = max(result.get("seconds", 0), old.get("seconds", 0))
                result["megabytes"] = max(result.get("megabytes", 0), old.get("megabytes", 0))
            worst[result["name"]] = result
    return list(worst.values())


def latency() -> dict:
    run = subprocess.run(
        [sys.executable, "-c", LATENCY],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=True,
    )
    return json.loads(run.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="how many answers to list")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole suite")
    args = parser.parse_args(argv)
    suite = hostile_suite()
    start = time.perf_counter()
    print("load average before the run: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    ways = {
        "in process, main thread (timer)": lambda: suite.run_cases(suite.CASES),
        "check, main thread (worker)": lambda: suite.run_through_worker(suite.CASES, thread=False),
        "check, threading.Thread (worker)": lambda: suite.run_through_worker(
            suite.CASES, thread=True
        ),
    }
    bad = 0
    for title, run in ways.items():
        results = worst_of([run() for _ in range(args.repeat)])
        bad += len(report(title, results, suite, args.top))
    print(f"\n{len(suite.CASES)} hostile answers, {args.repeat} run(s) of each way, "
          f"{time.perf_counter() - start:.1f} s in all")  # fmt: skip
    figures = latency()
    later = figures["later"]
    print("\nlatency of check() in a fresh process (what an answer box sees):")
    print(f"  import derivation.exercises        {figures['import']:.3f} s")
    print(f"  first check (starts the worker)    {figures['first']:.3f} s")
    print(f"  later checks, median / max of {len(later)}  "
          f"{statistics.median(later):.3f} s / {max(later):.3f} s")  # fmt: skip
    print(f"  first check after a kill           {figures['restarted']:.3f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
