"""Python-side template safety: ``mark_safe``/``Markup`` on request data or interpolated
strings, and jinja2 environments with autoescaping off. Parsed with ``ast``, never run.

An interpolated value is safe when it is a constant, a call to an escaping or URL-building
function (``escape()``, ``url_for()``; ``safe_trusted_calls`` in rules/frontend.toml), or
a name whose last assignment before it, in the same function, gives such a value. An
environment without autoescaping matters only when it renders HTML: not when the module
loads only templates with other extensions (``config.cfg.template``).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from analyzer.model import RawFinding

SAFE_MARKERS = frozenset({"mark_safe", "Markup", "SafeString", "SafeText"})
_ENVIRONMENTS = frozenset({"Environment", "SandboxedEnvironment"})
_LOADERS = frozenset({"get_template", "select_template", "get_or_select_template"})
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".xml", ".svg", ".jinja", ".jinja2", ".j2")
# Cheap pre-filter: files without these words cannot produce a finding.
TRIGGER_WORDS = ("mark_safe", "Markup", "SafeString", "SafeText", "Environment")


@dataclass(frozen=True, kw_only=True, slots=True)
class PythonPolicy:
    request_names: frozenset[str]
    # Attributes of a request that carry what the client sent.
    request_inputs: frozenset[str]
    # Calls whose result is safe to interpolate into markup (fnmatch globs).
    trusted_calls: tuple[str, ...]
    # Translation calls: safe when their message is a literal the developers wrote.
    translation_calls: tuple[str, ...] = ()


def check_python(tree: ast.Module, path: str, policy: PythonPolicy) -> Iterator[RawFinding]:
    policy = _with_aliases(tree, policy)
    uses_jinja = _imports_jinja(tree)
    text_only = _text_only_environments(tree)
    for scope in _scopes(tree):
        assigned = _assignments(scope)
        for node in _own_nodes(scope):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node.func)
            if name in SAFE_MARKERS and node.args:
                finding = _check_mark_safe(node, name, path, policy, assigned)
                if finding is not None:
                    yield finding
            elif name in _ENVIRONMENTS and uses_jinja and node not in text_only:
                finding = _check_environment(node, path)
                if finding is not None:
                    yield finding


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield node


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a module or function, not of the functions nested in it."""
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


Assignments = dict[str, list[tuple[int, ast.expr | None]]]


def _assignments(scope: ast.AST) -> Assignments:
    """Name -> (line, value) of each assignment in the scope, in line order; ``None`` for a
    value that cannot be read (``x += y``, ``for x in ...``, a parameter)."""
    found: Assignments = defaultdict(list)
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id].append((node.lineno, node.value))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id].append((node.lineno, node.value))
        elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor) and isinstance(
            node.target, ast.Name
        ):
            found[node.target.id].append((node.lineno, None))
    for entries in found.values():
        entries.sort(key=lambda entry: entry[0])
    return found


def _with_aliases(tree: ast.Module, policy: PythonPolicy) -> PythonPolicy:
    """``from django.utils.html import escape as esc`` makes ``esc`` an escaping call too."""
    aliases = {
        alias.asname: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname
    }
    trusted = [a for a, name in aliases.items() if _matches(name, policy.trusted_calls)]
    translations = [a for a, name in aliases.items() if _matches(name, policy.translation_calls)]
    if not trusted and not translations:
        return policy
    return replace(
        policy,
        trusted_calls=(*policy.trusted_calls, *trusted),
        translation_calls=(*policy.translation_calls, *translations),
    )


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, p) for p in patterns)


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


def _text_only_environments(tree: ast.AST) -> set[ast.Call]:
    """Environments assigned to a name whose every ``name.get_template("...")`` in the
    module loads a template that is not HTML (and there is at least one)."""
    created: dict[str, list[ast.Call]] = defaultdict(list)
    loaded: dict[str, list[str | None]] = defaultdict(list)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _called_name(node.value.func) in _ENVIRONMENTS
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    created[target.id].append(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LOADERS
            and isinstance(node.func.value, ast.Name)
        ):
            first = node.args[0] if node.args else None
            literal = first.value if isinstance(first, ast.Constant) else None
            loaded[node.func.value.id].append(literal if isinstance(literal, str) else None)
    return {
        call
        for name, calls in created.items()
        if loaded.get(name)
        and all(t is not None and not t.lower().endswith(_HTML_SUFFIXES) for t in loaded[name])
        for call in calls
    }


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _check_mark_safe(
    node: ast.Call,
    name: str,
    path: str,
    policy: PythonPolicy,
    assigned: Assignments,
) -> RawFinding | None:
    argument = node.args[0]
    if _uses_request(argument, policy):
        return _finding(node, path, "mark-safe-request-data", f"{name}() on request data")
    values = _interpolated_values(argument)
    if values and not all(_is_safe_value(v, policy, assigned, node.lineno, 0) for v in values):
        return _finding(
            node, path, "mark-safe-formatted", f"{name}() on a string built by interpolation"
        )
    return None


def _uses_request(expression: ast.expr, policy: PythonPolicy) -> bool:
    """Reads what the client sent (``request.GET["q"]``, ``self.request.args``): an input
    attribute of a request. Passing the request along (``render(ctx, request=request)``)
    or reading what our code set on it (``request.user``) is not."""
    for node in ast.walk(expression):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in policy.request_inputs
            and _is_request(node.value, policy.request_names)
        ):
            return True
    return False


def _is_request(node: ast.expr, request_names: frozenset[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in request_names
    return isinstance(node, ast.Attribute) and node.attr in request_names


def _interpolated_values(expression: ast.expr) -> list[ast.expr]:
    """The values a string expression puts into its text (empty: nothing interpolated)."""
    if isinstance(expression, ast.JoinedStr):
        return [p.value for p in expression.values if isinstance(p, ast.FormattedValue)]
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Mod):
        right = expression.right
        if isinstance(right, ast.Tuple):
            return list(right.elts)
        if isinstance(right, ast.Dict):
            return [v for v in right.values if v is not None]
        return [right]
    if isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Add):
        parts = [expression.left, expression.right]
        return [] if all(isinstance(p, ast.Constant) for p in parts) else parts
    if (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute)
        and expression.func.attr == "format"
    ):
        return [*expression.args, *(k.value for k in expression.keywords)]
    return []


def _is_safe_value(
    value: ast.expr | None, policy: PythonPolicy, assigned: Assignments, line: int, depth: int
) -> bool:
    if value is None or depth > 4:
        return False
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.Call):
        name = _called_name(value.func)
        if name is not None and _matches(name, policy.translation_calls):
            first = value.args[0] if value.args else None
            return isinstance(first, ast.Constant) and isinstance(first.value, str)
        return name is not None and _matches(name, policy.trusted_calls)
    if isinstance(value, ast.JoinedStr | ast.BinOp):
        parts = _interpolated_values(value)
        return all(_is_safe_value(p, policy, assigned, line, depth + 1) for p in parts)
    if isinstance(value, ast.Name):
        before = [entry for entry in assigned.get(value.id, []) if entry[0] < line]
        if not before:
            return False
        at, reaching = before[-1]
        return _is_safe_value(reaching, policy, assigned, at, depth + 1)
    return False


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
        end_line=node.end_lineno,
    )
