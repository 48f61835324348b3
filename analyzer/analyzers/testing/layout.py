"""Which files are tests, which modules they exercise, and how much test code there is.

A module counts as tested when a test file is named after it (``test_<name>.py`` or
``<name>_test.py``) or a test file imports it (``import pkg.mod``, ``from pkg import mod``,
``from pkg.mod import x``). Nothing is imported or run.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.discover import matches_any


@dataclass(frozen=True, kw_only=True, slots=True)
class TestLayout:
    test_patterns: tuple[str, ...]
    exempt_patterns: tuple[str, ...]
    source_roots: tuple[str, ...]

    def is_test(self, path: str) -> bool:
        return matches_any(path, self.test_patterns)

    def is_exempt(self, path: str) -> bool:
        return matches_any(path, self.exempt_patterns)

    def module_name(self, path: str) -> str:
        """``src/pkg/mod.py`` -> ``pkg.mod``; ``pkg/__init__.py`` -> ``pkg``."""
        stem = path.removesuffix(".py")
        for root in self.source_roots:
            if stem.startswith(f"{root}/"):
                stem = stem[len(root) + 1 :]
                break
        parts = stem.split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join(parts)


def imported_modules(tree: ast.Module) -> set[str]:
    """Every dotted name a module imports, plus ``pkg.name`` for ``from pkg import name``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def tested_by_name(test_paths: Iterable[str]) -> set[str]:
    """Module stems that a test file is named after."""
    stems = set()
    for path in test_paths:
        stem = posixpath.basename(path).removesuffix(".py")
        if stem.startswith("test_"):
            stems.add(stem[len("test_") :])
        elif stem.endswith("_test"):
            stems.add(stem[: -len("_test")])
    return stems


def untested_modules(
    modules: Mapping[str, str], test_imports: set[str], test_stems: set[str]
) -> list[str]:
    """Paths of source modules (``{path: dotted name}``) no test names or imports."""
    untested = []
    for path, dotted in sorted(modules.items()):
        stem = dotted.rsplit(".", 1)[-1]
        if stem in test_stems or any(
            name == dotted or name.startswith(f"{dotted}.") for name in test_imports
        ):
            continue
        untested.append(path)
    return untested


def count_code_lines(text: str) -> int:
    """Lines that are neither blank nor only a comment."""
    return sum(
        1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )
