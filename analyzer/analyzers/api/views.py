"""Class-based views: which HTTP methods a view class serves, and what guards them.

A method the class (or a project base class) defines is one endpoint, handled by that
method; methods a framework base provides (``ListView`` serves GET) are endpoints handled
by the class itself. DRF viewsets map actions to methods and to list or detail routes.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.analyzers.api.auth import (
    NONE,
    PUBLIC,
    class_source,
    function_source,
    handler_source,
    is_public_decorator,
    settle,
)
from analyzer.analyzers.api.facts import Found, Handler, ViewClass, join_path
from analyzer.analyzers.api.project import Project
from analyzer.model import Endpoint

ACTION_METHODS = {
    "list": ("GET", False),
    "create": ("POST", False),
    "retrieve": ("GET", True),
    "update": ("PUT", True),
    "partial_update": ("PATCH", True),
    "destroy": ("DELETE", True),
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE", "*"})


def expand_class_view(
    project: Project,
    name: str,
    path: str,
    framework: str,
    only: tuple[str, ...] = (),
    outer: str = "",
    actions: tuple[tuple[str, str], ...] = (),
) -> Iterator[Found]:
    """The endpoints of a class routed at ``path``; ``outer`` names what guards the route
    from outside the class (a router, a hook, a decorator around ``as_view``)."""
    view = project.classes.get(name)
    if view is None:
        return
    bases = project.class_bases(name)
    framework = _framework(framework, bases)
    source = outer or class_source(project, view, bases, framework)
    if actions:
        yield from _mapped_actions(project, view, bases, path, source, actions)
        return
    own = _own_methods(project, name, bases, HTTP_METHODS)
    for method in own:
        verb = method.upper()
        if only and verb not in only:
            continue
        handler = _method_handler(project, name, bases, method)
        yield Found(
            endpoint=_class_endpoint(project, view, handler, framework, (verb,), path, source)
        )
    if own:
        return
    # Routed with as_view() but no method known: still an endpoint, for any method.
    inherited = sorted(
        {m for base in bases for m in project.settings.view_methods.get(base, ())}
    ) or ["*"]
    methods = tuple(m for m in inherited if not only or m in only or m == "*")
    unpaginated = "GET" in methods and is_unpaginated_list(project, view, bases)
    yield Found(
        endpoint=_class_endpoint(project, view, None, framework, methods, path, source),
        unpaginated=unpaginated,
    )


def expand_viewset(project: Project, name: str, prefix: str, outer: str = "") -> Iterator[Found]:
    """One endpoint per action of a DRF viewset registered on a router under ``prefix``."""
    view = project.classes.get(name)
    if view is None:
        return
    bases = project.class_bases(name)
    source = outer or class_source(project, view, bases, "drf")
    actions = set(_own_methods(project, name, bases, tuple(ACTION_METHODS)))
    actions.update(a for base in bases for a in project.settings.viewset_actions.get(base, ()))
    for action in sorted(actions, key=list(ACTION_METHODS).index):
        verb, detail = ACTION_METHODS[action]
        route = join_path(prefix, "{pk}/" if detail else "/")
        yield _action_endpoint(project, view, bases, action, (verb,), route, source)
    for method, methods, detail, url_path in _extra_actions(project, view, bases):
        route = join_path(prefix, f"{{pk}}/{url_path}/" if detail else f"{url_path}/")
        yield _action_endpoint(project, view, bases, method, methods, route, source)


def _mapped_actions(
    project: Project,
    view: ViewClass,
    bases: list[str],
    path: str,
    source: str,
    actions: tuple[tuple[str, str], ...],
) -> Iterator[Found]:
    """``ViewSet.as_view({"get": "list", "post": "create"})`` routed by a pattern."""
    for verb, action in actions:
        yield _action_endpoint(project, view, bases, action, (verb,), path, source)


def _action_endpoint(
    project: Project,
    view: ViewClass,
    bases: list[str],
    action: str,
    methods: tuple[str, ...],
    route: str,
    source: str,
) -> Found:
    handler = _method_handler(project, view.name, bases, action)
    unpaginated = action == "list" and is_unpaginated_list(project, view, bases)
    endpoint = _class_endpoint(project, view, handler, "drf", methods, route, source, action)
    return Found(endpoint=endpoint, unpaginated=unpaginated)


def _extra_actions(
    project: Project, view: ViewClass, bases: list[str]
) -> list[tuple[str, tuple[str, ...], bool, str]]:
    found = list(view.extra_actions)
    for base in bases:
        parent = project.classes.get(base)
        found.extend(a for a in (parent.extra_actions if parent else ()) if a not in found)
    return found


def is_unpaginated_list(project: Project, view: ViewClass, bases: list[str]) -> bool:
    settings = project.settings
    if not any(b in settings.list_views for b in bases):
        return False
    for method in ("list", "get"):
        own = _method_handler(
            project, view.name, [b for b in bases if b in project.classes], method
        )
        if own is not None:
            # The project's own list()/get() decides what is returned.
            return own.unbounded_return and not own.parameters
    chain = [view, *(project.classes[b] for b in bases if b in project.classes)]
    if any(a in settings.pagination_attributes for c in chain for a in c.attributes):
        return False
    return not (project.drf_defaults & {"DEFAULT_PAGINATION_CLASS"})


def _framework(framework: str, bases: list[str]) -> str:
    if any(b.startswith("rest_framework.") for b in bases):
        return "drf"
    return framework


def _own_methods(
    project: Project, name: str, bases: list[str], wanted: tuple[str, ...]
) -> list[str]:
    found: list[str] = []
    for current in (name, *bases):
        view = project.classes.get(current)
        for method in view.methods if view else ():
            if method in wanted and method not in found:
                found.append(method)
    return sorted(found, key=wanted.index)


def _method_handler(project: Project, name: str, bases: list[str], method: str) -> Handler | None:
    for current in (name, *bases):
        handler = project.handlers.get(f"{current}.{method}")
        if handler is not None:
            return handler
    return None


def _class_endpoint(
    project: Project,
    view: ViewClass,
    handler: Handler | None,
    framework: str,
    methods: tuple[str, ...],
    route: str,
    source: str,
    action: str = "",
) -> Endpoint:
    name = handler.name if handler is not None else view.name
    if handler is not None and is_public_decorator(project, handler.decorators):
        source = ""
    own = function_source(project, handler) if handler is not None else ""
    source = settle(project, [own, source, handler_source(handler)], route, name)
    documented = (
        view.documented
        or action in view.documented_methods
        or all(m.lower() in view.documented_methods for m in methods)
        or (handler is not None and (handler.docstring or bool(handler.documented_by)))
    )
    # A method the framework provides (CreateView's POST) writes when it is a write.
    writes = handler.writes if handler is not None else bool(UNSAFE & set(methods) - {"*"})
    return Endpoint(
        framework=framework,
        methods=tuple(methods),
        route=route,
        handler=name,
        path=handler.path if handler is not None else view.path,
        line=handler.line if handler is not None else view.line,
        is_async=bool(handler and handler.is_async),
        documented=bool(documented),
        authenticated=source not in (NONE, PUBLIC),
        auth_source=source,
        writes=writes,
    )
