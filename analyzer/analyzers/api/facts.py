"""What one module declares, as plain data: the per-file pass produces it, the join reads it.

Every name here is a qualified name: absolute (``pkg.mod.name``) once resolved, so the
cross-file join only compares strings and never needs a syntax tree.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from analyzer.model import Endpoint, RawFinding

CollectionKind = Literal["flask", "blueprint", "fastapi", "router", "drf-router"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Collection:
    """An object routes are attached to: a Flask app or blueprint, a FastAPI app or router."""

    name: str
    kind: CollectionKind
    prefix: str = ""
    auth: bool = False
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Mount:
    """``parent.include_router(child, prefix=...)`` and ``register_blueprint`` alike."""

    parent: str
    child: str
    prefix: str | None
    dependencies: tuple[str, ...] = ()
    security: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Route:
    """A route declared on ``target`` (a collection) for ``handler`` (a function or class)."""

    target: str
    path: str
    methods: tuple[str, ...]
    handler: str
    line: int
    documented: bool = False
    dependencies: tuple[str, ...] = ()
    security: bool = False
    framework: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class UrlPattern:
    """One entry of a Django ``urlpatterns`` list."""

    module: str
    path: str
    view: str
    line: int
    kind: Literal["function", "class", "include", "router"]
    auth: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Handler:
    """A function or method that may serve requests, and what the rules need to know of it."""

    name: str
    path: str
    line: int
    is_async: bool
    docstring: bool
    decorators: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    security: bool = False
    parameters: tuple[str, ...] = ()
    unbounded_return: bool = False
    declared_methods: tuple[str, ...] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ViewClass:
    """A class that may be a view: its bases, methods and class-level auth settings."""

    name: str
    path: str
    line: int
    bases: tuple[str, ...]
    docstring: bool
    methods: tuple[str, ...]
    decorators: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    permission_classes: tuple[str, ...] | None = None
    extra_actions: tuple[tuple[str, tuple[str, ...], bool], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ModuleFacts:
    """Everything the per-file pass learned about one module."""

    module: str
    path: str
    collections: tuple[Collection, ...] = ()
    mounts: tuple[Mount, ...] = ()
    routes: tuple[Route, ...] = ()
    patterns: tuple[UrlPattern, ...] = ()
    registrations: tuple[tuple[str, str, str], ...] = ()
    handlers: tuple[Handler, ...] = ()
    classes: tuple[ViewClass, ...] = ()
    security_objects: tuple[str, ...] = ()
    drf_defaults: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    findings: tuple[RawFinding, ...] = field(default=())


@dataclass(frozen=True, kw_only=True, slots=True)
class Found:
    """An endpoint plus what its rules need beyond the exported fields."""

    endpoint: Endpoint
    unpaginated: bool = False


# What each ModuleFacts field holds a tuple of, for decoding; the rest are plain values.
_ELEMENTS: dict[str, type[Any]] = {
    "collections": Collection,
    "mounts": Mount,
    "routes": Route,
    "patterns": UrlPattern,
    "handlers": Handler,
    "classes": ViewClass,
}


def facts_to_json(facts: ModuleFacts) -> str:
    """The declarations of a module as JSON; body findings travel separately."""
    return json.dumps(
        {f.name: asdict(facts)[f.name] for f in fields(ModuleFacts) if f.name != "findings"},
        separators=(",", ":"),
    )


def facts_from_json(text: str) -> ModuleFacts:
    """Inverse of ``facts_to_json``; raises ValueError, KeyError or TypeError when malformed."""
    payload = json.loads(text)
    values: dict[str, Any] = {}
    for name, value in payload.items():
        element = _ELEMENTS.get(name)
        if element is None:
            values[name] = _tuples(value)
        else:
            values[name] = tuple(
                element(**{k: _tuples(v) for k, v in item.items()}) for item in value
            )
    return ModuleFacts(**values)


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def join_path(prefix: str, path: str) -> str:
    """Join URL pieces the way the frameworks do: ``/api`` + ``/items`` -> ``/api/items``."""
    if not prefix:
        return path or "/"
    if not path or path == "/":
        return prefix if prefix.endswith("/") or path == "" else prefix + "/"
    return prefix.rstrip("/") + "/" + path.lstrip("/")
