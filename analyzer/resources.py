"""The one place that knows where the bundled ``rules/`` and ``templates/`` live.

In an installed wheel they are shipped inside the package (``analyzer/_bundled``); in a
source checkout they are the top-level folders next to ``analyzer/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _locate(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {name}/ folder not found next to {_PACKAGE_DIR}")


def rules_dir() -> Path:
    """Directory holding the bundled ``rules/*.toml``."""
    return _locate("rules")


def templates_dir() -> Path:
    """Directory holding the bundled jinja2 templates."""
    return _locate("templates")


def schema_path() -> Path:
    """JSON Schema describing the JSON export."""
    return _PACKAGE_DIR / "schema" / "report.schema.json"


def progress_schema_path() -> Path:
    """JSON Schema describing the ``roadmap progress`` JSON report."""
    return _PACKAGE_DIR / "schema" / "progress.schema.json"
