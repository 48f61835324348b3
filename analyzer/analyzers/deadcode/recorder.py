"""vulture, run as is, remembering where each definition sits.

vulture reports an unused item by name, type, file and line only. To tell a framework
entry point from dead code we also need what vulture saw while defining it: the classes and
functions around it (their bases and decorators), whether it is a function parameter and
what the parameter's default calls, and what its file imports. The recorder keeps that for
every definition while vulture walks the tree, so no file is parsed twice.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from typing import Any

import vulture
from vulture import utils as vulture_utils

from analyzer.analyzers.deadcode.context import Context, Frame, ItemKey, item_key

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
_DOTTED_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,}$")


class RecordingVulture(vulture.Vulture):  # type: ignore[misc]
    """vulture with no ignore settings of its own, recording contexts, imports and class
    bases; parse problems are recorded as per-file reasons instead of printed."""

    def __init__(self) -> None:
        super().__init__(verbose=False)
        self.problems: list[str] = []
        self.contexts: dict[ItemKey, Context] = {}
        # Contexts replayed from another scanner's facts, still encoded (see facts.py).
        self.encoded_contexts: dict[ItemKey, tuple[Any, Any]] = {}
        # File -> every module it imports (``from a.b import c`` gives ``a.b`` and ``a.b.c``).
        self.imports: dict[str, set[str]] = defaultdict(set)
        # Class name -> bases as written, for every class in the project.
        self.class_bases: dict[str, set[str]] = defaultdict(set)
        # Name -> the modules a dotted-path string names it in (``"app.auth.Backend"`` in
        # settings gives ``Backend -> {"app.auth"}``): loaded by the framework, by name.
        self.dotted_strings: dict[str, set[str]] = defaultdict(set)
        self._frames: tuple[Frame, ...] = ()

    def _log(self, *args: object, file: object = None, force: bool = False) -> None:
        if force:
            self.problems.append(" ".join(map(str, args)))

    def visit(self, node: ast.AST) -> None:
        if not isinstance(node, Definition):
            super().visit(node)
            return
        outer = self._frames
        self._frames = (*outer, self._frame(node))
        try:
            super().visit(node)
        finally:
            self._frames = outer

    def _frame(self, node: Definition) -> Frame:
        decorators = tuple(vulture_utils.get_decorator_name(d) for d in node.decorator_list)
        if isinstance(node, ast.ClassDef):
            bases = tuple(name for name in map(dotted_name, node.bases) if name)
            self.class_bases[node.name].update(bases)
            return Frame(kind="class", name=node.name, bases=bases, decorators=decorators)
        return Frame(
            kind="function",
            name=node.name,
            bases=(),
            decorators=decorators,
            parameter_calls=_parameter_calls(node.args),
        )

    def _define(
        self, collection: Any, name: str, first_node: ast.AST, *args: Any, **kw: Any
    ) -> None:
        before = len(collection)
        super()._define(collection, name, first_node, *args, **kw)
        if len(collection) > before:
            self.contexts[item_key(collection[-1])] = Context(
                frames=self._frames, is_parameter=isinstance(first_node, ast.arg)
            )

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, str) and len(value) < 200 and _DOTTED_PATH.match(value):
            module, _, name = value.rpartition(".")
            self.dotted_strings[name].add(module)

    def visit_Import(self, node: ast.Import) -> None:
        self.imports[self.filename.as_posix()].update(alias.name for alias in node.names)
        super().visit_Import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.level == 0:
            found = self.imports[self.filename.as_posix()]
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        super().visit_ImportFrom(node)


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.C`` for a name or attribute chain; the subscripted name of ``Generic[T]``."""
    if isinstance(node, ast.Subscript):
        return dotted_name(node.value)
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _parameter_calls(arguments: ast.arguments) -> tuple[tuple[str, tuple[str, ...]], ...]:
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: dict[str, ast.expr] = dict(
        zip(
            (a.arg for a in positional[len(positional) - len(arguments.defaults) :]),
            arguments.defaults,
            strict=True,
        )
    )
    defaults.update(
        (a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
    )
    every = [*positional, *arguments.kwonlyargs]
    found = []
    for argument in every:
        calls = _calls_in(defaults.get(argument.arg)) + _calls_in(argument.annotation)
        if calls:
            found.append((argument.arg, calls))
    return tuple(found)


def _calls_in(expression: ast.expr | None) -> tuple[str, ...]:
    if expression is None:
        return ()
    names = (dotted_name(node.func) for node in ast.walk(expression) if isinstance(node, ast.Call))
    return tuple(name for name in names if name)
