"""Python-side template safety: ``mark_safe``/``Markup`` on request data or interpolated
strings, and jinja2 environments with autoescaping off. Parsed with ``ast``, never run."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from analyzer.model import RawFinding

SAFE_MARKERS = frozenset({"mark_safe", "Markup", "SafeString", "SafeText"})
_ENVIRONMENTS = frozenset({"Environment", "SandboxedEnvironment"})
# Cheap pre-filter: files without these words cannot produce a finding.
TRIGGER_WORDS = ("mark_safe", "Markup", "SafeString", "SafeText", "Environment")


def check_python(tree: ast.AST, path: str, request_names: tuple[str, ...]) -> Iterator[RawFinding]:
    uses_jinja = _imports_jinja(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node.func)
        if name in SAFE_MARKERS and node.args:
            finding = _check_mark_safe(node, name, path, frozenset(request_names))
            if finding is not None:
                yield finding
        elif name in _ENVIRONMENTS and uses_jinja:
            finding = _check_environment(node, path)
            if finding is not None:
                yield finding


def _imports_jinja(tree: ast.AST) -> bool:
    """Only a module that imports jinja2 builds jinja2 environments (other libraries have
    an ``Environment`` too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "jinja2" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "jinja2":
            return True
    return False


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _check_mark_safe(
    node: ast.Call, name: str, path: str, request_names: frozenset[str]
) -> RawFinding | None:
    argument = node.args[0]
    if _uses_request(argument, request_names):
        return _finding(node, path, "mark-safe-request-data", f"{name}() on request data")
    if _is_interpolated(argument):
        return _finding(
            node, path, "mark-safe-formatted", f"{name}() on a string built by interpolation"
        )
    return None


def _uses_request(expression: ast.expr, request_names: frozenset[str]) -> bool:
    for node in ast.walk(expression):
        if isinstance(node, ast.Name) and node.id in request_names:
            return True
        if isinstance(node, ast.Attribute) and node.attr in request_names:
            return True
    return False


def _is_interpolated(expression: ast.expr) -> bool:
    if isinstance(expression, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in expression.values)
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Mod | ast.Add):
        return not (_is_constant(expression.left) and _is_constant(expression.right))
    if isinstance(expression, ast.Call) and isinstance(expression.func, ast.Attribute):
        return expression.func.attr == "format" and bool(expression.args or expression.keywords)
    return False


def _is_constant(expression: ast.expr) -> bool:
    return isinstance(expression, ast.Constant)


def _check_environment(node: ast.Call, path: str) -> RawFinding | None:
    for keyword in node.keywords:
        if keyword.arg is None:
            return None  # **options: cannot tell
        if keyword.arg == "autoescape":
            value = keyword.value
            if isinstance(value, ast.Constant) and value.value is False:
                return _finding(
                    node, path, "autoescape-disabled", "jinja2 Environment with autoescape=False"
                )
            return None
    implicit = _finding(
        node,
        path,
        "autoescape-disabled",
        "jinja2 Environment without autoescape (it defaults to off)",
    )
    return replace(implicit, confidence="low")


def _finding(node: ast.Call, path: str, code: str, message: str) -> RawFinding:
    return RawFinding(
        tool="frontend",
        tool_code=code,
        message=message,
        path=path,
        line=node.lineno,
        column=node.col_offset + 1,
        column_unit="utf-8-bytes",
        end_line=node.end_lineno,
    )
