"""Small readers over libcst nodes that need no metadata: literals, arguments, docstrings."""

from __future__ import annotations

import libcst as cst


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain (non-f) string literal, implicit concatenation included."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def string_list(node: cst.BaseExpression | None) -> tuple[str, ...] | None:
    """``["GET", "post"]`` -> ``("GET", "POST")``; None unless every element is a literal."""
    if not isinstance(node, cst.List | cst.Tuple | cst.Set):
        return None
    values = [string_value(element.value) for element in node.elements]
    if any(v is None for v in values):
        return None
    return tuple(sorted({v.upper() for v in values if v is not None}))


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    plain = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return plain[index] if index < len(plain) else None


def argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """An argument given by keyword ``name`` or at position ``index``."""
    found = keyword(call, name)
    return found if found is not None else positional(call, index)


def has_timeout(call: cst.Call, index: int) -> bool:
    if keyword(call, "timeout") is not None or any(arg.star == "**" for arg in call.args):
        return True
    return index >= 0 and positional(call, index) is not None


def elements(node: cst.BaseExpression | None) -> tuple[cst.BaseExpression, ...]:
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return tuple(e.value for e in node.elements if isinstance(e, cst.Element))
    return ()


def has_docstring(node: cst.FunctionDef | cst.ClassDef) -> bool:
    body = node.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return False
    first = body.body[0]
    if not isinstance(first, cst.SimpleStatementLine) or not first.body:
        return False
    statement = first.body[0]
    return isinstance(statement, cst.Expr) and isinstance(
        statement.value, cst.SimpleString | cst.ConcatenatedString
    )


def call_attribute(node: cst.BaseExpression) -> tuple[cst.BaseExpression, str] | None:
    """For ``receiver.attr(...)`` return ``(receiver, attr)``."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.value, node.func.attr.value
    return None
