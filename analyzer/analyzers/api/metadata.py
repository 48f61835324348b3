"""Qualified names and positions of one parsed module, each computed on first use.

libcst's ``QualifiedNameProvider`` attaches a name to every node of the tree and the
visitors declaring it pay for the scope analysis up front; most files the body rules
visit never ask for a name or a position (nothing to report), so here the scope analysis
and the position pass run only when a visitor first needs them.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider, Scope, ScopeProvider

from analyzer.analyzers.api.names import package_of, pick


class ModuleMetadata:
    def __init__(self, tree: cst.Module, *, module: str, path: str) -> None:
        self.module, self.path = module, path
        self.package = package_of(module, path)
        self._wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None

    def name_of(self, node: cst.CSTNode) -> str | None:
        """One absolute qualified name for ``node`` (see ``names.pick``), or None."""
        if self._scopes is None:
            self._scopes = self._wrapper.resolve(ScopeProvider)
        scope = self._scopes.get(node)
        if scope is None:
            return None
        definition = isinstance(node, cst.ClassDef | cst.FunctionDef)
        names = scope.get_qualified_names_for(node)
        return pick(names, self.module, self.package, definition=definition)

    def start_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """``(line, column)`` where ``node`` starts, both 1-based."""
        if self._positions is None:
            self._positions = self._wrapper.resolve(PositionProvider)
        start = self._positions[node].start
        return start.line, start.column + 1

    def line_of(self, node: cst.CSTNode) -> int:
        return self.start_of(node)[0]
