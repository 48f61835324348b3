"""Which files are tests, which modules they exercise, and how much test code there is.

A module counts as tested when a test file is named after it (``test_<name>.py`` or
``<name>_test.py``) or a test file imports it (``import pkg.mod``, ``from pkg import mod``,
``from pkg.mod import x``, ``from ..mod import x``), under any folder the tests import
from (the scan root, ``src/``, a Django project's folder, pytest's root for the test).
Nothing is imported or run.
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


def imported_modules(tree: ast.Module, path: str) -> set[str]:
    """Every dotted name a module imports, plus ``pkg.name`` for ``from pkg import name``.

    Relative imports (``from ..util import x`` in ``app/tests/test_a.py``) are resolved
    against the file's folder into names relative to the scan root (``app.util``,
    ``app.util.x``), which is one of the roots module names are matched under. A Django
    management command a test runs (``call_command("close-invoices")``) is given as
    ``command:close-invoices``.
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            command = _called_command(node)
            if command:
                names.add(f"{COMMAND_PREFIX}{command}")
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module if node.level == 0 else _resolve_relative(node, path)
            if module is None:
                continue
            if module:
                names.add(module)
            names.update(f"{module}.{a.name}" if module else a.name for a in node.names)
    return names


COMMAND_PREFIX = "command:"


def _called_command(node: ast.Call) -> str | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name != "call_command" or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _resolve_relative(node: ast.ImportFrom, path: str) -> str | None:
    package = path.split("/")[:-1]
    up = node.level - 1
    if up > len(package):
        return None
    base = package[: len(package) - up]
    return ".".join([*base, *(node.module.split(".") if node.module else [])])


def source_roots(paths: Iterable[str], tests: Iterable[str], configured: Iterable[str]) -> set[str]:
    """Folders that are on the import path when the tests run, besides the scan root:
    the configured ones (``src``), a Django project's folder (the one holding
    ``manage.py``, which test runners put first on the path), and the folder pytest puts
    on the path for each test file (the first one up that is not a package)."""
    known = set(paths)
    roots = {root.strip("/") for root in configured}
    roots.update(posixpath.dirname(p) for p in known if posixpath.basename(p) == "manage.py")
    for test in tests:
        folder = posixpath.dirname(test)
        while folder and f"{folder}/__init__.py" in known:
            folder = posixpath.dirname(folder)
        roots.add(folder)
    roots.discard("")
    return roots


def module_names(path: str, roots: Iterable[str]) -> set[str]:
    """The dotted names a module is imported by: from the scan root and from each root above
    it; a management command also by the name ``call_command`` runs it with."""
    names = set()
    folder, _, file_name = path.rpartition("/")
    if folder.endswith("management/commands"):
        names.add(f"{COMMAND_PREFIX}{file_name.removesuffix('.py')}")
    for root in ("", *roots):
        if root and not path.startswith(f"{root}/"):
            continue
        parts = path[len(root) + 1 if root else 0 :].removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            names.add(".".join(parts))
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
    modules: Mapping[str, Iterable[str]], test_imports: set[str], test_stems: set[str]
) -> list[str]:
    """Paths of source modules (``{path: the dotted names it is imported by}``) that no test
    names or imports."""
    # ``import a.b.c`` imports ``a.b`` and ``a`` too.
    imported = {
        ".".join(parts[:end])
        for parts in (name.split(".") for name in test_imports)
        for end in range(1, len(parts) + 1)
    }
    untested = []
    for path, names in sorted(modules.items()):
        stem = posixpath.basename(path).removesuffix(".py")
        if stem == "__init__":
            stem = posixpath.basename(posixpath.dirname(path))
        if stem in test_stems or not imported.isdisjoint(names):
            continue
        untested.append(path)
    return untested


def count_code_lines(text: str) -> int:
    """Lines that are neither blank nor only a comment."""
    return sum(
        1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )
