"""Who guards an endpoint, decided the way the framework decides it, and named.

The answer is an ``auth_source``: ``decorator`` (a login/permission decorator, or a project
decorator whose body refuses anonymous requests), ``dependency`` (a FastAPI ``Depends`` /
``Security`` on the route or handler), ``router`` (dependencies of the router, the app or
``include_router``), ``app hook`` / ``blueprint hook`` (a ``before_request`` or
``url_value_preprocessor`` that refuses requests), ``view class`` (auth mixins, DRF
``permission_classes``, a guarded ``dispatch``), ``handler`` (the handler refuses
requests itself), ``settings default`` (DRF ``DEFAULT_PERMISSION_CLASSES``),
``middleware`` (a login-required middleware), ``public`` (login, sign-up, password reset,
token and webhook flows, public by design) or ``none``.
"""

from __future__ import annotations

from analyzer.analyzers.api.facts import Found, Handler, ViewClass
from analyzer.analyzers.api.project import MAX_DEPTH, Project
from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.model import Endpoint

NONE = "none"
PUBLIC = "public"
DECLARED = frozenset({"decorator", "dependency", "router", "view class"})
# Class methods that run before every HTTP method of a class-based view.
DISPATCH_METHODS = ("dispatch", "dispatch_request", "initial", "check_permissions")


def guards(project: Project, name: str, depth: int = 0) -> bool:
    """Does the project function ``name`` refuse requests (directly or through its
    decorators), so that using it as a decorator, hook or dependency authenticates?"""
    handler = project.handlers.get(project.canonical(name))
    if handler is None or depth >= MAX_DEPTH:
        return False
    return handler.guards or any(
        is_auth_decorator(project, d, depth + 1) for d in handler.decorators
    )


def is_auth_decorator(project: Project, name: str, depth: int = 0) -> bool:
    base, _, flag = name.partition(":")
    if flag:  # ``permission_classes([...])``: required unless every class is public
        return flag == "required"
    if matches(base, project.settings.public_decorators):
        return False
    return matches(base, project.settings.auth_decorators) or guards(project, base, depth)


def is_public_decorator(project: Project, names: tuple[str, ...]) -> bool:
    return any(
        matches(n.partition(":")[0], project.settings.public_decorators) or n.endswith(":public")
        for n in names
    )


def function_source(project: Project, handler: Handler) -> str:
    """Authentication a function handler declares: decorators, dependencies."""
    if any(is_auth_decorator(project, d) for d in handler.decorators):
        return "decorator"
    if handler.security or any(project.is_auth_dependency(d) for d in handler.dependencies):
        return "dependency"
    return ""


def handler_source(handler: Handler | None) -> str:
    """The handler refuses requests in its own body (the weakest evidence)."""
    return "handler" if handler is not None and handler.guards else ""


def settle(project: Project, sources: list[str], route: str, name: str) -> str:
    """The auth source, from candidates in priority order: what the route declares wins;
    a flow that is public by design (login, token refresh) is reported as such before
    what merely applies to every route (hooks, defaults, middleware, body checks)."""
    found = [s for s in sources if s]
    declared = [s for s in found if s in DECLARED]
    if declared:
        return declared[0]
    if is_public_by_design(route, name, project.settings):
        return PUBLIC
    return found[0] if found else NONE


def found_handler(
    handler: Handler,
    *,
    framework: str,
    methods: tuple[str, ...],
    route: str,
    source: str,
    documented: bool = False,
    hidden: bool = False,
) -> Found:
    """The endpoint a project handler serves, once its auth source is settled."""
    endpoint = Endpoint(
        framework=framework,
        methods=methods,
        route=route,
        handler=handler.name,
        path=handler.path,
        line=handler.line,
        is_async=handler.is_async,
        documented=documented or handler.docstring or bool(handler.documented_by),
        authenticated=source not in (NONE, PUBLIC),
        auth_source=source,
        writes=handler.writes,
    )
    unpaginated = "GET" in methods and handler.unbounded_return and not handler.parameters
    return Found(endpoint=endpoint, unpaginated=unpaginated, hidden=hidden)


def class_source(project: Project, view: ViewClass, bases: list[str], framework: str) -> str:
    """Authentication a view class brings for all its methods."""
    settings = project.settings
    if any(is_auth_decorator(project, d) for d in view.decorators):
        return "decorator"
    if any(matches(b, settings.auth_bases) for b in (*view.bases, *bases)):
        return "view class"
    for current in (view.name, *bases):
        for method in DISPATCH_METHODS:
            handler = project.handlers.get(f"{current}.{method}")
            if handler is not None and (function_source(project, handler) or handler.guards):
                return "view class"
    permissions = _permission_classes(project, view, bases)
    if permissions is not None:
        public = all(matches(p, settings.public_permissions) for p in permissions)
        if permissions and not public:
            return "view class"
        # Explicitly public for DRF; a login-required middleware still applies.
        return "middleware" if project.login_middleware else ""
    return default_source(project, framework)


def default_source(project: Project, framework: str, exempt: bool = False) -> str:
    """What the project's settings apply to every Django or DRF view."""
    if framework == "drf" and "DEFAULT_PERMISSION_CLASSES" in project.drf_defaults and not exempt:
        return "settings default"
    if framework in ("django", "drf") and not exempt and project.login_middleware:
        return "middleware"
    return ""


def _permission_classes(
    project: Project, view: ViewClass, bases: list[str]
) -> tuple[str, ...] | None:
    """The first ``permission_classes`` along the class and its project bases."""
    for current in (view, *(project.classes[b] for b in bases if b in project.classes)):
        if current.permission_classes is not None:
            return current.permission_classes
    return None


def is_public_by_design(route: str, handler: str, settings: ApiSettings) -> bool:
    """Login, sign-up, password reset, token and webhook flows cannot require a user."""
    last = handler.rsplit(".", 1)[-1].lower()
    if matches(last, settings.public_writes):
        return True
    segments = [s.lower() for s in route.split("/") if s and not s.startswith(("{", "<", "("))]
    # "reset" alone may reset anything; "/user/reset" is the password reset.
    candidates = [*segments[-2:], "/".join(segments[-2:])]
    return any(matches(s, settings.public_writes) for s in candidates)
