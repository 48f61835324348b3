"""The endpoint inventory: routes joined with the collections, mounts and handlers they use.

Flask, Flask-RESTful and FastAPI routes hang on a collection; the collection's prefix, its
router-level dependencies, decorators and request hooks come from where it is created and
where it is mounted, which may be other modules. Django endpoints start from the root
pattern lists (``django_walk``). Routes declared through the project's own helpers are
bound first (``wrappers``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

from analyzer.analyzers.api.auth import (
    found_handler,
    function_source,
    guards,
    handler_source,
    is_auth_decorator,
    settle,
)
from analyzer.analyzers.api.django_walk import django_endpoints
from analyzer.analyzers.api.facts import Found, Hook, Names, Route, join_path
from analyzer.analyzers.api.project import MAX_DEPTH, Project
from analyzer.analyzers.api.views import expand_class_view
from analyzer.analyzers.api.wrappers import bind_wrappers

FRAMEWORK_OF_KIND = {
    "flask": "flask",
    "blueprint": "flask",
    "restful": "flask",
    "namespace": "flask",
    "fastapi": "fastapi",
    "router": "fastapi",
}
# Collections whose mount prefix replaces their own (Flask blueprints, RESTX namespaces).
REPLACED_PREFIX = ("blueprint", "namespace")
HOOKS = ("app hook", "blueprint hook")
APPS = ("flask", "fastapi")


@dataclass(frozen=True, kw_only=True, slots=True)
class Chain:
    """Where a collection ends up: its full prefix, and what guards everything on it."""

    prefix: str
    names: Names
    dependencies: tuple[str, ...]
    framework: str
    guard: str
    # Endpoint names the guarding hooks let through.
    exempt: tuple[str, ...] = ()


def collection_chains(project: Project, name: str, depth: int = 0) -> list[Chain]:
    collection = project.collections.get(name)
    own_prefix = collection.prefix if collection else ""
    own = Chain(
        prefix=own_prefix,
        names=collection.prefix_names if collection else (),
        dependencies=collection.dependencies if collection else (),
        framework=FRAMEWORK_OF_KIND.get(collection.kind, "unknown") if collection else "unknown",
        guard=_collection_guard(project, name),
        exempt=_hook_exemptions(project, project.hooks.get(name, ())),
    )
    mounts = project.mounts.get(name, [])
    if not mounts or depth >= MAX_DEPTH:
        return [own]
    chains = []
    for mount in mounts:
        if collection and collection.kind in REPLACED_PREFIX and mount.prefix is not None:
            local, names = mount.prefix, mount.prefix_names
        elif mount.prefix:
            local, names = join_path(mount.prefix, own_prefix), (*mount.prefix_names, *own.names)
        else:
            local, names = own_prefix, own.names
        mount_guard = (
            "router"
            if mount.security or any(project.is_auth_dependency(d) for d in mount.dependencies)
            else ""
        )
        parents = project.collection_names(mount.parent) or [project.canonical(mount.parent)]
        for parent_name in parents:
            for parent in collection_chains(project, parent_name, depth + 1):
                chains.append(
                    Chain(
                        prefix=join_path(parent.prefix, local) if parent.prefix else local,
                        names=(*parent.names, *names),
                        dependencies=(*parent.dependencies, *mount.dependencies),
                        framework=own.framework if own.framework != "unknown" else parent.framework,
                        guard=parent.guard or mount_guard or own.guard,
                        exempt=(*parent.exempt, *own.exempt),
                    )
                )
    return chains


def _collection_guard(project: Project, name: str) -> str:
    """Router dependencies, API-wide decorators or request hooks that refuse requests."""
    collection = project.collections.get(name)
    if collection is None:
        return ""
    if collection.auth or any(project.is_auth_dependency(d) for d in collection.dependencies):
        return "router"
    if any(is_auth_decorator(project, d) for d in collection.decorators):
        return "decorator"
    if any(guards(project, h.function) for h in project.hooks.get(name, ())):
        return "app hook" if collection.kind in APPS else "blueprint hook"
    return ""


def _hook_exemptions(project: Project, hooks: Iterable[Hook]) -> tuple[str, ...]:
    found: list[str] = []
    for hook in hooks:
        if not guards(project, hook.function):
            continue
        handler = project.handlers.get(project.canonical(hook.function))
        found.extend(handler.exempts if handler else ())
    return tuple(found)


def _exempt(handler: str, chain: Chain) -> bool:
    """Does a guarding request hook let this endpoint through by its name?"""
    last = handler.rsplit(".", 1)[-1]
    return chain.guard in HOOKS and any(
        fnmatchcase(last, e) or e.endswith("." + last) for e in chain.exempt
    )


def route_endpoints(project: Project, route: Route, app_guard: Chain) -> Iterator[Found]:
    targets = project.collection_names(route.target)
    if not targets:
        target = project.canonical(route.target)
        if project.index.module_of(target) is None:
            return
        targets = [target]
    for target in targets:
        for chain in collection_chains(project, target):
            yield from _chain_endpoints(project, route, chain, app_guard)


def _chain_endpoints(
    project: Project, route: Route, chain: Chain, app_guard: Chain
) -> Iterator[Found]:
    path = project.resolve_names(join_path(chain.prefix, route.path), (*chain.names, *route.names))
    framework = chain.framework if chain.framework != "unknown" else (route.framework or "unknown")
    guarding = [chain, *([app_guard] if framework == "flask" else [])]
    name = route.handler.removeprefix("class:")
    outer = next((c.guard for c in guarding if c.guard and not _exempt(name, c)), "")
    if route.security or any(project.is_auth_dependency(d) for d in route.dependencies):
        outer = "dependency"
    if route.handler.startswith("class:"):
        yield from expand_class_view(
            project,
            project.canonical(route.handler.removeprefix("class:")),
            path,
            framework,
            only=route.methods,
            outer=outer,
        )
        return
    handler = project.handlers.get(project.canonical(route.handler))
    if handler is None:
        return
    methods = route.methods or ("GET",)
    sources = [function_source(project, handler), outer, handler_source(handler)]
    source = settle(project, sources, path, handler.name)
    yield found_handler(
        handler,
        framework=framework,
        methods=methods,
        route=path,
        source=source,
        documented=route.documented,
        hidden=route.hidden,
    )


def collect_endpoints(project: Project, routes: list[Route]) -> list[Found]:
    """Every endpoint, deduplicated and in a stable order."""
    app_hooks = [h for h in project.app_hooks if guards(project, h.function)]
    app_guard = Chain(
        prefix="",
        names=(),
        dependencies=(),
        framework="flask",
        guard="app hook" if app_hooks else "",
        exempt=_hook_exemptions(project, app_hooks),
    )
    found: dict[tuple[str, tuple[str, ...], str], Found] = {}
    for item in (
        *(
            f
            for r in bind_wrappers(project, routes)
            for f in route_endpoints(project, r, app_guard)
        ),
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
