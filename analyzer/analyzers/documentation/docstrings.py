"""Docstring coverage of public functions, classes and methods, read with ``ast``.

Public means: the name does not start with an underscore, it is not nested in a function,
every enclosing class is public, and it is not a dunder method (``__init__`` and friends
are documented by their class), an ``@overload`` stub, a property setter/deleter, or a
nested ``Meta`` / ``Config`` options class.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
# Nested classes that hold a framework's options for their outer class (Django's and
# DRF's ``Meta``, Pydantic's ``Config``): documented by the framework, not an API.
OPTION_CLASSES = frozenset({"Meta", "Config"})


@dataclass(frozen=True, kw_only=True, slots=True)
class PublicSymbol:
    name: str
    kind: str
    line: int
    column: int
    documented: bool


def public_symbols(tree: ast.Module) -> list[PublicSymbol]:
    return list(_walk(tree.body, prefix="", in_class=False))


def _walk(body: list[ast.stmt], *, prefix: str, in_class: bool) -> Iterator[PublicSymbol]:
    for node in body:
        if not isinstance(node, Definition) or not _is_public(node):
            continue
        if in_class and isinstance(node, ast.ClassDef) and node.name in OPTION_CLASSES:
            continue
        kind = "class" if isinstance(node, ast.ClassDef) else ("method" if in_class else "function")
        yield PublicSymbol(
            name=f"{prefix}{node.name}",
            kind=kind,
            line=node.lineno,
            column=node.col_offset + 1,
            documented=ast.get_docstring(node, clean=False) is not None,
        )
        if isinstance(node, ast.ClassDef):
            yield from _walk(node.body, prefix=f"{prefix}{node.name}.", in_class=True)


def _is_public(node: Definition) -> bool:
    if node.name.startswith("_"):
        return False
    return not any(_is_exempt_decorator(d) for d in node.decorator_list)


def _is_exempt_decorator(decorator: ast.expr) -> bool:
    if isinstance(decorator, ast.Name):
        return decorator.id == "overload"
    if isinstance(decorator, ast.Attribute):
        return decorator.attr in ("overload", "setter", "deleter")
    return False
