"""The cross-file view: every module's facts, indexed by canonical qualified name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.analyzers.api.facts import (
    Collection,
    Handler,
    ModuleFacts,
    Mount,
    UrlPattern,
    ViewClass,
)
from analyzer.analyzers.api.names import ModuleIndex, build_index
from analyzer.analyzers.api.settings import ApiSettings, matches

MAX_DEPTH = 8


@dataclass(frozen=True, kw_only=True, slots=True)
class Project:
    index: ModuleIndex
    settings: ApiSettings
    handlers: dict[str, Handler]
    classes: dict[str, ViewClass]
    collections: dict[str, Collection]
    mounts: dict[str, list[Mount]]
    patterns: dict[str, list[UrlPattern]]
    registrations: dict[str, list[tuple[str, str]]]
    security_objects: frozenset[str]
    drf_defaults: frozenset[str]
    aliases: dict[str, str]

    def canonical(self, name: str) -> str:
        """The name as the defining module knows it, following re-exports."""
        current = self.index.canonical(name)
        for _ in range(MAX_DEPTH):
            target = self.aliases.get(current)
            if target is None:
                break
            current = self.index.canonical(target)
        return current

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
        """A FastAPI dependency that authenticates: by name, a security scheme, or through one."""
        canonical = self.canonical(name)
        if (
            matches(canonical, self.settings.auth_dependencies)
            or canonical in self.security_objects
        ):
            return True
        handler = self.handlers.get(canonical)
        if handler is None or depth >= MAX_DEPTH:
            return False
        return handler.security or any(
            self.is_auth_dependency(d, depth + 1) for d in handler.dependencies
        )


def build_project(facts: Sequence[ModuleFacts], settings: ApiSettings) -> Project:
    index = build_index(f.module for f in facts)
    canon = index.canonical
    mounts: dict[str, list[Mount]] = defaultdict(list)
    patterns: dict[str, list[UrlPattern]] = defaultdict(list)
    registrations: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for module in facts:
        for mount in module.mounts:
            mounts[canon(mount.child)].append(mount)
        for pattern in module.patterns:
            patterns[module.module].append(pattern)
        for router, prefix, viewset in module.registrations:
            registrations[canon(router)].append((prefix, viewset))
    return Project(
        index=index,
        settings=settings,
        handlers={canon(h.name): h for m in facts for h in m.handlers},
        classes={canon(c.name): c for m in facts for c in m.classes},
        collections={canon(c.name): c for m in facts for c in m.collections},
        mounts=dict(mounts),
        patterns=dict(patterns),
        registrations=dict(registrations),
        security_objects=frozenset(canon(s) for m in facts for s in m.security_objects),
        drf_defaults=frozenset(d for m in facts for d in m.drf_defaults),
        aliases={index.canonical(k): v for m in facts for k, v in m.aliases},
    )
