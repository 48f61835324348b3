"""The cross-file view: every module's facts, indexed by canonical qualified name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from analyzer.analyzers.api.facts import (
    CallSite,
    Collection,
    Handler,
    Hook,
    ModuleFacts,
    Mount,
    Names,
    UrlPattern,
    ViewClass,
)
from analyzer.analyzers.api.names import ModuleIndex, build_index
from analyzer.analyzers.api.settings import ApiSettings, matches

MAX_DEPTH = 8
RETURNS = "returns:"


@dataclass(frozen=True, kw_only=True, slots=True)
class Project:
    index: ModuleIndex
    settings: ApiSettings
    handlers: dict[str, Handler]
    classes: dict[str, ViewClass]
    collections: dict[str, Collection]
    mounts: dict[str, list[Mount]]
    hooks: dict[str, list[Hook]]
    app_hooks: tuple[Hook, ...]
    patterns: dict[str, list[UrlPattern]]
    registrations: dict[str, list[tuple[str, str]]]
    call_sites: tuple[CallSite, ...]
    security_objects: frozenset[str]
    drf_defaults: frozenset[str]
    login_middleware: bool
    constants: dict[str, str]
    module_paths: dict[str, str]
    aliases: dict[str, str]

    def canonical(self, name: str) -> str:
        """The name as the defining module knows it, following re-exports."""
        current = self.index.canonical(name)
        for _ in range(MAX_DEPTH):
            target = self.aliases.get(current)
            if target is None or target.startswith(RETURNS):
                break
            current = self.index.canonical(target)
        return current

    def collection_names(self, name: str, depth: int = 0) -> list[str]:
        """The collections ``name`` stands for: itself, or what the function it was made by
        (``returns:<function>``) returns."""
        if depth >= MAX_DEPTH:
            return []
        made_by = name.removeprefix(RETURNS) if name.startswith(RETURNS) else None
        canonical = self.canonical(name) if made_by is None else ""
        if canonical in self.collections:
            return [canonical]
        if made_by is None:
            made_by = self.aliases.get(canonical, "").removeprefix(RETURNS) or None
        if made_by is not None:
            handler = self.handlers.get(self.canonical(made_by))
            returned = handler.returns if handler else ()
            return [c for r in returned for c in self.collection_names(r, depth + 1)]
        return self._by_attribute(canonical)

    def _by_attribute(self, name: str) -> list[str]:
        """``self.pubsub.api_router`` seen from another class: the one collection that is an
        attribute of that name on some class, if there is exactly one."""
        if "." not in name:
            return []
        tail = "." + name.rsplit(".", 1)[1]
        found = [c for c in self.collections if c.endswith(tail) and "<locals>" not in c]
        found = [c for c in found if c.rsplit(".", 2)[-2][:1].isupper()]
        return found if len(found) == 1 else []

    def class_bases(self, name: str) -> list[str]:
        """Every base of ``name``, transitively through classes in the project."""
        found: list[str] = []
        pending, depth = [name], 0
        while pending and depth < MAX_DEPTH:
            depth += 1
            following = []
            for current in pending:
                view = self.classes.get(current)
                for base in view.bases if view else ():
                    canonical = self.canonical(base)
                    if canonical not in found:
                        found.append(canonical)
                        following.append(canonical)
            pending = following
        return found

    def is_auth_dependency(self, name: str, depth: int = 0) -> bool:
        """A FastAPI dependency that authenticates: by name, a security scheme, through one,
        or a project function whose body refuses requests."""
        canonical = self.canonical(name)
        if (
            matches(canonical, self.settings.auth_dependencies)
            or canonical in self.security_objects
        ):
            return True
        handler = self.handlers.get(canonical)
        if handler is None or depth >= MAX_DEPTH:
            return False
        return (
            handler.security
            or handler.guards
            or any(self.is_auth_dependency(d, depth + 1) for d in handler.dependencies)
        )

    def resolve_names(self, path: str, names: Names) -> str:
        """Replace placeholders that name a module constant by its value."""
        for placeholder, name in names:
            if name.startswith(("param:", "each:")):
                continue
            value = self.constants.get(self.canonical(name))
            if value is not None:
                path = path.replace("{" + placeholder + "}", value, 1)
        return path

    def module_path(self, module: str) -> str:
        return self.module_paths.get(module, "")


def build_project(
    facts: Sequence[ModuleFacts], settings: ApiSettings, source_roots: Iterable[str] = ()
) -> Project:
    index = build_index((f.module for f in facts), source_roots)
    canon = index.canonical
    mounts: dict[str, list[Mount]] = defaultdict(list)
    hooks: dict[str, list[Hook]] = defaultdict(list)
    patterns: dict[str, list[UrlPattern]] = defaultdict(list)
    registrations: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for module in facts:
        for mount in module.mounts:
            child = mount.child if mount.child.startswith(RETURNS) else canon(mount.child)
            mounts[child].append(mount)
        for hook in module.hooks:
            hooks[canon(hook.target)].append(hook)
        for pattern in module.patterns:
            patterns[pattern.owner].append(pattern)
        for router, prefix, viewset in module.registrations:
            registrations[canon(router)].append((prefix, viewset))
    middleware = [canon(m) for f in facts for m in f.middleware]
    project = Project(
        index=index,
        settings=settings,
        handlers={canon(h.name): h for m in facts for h in m.handlers},
        classes={canon(c.name): c for m in facts for c in m.classes},
        collections={canon(c.name): c for m in facts for c in m.collections},
        mounts=dict(mounts),
        hooks=dict(hooks),
        app_hooks=tuple(h for m in facts for h in m.hooks if h.app_wide),
        patterns=dict(patterns),
        registrations=dict(registrations),
        call_sites=tuple(s for m in facts for s in m.call_sites),
        security_objects=frozenset(canon(s) for m in facts for s in m.security_objects),
        drf_defaults=frozenset(d for m in facts for d in m.drf_defaults),
        login_middleware=False,
        constants={canon(k): v for m in facts for k, v in m.constants},
        module_paths={m.module: m.path for m in facts},
        aliases={canon(k): v for m in facts for k, v in m.aliases},
    )
    return replace(
        project,
        mounts=_mounts_by_collection(project),
        login_middleware=any(_requires_login(project, m) for m in middleware),
    )


def _requires_login(project: Project, middleware: str) -> bool:
    """A login-required middleware: by name, or a project class one of whose methods sends
    requests to the login page (answering 401 to a bad token is not requiring a login)."""
    if matches(middleware, project.settings.auth_middleware):
        return True
    prefix = middleware + "."
    return middleware in project.classes and any(
        handler.to_login for name, handler in project.handlers.items() if name.startswith(prefix)
    )


def _mounts_by_collection(project: Project) -> dict[str, list[Mount]]:
    """Mounts keyed by the collection mounted, once factories' results are known."""
    keyed: dict[str, list[Mount]] = defaultdict(list)
    for child, mounts in project.mounts.items():
        for name in project.collection_names(child) or [child]:
            keyed[name].extend(mounts)
    return dict(keyed)
