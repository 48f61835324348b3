"""Django ``urlpatterns``: each ``path``/``re_path``/``url`` entry and where its view is."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from analyzer.analyzers.api.facts import UrlPattern
from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.analyzers.api.syntax import positional, string_value

NameOf = Callable[[cst.CSTNode], str | None]
LineOf = Callable[[cst.CSTNode], int]

PATTERN_FUNCTIONS = frozenset(
    {"django.urls.path", "django.urls.re_path", "django.conf.urls.url", "django.urls.conf.path",
     "django.urls.conf.re_path", "django.conf.urls.re_path"}
)  # fmt: skip
INCLUDE_FUNCTIONS = frozenset(
    {"django.urls.include", "django.conf.urls.include", "django.urls.conf.include"}
)


def read_patterns(
    value: cst.BaseExpression, module: str, name_of: NameOf, line_of: LineOf, settings: ApiSettings
) -> list[UrlPattern]:
    """Every pattern in the expression assigned to ``urlpatterns`` (lists, ``+``, calls)."""
    if isinstance(value, cst.BinaryOperation):
        return [
            *read_patterns(value.left, module, name_of, line_of, settings),
            *read_patterns(value.right, module, name_of, line_of, settings),
        ]
    if isinstance(value, cst.List | cst.Tuple):
        found: list[UrlPattern] = []
        for element in value.elements:
            found.extend(read_patterns(element.value, module, name_of, line_of, settings))
        return found
    if isinstance(value, cst.Attribute) and value.attr.value == "urls":
        router = name_of(value.value)
        return (
            [UrlPattern(module=module, path="", view=router, line=line_of(value), kind="router")]
            if router
            else []
        )
    if isinstance(value, cst.Call):
        if name_of(value.func) in PATTERN_FUNCTIONS:
            pattern = _one_pattern(value, module, name_of, line_of, settings)
            return [pattern] if pattern else []
        # i18n_patterns(...), format_suffix_patterns([...]) and the like wrap patterns.
        found = []
        for arg in value.args:
            found.extend(read_patterns(arg.value, module, name_of, line_of, settings))
        return found
    return []


def _one_pattern(
    call: cst.Call, module: str, name_of: NameOf, line_of: LineOf, settings: ApiSettings
) -> UrlPattern | None:
    route = string_value(positional(call, 0))
    view = positional(call, 1)
    if view is None:
        return None
    path = (route if route is not None else "{?}").removeprefix("^").removesuffix("$")
    target = _view_target(view, name_of, settings)
    if target is None:
        return None
    kind, name, auth = target
    return UrlPattern(module=module, path=path, view=name, line=line_of(call), kind=kind, auth=auth)  # type: ignore[arg-type]


def _view_target(
    view: cst.BaseExpression, name_of: NameOf, settings: ApiSettings
) -> tuple[str, str, bool] | None:
    if isinstance(view, cst.Call):
        func = name_of(view.func)
        if func in INCLUDE_FUNCTIONS:
            return _include_target(positional(view, 0), name_of)
        if isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            name = name_of(view.func.value)
            return ("class", name, False) if name else None
        inner = positional(view, 0)
        if func and inner is not None and matches(func, settings.auth_decorators):
            found = _view_target(inner, name_of, settings)
            return (found[0], found[1], True) if found else None
        return None
    name = name_of(view)
    if name is None or name.endswith(".urls"):
        return None
    return ("function", name, False)


def _include_target(
    arg: cst.BaseExpression | None, name_of: NameOf
) -> tuple[str, str, bool] | None:
    if isinstance(arg, cst.Tuple) and arg.elements:
        arg = arg.elements[0].value
    text = string_value(arg)
    if text is not None:
        return ("include", text, False)
    if isinstance(arg, cst.Attribute) and arg.attr.value == "urls":
        router = name_of(arg.value)
        return ("router", router, False) if router else None
    name = name_of(arg) if arg is not None else None
    return ("include", name, False) if name else None
