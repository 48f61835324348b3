"""Route paths and registration arguments as the source writes them, without evaluating them.

A literal is read as is; an f-string, a name or a ``+`` concatenation becomes a template
whose unresolved parts are named after what the code wrote (``f"{base_path}/token"`` ->
``{base_path}/token``), never invented. Names that the join may still resolve (a module
constant, a parameter of the enclosing function) are listed next to their placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import libcst as cst

from analyzer.analyzers.api.facts import Names
from analyzer.analyzers.api.syntax import string_value

NameOf = Callable[[cst.CSTNode], str | None]
# Placeholders longer than this are cut: they name an expression, they do not reproduce it.
MAX_PLACEHOLDER = 60
_EMPTY = cst.Module(body=())


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    names: Names = ()


def code_of(node: cst.CSTNode) -> str:
    text = " ".join(_EMPTY.code_for_node(node).split())
    return text if len(text) <= MAX_PLACEHOLDER else text[: MAX_PLACEHOLDER - 1] + "…"


def render_path(node: cst.BaseExpression, name_of: NameOf, params: Mapping[str, str]) -> Template:
    """The template a path expression stands for; ``params`` maps local names (parameters,
    loop variables over parameters) to ``param:<name>``/``each:<name>``."""
    literal = string_value(node)
    if literal is not None:
        return Template(literal)
    if isinstance(node, cst.FormattedString):
        return _formatted(node, name_of, params)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = render_path(node.left, name_of, params)
        right = render_path(node.right, name_of, params)
        return Template(left.text + right.text, left.names + right.names)
    return _placeholder(node, name_of, params)


def _formatted(node: cst.FormattedString, name_of: NameOf, params: Mapping[str, str]) -> Template:
    text: list[str] = []
    names: list[tuple[str, str]] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text.append(part.value.replace("{{", "{").replace("}}", "}"))
        elif isinstance(part, cst.FormattedStringExpression):
            piece = _placeholder(part.expression, name_of, params)
            text.append(piece.text)
            names.extend(piece.names)
    return Template("".join(text), tuple(names))


def _placeholder(node: cst.BaseExpression, name_of: NameOf, params: Mapping[str, str]) -> Template:
    code = code_of(node)
    if isinstance(node, cst.Name) and node.value in params:
        return Template(f"{{{code}}}", ((code, params[node.value]),))
    if isinstance(node, cst.Name | cst.Attribute):
        name = name_of(node)
        return Template(f"{{{code}}}", ((code, name),) if name else ())
    return Template(f"{{{code}}}")


def encode_argument(
    key: str, node: cst.BaseExpression, name_of: NameOf, params: Mapping[str, str]
) -> tuple[str, str, str, tuple[str, ...], Names] | None:
    """One call argument as ``CallSite`` data, or None when it says nothing we can bind."""
    if isinstance(node, cst.Name) and node.value in params:
        kind, _, name = params[node.value].partition(":")
        return (key, kind, name, (), ())
    if isinstance(node, cst.List | cst.Tuple):
        # Each item a template (``[base, base + "/<int:id>"]`` in a helper calling a helper).
        templates = [
            render_path(e.value, name_of, params)
            for e in node.elements
            if isinstance(e, cst.Element)
        ]
        names = tuple(n for t in templates for n in t.names)
        return (key, "strs", "", tuple(t.text for t in templates), names) if templates else None
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
        template = render_path(node, name_of, params)
        return (key, "tpl", template.text, (), template.names)
    view = view_reference(node, name_of)
    return (key, "ref", view, (), ()) if view else None


def view_reference(node: cst.BaseExpression, name_of: NameOf) -> str | None:
    """A function's name, or ``class:<name>`` for ``SomeView.as_view(...)``."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("as_view", "as_asgi")
    ):
        name = name_of(node.func.value)
        return f"class:{name}" if name else None
    if isinstance(node, cst.Name | cst.Attribute):
        return name_of(node)
    return None


def is_route_like(node: cst.BaseExpression) -> bool:
    """A literal that reads like a URL path (or a list of them): worth a call-site record."""
    if isinstance(node, cst.List | cst.Tuple):
        return any(is_route_like(e.value) for e in node.elements if isinstance(e, cst.Element))
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        return isinstance(first, cst.FormattedStringExpression) or (
            isinstance(first, cst.FormattedStringText) and first.value.startswith("/")
        )
    value = string_value(node)
    return value is not None and value.startswith("/")
