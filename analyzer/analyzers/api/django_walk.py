"""Django and DRF endpoints: walk the pattern lists from the root URLconfs down.

A root is a module's ``urlpatterns`` that no other pattern includes (the project's
``ROOT_URLCONF``, or a reusable app's URLconf that the site including it is not part of the
scan). Includes of modules, lists, ``(patterns, app_name)`` tuples and spliced lists are
followed with the prefix and the decorators of the pattern that mounts them; a DRF router
mounted by ``include(router.urls)`` expands into its viewsets.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.analyzers.api.auth import (
    NONE,
    default_source,
    found_handler,
    function_source,
    handler_source,
    is_auth_decorator,
    is_public_decorator,
    settle,
)
from analyzer.analyzers.api.facts import Found, UrlPattern, join_path
from analyzer.analyzers.api.project import MAX_DEPTH, Project
from analyzer.analyzers.api.views import expand_class_view, expand_viewset
from analyzer.model import Endpoint

API_VIEW = "rest_framework.decorators.api_view"
ROOT_LIST = "urlpatterns"


def django_endpoints(project: Project) -> Iterator[Found]:
    referenced = {
        target
        for owner, patterns in project.patterns.items()
        for p in patterns
        if p.kind in ("include", "module", "list")
        for target in [_list_of(project, p)]
        if target and target != owner
    }
    lists = sorted(project.patterns)
    roots = [o for o in lists if o.endswith("." + ROOT_LIST) and o not in referenced]
    used_routers: set[str] = set()
    for root in roots or [o for o in lists if o not in referenced]:
        yield from _walk(project, root, "/", (), used_routers, 0)
    for router in sorted(project.registrations):
        if router not in used_routers and router in project.collections:
            yield from _router_endpoints(project, router, "/", "")


def _list_of(project: Project, pattern: UrlPattern) -> str | None:
    """The pattern list an include or splice stands for."""
    name = project.canonical(pattern.view)
    for candidate in (name, f"{name}.{ROOT_LIST}"):
        if candidate in project.patterns:
            return candidate
    return None


def _walk(
    project: Project,
    owner: str,
    prefix: str,
    decorators: tuple[str, ...],
    used_routers: set[str],
    depth: int,
) -> Iterator[Found]:
    if depth >= MAX_DEPTH:
        return
    for pattern in project.patterns.get(owner, []):
        path = join_path(prefix, _resolved(project, pattern))
        wrapped = (*decorators, *pattern.decorators)
        if pattern.kind in ("include", "module", "list"):
            target = _list_of(project, pattern)
            if target is not None and target != owner:
                yield from _walk(project, target, path, wrapped, used_routers, depth + 1)
        elif pattern.kind == "router":
            router = project.canonical(pattern.view)
            used_routers.add(router)
            yield from _router_endpoints(project, router, path, _decorated(project, wrapped))
        elif pattern.kind == "class":
            yield from _class_pattern(project, pattern, path, wrapped)
        else:
            yield _function_pattern(project, pattern, path, wrapped)


def _resolved(project: Project, pattern: UrlPattern) -> str:
    return project.resolve_names(pattern.path, pattern.names)


def _decorated(project: Project, decorators: tuple[str, ...]) -> str:
    return "decorator" if any(is_auth_decorator(project, d) for d in decorators) else ""


def _class_pattern(
    project: Project, pattern: UrlPattern, path: str, decorators: tuple[str, ...]
) -> Iterator[Found]:
    name = project.canonical(pattern.view)
    if name not in project.classes:
        yield _external(project, pattern, path, project.settings.view_methods.get(name, ("*",)))
        return
    yield from expand_class_view(
        project,
        name,
        path,
        "django",
        outer=_decorated(project, decorators),
        actions=pattern.actions,
    )


def _function_pattern(
    project: Project, pattern: UrlPattern, path: str, decorators: tuple[str, ...]
) -> Found:
    name = project.canonical(pattern.view.removeprefix("made:"))
    handler = project.handlers.get(name)
    if handler is None or pattern.view.startswith("made:"):
        return _external(project, pattern, path, ("*",))
    framework = "drf" if API_VIEW in handler.decorators else "django"
    methods = handler.declared_methods or ("*",)
    exempt = is_public_decorator(project, handler.decorators)
    sources = [
        _decorated(project, decorators),
        function_source(project, handler),
        default_source(project, framework, exempt),
        handler_source(handler),
    ]
    source = settle(project, sources, path, handler.name)
    return found_handler(handler, framework=framework, methods=methods, route=path, source=source)


def _external(project: Project, pattern: UrlPattern, path: str, methods: tuple[str, ...]) -> Found:
    """A route to a view the scan cannot read: listed where the pattern declares it."""
    module = pattern.owner.rsplit(".", 1)[0]
    view = project.canonical(pattern.view.removeprefix("made:"))
    return Found(
        endpoint=Endpoint(
            framework="django",
            methods=methods,
            route=path,
            handler=f"{module}.<lambda>" if view == "lambda:" else view,
            path=project.module_path(module),
            line=pattern.line,
            is_async=False,
            documented=False,
            authenticated=False,
            auth_source=default_source(project, "django") or NONE,
            writes=False,
        ),
        external=True,
    )


def _router_endpoints(project: Project, router: str, prefix: str, outer: str) -> Iterator[Found]:
    for route_prefix, viewset in project.registrations.get(router, []):
        yield from expand_viewset(
            project, project.canonical(viewset), join_path(prefix, route_prefix), outer
        )
