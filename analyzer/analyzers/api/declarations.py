"""Route, mount and hook declarations read from single calls and decorators.

Each reader takes one call (``bp.add_url_rule(...)``, ``@router.post("")``,
``api.add_resource(Res, "/a", "/b")``, ``app.include_router(r, prefix=...)``) and the
``Site`` it appears in, and returns plain facts. Inside a function, arguments that are the
function's parameters stay symbolic (``param:<name>``), so that a project's own
registration helpers can be bound at each of their calls in the join (``wrappers``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace

import libcst as cst

from analyzer.analyzers.api.facts import CallSite, Collection, CollectionKind, Hook, Mount, Route
from analyzer.analyzers.api.handlers import dependency_list
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.analyzers.api.syntax import (
    argument,
    call_attribute,
    elements,
    keyword,
    positional,
    string_list,
    string_value,
)
from analyzer.analyzers.api.values import (
    Template,
    encode_argument,
    is_route_like,
    render_path,
    view_reference,
)

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
ROUTE_ATTRIBUTES = frozenset({*VERBS, "route", "api_route", "resource"})
# Receiver method -> keyword holding the prefix the child is mounted under.
MOUNT_ATTRIBUTES = {
    "include_router": "prefix",
    "register_blueprint": "url_prefix",
    "add_namespace": "path",
    "init_app": "",
}
HOOK_ATTRIBUTES = {
    "before_request": False,
    "url_value_preprocessor": False,
    "before_app_request": True,
    "app_url_value_preprocessor": True,
}
DOC_KEYWORDS = ("summary", "description")
PREFIX_KEYS = {"flask": "url_prefix", "blueprint": "url_prefix", "namespace": "path"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Site:
    """Where a declaration is: name resolution, and the enclosing function if any."""

    name_of: Callable[[cst.CSTNode], str | None]
    line_of: Callable[[cst.CSTNode], int]
    settings: ApiSettings
    scope: str = ""
    params: Mapping[str, str] | None = None

    def ref(self, node: cst.BaseExpression | None) -> str | None:
        """A name, or ``param:<name>`` for a parameter of the enclosing function."""
        if node is None:
            return None
        if isinstance(node, cst.Name) and self.params and node.value in self.params:
            return self.params[node.value]
        return self.name_of(node)

    def view(self, node: cst.BaseExpression | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, cst.Name) and self.params and node.value in self.params:
            return self.params[node.value]
        return view_reference(node, self.name_of)


def _scope_of(site: Site, route: Route) -> Route:
    """Scope a route to the enclosing function when any part is one of its parameters."""
    symbolic = [route.target, route.handler, *(n for _, n in route.names)]
    if route.methods_param or any(s.startswith(("param:", "each:")) for s in symbolic):
        return replace(route, scope=site.scope)
    return route


def decorator_routes(
    site: Site, expression: cst.BaseExpression, handler: str, *, on_class: bool
) -> Iterator[Route]:
    """``@app.route("/x")``, ``@router.post("")``, ``@ns.route("/x")`` on a class."""
    found = call_attribute(expression)
    if found is None or found[1] not in ROUTE_ATTRIBUTES or not isinstance(expression, cst.Call):
        return
    receiver, attribute = found
    target = site.ref(receiver)
    path_node = argument(expression, 0, "path") or keyword(expression, "rule")
    if target is None or path_node is None:
        return
    if on_class:
        methods: tuple[str, ...] = ()
    elif attribute in VERBS:
        methods = (attribute.upper(),)
    else:
        methods = string_list(keyword(expression, "methods")) or ("GET",)
    dependencies, security = dependency_list(keyword(expression, "dependencies"), site.name_of)
    documented = any(keyword(expression, key) is not None for key in DOC_KEYWORDS)
    shown = keyword(expression, "include_in_schema")
    hidden = isinstance(shown, cst.Name) and shown.value == "False"
    # Flask-RESTX and Flask-RESTful take several URLs: @ns.route("/a", "/b").
    nodes = [path_node, *_extra_urls(expression)] if on_class else [path_node]
    for node in nodes:
        template = render_path(node, site.name_of, site.params or {})
        route = Route(
            target=target,
            path=template.text,
            names=template.names,
            methods=methods,
            handler=handler,
            line=site.line_of(expression),
            documented=documented,
            hidden=hidden,
            dependencies=dependencies,
            security=security,
        )
        yield _scope_of(site, route)


def _extra_urls(call: cst.Call) -> list[cst.BaseExpression]:
    plain = [a.value for a in call.args if a.keyword is None and not a.star]
    return plain[1:]


def added_routes(
    site: Site, node: cst.Call, receiver: cst.BaseExpression, attribute: str
) -> list[Route]:
    """``add_url_rule``, ``add_api_route`` and Flask-RESTful's ``add_resource``."""
    target = site.ref(receiver)
    if target is None:
        return []
    if attribute == "add_resource":
        handler = site.view(positional(node, 0))
        handler = f"class:{handler}" if handler and not handler.startswith("param:") else handler
        paths = [a.value for a in node.args if a.keyword is None and not a.star][1:]
        return [_added(site, node, target, handler, path, (), "flask") for path in paths if handler]
    flask = attribute == "add_url_rule"
    path = argument(node, 0, "rule" if flask else "path")
    view = keyword(node, "view_func") if flask else argument(node, 1, "endpoint")
    if view is None and flask:
        view = positional(node, 2)
    handler = site.view(view)
    if handler is None or path is None:
        return []
    methods = string_list(keyword(node, "methods"))
    if methods is None:
        methods = () if handler.startswith(("class:", "param:")) else ("GET",)
    return [_added(site, node, target, handler, path, methods, "flask" if flask else "fastapi")]


