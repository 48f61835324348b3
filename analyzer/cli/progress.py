"""Progress on stderr while analyzers run: a live display on a terminal, plain lines
otherwise, nothing with ``--quiet``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from analyzer.analyze import Progress as TaskProgress
from analyzer.analyze import ProgressCallback
from analyzer.cli.errors import say
from analyzer.render.text import escape

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID


@contextmanager
def progress_display(err: Console, *, quiet: bool) -> Iterator[ProgressCallback | None]:
    if quiet:
        yield None
        return
    if not err.is_terminal:
        yield plain_progress(err)
        return
    # Imported here: a quiet or piped scan never draws a bar.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(event: TaskProgress) -> None:
            if event.analyzer not in tasks:
                tasks[event.analyzer] = bar.add_task(escape(event.analyzer), total=event.total)
            bar.update(tasks[event.analyzer], completed=event.done)

        yield update


def plain_progress(err: Console) -> ProgressCallback:
    def update(event: TaskProgress) -> None:
        if event.done == event.total:
            say(err, f"{event.analyzer}: done")

    return update
