"""The per-file pass: one libcst visit that records what a module declares.

Routes, route collections (apps, blueprints, routers), mounts (``include_router``,
``register_blueprint``), Django ``urlpatterns``, DRF router registrations, handler
functions and view classes, all with absolute qualified names, so that the join in
``endpoints`` can connect declarations made in different modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import QualifiedName, QualifiedNameSource

from analyzer.analyzers.api.django_urls import read_patterns
from analyzer.analyzers.api.facts import Collection, Handler, Mount, Route, UrlPattern, ViewClass
from analyzer.analyzers.api.handlers import (
    dependency_list,
    parameter_dependencies,
    returns_unbounded,
)
from analyzer.analyzers.api.metadata import ModuleMetadata
from analyzer.analyzers.api.names import absolute, dotted
from analyzer.analyzers.api.queries import is_unbounded_query
from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.analyzers.api.syntax import (
    argument,
    call_attribute,
    elements,
    has_docstring,
    keyword,
    positional,
    string_list,
    string_value,
)

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
ROUTE_ATTRIBUTES = frozenset({*VERBS, "route", "api_route"})
MOUNT_ATTRIBUTES = {"include_router": "prefix", "register_blueprint": "url_prefix"}
API_VIEW = "rest_framework.decorators.api_view"
ACTION = "rest_framework.decorators.action"
METHOD_DECORATORS = {
    "django.views.decorators.http.require_POST": ("POST",),
    "django.views.decorators.http.require_GET": ("GET",),
    "django.views.decorators.http.require_safe": ("GET", "HEAD"),
}
REQUIRE_METHODS = "django.views.decorators.http.require_http_methods"
METHOD_DECORATOR = "django.utils.decorators.method_decorator"
HTTP_METHOD_NAMES = frozenset(
    {*VERBS, "list", "create", "retrieve", "update", "partial_update", "destroy"}
)


@dataclass(kw_only=True)
class _ClassDraft:
    name: str
    line: int
    bases: tuple[str, ...]
    docstring: bool
    decorators: tuple[str, ...]
    methods: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    permission_classes: tuple[str, ...] | None = None
    actions: list[tuple[str, tuple[str, ...], bool]] = field(default_factory=list)


@dataclass(kw_only=True)
class _FunctionDraft:
    """A handler whose paging inputs and returns are collected while its body is visited."""

    handler: Handler
    parameters: frozenset[str]
    literals: set[str] = field(default_factory=set)
    unbounded_names: set[str] = field(default_factory=set)
    unbounded: bool = False


class ModuleExtractor(cst.CSTVisitor):
    def __init__(self, *, metadata: ModuleMetadata, settings: ApiSettings) -> None:
        super().__init__()
        self.meta, self.settings = metadata, settings
        self.module, self.path, self.package = metadata.module, metadata.path, metadata.package
        self.collections: list[Collection] = []
        self.mounts: list[Mount] = []
        self.routes: list[Route] = []
        self.patterns: list[UrlPattern] = []
        self.registrations: list[tuple[str, str, str]] = []
        self.handlers: list[Handler] = []
        self.classes: list[ViewClass] = []
        self.security_objects: list[str] = []
        self.drf_defaults: list[str] = []
        self.aliases: list[tuple[str, str]] = []
        self._scopes: list[_ClassDraft | _FunctionDraft] = []

    # -- names and positions -------------------------------------------------------------
    def name_of(self, node: cst.CSTNode) -> str | None:
        return self.meta.name_of(node)

    def line_of(self, node: cst.CSTNode) -> int:
        return self.meta.line_of(node)

    # -- assignments: collections, security schemes, urlpatterns, class attributes -------------
    def visit_Assign(self, node: cst.Assign) -> None:
        names = [t.target for t in node.targets]
        self._record_assignment(names, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._record_assignment([node.target], node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if (
            isinstance(node.target, cst.Name)
            and node.target.value == "urlpatterns"
            and not self._scopes
        ):
            self._read_urlpatterns(node.value)

    def _record_assignment(
        self, targets: list[cst.BaseAssignTargetExpression], value: cst.BaseExpression
    ) -> None:
        scope = self._scopes[-1] if self._scopes else None
        if isinstance(scope, _ClassDraft):
            self._record_class_attribute(scope, targets, value)
            return
        if isinstance(scope, _FunctionDraft) and is_unbounded_query(value, self.settings):
            scope.unbounded_names.update(t.value for t in targets if isinstance(t, cst.Name))
        for target in targets:
            if isinstance(target, cst.Name) and target.value == "urlpatterns" and not self._scopes:
                self._read_urlpatterns(value)
            if (
                isinstance(target, cst.Name)
                and target.value == "REST_FRAMEWORK"
                and isinstance(value, cst.Dict)
            ):
                self._read_drf_settings(value)
        if not isinstance(value, cst.Call):
            return
        constructor = self.name_of(value.func)
        if constructor is None:
            return
        for target in targets:
            name = self.name_of(target)
            if name is None:
                continue
            kind = self.settings.collections.get(constructor)
            if kind is not None:
                self.collections.append(self._collection(name, kind, value))
            elif matches(constructor, self.settings.security_constructors):
                self.security_objects.append(name)
            elif matches(constructor, self.settings.auth_dependencies):
                # ``admin = auth.current_user(superuser=True)``: made by an auth factory.
                self.security_objects.append(name)

    def _collection(self, name: str, kind: str, call: cst.Call) -> Collection:
        prefix_key = "url_prefix" if kind in ("flask", "blueprint") else "prefix"
        dependencies, security = dependency_list(keyword(call, "dependencies"), self.name_of)
        return Collection(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            prefix=string_value(keyword(call, prefix_key)) or "",
            auth=security,
            dependencies=dependencies,
        )

    def _record_class_attribute(
        self,
        scope: _ClassDraft,
        targets: list[cst.BaseAssignTargetExpression],
        value: cst.BaseExpression,
    ) -> None:
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            attribute = target.value
            scope.attributes.append(attribute)
            if attribute in ("permission_classes", "authentication_classes", "decorators"):
                listed = tuple(n for n in (self.name_of(e) for e in elements(value)) if n)
                if attribute == "decorators":
                    scope.decorators = (*scope.decorators, *listed)
                elif attribute == "permission_classes" or listed:
                    scope.permission_classes = (*(scope.permission_classes or ()), *listed)

    def _read_drf_settings(self, value: cst.Dict) -> None:
        """Project-wide DRF defaults that make every view authenticated or paginated."""
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = string_value(element.key)
            if key == "DEFAULT_PAGINATION_CLASS" and string_value(element.value):
                self.drf_defaults.append(key)
            if key == "DEFAULT_PERMISSION_CLASSES":
                listed = [string_value(e) or "" for e in elements(element.value)]
                if listed and not all(matches(n, self.settings.public_permissions) for n in listed):
                    self.drf_defaults.append(key)

    def _read_urlpatterns(self, value: cst.BaseExpression) -> None:
        self.patterns.extend(
            read_patterns(value, self.module, self.name_of, self.line_of, self.settings)
        )

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        """Module-level ``from x import y as z``: ``<module>.z`` re-exports ``x.y``."""
        if self._scopes or isinstance(node.names, cst.ImportStar):
            return
        source = dotted(node.module) if node.module is not None else ""
        dots = "." * len(node.relative)
        base = absolute(
            QualifiedName(name=f"{dots}{source}", source=QualifiedNameSource.IMPORT),
            self.module,
            self.package,
        )
        for alias in node.names:
            local = alias.asname.name if alias.asname is not None else alias.name
            imported = dotted(alias.name)
            if isinstance(local, cst.Name) and imported and base:
                self.aliases.append((f"{self.module}.{local.value}", f"{base}.{imported}"))

    # -- calls: mounts, add_url_rule, add_api_route, router.register ----------------------------
    def visit_Call(self, node: cst.Call) -> None:
        found = call_attribute(node)
        if found is None:
            return
        receiver, attribute = found
        if (
            attribute in ("append", "extend")
            and isinstance(receiver, cst.Name)
            and receiver.value == "urlpatterns"
            and node.args
        ):
            self._read_urlpatterns(node.args[0].value)
        elif attribute in MOUNT_ATTRIBUTES:
            self._record_mount(node, receiver, MOUNT_ATTRIBUTES[attribute])
        elif attribute in ("add_url_rule", "add_api_route"):
            self._record_added_route(node, receiver, attribute)
        elif attribute == "register":
            prefix = string_value(positional(node, 0))
            viewset = positional(node, 1)
            parent = self.name_of(receiver)
            name = self.name_of(viewset) if viewset is not None else None
            if prefix is not None and parent and name:
                self.registrations.append((parent, prefix, name))

    def _record_mount(self, node: cst.Call, receiver: cst.BaseExpression, prefix_key: str) -> None:
        parent, child_node = self.name_of(receiver), positional(node, 0)
        child = self.name_of(child_node) if child_node is not None else None
        if parent and child:
            dependencies, security = dependency_list(keyword(node, "dependencies"), self.name_of)
            prefix_node = keyword(node, prefix_key)
            self.mounts.append(
                Mount(
                    parent=parent,
                    child=child,
                    prefix=string_value(prefix_node) if prefix_node is not None else None,
                    dependencies=dependencies,
                    security=security,
                )
            )

    def _record_added_route(
        self, node: cst.Call, receiver: cst.BaseExpression, attribute: str
    ) -> None:
        target = self.name_of(receiver)
        path = string_value(argument(node, 0, "rule" if attribute == "add_url_rule" else "path"))
        view = (
            keyword(node, "view_func")
            if attribute == "add_url_rule"
            else argument(node, 1, "endpoint")
        )
        if view is None and attribute == "add_url_rule":
            view = positional(node, 2)
        if target is None or view is None:
            return
        handler = self._handler_reference(view)
        if handler is None:
            return
        methods = string_list(keyword(node, "methods"))
        self.routes.append(
            Route(
                target=target,
                path=path if path is not None else "{?}",
                methods=methods or (() if handler.startswith("class:") else ("GET",)),
                handler=handler,
                line=self.line_of(node),
                framework="flask" if attribute == "add_url_rule" else "fastapi",
            )
        )

    def _handler_reference(self, view: cst.BaseExpression) -> str | None:
        """A function's name, or ``class:<name>`` for ``SomeView.as_view(...)``."""
        if (
            isinstance(view, cst.Call)
            and isinstance(view.func, cst.Attribute)
            and view.func.attr.value == "as_view"
        ):
            name = self.name_of(view.func.value)
            return f"class:{name}" if name else None
        return self.name_of(view)

    # -- classes and functions -----------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        name = self.name_of(node) or f"{self.module}.{node.name.value}"
        self._scopes.append(
            _ClassDraft(
                name=name,
                line=self.line_of(node.name),
                bases=tuple(n for n in (self.name_of(b.value) for b in node.bases) if n),
                docstring=has_docstring(node),
                decorators=self._decorator_names(node.decorators),
            )
        )

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        draft = self._scopes.pop()
        if not isinstance(draft, _ClassDraft):
            return
        self.classes.append(
            ViewClass(
                name=draft.name,
                path=self.path,
                line=draft.line,
                bases=draft.bases,
                docstring=draft.docstring,
                methods=tuple(draft.methods),
                decorators=draft.decorators,
                attributes=tuple(draft.attributes),
                permission_classes=draft.permission_classes,
                extra_actions=tuple(draft.actions),
            )
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = (
            self._scopes[-1] if self._scopes and isinstance(self._scopes[-1], _ClassDraft) else None
        )
        name = self.name_of(node) or f"{self.module}.{node.name.value}"
        decorators = self._decorator_names(node.decorators)
        declared: tuple[str, ...] | None = None
        for decorator in node.decorators:
            declared = self._declared_methods(decorator.decorator) or declared
            self._record_decorator_route(decorator.decorator, name)
            if owner is not None:
                self._record_action(owner, decorator.decorator, node.name.value)
        if owner is not None and node.name.value in HTTP_METHOD_NAMES:
            owner.methods.append(node.name.value)
        dependencies, security = parameter_dependencies(node.params, self.name_of)
        params = node.params
        self._scopes.append(
            _FunctionDraft(
                handler=Handler(
                    name=name,
                    path=self.path,
                    line=self.line_of(node.name),
                    is_async=node.asynchronous is not None,
                    docstring=has_docstring(node),
                    decorators=decorators,
                    dependencies=dependencies,
                    security=security,
                    declared_methods=declared,
                ),
                parameters=frozenset(
                    p.name.value
                    for p in (*params.posonly_params, *params.params, *params.kwonly_params)
                ),
            )
        )

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        draft = self._scopes.pop()
        if not isinstance(draft, _FunctionDraft):
            return
        paging = (draft.parameters | draft.literals) & set(self.settings.pagination_parameters)
        self.handlers.append(
            replace(
                draft.handler, parameters=tuple(sorted(paging)), unbounded_return=draft.unbounded
            )
        )

    def visit_Return(self, node: cst.Return) -> None:
        scope = self._scopes[-1] if self._scopes else None
        if isinstance(scope, _FunctionDraft) and node.value is not None and not scope.unbounded:
            scope.unbounded = returns_unbounded(node.value, scope.unbounded_names, self.settings)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        scope = self._scopes[-1] if self._scopes else None
        if isinstance(scope, _FunctionDraft):
            value = string_value(node)
            if value is not None and len(value) < 20:
                scope.literals.add(value)

    def _decorator_names(self, decorators: Sequence[cst.Decorator]) -> tuple[str, ...]:
        names: list[str] = []
        for decorator in decorators:
            expression = decorator.decorator
            func = expression.func if isinstance(expression, cst.Call) else expression
            name = self.name_of(func)
            if name is None:
                continue
            if isinstance(expression, cst.Call) and name == METHOD_DECORATOR:
                inner = positional(expression, 0)
                names.extend(n for n in [self.name_of(inner) if inner is not None else None] if n)
                continue
            if isinstance(expression, cst.Call) and name.endswith("permission_classes"):
                listed = [self.name_of(e) or "" for e in elements(positional(expression, 0))]
                if listed and all(matches(n, self.settings.public_permissions) for n in listed):
                    continue
            names.append(name)
        return tuple(names)

    def _declared_methods(self, expression: cst.BaseExpression) -> tuple[str, ...] | None:
        func = expression.func if isinstance(expression, cst.Call) else expression
        name = self.name_of(func)
        if name in METHOD_DECORATORS:
            return METHOD_DECORATORS[name]
        if isinstance(expression, cst.Call) and name in (API_VIEW, REQUIRE_METHODS):
            return string_list(argument(expression, 0, "http_method_names")) or ("GET",)
        if name == API_VIEW:
            return ("GET",)
        return None

    def _record_decorator_route(self, expression: cst.BaseExpression, handler: str) -> None:
        found = call_attribute(expression)
        if found is None or found[1] not in ROUTE_ATTRIBUTES:
            return
        receiver, attribute = found
        assert isinstance(expression, cst.Call)
        target = self.name_of(receiver)
        if target is None:
            return
        path = string_value(argument(expression, 0, "path")) or string_value(
            keyword(expression, "rule")
        )
        if attribute in VERBS:
            methods: tuple[str, ...] = (attribute.upper(),)
        else:
            methods = string_list(keyword(expression, "methods")) or ("GET",)
        dependencies, security = dependency_list(keyword(expression, "dependencies"), self.name_of)
        documented = any(keyword(expression, key) is not None for key in ("summary", "description"))
        self.routes.append(
            Route(
                target=target,
                path=path if path is not None else "{?}",
                methods=methods,
                handler=handler,
                line=self.line_of(expression),
                documented=documented,
                dependencies=dependencies,
                security=security,
            )
        )

    def _record_action(
        self, owner: _ClassDraft, expression: cst.BaseExpression, method: str
    ) -> None:
        if not isinstance(expression, cst.Call) or self.name_of(expression.func) != ACTION:
            return
        methods = string_list(keyword(expression, "methods")) or ("GET",)
        detail = keyword(expression, "detail")
        is_detail = isinstance(detail, cst.Name) and detail.value == "True"
        owner.actions.append((method, methods, is_detail))
