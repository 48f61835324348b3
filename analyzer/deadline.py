"""A time limit for work done in the main process.

Analyzer tasks run in workers under ``--timeout``; what follows them (normalizing, planning,
rendering) runs here, on data the scanned tree shaped. Those stages are built to be near
linear, and this limit is the backstop: a stage still running when it expires is stopped
with ``StageTimeout`` instead of holding a CI job until the job's own timeout.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# setitimer overflows past this; a limit of 11 days is no limit for a scan.
_LONGEST = 1_000_000.0


class StageTimeout(Exception):
    """A main-process stage ran past the time limit; ``str()`` names it and the limit."""


@contextmanager
def time_limit(seconds: float | None, stage: str) -> Iterator[None]:
    """Raise ``StageTimeout`` in the body once ``seconds`` have passed (main thread only)."""
    if (
        seconds is None
        or seconds >= _LONGEST
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise StageTimeout(f"{stage} took longer than the {seconds:g} s time limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
