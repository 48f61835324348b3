"""Routes registered through the project's own helpers, bound at each call of the helper.

``def register_view(bp, routes, view_func, **kw): for r in routes: bp.add_url_rule(r, ...)``
declares a route template scoped to ``register_view`` whose target, paths and view are its
parameters. Each call ``register_view(forum, routes=["/a", "/b"], view_func=V.as_view("v"))``
binds them into concrete routes at the call's line. A helper calling another helper with
its own parameters yields a template for the outer helper, so two levels (or more, up to
``LEVELS``) resolve the same way. A part no call binds keeps its placeholder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from analyzer.analyzers.api.facts import CallSite, Names, Route
from analyzer.analyzers.api.project import Project

LEVELS = 3
Argument = tuple[str, str, str, tuple[str, ...], Names]


@dataclass(frozen=True, slots=True)
class _Bound:
    """The arguments of one call, by the helper's parameter names."""

    values: dict[str, Argument]
    extra_keywords: dict[str, Argument]

    def get(self, symbol: str) -> Argument | None:
        return self.values.get(symbol.partition(":")[2])


def bind_wrappers(project: Project, routes: list[Route]) -> list[Route]:
    """Every concrete route: the declared ones plus those bound through helpers."""
    templates: dict[str, list[Route]] = defaultdict(list)
    concrete = []
    for route in routes:
        if route.scope:
            templates[project.canonical(route.scope)].append(route)
        else:
            concrete.append(route)
    pending = templates
    for _ in range(LEVELS):
        following: dict[str, list[Route]] = defaultdict(list)
        for site in project.call_sites:
            for template in pending.get(project.canonical(site.func), ()):
                for route in _bind(project, template, site):
                    if route.scope:
                        following[project.canonical(route.scope)].append(route)
                    else:
                        concrete.append(route)
        if not following:
            break
        pending = following
    return concrete


def _arguments(project: Project, helper: str, site: CallSite) -> _Bound | None:
    handler = project.handlers.get(helper)
    if handler is None:
        return None
    signature = list(handler.signature)
    if signature and signature[0] in ("self", "cls"):
        signature.pop(0)
    positional = [p for p in signature if not p.startswith("*")]
    keywords = {p for p in signature if not p.startswith("**")}
    values: dict[str, Argument] = {}
    extra: dict[str, Argument] = {}
    for argument in site.args:
        key = argument[0]
        if key.isdigit():
            index = int(key)
            if index < len(positional):
                values[positional[index]] = argument
        elif key in keywords:
            values[key] = argument
        else:
            extra[key] = argument
    return _Bound(values=values, extra_keywords=extra)


def _bind(project: Project, template: Route, site: CallSite) -> Iterator[Route]:
    bound = _arguments(project, project.canonical(template.scope), site)
    if bound is None:
        return
    target = _symbol(template.target, bound)
    handler = _symbol(template.handler, bound)
    if target is None or handler is None:
        return
    methods = _methods(template, bound)
    for path, names in _paths(template, bound):
        route = replace(
            template,
            target=target,
            handler=handler,
            path=path,
            names=names,
            methods=methods,
            methods_param="",
            line=site.line,
            scope="",
        )
        symbolic = [target, handler, *(n for _, n in names)]
        if any(s.startswith(("param:", "each:")) for s in symbolic):
            route = replace(route, scope=site.scope)
        yield route


def _symbol(value: str, bound: _Bound) -> str | None:
    """A target or handler: itself, or what the call passed for that parameter."""
    if not value.startswith("param:"):
        return value
    argument = bound.get(value)
    if argument is None:
        return None
    kind, text = argument[1], argument[2]
    if kind == "ref":
        return text
    return f"param:{text}" if kind == "param" else None


def _methods(template: Route, bound: _Bound) -> tuple[str, ...]:
    if template.methods_param.startswith("kwargs:"):
        argument = bound.extra_keywords.get("methods")
    elif template.methods_param:
        argument = bound.get(template.methods_param)
    else:
        return template.methods
    if argument is not None and argument[1] == "strs":
        return tuple(sorted({m.upper() for m in argument[3]}))
    return template.methods


def _paths(template: Route, bound: _Bound) -> Iterator[tuple[str, Names]]:
    """The route's path with each bound placeholder replaced; a list bound to a loop
    variable over a parameter gives one path per item."""
    variants: list[tuple[str, Names]] = [(template.path, ())]
    for placeholder, symbol in template.names:
        argument = bound.get(symbol) if symbol.startswith(("param:", "each:")) else None
        if argument is None:
            variants = [(p, (*n, (placeholder, symbol))) for p, n in variants]
            continue
        kind, text, items, names = argument[1], argument[2], argument[3], argument[4]
        marker = "{" + placeholder + "}"
        if kind == "strs":
            choices = items if symbol.startswith("each:") else ()
            variants = [
                (p.replace(marker, i), (*n, *(x for x in names if "{" + x[0] + "}" in i)))
                for p, n in variants
                for i in choices
            ]
        elif kind == "tpl":
            variants = [(p.replace(marker, text), (*n, *names)) for p, n in variants]
        elif kind in ("param", "each"):
            renamed = (placeholder, f"{symbol.partition(':')[0]}:{text}")
            variants = [(p, (*n, renamed)) for p, n in variants]
        else:
            variants = [(p, (*n, (placeholder, symbol))) for p, n in variants]
    yield from variants
