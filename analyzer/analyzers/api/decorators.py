"""Decorators read from a function or class: their names, what they document, the HTTP
methods they declare (Django's ``require_POST``, DRF's ``api_view``) and DRF ``@action``s."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from analyzer.analyzers.api import bodies
from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.analyzers.api.syntax import (
    argument,
    elements,
    keyword,
    positional,
    string_list,
    string_value,
)

API_VIEW = "rest_framework.decorators.api_view"
ACTION = "rest_framework.decorators.action"
PERMISSION_CLASSES = "rest_framework.decorators.permission_classes"
METHOD_DECORATORS = {
    "django.views.decorators.http.require_POST": ("POST",),
    "django.views.decorators.http.require_GET": ("GET",),
    "django.views.decorators.http.require_safe": ("GET", "HEAD"),
}
REQUIRE_METHODS = "django.views.decorators.http.require_http_methods"
METHOD_DECORATOR = "django.utils.decorators.method_decorator"
# A DRF ``@action``: (method name, HTTP methods, detail route, URL path).
Action = tuple[str, tuple[str, ...], bool, str]


class DecoratorReader:
    def __init__(self, name_of: Callable[[cst.CSTNode], str | None], settings: ApiSettings) -> None:
        self.name_of, self.settings = name_of, settings

    def names(self, decorators: Sequence[cst.Decorator]) -> tuple[str, ...]:
        names: list[str] = []
        for decorator in decorators:
            expression = decorator.decorator
            func = expression.func if isinstance(expression, cst.Call) else expression
            name = self.name_of(func)
            if name is None:
                continue
            if isinstance(expression, cst.Call) and name == METHOD_DECORATOR:
                inner = decorator_values(argument(expression, 0, "decorator"))
                names.extend(n for n in map(self.callee, inner) if n)
                continue
            if isinstance(expression, cst.Call) and name == PERMISSION_CLASSES:
                listed = [self.name_of(e) or "" for e in elements(positional(expression, 0))]
                public = bool(listed) and all(
                    matches(n, self.settings.public_permissions) for n in listed
                )
                names.append(f"{name}:{'public' if public else 'required'}")
                continue
            names.append(name)
        return tuple(names)

    def callee(self, node: cst.BaseExpression) -> str | None:
        """A decorator's name: ``login_required`` or ``allows.requires(IsAdmin)`` alike."""
        return self.name_of(node.func if isinstance(node, cst.Call) else node)

    def documents(self, expression: cst.BaseExpression) -> bool:
        """A decorator that documents the endpoint (drf-spectacular, flasgger, RESTX)."""
        if not isinstance(expression, cst.Call):
            return False
        name = self.name_of(expression.func) or bodies.chain_text(expression.func)
        return (
            bool(name)
            and matches(name, self.settings.doc_decorators)
            and says_something(expression, self.settings)
        )

    def documenting(self, decorators: Sequence[cst.Decorator]) -> tuple[str, ...]:
        return tuple(
            bodies.chain_text(d.decorator.func)
            for d in decorators
            if isinstance(d.decorator, cst.Call) and self.documents(d.decorator)
        )

    def documented_methods(self, decorators: Sequence[cst.Decorator]) -> tuple[str, ...]:
        """Methods of a class documented by class decorators (``*``: all of them), such as
        ``@method_decorator(name="get", decorator=extend_schema(summary=...))``."""
        found = []
        for decorator in decorators:
            expression = decorator.decorator
            if self.documents(expression):
                found.append("*")
            elif (
                isinstance(expression, cst.Call)
                and self.name_of(expression.func) == METHOD_DECORATOR
            ):
                inner = decorator_values(argument(expression, 0, "decorator"))
                if any(self.documents(i) for i in inner):
                    found.append(string_value(keyword(expression, "name")) or "*")
        return tuple(found)

    def declared_methods(self, expression: cst.BaseExpression) -> tuple[str, ...] | None:
        func = expression.func if isinstance(expression, cst.Call) else expression
        name = self.name_of(func)
        if name in METHOD_DECORATORS:
            return METHOD_DECORATORS[name]
        if isinstance(expression, cst.Call) and name in (API_VIEW, REQUIRE_METHODS):
            return string_list(argument(expression, 0, "http_method_names")) or ("GET",)
        if name == API_VIEW:
            return ("GET",)
        return None

    def action(self, expression: cst.BaseExpression, method: str) -> Action | None:
        """``@action(detail=True, methods=["post"], url_path="move-to")`` on a viewset method."""
        if not isinstance(expression, cst.Call) or self.name_of(expression.func) != ACTION:
            return None
        methods = string_list(keyword(expression, "methods")) or ("GET",)
        detail = keyword(expression, "detail")
        is_detail = isinstance(detail, cst.Name) and detail.value == "True"
        url_path = string_value(keyword(expression, "url_path")) or method
        return (method, methods, is_detail, url_path)


def decorator_values(node: cst.BaseExpression | None) -> tuple[cst.BaseExpression, ...]:
    """``[a, b]``, ``a``, or a dict's values (``method_decorators = {"get": [auth]}``)."""
    if isinstance(node, cst.Dict):
        return tuple(
            v
            for e in node.elements
            if isinstance(e, cst.DictElement)
            for v in decorator_values(e.value)
        )
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return elements(node)
    return (node,) if node is not None else ()


def says_something(call: cst.Call, settings: ApiSettings) -> bool:
    """A documenting decorator that carries text (a summary, a description, a YAML file),
    or leaves the endpoint out of the docs on purpose (``extend_schema(exclude=True)``)."""
    for arg in call.args:
        if arg.keyword is None and string_value(arg.value) is not None:
            return True
        if arg.keyword is not None and arg.keyword.value in settings.doc_keywords:
            return True
        if (
            arg.keyword is not None
            and arg.keyword.value == "exclude"
            and isinstance(arg.value, cst.Name)
            and arg.value.value == "True"
        ):
            return True
        if isinstance(arg.value, cst.Call) and says_something(arg.value, settings):
            return True
    return False
