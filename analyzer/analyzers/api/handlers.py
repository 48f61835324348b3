"""Facts about one function that the endpoint rules need: dependencies, paging, returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst

from analyzer.analyzers.api.queries import is_unbounded_query
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.analyzers.api.syntax import elements, positional

NameOf = Callable[[cst.CSTNode], str | None]

DEPENDS = frozenset(
    {"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"}
)
SECURITY = frozenset(
    {"fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security"}
)


def dependency_calls(node: cst.CSTNode, name_of: NameOf) -> Iterator[tuple[str | None, bool]]:
    """``(target, is_security)`` for every ``Depends(x)``/``Security(x)`` inside ``node``."""
    collector = _DependsCollector(name_of)
    node.visit(collector)
    yield from collector.found


def dependency_list(
    value: cst.BaseExpression | None, name_of: NameOf
) -> tuple[tuple[str, ...], bool]:
    """``dependencies=[Depends(a), Security(b)]``: the targets, and whether any is Security."""
    targets: list[str] = []
    security = False
    for element in elements(value):
        for target, is_security in dependency_calls(element, name_of):
            security = security or is_security
            if target:
                targets.append(target)
    return tuple(targets), security


def parameter_dependencies(params: cst.Parameters, name_of: NameOf) -> tuple[tuple[str, ...], bool]:
    targets: list[str] = []
    security = False
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        for part in (param.default, param.annotation):
            if part is None:
                continue
            for target, is_security in dependency_calls(part, name_of):
                security = security or is_security
                if target:
                    targets.append(target)
                elif param.annotation is not None:
                    # ``Depends()`` with no argument depends on the annotated class.
                    targets.extend(t for t in [name_of(param.annotation.annotation)] if t)
    return tuple(targets), security


class _DependsCollector(cst.CSTVisitor):
    def __init__(self, name_of: NameOf) -> None:
        self.name_of = name_of
        self.found: list[tuple[str | None, bool]] = []

    def visit_Call(self, node: cst.Call) -> bool:
        name = self.name_of(node.func)
        if name in DEPENDS or name in SECURITY:
            target = positional(node, 0)
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "dependency":
                    target = arg.value
            self.found.append(
                (self.name_of(target) if target is not None else None, name in SECURITY)
            )
            return False
        return True


def returns_unbounded(value: cst.BaseExpression, names: set[str], settings: ApiSettings) -> bool:
    """Does a returned expression contain an unbounded query, or a local holding one?"""
    probe = _UnboundedProbe(settings, names)
    value.visit(probe)
    return probe.found


class _UnboundedProbe(cst.CSTVisitor):
    def __init__(self, settings: ApiSettings, names: set[str]) -> None:
        self.settings = settings
        self.names = names
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value in self.names

    def visit_Call(self, node: cst.Call) -> bool:
        if is_unbounded_query(node, self.settings):
            self.found = True
        return not self.found
