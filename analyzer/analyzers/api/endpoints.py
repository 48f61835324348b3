"""The endpoint inventory: routes joined with the collections, mounts and handlers they use.

Flask and FastAPI routes hang on a collection; the collection's prefix (and, for FastAPI,
router-level dependencies) come from where it is created and where it is mounted, which
may be other modules. Django endpoints start from ``urlpatterns`` and follow ``include``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.analyzers.api.facts import Found, Handler, Route, join_path
from analyzer.analyzers.api.project import MAX_DEPTH, Project
from analyzer.analyzers.api.settings import matches
from analyzer.analyzers.api.views import expand_class_view, expand_viewset
from analyzer.model import Endpoint

API_VIEW = "rest_framework.decorators.api_view"
FRAMEWORK_OF_KIND = {
    "flask": "flask",
    "blueprint": "flask",
    "fastapi": "fastapi",
    "router": "fastapi",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Chain:
    """Where a collection ends up: its full prefix and the dependencies it inherits."""

    prefix: str
    dependencies: tuple[str, ...]
    security: bool
    framework: str


def collection_chains(project: Project, name: str, depth: int = 0) -> list[Chain]:
    collection = project.collections.get(name)
    own_prefix = collection.prefix if collection else ""
    own = Chain(
        prefix=own_prefix,
        dependencies=collection.dependencies if collection else (),
        security=collection.auth if collection else False,
        framework=FRAMEWORK_OF_KIND.get(collection.kind, "unknown") if collection else "unknown",
    )
    mounts = project.mounts.get(name, [])
    if not mounts or depth >= MAX_DEPTH:
        return [own]
    chains = []
    for mount in mounts:
        if collection and collection.kind == "blueprint":
            local = mount.prefix if mount.prefix is not None else own_prefix
        else:
            local = join_path(mount.prefix or "", own_prefix) if mount.prefix else own_prefix
        for parent in collection_chains(project, project.canonical(mount.parent), depth + 1):
            chains.append(
                Chain(
                    prefix=join_path(parent.prefix, local) if parent.prefix else local,
                    dependencies=(*parent.dependencies, *mount.dependencies, *own.dependencies),
                    security=parent.security or mount.security or own.security,
                    framework=own.framework if own.framework != "unknown" else parent.framework,
                )
            )
    return chains


def route_endpoints(project: Project, route: Route) -> Iterator[Found]:
    target = project.canonical(route.target)
    if target not in project.collections and project.index.module_of(target) is None:
        return
    for chain in collection_chains(project, target):
        path = join_path(chain.prefix, route.path)
        framework = (
            chain.framework if chain.framework != "unknown" else (route.framework or "unknown")
        )
        if route.handler.startswith("class:"):
            yield from expand_class_view(
                project,
                project.canonical(route.handler.removeprefix("class:")),
                path,
                framework,
                route.methods,
            )
            continue
        handler = project.handlers.get(project.canonical(route.handler))
        if handler is None:
            continue
        dependencies = (*chain.dependencies, *route.dependencies, *handler.dependencies)
        auth = (
            chain.security
            or route.security
            or handler.security
            or decorated_with_auth(project, handler)
            or any(project.is_auth_dependency(d) for d in dependencies)
        )
        yield Found(
            endpoint=_endpoint(handler, framework, route.methods, path, route.documented, auth),
            unpaginated=_unpaginated(project, handler, route.methods),
        )


def decorated_with_auth(project: Project, handler: Handler) -> bool:
    return any(matches(d, project.settings.auth_decorators) for d in handler.decorators)


def _unpaginated(project: Project, handler: Handler, methods: tuple[str, ...]) -> bool:
    return "GET" in methods and handler.unbounded_return and not handler.parameters


def _endpoint(
    handler: Handler,
    framework: str,
    methods: tuple[str, ...],
    path: str,
    documented: bool,
    auth: bool,
) -> Endpoint:
    return Endpoint(
        framework=framework,
        methods=methods,
        route=path,
        handler=handler.name,
        path=handler.path,
        line=handler.line,
        is_async=handler.is_async,
        documented=documented or handler.docstring,
        authenticated=auth,
    )


def function_endpoint(
    project: Project, handler: Handler, path: str, framework: str, extra_auth: bool
) -> Found:
    """A Django or DRF function view routed by ``urlpatterns``."""
    methods = handler.declared_methods or ("*",)
    auth = extra_auth or decorated_with_auth(project, handler)
    return Found(
        endpoint=_endpoint(handler, framework, methods, path, False, auth),
        unpaginated=_unpaginated(project, handler, methods),
    )


def django_endpoints(project: Project) -> Iterator[Found]:
    """Walk ``urlpatterns`` from the root URLconfs (those no other module includes)."""
    included = {
        project.canonical(p.view)
        for patterns in project.patterns.values()
        for p in patterns
        if p.kind == "include"
    }
    roots = [m for m in sorted(project.patterns) if m not in included] or sorted(project.patterns)
    used_routers: set[str] = set()
    for root in roots:
        yield from _walk(project, root, "/", used_routers, 0)
    for router in sorted(project.registrations):
        if router not in used_routers and router in project.collections:
            yield from _router_endpoints(project, router, "/")


def _walk(
    project: Project, module: str, prefix: str, used_routers: set[str], depth: int
) -> Iterator[Found]:
    if depth >= MAX_DEPTH:
        return
    for pattern in project.patterns.get(module, []):
        path = join_path(prefix, pattern.path)
        view = project.canonical(pattern.view)
        if pattern.kind == "include":
            yield from _walk(project, view, path, used_routers, depth + 1)
        elif pattern.kind == "router":
            used_routers.add(view)
            yield from _router_endpoints(project, view, path)
        elif pattern.kind == "class":
            yield from expand_class_view(project, view, path, "django", extra_auth=pattern.auth)
        else:
            handler = project.handlers.get(view)
            if handler is not None:
                framework = "drf" if API_VIEW in handler.decorators else "django"
                yield function_endpoint(project, handler, path, framework, pattern.auth)


def _router_endpoints(project: Project, router: str, prefix: str) -> Iterator[Found]:
    for route_prefix, viewset in project.registrations.get(router, []):
        yield from expand_viewset(
            project, project.canonical(viewset), join_path(prefix, route_prefix)
        )


def collect_endpoints(project: Project, routes: list[Route]) -> list[Found]:
    """Every endpoint, deduplicated and in a stable order."""
    found: dict[tuple[str, tuple[str, ...], str], Found] = {}
    for item in (
        *(f for r in routes for f in route_endpoints(project, r)),
        *django_endpoints(project),
    ):
        key = (item.endpoint.route, item.endpoint.methods, item.endpoint.handler)
        found.setdefault(key, item)
    return sorted(
        found.values(),
        key=lambda f: (
            f.endpoint.path,
            f.endpoint.line,
            f.endpoint.route,
            f.endpoint.methods,
            f.endpoint.handler,
        ),
    )
