"""Read the ``expect`` markers written into fixture files.

Conventions (one per file kind, all stating which rule fires on which line):
- ``# expect: RULE[, RULE…]`` at the end of a line: the rules fire on that line.
- ``{# expect: RULE #}`` in a Jinja/Django template: the same, for templates.
- ``# expect-next-line: RULE`` on a line of its own: the rules fire on the next line (for
  files such as Dockerfiles where a trailing comment would change the instruction).
- ``.expected-findings.txt`` at the fixture root, one ``PATH:LINE RULE`` per line: findings
  no line can carry a marker for (project-level ones on path ``.``, module-level facts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

SIDECAR = ".expected-findings.txt"
_MARKER = re.compile(
    r"(?:#|\{#)\s*expect(?P<next>-next-line)?:\s*(?P<rules>[A-Za-z0-9_.,\s-]+?)\s*(?:#\}|$)"
)


def read_markers(root: Path) -> set[tuple[str, int, str]]:
    """Every (relative path, line, rule id) the fixture promises."""
    expected: set[tuple[str, int, str]] = set()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        for line_number, rule in _markers_in(path):
            expected.add((rel, line_number, rule))
    return expected | _sidecar_markers(root / SIDECAR)


def _markers_in(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if match is None:
            continue
        target = number + 1 if match.group("next") else number
        for rule in match.group("rules").split(","):
            if rule.strip():
                yield target, rule.strip()


def _sidecar_markers(path: Path) -> set[tuple[str, int, str]]:
    if not path.is_file():
        return set()
    expected = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            where, rule = line.split()
            rel, _, number = where.rpartition(":")
            expected.add((rel, int(number), rule))
    return expected
