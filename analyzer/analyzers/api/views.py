"""Class-based views: which HTTP methods a view class serves, and whether it requires auth.

A method the class (or a project base class) defines is one endpoint, handled by that
method; methods a framework base provides (``ListView`` serves GET) are endpoints handled
by the class itself. DRF viewsets map actions to methods and to list or detail routes.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.analyzers.api.facts import Found, Handler, ViewClass, join_path
from analyzer.analyzers.api.project import Project
from analyzer.analyzers.api.settings import matches
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
WRITE_ACTIONS = frozenset({"create", "update", "partial_update", "destroy"})


def expand_class_view(
    project: Project,
    name: str,
    path: str,
    framework: str,
    only: tuple[str, ...] = (),
    extra_auth: bool = False,
) -> Iterator[Found]:
    view = project.classes.get(name)
    if view is None:
        return
    bases = project.class_bases(name)
    framework = _framework(framework, bases)
    auth = extra_auth or class_requires_auth(project, view, bases, framework)
    own = _own_methods(project, name, bases, HTTP_METHODS)
    for method in own:
        verb = method.upper()
        if only and verb not in only:
            continue
        handler = _method_handler(project, name, bases, method)
        documented = view.docstring or (handler is not None and handler.docstring)
        yield Found(
            endpoint=_class_endpoint(view, handler, framework, (verb,), path, documented, auth)
        )
    if own:
        return
    # Routed with as_view() but no method known: still an endpoint, for any method.
    inherited = sorted(
        {m for base in bases for m in project.settings.view_methods.get(base, ())}
    ) or ["*"]
    if inherited:
        methods = tuple(m for m in inherited if not only or m in only or m == "*")
        unpaginated = "GET" in methods and is_unpaginated_list(project, view, bases)
        yield Found(
            endpoint=_class_endpoint(view, None, framework, methods, path, view.docstring, auth),
            unpaginated=unpaginated,
        )


def expand_viewset(project: Project, name: str, prefix: str) -> Iterator[Found]:
    """One endpoint per action of a DRF viewset registered on a router under ``prefix``."""
    view = project.classes.get(name)
    if view is None:
        return
    bases = project.class_bases(name)
    auth = class_requires_auth(project, view, bases, "drf")
    actions = set(_own_methods(project, name, bases, tuple(ACTION_METHODS)))
    actions.update(a for base in bases for a in project.settings.viewset_actions.get(base, ()))
    for action in sorted(actions, key=list(ACTION_METHODS).index):
        verb, detail = ACTION_METHODS[action]
        route = join_path(prefix, "{pk}/" if detail else "")
        handler = _method_handler(project, name, bases, action)
        documented = view.docstring or (handler is not None and handler.docstring)
        unpaginated = action == "list" and is_unpaginated_list(project, view, bases)
        yield Found(
            endpoint=_class_endpoint(view, handler, "drf", (verb,), route, documented, auth),
            unpaginated=unpaginated,
        )
    for method, methods, detail in view.extra_actions:
        handler = _method_handler(project, name, bases, method)
        route = join_path(prefix, f"{{pk}}/{method}/" if detail else f"{method}/")
        documented = view.docstring or (handler is not None and handler.docstring)
        yield Found(
            endpoint=_class_endpoint(view, handler, "drf", methods, route, documented, auth)
        )


def class_requires_auth(
    project: Project, view: ViewClass, bases: list[str], framework: str
) -> bool:
    settings = project.settings
    if any(matches(d, settings.auth_decorators) for d in view.decorators):
        return True
    if any(matches(b, settings.auth_bases) for b in (*view.bases, *bases)):
        return True
    permissions = view.permission_classes
    if permissions is not None:
        return bool(permissions) and not all(
            matches(p, settings.public_permissions) for p in permissions
        )
    return framework == "drf" and "DEFAULT_PERMISSION_CLASSES" in project.drf_defaults


def is_unpaginated_list(project: Project, view: ViewClass, bases: list[str]) -> bool:
    settings = project.settings
    if not any(b in settings.list_views for b in bases):
        return False
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
    view: ViewClass,
    handler: Handler | None,
    framework: str,
    methods: tuple[str, ...],
    route: str,
    documented: bool,
    auth: bool,
) -> Endpoint:
    return Endpoint(
        framework=framework,
        methods=tuple(methods),
        route=route,
        handler=handler.name if handler is not None else view.name,
        path=handler.path if handler is not None else view.path,
        line=handler.line if handler is not None else view.line,
        is_async=bool(handler and handler.is_async),
        documented=bool(documented),
        authenticated=auth,
    )
