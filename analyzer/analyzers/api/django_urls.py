"""Django pattern lists: each ``path``/``re_path``/``url`` entry, and the lists it includes.

Every module-level list that holds patterns is recorded under its own qualified name
(``app.urls.urlpatterns``, ``app.urls._api_urlpatterns``), so ``include(_api_urlpatterns)``,
``include((patterns, "app"), namespace=...)``, ``urlpatterns = a + b`` and
``[*a, path(...)]`` all resolve in the join. A view wrapped in decorators
(``login_required(views.x)``, ``csrf_exempt(...)``) keeps the decorators' names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from analyzer.analyzers.api.facts import Names, PatternKind, UrlPattern
from analyzer.analyzers.api.syntax import positional, string_value
from analyzer.analyzers.api.values import render_path

NameOf = Callable[[cst.CSTNode], str | None]
LineOf = Callable[[cst.CSTNode], int]

PATTERN_FUNCTIONS = frozenset(
    {"django.urls.path", "django.urls.re_path", "django.conf.urls.url", "django.urls.conf.path",
     "django.urls.conf.re_path", "django.conf.urls.re_path", "django.conf.urls.path"}
)  # fmt: skip
INCLUDE_FUNCTIONS = frozenset(
    {"django.urls.include", "django.conf.urls.include", "django.urls.conf.include"}
)
# Views that are someone else's URLconf rather than a route of the project.
FOREIGN_INCLUDES = ("admin.site.urls",)


@dataclass(frozen=True, slots=True)
class _Common:
    names: Names
    decorators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Reader:
    owner: str
    name_of: NameOf
    line_of: LineOf

    def read(self, value: cst.BaseExpression) -> list[UrlPattern]:
        if isinstance(value, cst.BinaryOperation):
            return [*self.read(value.left), *self.read(value.right)]
        if isinstance(value, cst.List | cst.Tuple):
            found: list[UrlPattern] = []
            for element in value.elements:
                found.extend(self.read(element.value))
            return found
        if isinstance(value, cst.Attribute) and value.attr.value == "urls":
            return self._router(value)
        if isinstance(value, cst.Name | cst.Attribute):
            name = self.name_of(value)
            return [self._entry("", name, "list", value)] if name else []
        if isinstance(value, cst.Call):
            if self.name_of(value.func) in PATTERN_FUNCTIONS:
                return self._pattern(value)
            # i18n_patterns(...), format_suffix_patterns([...]) and the like wrap patterns.
            found = []
            for arg in value.args:
                found.extend(self.read(arg.value))
            return found
        return []

    def _router(self, value: cst.Attribute) -> list[UrlPattern]:
        router = self.name_of(value.value)
        return [self._entry("", router, "router", value)] if router else []

    def _entry(self, path: str, view: str, kind: PatternKind, node: cst.CSTNode) -> UrlPattern:
        return UrlPattern(
            owner=self.owner, path=path, view=view, line=self.line_of(node), kind=kind
        )

    def _pattern(self, call: cst.Call) -> list[UrlPattern]:
        route, view = positional(call, 0), positional(call, 1)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "view":
                view = arg.value
            if arg.keyword is not None and arg.keyword.value in ("route", "regex"):
                route = arg.value
        if view is None or route is None:
            return []
        template = render_path(route, self.name_of, {})
        path = _readable(template.text)
        decorators: list[str] = []
        view = self._unwrap(view, decorators)
        line = self.line_of(call)
        common = _Common(names=template.names, decorators=tuple(decorators))
        if isinstance(view, cst.Call) and self.name_of(view.func) in INCLUDE_FUNCTIONS:
            return self._include(path, positional(view, 0), line, common)
        if isinstance(view, cst.Lambda):
            return [self._made(path, "lambda:", "function", line, common)]
        if (
            isinstance(view, cst.Call)
            and isinstance(view.func, cst.Attribute)
            and view.func.attr.value in ("as_view", "as_asgi")
        ):
            name = self.name_of(view.func.value)
            actions = _actions(positional(view, 0))
            return [self._made(path, name, "class", line, common, actions)] if name else []
        if isinstance(view, cst.Call):
            # A view made by a project function (``views.static_file("sw.js")``).
            name = self.name_of(view.func)
            return [self._made(path, f"made:{name}", "function", line, common)] if name else []
        name = self.name_of(view)
        if name is None or name.endswith(FOREIGN_INCLUDES):
            return []
        return [self._made(path, name, "function", line, common)]

    def _unwrap(self, view: cst.BaseExpression, decorators: list[str]) -> cst.BaseExpression:
        """``login_required(csrf_exempt(views.x))`` -> ``views.x``, noting the decorators."""
        for _ in range(8):
            if not isinstance(view, cst.Call) or not view.args:
                return view
            func = view.func
            inner_func = func.func if isinstance(func, cst.Call) else func
            name = self.name_of(inner_func)
            if name in INCLUDE_FUNCTIONS or (
                isinstance(func, cst.Attribute) and func.attr.value in ("as_view", "as_asgi")
            ):
                return view
            argument = positional(view, 0)
            if name is None or argument is None or not _looks_like_view(argument):
                return view
            decorators.append(name)
            view = argument
        return view

    def _include(
        self, path: str, target: cst.BaseExpression | None, line: int, common: _Common
    ) -> list[UrlPattern]:
        if isinstance(target, cst.Tuple) and target.elements:
            target = target.elements[0].value
        if target is None:
            return []
        text = string_value(target)
        if text is not None:
            return [self._made(path, text, "module", line, common)]
        if isinstance(target, cst.Attribute) and target.attr.value == "urls":
            router = self.name_of(target.value)
            if router is None or router.endswith(FOREIGN_INCLUDES[0].rsplit(".", 1)[0]):
                return []
            return [self._made(path, router, "router", line, common)]
        if isinstance(target, cst.List | cst.Tuple):
            nested = f"{self.owner}@{line}"
            inner = _Reader(owner=nested, name_of=self.name_of, line_of=self.line_of).read(target)
            return [self._made(path, nested, "include", line, common), *inner]
        name = self.name_of(target)
        return [self._made(path, name, "include", line, common)] if name else []

    def _made(
        self,
        path: str,
        view: str,
        kind: PatternKind,
        line: int,
        common: _Common,
        actions: tuple[tuple[str, str], ...] = (),
    ) -> UrlPattern:
        return UrlPattern(
            owner=self.owner,
            path=path,
            view=view,
            line=line,
            kind=kind,
            names=common.names,
            decorators=common.decorators,
            actions=actions,
        )


def _readable(route: str) -> str:
    """A ``re_path`` regex as the path it matches where that is plain: anchors dropped,
    escaped dots and slashes unescaped; groups stay as written."""
    return route.removeprefix("^").removesuffix("$").replace("\\.", ".").replace("\\/", "/")


def _looks_like_view(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name | cst.Attribute | cst.Call | cst.Lambda)


def _actions(node: cst.BaseExpression | None) -> tuple[tuple[str, str], ...]:
    """``{"get": "list", "post": "create"}`` given to a viewset's ``as_view``."""
    if not isinstance(node, cst.Dict):
        return ()
    pairs = []
    for element in node.elements:
        if isinstance(element, cst.DictElement):
            method, action = string_value(element.key), string_value(element.value)
            if method and action:
                pairs.append((method.upper(), action))
    return tuple(pairs)


def read_patterns(
    value: cst.BaseExpression, owner: str, name_of: NameOf, line_of: LineOf
) -> list[UrlPattern]:
    """Every pattern in the expression assigned to (or added to) the list ``owner``."""
    return _Reader(owner=owner, name_of=name_of, line_of=line_of).read(value)


def holds_patterns(patterns: list[UrlPattern]) -> bool:
    """Is a list a pattern list (it has an entry that is more than a name)?"""
    return any(p.kind != "list" for p in patterns)
