"""Errors the command line reports in one line, with exit code 2, and the one way it prints
a message that may hold text from the scanned tree."""

from __future__ import annotations

from rich.console import Console

from analyzer.render.escape import escape_for_terminal


class UsageError(Exception):
    """A problem with how the command was called; reported in one line, exit 2."""


def say(console: Console, text: str) -> None:
    """One message line: target text in it is escaped, nothing in it is read as markup."""
    console.print(escape_for_terminal(text), markup=False, highlight=False, soft_wrap=True)