def _added(
    site: Site,
    node: cst.Call,
    target: str,
    handler: str,
    path: cst.BaseExpression,
    methods: tuple[str, ...],
    framework: str,
) -> Route:
    template = render_path(path, site.name_of, site.params or {})
    route = Route(
        target=target,
        path=template.text,
        names=template.names,
        methods=methods,
        handler=handler,
        line=site.line_of(node),
        framework=framework,
        methods_param=_methods_param(site, node),
    )
    return _scope_of(site, route)


def _methods_param(site: Site, node: cst.Call) -> str:
    """``methods=methods`` or ``**kwargs`` passed on from the enclosing function."""
    if not site.params:
        return ""
    given = keyword(node, "methods")
    if isinstance(given, cst.Name) and given.value in site.params:
        return site.params[given.value]
    for arg in node.args:
        if arg.star == "**" and isinstance(arg.value, cst.Name) and arg.value.value in site.params:
            return "kwargs:" + site.params[arg.value.value].partition(":")[2]
    return ""


def mount(site: Site, node: cst.Call, receiver: cst.BaseExpression, attribute: str) -> Mount | None:
    """``include_router``, ``register_blueprint``, ``add_namespace``, ``init_app``, ``mount``."""
    if attribute == "mount":
        child_node, prefix_node = argument(node, 1, "app"), argument(node, 0, "path")
    else:
        child_node = positional(node, 0)
        key = MOUNT_ATTRIBUTES[attribute]
        prefix_node = keyword(node, key) if key else None
    parent = site.ref(receiver)
    child = _mounted(site, child_node)
    if not parent or not child:
        return None
    dependencies, security = dependency_list(keyword(node, "dependencies"), site.name_of)
    prefix = render_path(prefix_node, site.name_of, site.params or {}) if prefix_node else None
    return Mount(
        parent=parent,
        child=child,
        prefix=prefix.text if prefix else None,
        prefix_names=prefix.names if prefix else (),
        dependencies=dependencies,
        security=security,
    )


