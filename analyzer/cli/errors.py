"""Errors the command line reports in one line, with exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """A problem with how the command was called; reported in one line, exit 2."""
