"""The Python version a project says it needs (``requires-python``), read as data.

mypy checks the standard library as of one Python version. Run for ours, it reports
``typing.override`` or ``itertools.batched`` as missing in a project that requires a newer
Python; so mypy is told the project's minimum when that is newer than ours. Never older:
our own parser reads the files with our grammar, and mypy refuses versions it dropped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from analyzer.discover.project import load_pyproject

# The newest version we pass on: mypy knows the standard library up to about this one.
NEWEST = (3, 14)
# A lower bound on Python 3: ">=3.12", ">3.11", "~=3.12", "==3.12.*", "==3.12.1".
_BOUND = re.compile(r"(>=|>|~=|==)\s*3\.(\d{1,2})")


def minimum_python(specifier: str) -> tuple[int, int] | None:
    """The lowest Python 3 minor version ``specifier`` allows, if it names one."""
    bounds = []
    for operator, minor in _BOUND.findall(specifier[:200]):
        bounds.append(int(minor) + (1 if operator == ">" else 0))
    return (3, max(bounds)) if bounds else None


def target_python(root: str | Path) -> str | None:
    """The ``--python-version`` for mypy: the project's minimum when newer than ours."""
    document = load_pyproject(Path(root)) or {}
    project = document.get("project")
    specifier = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(specifier, str):
        return None
    wanted = minimum_python(specifier)
    if wanted is None or wanted <= sys.version_info[:2]:
        return None
    major, minor = min(wanted, NEWEST)
    return f"{major}.{minor}"
