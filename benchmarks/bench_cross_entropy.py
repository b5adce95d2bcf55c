"""Loss + gradient of softmax cross-entropy: this package against PyTorch and others.

Run:  .venv/bin/python benchmarks/bench_cross_entropy.py [--rounds 15]

PyTorch is not a dependency of the package (installing it into the project's
.venv would change what the test suite runs).  For the torch column, run the
same script with a Python that has PyTorch and the package, e.g. a separate
venv: ``python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch
numpy mpmath sympy && /tmp/torchvenv/bin/pip install --no-deps -e .``, then
``/tmp/torchvenv/bin/python benchmarks/bench_cross_entropy.py``.

Every implementation computes the summed loss and its gradient with respect to
the logits, for integer labels, at the shapes below, in float64 and float32,
for logits drawn from N(0, 3^2) (typical; the package exponentiates them
without a shift) and from N(0, 100^2) (wide; the package shifts each row by
its maximum):

- ``package``: ``derivation.numeric.cross_entropy_and_grad``, which runs the fused,
  blocked fast path of ``derivation.fastpath`` (the first line of the output says
  which copy of the package was imported: with an editable install, the working tree);
- ``numpy``: the plain stable NumPy a careful person writes (max-shift, exp,
  sum, divide, subtract one at the true class);
- ``torch``: ``F.cross_entropy(z, y, reduction="sum")`` + ``backward()`` on the
  CPU with one thread (only when PyTorch is installed);
- ``jacobian``: the student's route, ``-Y/P`` times one K x K Jacobian per row,
  where its n K^2 array fits in 512 MB;
- ``loop``: pure Python loops, where n K <= 20,000.

The package, NumPy and PyTorch run interleaved, in a rotating order, round
after round, so that they share the machine's momentary speed; medians are
reported and the ratios are medians of the per-round ratios.  The slow routes
run afterwards on their own (their large arrays would evict the others' data
from the caches).  Everything runs on one thread.
Target: package / torch <= 1 at every shape.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread everywhere, before NumPy loads BLAS

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from derivation import numeric  # noqa: E402

SHAPES = ((1024, 10), (4096, 100), (4096, 1000), (65536, 10))
JACOBIAN_BYTES = 512 * 2**20
LOOP_ENTRIES = 20_000


def plain_numpy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Stable softmax cross-entropy as usually written with NumPy."""
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    p = e / s
    loss = -(shifted[np.arange(n), y] - np.log(s[:, 0])).sum()
    p[np.arange(n), y] -= 1
    return loss, p


def python_loop(z: np.ndarray, y: np.ndarray) -> tuple[float, list]:
    """The same in pure Python, row by row."""
    loss, grad = 0.0, []
    for row, c in zip(z.tolist(), y.tolist(), strict=True):
        m = max(row)
        e = [math.exp(v - m) for v in row]
        s = sum(e)
        loss -= math.log(e[c] / s)
        g = [v / s for v in e]
        g[c] -= 1
        grad.append(g)
    return loss, grad


def torch_version() -> tuple[Callable | None, str]:
    try:
        import torch
    except ImportError:
        return None, "not installed"
    torch.set_num_threads(1)
    functional = torch.nn.functional

    def run(z: np.ndarray, y: np.ndarray):
        zt = torch.from_numpy(z).requires_grad_()
        loss = functional.cross_entropy(zt, torch.from_numpy(y), reduction="sum")
        loss.backward()
        return loss.item(), zt.grad

    return run, f"{torch.__version__}, 1 thread"


def contenders(n: int, K: int, itemsize: int, torch_run) -> dict[str, Callable]:
    runs = {"package": numeric.cross_entropy_and_grad, "numpy": plain_numpy}
    if torch_run is not None:
        runs["torch"] = torch_run
    if n * K * K * itemsize <= JACOBIAN_BYTES:
        runs["jacobian"] = numeric.jacobian_route_grad
    if n * K <= LOOP_ENTRIES:
        runs["loop"] = python_loop
    return runs


def measure(runs: dict[str, Callable], z, y, rounds: int) -> dict[str, list[float]]:
    names = list(runs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm up once
        runs[name](z, y)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            t0 = time.perf_counter()
            runs[name](z, y)
            times[name].append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    args = parser.parse_args()
    torch_run, torch_info = torch_version()
    print(f"NumPy {np.__version__}; PyTorch: {torch_info}; {args.rounds} interleaved rounds")
    print(f"package: {os.path.dirname(numeric.__file__)}")
    header = f"{'logits':10} {'dtype':8} {'shape':>12} {'package':>10} {'numpy':>10} {'torch':>10}"
    header += f" {'pkg/torch':>10} {'pkg/numpy':>10} {'jacobian':>10} {'loop':>10}"
    print(header)
    worst = 0.0
    for spread, dtype, (n, K) in (
        (spread, dtype, shape)
        for spread in (3.0, 100.0)
        for dtype in (np.float64, np.float32)
        for shape in SHAPES
    ):
        if True:  # one row of the table
            rng = np.random.default_rng(0)
            z = (rng.normal(size=(n, K)) * spread).astype(dtype)
            y = rng.integers(0, K, size=n)
            runs = contenders(n, K, np.dtype(dtype).itemsize, torch_run)
            slow = {name: runs.pop(name) for name in ("jacobian", "loop") if name in runs}
            times = measure(runs, z, y, args.rounds)  # the fast ones, interleaved
            # the slow ones after, on their own: their huge arrays would evict the others' caches
            times.update(measure(slow, z, y, 3) if slow else {})
            med = {name: statistics.median(t) for name, t in times.items()}

            def ratio(a: str, b: str, times=times) -> float:
                return statistics.median(x / w for x, w in zip(times[a], times[b], strict=True))

            def cell(name: str, med=med) -> str:
                return f"{med[name] * 1e3:8.2f}ms" if name in med else f"{'-':>10}"

            line = f"{f'N(0,{spread:g}^2)':10} {np.dtype(dtype).name:8} {f'{n}x{K}':>12}"
            line += f" {cell('package')} {cell('numpy')}"
            line += f" {cell('torch')}"
            if "torch" in med:
                r = ratio("package", "torch")
                worst = max(worst, r)
                line += f" {r:10.2f}"
            else:
                line += f" {'-':>10}"
            line += f" {ratio('package', 'numpy'):10.2f} {cell('jacobian')} {cell('loop')}"
            print(line)
    if torch_run is not None:
        verdict = "met" if worst <= 1 else "NOT met"
        print(f"target package/torch <= 1 at every shape: {verdict} (worst ratio {worst:.2f})")
    else:
        print("target package/torch <= 1 at every shape: not measured (PyTorch is not installed;")
        print("  see the module's docstring for running this with PyTorch)")


if __name__ == "__main__":
    main()
