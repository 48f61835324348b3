"""What one module declares, as plain data: the per-file pass produces it, the join reads it.

Every name here is a qualified name: absolute (``pkg.mod.name``) once resolved, so the
cross-file join only compares strings and never needs a syntax tree. A route path is a
template: parts the pass could not read as a literal are ``{text}`` placeholders, each
listed in ``names`` with the qualified name the join may resolve it through (a module
constant, or ``param:<name>`` for a parameter of the function declaring it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from analyzer.cache import tuples_from_json
from analyzer.model import Endpoint, RawFinding

CollectionKind = Literal[
    "flask", "blueprint", "fastapi", "router", "drf-router", "restful", "namespace"
]
PatternKind = Literal["function", "class", "include", "router", "list", "module"]
# (placeholder text, qualified name or ``param:<name>``/``each:<name>``) pairs of a template.
Names = tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Collection:
    """An object routes are attached to: a Flask app or blueprint, a FastAPI app or router,
    a Flask-RESTful/RESTX ``Api`` or namespace, a DRF router."""

    name: str
    kind: CollectionKind
    prefix: str = ""
    prefix_names: Names = ()
    auth: bool = False
    dependencies: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Mount:
    """``include_router``, ``register_blueprint``, ``mount``, ``Api(app)``, ``add_namespace``."""

    parent: str
    child: str
    prefix: str | None
    prefix_names: Names = ()
    dependencies: tuple[str, ...] = ()
    security: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Hook:
    """A function run before every request of a collection (``before_request`` and kin)."""

    target: str
    function: str
    app_wide: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Route:
    """A route declared on ``target`` (a collection) for ``handler`` (a function or class).

    In a registration wrapper (``scope`` names the function), target, handler, path parts
    and methods may come from the wrapper's parameters (``param:<name>``); the join binds
    them at each call of the wrapper.
    """

    target: str
    path: str
    methods: tuple[str, ...]
    handler: str
    line: int
    names: Names = ()
    documented: bool = False
    # Left out of the generated API docs on purpose (FastAPI ``include_in_schema=False``).
    hidden: bool = False
    dependencies: tuple[str, ...] = ()
    security: bool = False
    framework: str = ""
    scope: str = ""
    methods_param: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class CallSite:
    """A call that may register routes through a project function: its arguments, encoded.

    Each argument is ``(key, kind, text, items, names)``: key is the position or keyword,
    kind one of ``str``, ``strs``, ``tpl``, ``ref``, ``param``, ``each``.
    """

    func: str
    line: int
    scope: str
    args: tuple[tuple[str, str, str, tuple[str, ...], Names], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class UrlPattern:
    """One entry of a Django pattern list (``urlpatterns`` or any list it includes)."""

    owner: str
    path: str
    view: str
    line: int
    kind: PatternKind
    names: Names = ()
    decorators: tuple[str, ...] = ()
    actions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Handler:
    """A function or method that may serve requests, and what the rules need to know of it.

    ``guards``: its body denies the request (abort 401/403, raise an auth error, redirect to
    a login page), so as a decorator, hook or dependency it authenticates. ``writes``: its
    body changes state (ORM writes, file writes, calls named like create/update/delete).
    """

    name: str
    path: str
    line: int
    is_async: bool
    docstring: bool
    decorators: tuple[str, ...] = ()
    documented_by: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    security: bool = False
    parameters: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    unbounded_return: bool = False
    declared_methods: tuple[str, ...] | None = None
    guards: bool = False
    # Its body sends anonymous requests to the login page (what a login middleware does).
    to_login: bool = False
    writes: bool = False
    returns: tuple[str, ...] = ()
    # Endpoint names a request hook lets through (``request.endpoint in ("login", ...)``).
    exempts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ViewClass:
    """A class that may be a view: its bases, methods and class-level auth settings."""

    name: str
    path: str
    line: int
    bases: tuple[str, ...]
    documented: bool
    methods: tuple[str, ...]
    decorators: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    permission_classes: tuple[str, ...] | None = None
    extra_actions: tuple[tuple[str, tuple[str, ...], bool, str], ...] = ()
    # Methods documented by class decorators (``method_decorator(extend_schema(...))``).
    documented_methods: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class ModuleFacts:
    """Everything the per-file pass learned about one module."""

    module: str
    path: str
    collections: tuple[Collection, ...] = ()
    mounts: tuple[Mount, ...] = ()
    hooks: tuple[Hook, ...] = ()
    routes: tuple[Route, ...] = ()
    call_sites: tuple[CallSite, ...] = ()
    patterns: tuple[UrlPattern, ...] = ()
    registrations: tuple[tuple[str, str, str], ...] = ()
    handlers: tuple[Handler, ...] = ()
    classes: tuple[ViewClass, ...] = ()
    security_objects: tuple[str, ...] = ()
    drf_defaults: tuple[str, ...] = ()
    middleware: tuple[str, ...] = ()
    constants: tuple[tuple[str, str], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    findings: tuple[RawFinding, ...] = field(default=())


@dataclass(frozen=True, kw_only=True, slots=True)
class Found:
    """An endpoint plus what its rules need beyond the exported fields."""

    endpoint: Endpoint
    unpaginated: bool = False
    # A route to a view the project does not define (a third-party view, an inline
    # lambda): part of the inventory, but no endpoint rule applies to code we cannot read.
    external: bool = False
    # Hidden from the API docs on purpose: nothing to document.
    hidden: bool = False


# What each ModuleFacts field holds a tuple of, for decoding; the rest are plain values.
_ELEMENTS: dict[str, type[Any]] = {
    "collections": Collection,
    "mounts": Mount,
    "hooks": Hook,
    "routes": Route,
    "call_sites": CallSite,
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
            values[name] = tuples_from_json(value)
        else:
            values[name] = tuple(
                element(**{k: tuples_from_json(v) for k, v in item.items()}) for item in value
            )
    return ModuleFacts(**values)


def join_path(prefix: str, path: str) -> str:
    """Join URL pieces the way the frameworks do: ``/api`` + ``/items`` -> ``/api/items``."""
    if not prefix:
        return path or "/"
    if not path or path == "/":
        return prefix if prefix.endswith("/") or path == "" else prefix + "/"
    return prefix.rstrip("/") + "/" + path.lstrip("/")
