"""A long-lived worker process that runs calls within a time and memory budget.

What lives here: :class:`Worker`, which runs a function (named as
``"module:function"``) in a separate Python process and returns its result,
or raises :class:`OutOfTime` when the call is not done by its deadline (the
process is then killed and a new one started in the background), and
:class:`Unavailable` where no process can be started.  The answer checker of
:mod:`derivation.exercises.checker` runs every check this way, so its time and
memory budget holds in any thread of the caller (a widget callback, Voilà),
not only in the main thread where a ``SIGALRM`` timer can be set.

How it works.  The worker is a child ``python -c`` process (started lazily, on
the first call or by :meth:`Worker.start`, and reused) that talks to this
process over two pipes with length-prefixed pickles; it is not a
``multiprocessing`` child, so it never re-imports the caller's ``__main__``.
Once it has imported its function and run its warm-up, it limits its own
address space (``RLIMIT_AS``) to what it uses then plus ``megabytes``, so a
call that needs more memory gets ``MemoryError`` inside the worker; after such
a call the worker exits and is replaced.  The caller waits for a reply at most
``seconds`` (:func:`select.select` on the pipe), then kills the worker.  The
worker measures each call (wall time, and on Linux its peak resident memory
above where the call started) and :attr:`Worker.last` keeps the figures of the
last call, for benchmarks.  One call runs at a time; callers in other threads
wait for the lock (that wait, and the start-up of the process, are not part of
a call's budget).  A worker started by a process that then forks belongs to
the parent only: the child starts its own.

Where processes cannot be started (``sys.platform == "emscripten"``, i.e.
Pyodide and JupyterLite; Windows, whose pipes :func:`select.select` cannot
wait on; or when starting one fails or it does not become ready within
``start_seconds``), :meth:`Worker.call` raises :class:`Unavailable` and the
caller decides what to do instead.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["OutOfTime", "Unavailable", "Worker", "can_start_processes"]

_HEADER = struct.Struct("!Q")
_CHILD = "from derivation.exercises.worker import _serve; _serve()"


class Unavailable(RuntimeError):
    """No worker process can be used here; the reason is the message."""


class OutOfTime(RuntimeError):
    """The call did not finish in time, or the worker died during it (it has been replaced)."""


def can_start_processes() -> bool:
    """Whether this platform can run a :class:`Worker` (not Pyodide, not Windows)."""
    return sys.platform != "emscripten" and os.name == "posix" and hasattr(os, "pipe")


class Worker:
    """A child process that runs ``target(*args)`` for the caller, one call at a time.

    Parameters
    ----------
    target : str
        The function, as ``"package.module:function"``; importable in a new process.
    warm_up : str or None
        A function (same form) the worker calls once, before it is ready.
    megabytes : int
        Memory a call may add to what the worker uses once warmed up (``RLIMIT_AS``).
    start_seconds : float
        How long the first call waits for the worker to become ready.
    """

    def __init__(
        self, target: str, *, warm_up: str | None, megabytes: int, start_seconds: float = 60.0
    ) -> None:
        self.target, self.warm_up, self.megabytes = target, warm_up, megabytes
        self.start_seconds = start_seconds
        self.last: dict[str, float] = {}
        self.restarts = 0
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._owner = 0  # the pid that started the process
        self._ready = False
        self._broken: str | None = None
        self._inherited: list[subprocess.Popen] = []
        atexit.register(self.stop)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._forget_parents_worker)

    def _forget_parents_worker(self) -> None:
        """In a forked child: a new lock, and the parent's worker left to the parent."""
        self._lock = threading.Lock()
        if self._process is not None:
            self._inherited.append(self._process)  # kept, so that it is never reaped here
        self._process, self._ready = None, False

    # ------------------------------------------------------------------ lifetime
    def start(self) -> None:
        """Start the worker process in the background, unless it runs already (never blocks)."""
        with self._lock:
            self._spawn()

    def stop(self) -> None:
        """Kill the worker process (a later call starts a new one)."""
        process, self._process, self._ready = self._process, None, False
        if process is not None and self._owner == os.getpid():
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass

    def pid(self) -> int | None:
        """The worker process's id, if one has been started by this process."""
        return self._process.pid if self._process is not None else None

    def _spawn(self) -> None:
        if self._broken is not None:
            return
        if self._process is not None and self._owner != os.getpid():
            self._forget_parents_worker()  # inherited through a fork that bypassed the hook
        if self._process is not None and self._process.poll() is None:
            return
        if not can_start_processes():
            self._broken = f"no worker processes on {sys.platform}"
            return
        package = Path(__file__).resolve().parents[2]
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
                       [str(package), *filter(None, [os.environ.get("PYTHONPATH")])]))  # fmt: skip
        try:
            command = [sys.executable, "-c", _CHILD, self.target, self.warm_up or ""]
            self._process = subprocess.Popen(
                [*command, str(self.megabytes)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
                start_new_session=True,  # a kernel's interrupt (SIGINT) is not for the worker
            )
        except (OSError, ValueError) as err:
            self._broken = f"cannot start a worker process ({type(err).__name__}: {err})"
            return
        self._owner, self._ready = os.getpid(), False

    # ------------------------------------------------------------------ calls
    def call(self, args: tuple, seconds: float) -> Any:
        """``target(*args)`` in the worker, waiting at most ``seconds`` for it.

        Raises
        ------
        OutOfTime
            If the reply does not come within ``seconds`` or the worker dies
            (killed by the limit of memory, say); the worker is replaced.
        Unavailable
            If no worker process can be used here.
        """
        with self._lock:
            self._spawn()
            if self._broken is not None:
                raise Unavailable(self._broken)
            if not self._ready:
                self._wait_ready()
            try:
                _write(self._process.stdin, ("call", args))
                status, result, figures = _read(self._process.stdout, time.monotonic() + seconds)
            except (TimeoutError, EOFError, OSError, pickle.UnpicklingError) as err:
                self._replace()
                raise OutOfTime(f"no reply within {seconds:.2f} s ({type(err).__name__})") from None
            except BaseException:  # KeyboardInterrupt: its reply would answer the next call
                self._replace()
                raise
            self.last = figures
            if status == "memory":  # the worker ran out of its memory and exits
                self._replace()
                raise OutOfTime("the call ran out of memory")
            if status == "error":
                raise RuntimeError(result)
            return result

    def _wait_ready(self) -> None:
        try:
            status, detail, _ = _read(self._process.stdout, time.monotonic() + self.start_seconds)
        except (TimeoutError, EOFError, OSError, pickle.UnpicklingError) as err:
            self.stop()
            self._broken = f"the worker process did not start ({type(err).__name__})"
            raise Unavailable(self._broken) from None
        if status != "ready":
            self.stop()
            self._broken = f"the worker process did not start: {detail}"
            raise Unavailable(self._broken)
        self._ready = True

    def _replace(self) -> None:
        self.stop()
        self.restarts += 1
        self._spawn()  # in the background: the next call waits for it to be ready


# ---------------------------------------------------------------------- the pipe protocol
def _write(stream, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream, deadline: float) -> Any:
    """One message from ``stream``, or TimeoutError at ``deadline`` (EOFError if it closed)."""
    fd = stream.fileno()
    header = _read_exactly(fd, _HEADER.size, deadline)
    (size,) = _HEADER.unpack(header)
    return pickle.loads(_read_exactly(fd, size, deadline))


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    chunks, missing = [], size
    while missing:
        remaining = None if deadline == float("inf") else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise TimeoutError
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            raise TimeoutError
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------- inside the worker
def _resolve(name: str):
    import importlib

    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def _status() -> dict[str, int]:
    """Fields of ``/proc/self/status`` in kB (Linux), or empty."""
    try:
        with open("/proc/self/status") as status:
            lines = [line.split(":", 1) for line in status if line.startswith("Vm")]
    except OSError:
        return {}
    return {key: int(value.split()[0]) for key, value in lines}


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:
        return
    size = _status().get("VmSize")
    if size is None:
        return
    limit = size * 1024 + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset the peak resident memory (VmHWM)
        return True
    except OSError:
        return False


def _serve() -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: read a call, run it, reply; exit when the caller goes away."""
    target_name, warm_up_name, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    inbox = sys.stdin.buffer
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the replies
    try:
        target = _resolve(target_name)
        if warm_up_name:
            _resolve(warm_up_name)()
        _limit_memory(megabytes)
    except BaseException as err:
        _write(outbox, ("failed", f"{type(err).__name__}: {err}", {}))
        return
    _write(outbox, ("ready", os.getpid(), {}))
    while True:
        try:
            _, args = _read(inbox, float("inf"))
        except (EOFError, OSError):
            return
        peak = _reset_peak()
        before = _status().get("VmRSS", 0)
        start, cpu = time.perf_counter(), time.process_time()
        status, result = "ok", None
        try:
            result = target(*args)
        except MemoryError:
            status = "memory"
        except Exception as err:
            status, result = "error", f"{type(err).__name__}: {err}"
        figures = {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}
        if peak:
            figures["megabytes"] = (_status().get("VmHWM", 0) - before) / 1024
        try:
            _write(outbox, (status, result, figures))
        except MemoryError:
            status = "memory"
        if status == "memory":
            return
