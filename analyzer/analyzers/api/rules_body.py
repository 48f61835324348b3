"""Rules about what function bodies do: blocking calls in coroutines, connections without
a timeout, SQL built from strings, and queries inside loops.

One visit over a module; qualified names are resolved only for calls that may need them
(inside coroutines, or in a module importing a connection or session factory), and
positions only for what is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import libcst as cst

from analyzer.analyzers.api.metadata import ModuleMetadata
from analyzer.analyzers.api.names import dotted
from analyzer.analyzers.api.prefilter import NameNeeds
from analyzer.analyzers.api.queries import (
    chain_names,
    is_bounded_iteration,
    is_query_call,
    is_retry_loop,
    is_search_loop,
)
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.analyzers.api.sqlbuild import Built, classify, takes_no_parameters
from analyzer.analyzers.api.syntax import argument, has_timeout, keyword
from analyzer.discover import matches_any
from analyzer.model import RawFinding

EXECUTE_METHODS = frozenset({"execute", "executemany", "executescript"})
DJANGO_EVALUATING = frozenset(
    {"get", "count", "first", "last", "exists", "create", "update", "delete", "get_or_create",
     "update_or_create", "bulk_create", "bulk_update", "aggregate", "earliest", "latest", "in_bulk"}
)  # fmt: skip


@dataclass(kw_only=True)
class _Function:
    name: str
    is_async: bool
    built: dict[str, Built] = field(default_factory=dict)
    # Local names bound to a literal collection: a loop over one is bounded by the code.
    literals: set[str] = field(default_factory=set)


class BodyRules(cst.CSTVisitor):
    def __init__(
        self, *, metadata: ModuleMetadata, settings: ApiSettings, needs: NameNeeds
    ) -> None:
        super().__init__()
        self.meta, self.settings = metadata, settings
        self.path = metadata.path
        # Which calls need their qualified name resolved at all (see prefilter).
        self.needs = needs
        self._builtins = tuple(
            p.split(".", 1)[1] for p in settings.blocking_calls if p.startswith("builtins.")
        )
        self.findings: list[RawFinding] = []
        self._functions: list[_Function] = [_Function(name="<module>", is_async=False)]
        self._awaited: set[int] = set()
        self._claimed: set[int] = set()
        # Loop bodies seen, and whether each node being visited is inside one (see on_visit).
        # Loop bodies seen (with their ``for`` when there is one), and for each node being
        # visited the innermost loop it is in: False outside loops (see on_visit).
        self._loop_bodies: dict[int, cst.For | None] = {}
        self._in_loop: list[cst.For | bool] = [False]
        self._search_loops: dict[int, bool] = {}
        self._sessions: set[str] = set()
        # One-off data migrations run once: their loops are no N+1 (see query_loop_skip_files).
        self._loops_count = not matches_any(metadata.path, settings.query_loop_skip_files)
        # A command-line program blocks only itself (see blocking_skip_files).
        self._serves_requests = not matches_any(metadata.path, settings.blocking_skip_files)

    def _report(self, code: str, node: cst.CSTNode, message: str) -> None:
        line, column = self.meta.start_of(node)
        self.findings.append(
            RawFinding(
                tool="api",
                tool_code=code,
                message=message,
                path=self.path,
                line=line,
                column=column,
            )
        )

    def _name(self, node: cst.CSTNode) -> str | None:
        return self.meta.name_of(node)

    # -- scopes ------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(
            _Function(name=node.name.value, is_async=node.asynchronous is not None)
        )

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._functions.append(_Function(name="<lambda>", is_async=False))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._functions.pop()

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(id(node.expression))

    # -- strings built for SQL, and session objects ------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        built = classify(node.value, self._functions[-1].built)
        is_session = isinstance(node.value, cst.Call) and self._is_session_factory(node.value)
        literal = isinstance(node.value, cst.List | cst.Tuple | cst.Set | cst.Dict)
        for target in node.targets:
            if isinstance(target.target, cst.Name) and built is not None:
                self._functions[-1].built[target.target.value] = built
            if isinstance(target.target, cst.Name) and literal:
                self._functions[-1].literals.add(target.target.value)
            text = dotted(target.target)
            if is_session and text:
                self._sessions.add(text)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not isinstance(node.target, cst.Name) or not isinstance(node.operator, cst.AddAssign):
            return
        scope = self._functions[-1].built
        before = scope.get(node.target.value)
        added = classify(node.value, scope)
        if before is None:
            return
        dynamic_piece = Built(dynamic=True, bandit_sees=False) if added is None else added
        scope[node.target.value] = before.merge(dynamic_piece)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if (
            isinstance(node.item, cst.Call)
            and self._is_session_factory(node.item)
            and node.asname is not None
        ):
            text = (
                dotted(node.asname.name)
                if isinstance(node.asname.name, cst.BaseExpression)
                else None
            )
            if text:
                self._sessions.add(text)

    def _is_session_factory(self, call: cst.Call) -> bool:
        return self.needs.connections and self._name(call.func) in self.settings.session_factories

    # -- loops -----------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        if self._loops_count and not is_bounded_iteration(node.iter, self._functions[-1].literals):
            self._loop_bodies[id(node.body)] = node

    def visit_While(self, node: cst.While) -> None:
        if self._loops_count and not is_retry_loop(node):
            self._loop_bodies[id(node.body)] = None

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node.for_in, node.elt)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node.for_in, node.elt)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node.for_in, node.elt)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node.for_in, node.value)

    def _comprehension(self, head: cst.CompFor, body: cst.BaseExpression) -> None:
        loops: list[cst.CompFor] = []
        current: cst.CompFor | None = head
        while current is not None:
            loops.append(current)
            current = current.inner_for_in
        literals = self._functions[-1].literals
        if self._loops_count and not all(is_bounded_iteration(f.iter, literals) for f in loops):
            self._loop_bodies[id(body)] = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Report the outermost query calls in a loop body, not inside a nested function
        (a query inside a query's arguments counts only in a loop of its own), nor in a loop
        that stops at its first hit (a search or lock loop, decided only when it matters)."""
        in_loop: cst.For | bool = self._in_loop[-1]
        if id(node) in self._loop_bodies:
            in_loop = self._loop_bodies[id(node)] or True
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            in_loop = False
        elif in_loop and isinstance(node, cst.Call) and is_query_call(node, self.settings):
            if not (isinstance(in_loop, cst.For) and self._is_search_loop(in_loop)):
                self._report(
                    "query-in-loop",
                    node,
                    f"query `{_chain_text(node)}` runs once per loop iteration",
                )
            in_loop = False
        self._in_loop.append(in_loop)
        return super().on_visit(node)

    def _is_search_loop(self, loop: cst.For) -> bool:
        if id(loop) not in self._search_loops:
            self._search_loops[id(loop)] = is_search_loop(loop)
        return self._search_loops[id(loop)]

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self._in_loop.pop()

    # -- calls ------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        function = self._functions[-1]
        blocking = (
            function.is_async
            and self._serves_requests
            and id(node) not in self._awaited
            and id(node) not in self._claimed
        )
        resolve = self.needs.connections or (
            blocking and (self.needs.blocking or self._calls_builtin(node))
        )
        name = self._name(node.func) if resolve else None
        self._check_timeout(node, name)
        self._check_sql(node)
        if blocking:
            self._check_blocking(node, name, function.name)

    def _calls_builtin(self, node: cst.Call) -> bool:
        func = node.func
        return isinstance(func, cst.Name) and any(
            fnmatchcase(func.value, p) for p in self._builtins
        )

    def _check_blocking(self, node: cst.Call, name: str | None, function: str) -> None:
        if name and any(fnmatchcase(name, p) for p in self.settings.blocking_calls):
            self._report(
                "blocking-call-in-async",
                node,
                f"`{name}` blocks the event loop in coroutine `{function}`",
            )
            return
        if self._is_sync_query(node):
            self._claim_chain(node)
            self._report(
                "blocking-call-in-async",
                node,
                f"synchronous query `{_chain_text(node)}` in coroutine `{function}`",
            )

    def _is_sync_query(self, node: cst.Call) -> bool:
        if not is_query_call(node, self.settings):
            return False
        names = chain_names(node)
        # ``session.query(X).all()`` runs the query; a bare ``x.query(...)`` builds one (or
        # is some module's own ``query`` function, like a search helper).
        if "query" in names[1:-1] or any(n in EXECUTE_METHODS for n in names[:-1]):
            return True
        return self.settings.manager_attribute in names and names[0] in DJANGO_EVALUATING

    def _claim_chain(self, node: cst.BaseExpression) -> None:
        current = node
        while isinstance(current, cst.Call | cst.Attribute | cst.Subscript):
            self._claimed.add(id(current))
            current = current.func if isinstance(current, cst.Call) else current.value

    def _check_timeout(self, node: cst.Call, name: str | None) -> None:
        if name is not None and name in self.settings.timeout_calls:
            if not has_timeout(node, self.settings.timeout_calls[name]):
                self._report(
                    "request-without-timeout", node, f"`{name}` opens a connection with no timeout"
                )
            return
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in self.settings.session_methods
        ):
            receiver = dotted(node.func.value)
            if receiver in self._sessions and not has_timeout(node, -1):
                self._report(
                    "request-without-timeout",
                    node,
                    f"`{receiver}.{node.func.attr.value}` on a requests session has no timeout",
                )

    def _check_sql(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Attribute) or node.func.attr.value not in EXECUTE_METHODS:
            return
        sql = argument(node, 0, "sql") or keyword(node, "operation")
        if sql is None:
            return
        built = classify(sql, self._functions[-1].built)
        if (
            built is not None
            and built.dynamic
            and not built.bandit_sees
            and not takes_no_parameters(built, self.settings.unparameterized_sql)
        ):
            self._report(
                "sql-string-execute",
                node,
                f"SQL passed to `{node.func.attr.value}` is built from strings at run time",
            )


def _chain_text(node: cst.Call) -> str:
    names = chain_names(node)
    return ".".join(reversed(names)) + "()"
