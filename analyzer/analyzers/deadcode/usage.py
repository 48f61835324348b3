"""Which frameworks a project uses: what its code imports, and the dependencies its
packaging files declare (``pyproject.toml``, ``requirements*.txt``, an unpacked wheel's
``METADATA``), all read as data."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from analyzer.analyzers.deadcode.whitelists import normalize
from analyzer.model import FileError
from analyzer.source import read_source

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIRES_DIST = re.compile(r"^Requires-Dist:\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.MULTILINE)


def used_names(
    imports: Iterable[str], root: str, dependency_files: Iterable[str]
) -> frozenset[str]:
    """Normalized top-level module names imported anywhere, and declared distributions."""
    names = {normalize(module.split(".", 1)[0]) for module in imports}
    for path in dependency_files:
        text = read_source(root, path, "dead-code")
        if not isinstance(text, FileError):
            names.update(normalize(n) for n in declared_dependencies(path, text))
    return frozenset(names)


def declared_dependencies(path: str, text: str) -> list[str]:
    name = path.rsplit("/", 1)[-1]
    if name == "pyproject.toml":
        return _pyproject_dependencies(text)
    if name == "METADATA":
        return _REQUIRES_DIST.findall(text)
    return _requirement_lines(text.splitlines())


def _requirement_lines(lines: Iterable[str]) -> list[str]:
    found = []
    for line in lines:
        stripped = line.split("#", 1)[0].strip()
        if stripped and not stripped.startswith("-"):
            match = _NAME.match(stripped)
            if match:
                found.append(match.group(1))
    return found


def _pyproject_dependencies(text: str) -> list[str]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    project = _table(document.get("project"))
    requirements: list[object] = list(_list(project.get("dependencies")))
    for group in _table(project.get("optional-dependencies")).values():
        requirements.extend(_list(group))
    for group in _table(document.get("dependency-groups")).values():
        requirements.extend(_list(group))
    names = _requirement_lines(r for r in requirements if isinstance(r, str))
    poetry = _table(_table(document.get("tool")).get("poetry"))
    names.extend(_table(poetry.get("dependencies")))
    names.extend(_table(poetry.get("dev-dependencies")))
    for group in _table(poetry.get("group")).values():
        names.extend(_table(_table(group).get("dependencies")))
    return names


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
