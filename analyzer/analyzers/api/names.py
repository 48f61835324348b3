"""Qualified names: module names from file paths, and libcst's names made absolute.

libcst's QualifiedNameProvider answers relative to the module (``router``,
``create_app.<locals>.app``, ``.deps.get_current_user``, ``open``); ``absolute`` turns
each of those into one dotted name that is the same in every module that refers to it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import QualifiedName, QualifiedNameSource

_SOURCE_ROOTS = ("src/", "lib/")


def module_name(path: str) -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod``; ``pkg/__init__.py`` -> ``pkg``."""
    stem = path.rsplit(".", 1)[0]
    for root in _SOURCE_ROOTS:
        stem = stem.removeprefix(root)
    parts = [p for p in stem.split("/") if p]
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


_SELF_ATTRIBUTE = re.compile(r"^(.+)\.[A-Za-z_]\w*\.<locals>\.self\.(.+)$")


def normalize_self(name: str) -> str:
    """``pkg.Class.method.<locals>.self.router`` -> ``pkg.Class.router``: an attribute set
    on ``self`` in one method is the same object in every other method of the class."""
    match = _SELF_ATTRIBUTE.match(name)
    return f"{match.group(1)}.{match.group(2)}" if match else name


def package_of(module: str, path: str) -> str:
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def absolute(name: QualifiedName, module: str, package: str) -> str:
    if name.source is QualifiedNameSource.BUILTIN:
        return f"builtins.{name.name}"
    if name.source is QualifiedNameSource.LOCAL:
        return f"{module}.{name.name}" if module else name.name
    if name.name.startswith("."):
        return _resolve_relative(name.name, package)
    return name.name


def _resolve_relative(name: str, package: str) -> str:
    level = len(name) - len(name.lstrip("."))
    base = package.split(".") if package else []
    base = base[: len(base) - (level - 1)] if level > 1 else base
    rest = name[level:]
    return ".".join([*base, rest] if rest else base)


def pick(
    names: Iterable[QualifiedName], module: str, package: str, *, definition: bool = False
) -> str | None:
    """One absolute name for a node: imports win over locals, then alphabetical order; for
    a definition (``class ListView(ListView)`` shadowing an import) the local name wins."""
    wanted = QualifiedNameSource.LOCAL if definition else QualifiedNameSource.IMPORT
    ordered = sorted(names, key=lambda n: (n.source is not wanted, n.name))
    return absolute(ordered[0], module, package) if ordered else None


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` as text for a chain of names, else None (no metadata needed)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else None
    return None


@dataclass(frozen=True, slots=True)
class ModuleIndex:
    """Maps absolute names as imports spell them to the scanned module that defines them.

    A scan rooted above the package (``fixtures/app/app/api.py``) knows the module as
    ``fixtures.app.app.api``, while code imports it as ``app.api``; the index matches on
    dotted suffixes, preferring the longest match.
    """

    by_suffix: Mapping[str, tuple[str, ...]]

    def canonical(self, name: str) -> str:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            candidates = self.by_suffix.get(".".join(parts[:cut]))
            if candidates:
                return ".".join([candidates[0], *parts[cut:]])
        return name

    def module_of(self, name: str) -> str | None:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            candidates = self.by_suffix.get(".".join(parts[:cut]))
            if candidates:
                return candidates[0]
        return None


def build_index(modules: Iterable[str], source_roots: Iterable[str] = ()) -> ModuleIndex:
    """Index every dotted suffix of every module. Where several modules share a suffix, the
    one that is that name exactly wins, then one directly under a source root (the folder
    of a Django project's ``manage.py``), then the shortest."""
    roots = tuple(sorted(set(source_roots)))
    by_suffix: dict[str, list[str]] = defaultdict(list)
    for module in sorted(set(modules)):
        parts = module.split(".")
        for start in range(len(parts)):
            by_suffix[".".join(parts[start:])].append(module)

    def rank(key: str, module: str) -> tuple[bool, bool, int, str]:
        rooted = any(module == f"{root}.{key}" for root in roots)
        return (module != key, not rooted, len(module), module)

    ranked = {key: tuple(sorted(v, key=lambda m: rank(key, m))) for key, v in by_suffix.items()}
    return ModuleIndex(by_suffix=ranked)


def source_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """Dotted folders that Django code imports from: where ``manage.py`` is, and the folder
    above a package holding a settings module (``proj/core/settings/base.py`` -> ``proj``)."""
    roots: set[str] = set()
    for path in paths:
        parts = module_name(path).split(".")
        if parts[-1] == "manage":
            roots.add(".".join(parts[:-1]))
        elif "settings" in parts[:-1]:
            roots.add(".".join(parts[: parts.index("settings") - 1]))
        elif parts[-1] == "settings":
            roots.add(".".join(parts[:-2]))
    return tuple(sorted(r for r in roots if r))
