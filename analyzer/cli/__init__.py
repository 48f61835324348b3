"""The ``roadmap`` command line (see ``commands`` for the exit codes)."""

from analyzer.cli.commands import main

__all__ = ["main"]
