"""Recognising database queries in expressions, by the shape of attribute/call chains.

``db.query(Device).order_by(Device.name).all()``, ``User.query.all()``,
``Book.objects.filter(...)`` and ``conn.execute(sql)`` are query chains: some link is one
of the configured query methods, or the manager attribute (``objects``).
"""

from __future__ import annotations

from collections.abc import Set

import libcst as cst

from analyzer.analyzers.api.settings import ApiSettings

# Names of what a loop iterates that say it is deliberate batching.
BATCH_WORDS = ("chunk", "batch", "page", "slice")


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


def _links(node: cst.BaseExpression) -> list[tuple[str, cst.Call | None]]:
    """``(name, call)`` along a chain, outermost first; ``call`` when the link is called."""
    links: list[tuple[str, cst.Call | None]] = []
    current: cst.BaseExpression = node
    called: cst.Call | None = None
    while True:
        if isinstance(current, cst.Call):
            called, current = current, current.func
        elif isinstance(current, cst.Attribute):
            links.append((current.attr.value, called))
            called, current = None, current.value
        elif isinstance(current, cst.Subscript):
            called, current = None, current.value
        else:
            return links


def is_query_call(node: cst.Call, settings: ApiSettings) -> bool:
    """A call that reaches the database: a link is a query method or the manager attribute.

    Not a query: a result accessor called without a statement (``result.scalars().all()``
    after one ``execute``), or a bare ``.query`` attribute followed by something that is no
    query method (``urlparse(url).query.encode()``).
    """
    names = chain_names(node)
    if len(names) < 2 or names[0] in ("executemany", "executescript"):
        return False
    links = _links(node)
    for index, (name, call) in enumerate(links):
        if name == settings.manager_attribute and index > 0:
            return True
        if name not in settings.query_methods:
            continue
        if name in settings.result_accessors and (call is None or not call.args):
            continue
        if call is None and name == "query":
            outer = links[index - 1][0] if index > 0 else ""
            if outer not in settings.query_attribute_methods:
                continue
        return True
    return False


def is_bounded_iteration(iterable: cst.BaseExpression, literals: Set[str] = frozenset()) -> bool:
    """A loop that cannot grow with the data: over a literal (``for m in (A, B)``), a local
    name bound to one, a module constant (``for key in DEFAULT_KEYS``), ``range(3)``, a
    stepped ``range`` or chunks/batches/pages (deliberate batching)."""
    if isinstance(iterable, cst.List | cst.Tuple | cst.Set | cst.Dict):
        return True
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name):
        if iterable.func.value == "range":
            args = [a.value for a in iterable.args]
            return len(args) == 3 or all(isinstance(a, cst.Integer) for a in args)
        if iterable.func.value in ("enumerate", "sorted", "reversed") and iterable.args:
            return is_bounded_iteration(iterable.args[0].value, literals)
    names = chain_names(iterable)
    root = names[-1] if names else ""
    if root in literals or (root.isupper() and len(root) > 1):
        return True
    text = ".".join(names).lower()
    return any(word in text for word in BATCH_WORDS)


def is_search_loop(node: cst.For) -> bool:
    """A loop that stops at the first hit (``return``/``break`` in its own body): a search
    or a lock loop, which issues one query per try rather than one per row."""
    finder = _ExitFinder()
    node.body.visit(finder)
    return finder.found


class _ExitFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Return(self, node: cst.Return) -> None:
        self.found = True

    def visit_Break(self, node: cst.Break) -> None:
        self.found = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_For(self, node: cst.For) -> bool:
        return False

    def visit_While(self, node: cst.While) -> bool:
        return False


def is_retry_loop(node: cst.While) -> bool:
    """A ``while`` loop that retries, polls or pages (``while True``, ``while offset < n``)
    rather than draining a collection (``while pending: item = pending.pop()``)."""
    if not isinstance(node.test, cst.Name):
        return True
    finder = _PopFinder(node.test.value)
    node.body.visit(finder)
    return not finder.found


class _PopFinder(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("pop", "popleft", "get")
            and isinstance(func.value, cst.Name)
            and func.value.value == self.name
        ):
            self.found = True


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