def _mounted(site: Site, node: cst.BaseExpression | None) -> str | None:
    """The mounted collection; ``returns:<function>`` for ``construct_blueprint(...)``."""
    if isinstance(node, cst.Call):
        func = site.name_of(node.func)
        return f"returns:{func}" if func else None
    return site.ref(node)


def hook(site: Site, node: cst.Call, receiver: cst.BaseExpression, attribute: str) -> Hook | None:
    """``app.before_request(check)``, the call form of a hook decorator."""
    target, function = site.ref(receiver), site.ref(positional(node, 0))
    if target and function:
        return Hook(target=target, function=function, app_wide=HOOK_ATTRIBUTES[attribute])
    return None


def decorator_hook(site: Site, expression: cst.BaseExpression, function: str) -> Hook | None:
    """``@bp.before_request`` on a function."""
    if not isinstance(expression, cst.Attribute) or expression.attr.value not in HOOK_ATTRIBUTES:
        return None
    target = site.ref(expression.value)
    if target is None:
        return None
    return Hook(target=target, function=function, app_wide=HOOK_ATTRIBUTES[expression.attr.value])


def call_site(site: Site, node: cst.Call, collections: set[str]) -> CallSite | None:
    """A call that may be to a project's registration helper: it passes a URL-like literal,
    a collection made in this module, or (inside a function) two or more of that function's
    parameters on."""
    values = [a.value for a in node.args if not a.star]
    if not values:
        return None
    passed = sum(
        1 for v in values if isinstance(v, cst.Name) and site.params and v.value in site.params
    )
    if (
        passed < 2
        and not any(is_route_like(v) for v in values)
        and not (collections and any(_names_collection(site, v, collections) for v in values))
    ):
        return None
    func = site.name_of(node.func)
    if func is None or func.startswith("builtins."):
        return None
    args = []
    position = 0
    for arg in node.args:
        if arg.star:
            continue
        key = arg.keyword.value if arg.keyword is not None else str(position)
        position += arg.keyword is None
        encoded = encode_argument(key, arg.value, site.name_of, site.params or {})
        if encoded is not None:
            args.append(encoded)
    return CallSite(func=func, line=site.line_of(node), scope=site.scope, args=tuple(args))


def _names_collection(site: Site, node: cst.BaseExpression, collections: set[str]) -> bool:
    if not isinstance(node, cst.Name | cst.Attribute):
        return False
    name = site.name_of(node)
    return name is not None and name in collections


def collection(
    site: Site, name: str, kind: CollectionKind, call: cst.Call
) -> tuple[Collection, Mount | None]:
    """``Blueprint(..., url_prefix=...)``, ``APIRouter(prefix=..., dependencies=...)``,
    ``Api(app, prefix=..., decorators=[...])``, ``Namespace("pets", path=...)``; an ``Api``
    built on an app or blueprint is mounted on it."""
    dependencies, security = dependency_list(keyword(call, "dependencies"), site.name_of)
    prefix_node = keyword(call, PREFIX_KEYS.get(kind, "prefix"))
    prefix = render_path(prefix_node, site.name_of, {}) if prefix_node is not None else None
    if prefix is None and kind == "namespace":
        # A Flask-RESTX namespace without ``path`` is served under its name.
        title = string_value(argument(call, 0, "name"))
        prefix = Template(f"/{title}") if title else None
    decorators = tuple(
        n for n in (site.name_of(e) for e in elements(keyword(call, "decorators"))) if n
    )
    found = Collection(
        name=name,
        kind=kind,
        prefix=prefix.text if prefix else "",
        prefix_names=prefix.names if prefix else (),
        auth=security,
        dependencies=dependencies,
        decorators=decorators,
    )
    app = argument(call, 0, "app") if kind == "restful" else None
    parent = site.name_of(app) if app is not None else None
    return found, Mount(parent=parent, child=name, prefix=None) if parent else None
