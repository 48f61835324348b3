"""Could the body rules report anything in a file? A conservative answer from ``ast``.

The standard library's parser is about ten times faster than libcst's, so a file that the
pre-filter sends to the body rules is first read with ``ast``, and parsed with libcst only
when some call could be reported: a call in a loop or a coroutine whose chain names a query
method or the manager attribute, a call in a coroutine of a name imported from a blocking
module (or a blocking builtin), a call of a name imported from a connection module, or an
``execute`` whose SQL is not a plain literal. Every call the rules would report passes
this test, so skipping the others changes nothing but time.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from analyzer.analyzers.api.settings import ApiSettings

EXECUTE_METHODS = frozenset({"execute", "executemany", "executescript"})


@dataclass(frozen=True, kw_only=True, slots=True)
class _Watched:
    query_words: frozenset[str]
    # Local names bound by imports of connection / blocking modules; None: any name may be.
    connections: frozenset[str] | None
    blocking: frozenset[str] | None
    builtins: tuple[str, ...]


def may_report(text: str, module: str, settings: ApiSettings) -> bool:
    """False only when no call in ``text`` can be reported by the body rules."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return True  # let libcst report (or accept) it
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    own = module.split(".", 1)[0]
    connections = (*settings.timeout_calls, *settings.session_factories)
    watched = _Watched(
        query_words=frozenset(
            {*settings.query_methods, settings.manager_attribute, *EXECUTE_METHODS}
        ),
        connections=None if _could_become(own, connections) else _bound(imports, connections),
        blocking=None
        if _could_become(own, settings.blocking_calls)
        else _bound(imports, settings.blocking_calls),
        builtins=tuple(
            p.split(".", 1)[1] for p in settings.blocking_calls if p.startswith("builtins.")
        ),
    )
    probe = _Probe(watched)
    probe.visit(tree)
    return probe.found


def _bound(
    imports: Iterable[ast.Import | ast.ImportFrom], targets: Iterable[str]
) -> frozenset[str] | None:
    """Local names whose import could make a call's qualified name one of ``targets``
    (fnmatch patterns); None when a star import makes any name possible."""
    wanted = tuple(targets)
    bound: set[str] = set()
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                if _could_become(alias.name if alias.asname else local, wanted):
                    bound.add(local)
        elif node.level == 0 and node.module:
            for alias in node.names:
                if alias.name == "*":
                    if _could_become(node.module, wanted):
                        return None
                elif _could_become(f"{node.module}.{alias.name}", wanted):
                    bound.add(alias.asname or alias.name)
    return frozenset(bound)


def _could_become(base: str, patterns: Iterable[str]) -> bool:
    """Could ``base``, or ``base.<attributes>``, match one of ``patterns``?"""
    for pattern in patterns:
        literal = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
        wildcard = literal != pattern
        if literal == base or literal.startswith(base + ".") or fnmatchcase(base, pattern):
            return True
        if wildcard and base.startswith(literal):
            return True
    return False


def _chain(node: ast.expr) -> tuple[list[str], str | None]:
    """Attribute names along ``a.b(x).c.d``, outermost first, and the root name if any."""
    links: list[str] = []
    current = node
    while True:
        if isinstance(current, ast.Call):
            current = current.func
        elif isinstance(current, ast.Attribute):
            links.append(current.attr)
            current = current.value
        elif isinstance(current, ast.Subscript):
            current = current.value
        else:
            return links, current.id if isinstance(current, ast.Name) else None


class _Probe(ast.NodeVisitor):
    def __init__(self, watched: _Watched) -> None:
        self.watched = watched
        self.found = False
        self.in_loop = False
        self.in_async = False

    def visit(self, node: ast.AST) -> None:
        if not self.found:
            super().visit(node)

    def _within(self, nodes: Iterable[ast.AST], *, in_loop: bool, in_async: bool) -> None:
        saved = self.in_loop, self.in_async
        self.in_loop, self.in_async = in_loop, in_async
        for node in nodes:
            self.visit(node)
        self.in_loop, self.in_async = saved

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node, is_async=False)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node, is_async=True)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, *, is_async: bool) -> None:
        # Decorators, defaults and annotations: the rules count them as inside the function,
        # Python as outside; either context may apply.
        outside = [*node.decorator_list, node.args]
        outside += [node.returns] if node.returns is not None else []
        self._within(outside, in_loop=self.in_loop, in_async=self.in_async or is_async)
        self._within(node.body, in_loop=False, in_async=is_async)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        self._within([node.body], in_loop=False, in_async=False)

    def visit_For(self, node: ast.For | ast.AsyncFor | ast.While) -> None:
        heads = [node.test] if isinstance(node, ast.While) else [node.target, node.iter]
        for part in [*heads, *node.orelse]:
            self.visit(part)
        self._within(node.body, in_loop=True, in_async=self.in_async)

    visit_AsyncFor = visit_For
    visit_While = visit_For

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        for part in node.generators:
            self.visit(part)
        self._within([node.elt], in_loop=True, in_async=self.in_async)

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        for part in [*node.generators, node.key]:
            self.visit(part)
        self._within([node.value], in_loop=True, in_async=self.in_async)

    def visit_Call(self, node: ast.Call) -> None:
        self.found = self._reportable(node)
        self.generic_visit(node)

    def _reportable(self, node: ast.Call) -> bool:
        watched = self.watched
        links, root = _chain(node)
        if (self.in_loop or self.in_async) and any(w in watched.query_words for w in links):
            return True
        if _imported(root, watched.connections):
            return True
        if self.in_async and (
            _imported(root, watched.blocking)
            or (
                isinstance(node.func, ast.Name)
                and any(fnmatchcase(node.func.id, p) for p in watched.builtins)
            )
        ):
            return True
        return bool(links) and links[0] in EXECUTE_METHODS and _dynamic_sql(node)


def _imported(root: str | None, bound: frozenset[str] | None) -> bool:
    return bound is None or (root is not None and root in bound)


def _dynamic_sql(node: ast.Call) -> bool:
    """Is the SQL argument of an ``execute`` call anything but a plain string literal?"""
    plain = [a for a in node.args if not isinstance(a, ast.Starred)]
    sql = plain[0] if plain else None
    for keyword in node.keywords:
        if keyword.arg in ("sql", "operation"):
            sql = keyword.value
    return sql is not None and not (isinstance(sql, ast.Constant) and isinstance(sql.value, str))
