"""A small process pool that survives its workers: each job runs under a time limit, and a
worker that hangs, crashes or is killed fails only the job it was running.

``concurrent.futures.ProcessPoolExecutor`` cannot do this: it cannot stop one running task,
and one dead worker breaks every pending future. Here each worker is its own process group
(so a tool it started, such as mypy, is killed with it), owns one pipe, and runs one job at
a time; the pool knows which job each worker holds, when it started, and replaces workers
that had to die. Leaving the pool, normally or through an exception such as
KeyboardInterrupt, kills every worker that is still busy.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

# How long an idle worker may take to exit after being asked, before it is killed.
_EXIT_GRACE_S = 2.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Job:
    """``function(*arguments)`` to run in a worker; both must be picklable."""

    key: int
    function: Callable[..., Any]
    arguments: tuple[Any, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Done:
    key: int
    value: Any


@dataclass(frozen=True, kw_only=True, slots=True)
class Failed:
    key: int
    reason: str


Outcome = Done | Failed


@dataclass(kw_only=True, slots=True)
class _Worker:
    process: BaseProcess
    connection: Connection
    # Never written: when the pool's process dies, the worker reads EOF and kills itself.
    lifeline: Connection
    job: Job | None = None
    started: float = 0.0


class WorkerPool:
    """Up to ``jobs`` worker processes, started only when there is work for them."""

    def __init__(self, jobs: int, *, timeout_s: float | None = None) -> None:
        self._size = max(jobs, 1)
        self._timeout_s = timeout_s
        self._context = multiprocessing.get_context("forkserver")
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Yield one outcome per job, in completion order.

        Given a deque, the caller may add jobs to it while iterating (e.g. retries).
        """
        queue = jobs if isinstance(jobs, deque) else deque(jobs)
        try:
            while queue or self._busy():
                yield from self._dispatch(queue)
                yield from self._collect()
        except BaseException:
            self.kill_busy()
            raise

    def close(self) -> None:
        """Ask idle workers to exit and kill any that are busy or do not exit in time."""
        self.kill_busy()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.connection.send(None)
        deadline = time.monotonic() + _EXIT_GRACE_S
        for worker in self._workers:
            worker.process.join(max(deadline - time.monotonic(), 0))
            if worker.process.is_alive():
                _kill(worker)
            worker.connection.close()
            worker.lifeline.close()
        self._workers.clear()

    def kill_busy(self) -> None:
        for worker in [w for w in self._workers if w.job is not None]:
            self._discard(worker)

    def _busy(self) -> list[_Worker]:
        return [w for w in self._workers if w.job is not None]

    def _dispatch(self, queue: deque[Job]) -> list[Failed]:
        """Hand queued jobs to idle workers; jobs that cannot even be sent fail at once."""
        failed: list[Failed] = []
        while queue:
            worker = self._idle_worker()
            if worker is None:
                break
            job = queue.popleft()
            try:
                worker.connection.send((job.function, job.arguments))
            except OSError:
                # The idle worker died (killed from outside): replace it, keep the job.
                self._discard(worker)
                queue.appendleft(job)
                continue
            except Exception as exc:
                failed.append(Failed(key=job.key, reason=f"could not start: {exc!r}"))
                continue
            worker.job, worker.started = job, time.monotonic()
        return failed

    def _idle_worker(self) -> _Worker | None:
        for worker in self._workers:
            if worker.job is None:
                return worker
        if len(self._workers) >= self._size:
            return None
        worker = self._spawn()
        self._workers.append(worker)
        return worker

    def _spawn(self) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        watched, lifeline = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_serve, args=(theirs, watched), daemon=True)
        process.start()
        theirs.close()
        watched.close()
        return _Worker(process=process, connection=ours, lifeline=lifeline)

    def _collect(self) -> Iterator[Outcome]:
        busy = self._busy()
        if not busy:
            return
        waitables: list[Any] = [w.connection for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waitables, timeout=self._next_deadline(busy)))
        for worker in busy:
            if worker.connection in ready or worker.process.sentinel in ready:
                yield self._receive(worker)
        now = time.monotonic()
        for worker in self._busy():
            if self._timeout_s is not None and now - worker.started >= self._timeout_s:
                key = worker.job.key if worker.job else -1
                self._discard(worker)
                yield Failed(key=key, reason=f"timed out after {self._timeout_s:g}s")

    def _next_deadline(self, busy: list[_Worker]) -> float | None:
        if self._timeout_s is None or not busy:
            return None
        first = min(w.started for w in busy)
        return max(first + self._timeout_s - time.monotonic(), 0.0)

    def _receive(self, worker: _Worker) -> Outcome:
        assert worker.job is not None
        key = worker.job.key
        try:
            ok, value = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(_EXIT_GRACE_S)
            reason = describe_exit(worker.process.exitcode)
            self._discard(worker)
            return Failed(key=key, reason=reason)
        except Exception as exc:
            self._discard(worker)
            return Failed(key=key, reason=f"result could not be read: {exc!r}")
        worker.job = None
        return Done(key=key, value=value) if ok else Failed(key=key, reason=str(value))

    def _discard(self, worker: _Worker) -> None:
        _kill(worker)
        worker.connection.close()
        worker.lifeline.close()
        self._workers.remove(worker)


def describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = (
            signal.Signals(-exitcode).name
            if -exitcode in signal.valid_signals()
            else str(-exitcode)
        )
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"worker process was killed by {name}{hint}"
    return f"worker process exited unexpectedly (exit code {exitcode})"


def _kill(worker: _Worker) -> None:
    """Kill the worker and everything it started (its own process group)."""
    pid = worker.process.pid
    if pid is not None and worker.process.exitcode is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            # Not yet its own group leader (it had just started): kill the process alone.
            with contextlib.suppress(OSError):
                worker.process.kill()
    worker.process.join(_EXIT_GRACE_S)


def _serve(connection: Connection, lifeline: Connection) -> None:
    """A worker's life: run jobs until told to stop or the pool's end of the pipe closes."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    _silence()
    threading.Thread(target=_die_with_pool, args=(lifeline,), daemon=True).start()
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        function, arguments = message
        try:
            reply: tuple[bool, Any] = (True, function(*arguments))
        except BaseException as exc:
            reply = (False, describe_exception(exc))
        try:
            connection.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:
            connection.send((False, f"result could not be sent: {exc!r}"))


def _silence() -> None:
    """Nothing a tool prints in a worker reaches the user's terminal or CI log: warnings
    (Python 3.12 prints a SyntaxWarning naming the file for each invalid escape in the
    scanned code) and stray output would carry the tree's file names and text unescaped.
    Results and failures travel back over the pipe instead."""
    warnings.simplefilter("ignore")
    with contextlib.suppress(OSError):
        sink = os.open(os.devnull, os.O_WRONLY)
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        os.close(sink)


def _die_with_pool(lifeline: Connection) -> None:
    """If the pool's process is killed, take this worker and the tools it started down too."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()
    if os.getpgid(0) == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def describe_exception(exc: BaseException) -> str:
    """``crashed: Type: message at file.py:line``, naming the innermost frame."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last else ""
    return f"crashed: {type(exc).__name__}: {exc}{where}"
