"""Recognising database queries in expressions, by the shape of attribute/call chains.

``db.query(Device).order_by(Device.name).all()``, ``User.query.all()``,
``Book.objects.filter(...)`` and ``conn.execute(sql)`` are query chains: some link is one
of the configured query methods, or the manager attribute (``objects``).
"""

from __future__ import annotations

import libcst as cst

from analyzer.analyzers.api.settings import ApiSettings


def chain_names(node: cst.BaseExpression) -> list[str]:
    """Names along ``a.b(x).c.d()``, outermost first: ``["d", "c", "b", "a"]``."""
    names: list[str] = []
    current: cst.BaseExpression = node
    while True:
        if isinstance(current, cst.Call):
            current = current.func
        elif isinstance(current, cst.Attribute):
            names.append(current.attr.value)
            current = current.value
        elif isinstance(current, cst.Subscript):
            names.append("[]")
            current = current.value
        else:
            if isinstance(current, cst.Name):
                names.append(current.value)
            return names


def is_query_call(node: cst.Call, settings: ApiSettings) -> bool:
    """A call that reaches the database: a link is a query method or the manager attribute."""
    names = chain_names(node)
    links = names[:-1]
    if not links:
        return False
    if names[0] in ("executemany", "executescript"):
        return False
    return (
        any(n in settings.query_methods for n in links) or settings.manager_attribute in links[1:]
    )


def is_unbounded_query(node: cst.BaseExpression, settings: ApiSettings) -> bool:
    """A query chain returning every row: ``.all()`` or a bare queryset, nothing bounding it."""
    if not isinstance(node, cst.Call) or not is_query_call(node, settings):
        return False
    names = chain_names(node)
    if "[]" in names or _bounded(node, settings):
        return False
    if names[0] == "all":
        return True
    return settings.manager_attribute in names and names[0] in (
        "filter",
        "exclude",
        "order_by",
        "all",
    )


def _bounded(node: cst.CSTNode, settings: ApiSettings) -> bool:
    finder = _AttributeFinder(frozenset(settings.bounding_methods))
    node.visit(finder)
    return finder.found


class _AttributeFinder(cst.CSTVisitor):
    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value in self.names:
            self.found = True
        return not self.found
