"""The cheap pass: decide from the raw bytes how much of the libcst pass a file needs.

``ENDPOINTS``: the file mentions an endpoint marker (``urlpatterns``, ``MIDDLEWARE``), or
imports a route framework and uses a word that declares something (a route decorator,
``add_url_rule``, ``APIRouter(``, a URL-like string argument), so it gets the full pass:
declarations for the join plus the body rules. ``BODY``: it imports a route framework
without declaring anything, imports a network client, imports a database or Django module
and mentions a query (``.objects``, ``.execute``), or defines a coroutine and imports
something that blocks, so only the body rules run. Anything else is skipped (it may still
be parsed in the join, when a declaration refers to it). A regular expression over bytes
costs microseconds; resolving qualified names costs tens of milliseconds per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from analyzer.analyzers.api.settings import ApiSettings

Pass = Literal["endpoints", "body"]
# Why the join wants a module: its declarations (always parsed), or only whether it
# registers routes (a helper called with routes) or refuses requests (a decorator, a hook).
NEEDED, ROUTES, GUARDS = "needed", "routes", "guards"
# ... or only whether it holds view base classes, or makes route collections.
BASES, COLLECTIONS = "bases", "collections"
_MAY_VIEW = re.compile(
    rb"View\b|Resource\b|ViewSet\b|Mixin\b|def\s+(?:get|post|put|patch|delete|dispatch"
    rb"|dispatch_request|list|create|retrieve|update|destroy)\s*\("
)
_MAY_COLLECT = re.compile(
    rb"\b(?:Flask|Quart|Blueprint|FastAPI|APIRouter|Api|Namespace|DefaultRouter|SimpleRouter)\s*\("
)
_MAY_REGISTER = re.compile(
    rb"add_url_rule|add_api_route|add_resource|include_router|register_blueprint|urlpatterns"
    rb"|@\s*[\w.]+\.(?:route|get|post|put|patch|delete|api_route)\s*\("
)
_DECLARES = re.compile(
    rb"@\s*[\w.]+\s*\.\s*(?:route|get|post|put|patch|delete|head|options|api_route|resource)\s*\("
    rb"|\b(?:add_url_rule|add_api_route|add_resource|add_namespace|include_router|register_blueprint"
    rb"|before_request|before_app_request|url_value_preprocessor|as_view|init_app|namespace)\b"
    rb"|\b(?:Flask|Quart|Blueprint|FastAPI|APIRouter|Api|Namespace|DefaultRouter|SimpleRouter)\s*\("
    rb"|\.\s*(?:register|mount)\s*\("
    rb"|[(\[=,]\s*[rRuUbB]?[fF]?['\"]/"
)
_MAY_GUARD = re.compile(
    rb"abort|40[13]|\braise\b|redirect|[Uu]nauthori[sz]ed|[Ff]orbidden|login|[Pp]ermission|jwt"
)
ENDPOINTS: Pass = "endpoints"
BODY: Pass = "body"
# Methods whose calls reach a database besides the configured query methods.
EXECUTE_PREFIX = "execute"


@dataclass(frozen=True, slots=True)
class NameNeeds:
    """Could a call resolve to a connection or session factory (``connections``), or a
    call in a coroutine to a blocking function (``blocking``)? Only when the file imports
    the module that name lives in, or belongs to that package itself. Calls of a blocking
    builtin (``open``) are resolved in any case."""

    connections: bool
    blocking: bool


@dataclass(frozen=True, slots=True)
class _Imports:
    """Imports of any of ``roots``, and the roots themselves (for the packages' own files)."""

    pattern: re.Pattern[bytes]
    roots: frozenset[str]

    def reach(self, data: bytes, module: str) -> bool:
        return module.split(".", 1)[0] in self.roots or self.pattern.search(data) is not None


@dataclass(frozen=True, slots=True)
class Prefilter:
    endpoints: re.Pattern[bytes]
    markers: re.Pattern[bytes]
    network: re.Pattern[bytes]
    query_imports: re.Pattern[bytes]
    query_words: re.Pattern[bytes]
    async_imports: re.Pattern[bytes]
    connections: _Imports
    blocking: _Imports

    def which_pass(self, data: bytes) -> Pass | None:
        if self.markers.search(data):
            return ENDPOINTS
        if self.endpoints.search(data):
            # A framework module declares something only with one of these words; one that
            # only imports ``Request`` gets the body rules, and the join parses it if a
            # declaration refers to it.
            return ENDPOINTS if _DECLARES.search(data) else BODY
        if self.network.search(data):
            return BODY
        if self.query_imports.search(data) and self.query_words.search(data):
            return BODY
        if b"async def" in data and (
            self.async_imports.search(data) or self.query_imports.search(data)
        ):
            return BODY
        return None

    def may_matter(self, data: bytes, needs: set[str]) -> bool:
        """Could a module wanted for ``needs`` change the join at all?"""
        return (
            NEEDED in needs
            or (ROUTES in needs and _MAY_REGISTER.search(data) is not None)
            or (GUARDS in needs and _MAY_GUARD.search(data) is not None)
            or (BASES in needs and _MAY_VIEW.search(data) is not None)
            or (COLLECTIONS in needs and _MAY_COLLECT.search(data) is not None)
        )

    def name_needs(self, data: bytes, module: str) -> NameNeeds:
        return NameNeeds(
            connections=self.connections.reach(data, module),
            blocking=self.blocking.reach(data, module),
        )


def build_prefilter(settings: ApiSettings) -> Prefilter:
    words = sorted({*settings.query_methods, settings.manager_attribute, EXECUTE_PREFIX})
    connections = {
        n.split(".", 1)[0] for n in (*settings.timeout_calls, *settings.session_factories)
    }
    blocking = {p.split(".", 1)[0] for p in settings.blocking_calls}
    return Prefilter(
        endpoints=_import_pattern(settings.frameworks),
        markers=_marker_pattern(settings),
        network=_import_pattern(settings.libraries),
        query_imports=_import_pattern(settings.query_libraries),
        query_words=re.compile(
            rb"\.\s*(?:" + b"|".join(re.escape(w.encode()) for w in words) + rb")"
        ),
        async_imports=_import_pattern((*settings.async_libraries, *settings.libraries)),
        connections=_imports(connections),
        blocking=_imports(blocking),
    )


def _imports(roots: set[str]) -> _Imports:
    # A root that is a pattern itself (``*``) could be anything: every file needs names.
    pattern = _import_pattern(roots) if all(r.isidentifier() for r in roots) else re.compile(b"")
    return _Imports(pattern=pattern, roots=frozenset(roots))


def _marker_pattern(settings: ApiSettings) -> re.Pattern[bytes]:
    """Words that make a module worth the full pass whatever it imports (``urlpatterns``)."""
    if not settings.endpoint_markers:
        return re.compile(rb"(?!)")
    markers = b"|".join(re.escape(m.encode()) for m in sorted(set(settings.endpoint_markers)))
    return re.compile(rb"\b(?:" + markers + rb")\b")


def _import_pattern(modules: Iterable[str]) -> re.Pattern[bytes]:
    """``import m``, ``import a, m``, ``from m import``, ``from m.sub import`` for any ``m``."""
    names = b"|".join(
        re.escape(m.encode()) for m in sorted(set(modules), key=lambda m: (-len(m), m))
    )
    head = rb"^[ \t]*(?:from[ \t]+|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*)"
    return re.compile(head + rb"(?:" + names + rb")(?=[ \t.,;]|$)", re.MULTILINE)
