"""The per-file pass: one libcst visit that records what a module declares.

Routes, route collections (apps, blueprints, routers, Flask-RESTful APIs, namespaces),
mounts, hooks, Django pattern lists, DRF router registrations, settings read as data,
handler functions and view classes, all with absolute qualified names, so that the join
in ``endpoints`` can connect declarations made in different modules. The single calls and
decorators are read in ``declarations``; function bodies in ``bodies``.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import QualifiedName, QualifiedNameSource

from analyzer.analyzers.api import bodies, declarations
from analyzer.analyzers.api.declarations import HOOK_ATTRIBUTES, MOUNT_ATTRIBUTES, Site
from analyzer.analyzers.api.decorators import DecoratorReader, decorator_values
from analyzer.analyzers.api.django_urls import holds_patterns, read_patterns
from analyzer.analyzers.api.drafts import ClassDraft, FunctionDraft, signature_of
from analyzer.analyzers.api.facts import (
    CallSite,
    Collection,
    CollectionKind,
    Handler,
    Hook,
    Mount,
    Route,
    UrlPattern,
    ViewClass,
)
from analyzer.analyzers.api.handlers import (
    parameter_dependencies,
    returns_unbounded,
)
from analyzer.analyzers.api.metadata import ModuleMetadata
from analyzer.analyzers.api.names import absolute, dotted, normalize_self
from analyzer.analyzers.api.queries import is_unbounded_query
from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.analyzers.api.settings_data import SettingsReader
from analyzer.analyzers.api.syntax import (
    argument,
    call_attribute,
    elements,
    has_docstring,
    string_value,
)

HTTP_METHOD_NAMES = frozenset(
    {*declarations.VERBS, "list", "create", "retrieve", "update", "partial_update", "destroy"}
)
CLASS_DECORATOR_ATTRIBUTES = ("decorators", "method_decorators")
ADDED_ROUTES = frozenset({"add_url_rule", "add_api_route", "add_resource"})


class ModuleExtractor(cst.CSTVisitor):
    def __init__(self, *, metadata: ModuleMetadata, settings: ApiSettings) -> None:
        super().__init__()
        self.meta, self.settings = metadata, settings
        self.module, self.path, self.package = metadata.module, metadata.path, metadata.package
        self.collections: list[Collection] = []
        self.mounts: list[Mount] = []
        self.hooks: list[Hook] = []
        self.routes: list[Route] = []
        self.call_sites: list[CallSite] = []
        self.patterns: list[UrlPattern] = []
        self.registrations: list[tuple[str, str, str]] = []
        self.handlers: list[Handler] = []
        self.classes: list[ViewClass] = []
        self.security_objects: list[str] = []
        self.aliases: list[tuple[str, str]] = []
        self.constants: list[tuple[str, str]] = []
        self.settings_reader = SettingsReader(settings)
        self.decorators = DecoratorReader(self.name_of, settings)
        self._scopes: list[ClassDraft | FunctionDraft] = []
        # Local names bound to a call's result, for ``include_router(make_router())`` via a name.
        self._results: dict[str, str] = {}
        self._collection_names: set[str] = set()
        # Module-level names defined here, which shadow an import of the same name.
        self.defined: set[str] = set()

    # -- names, positions and where we are ----------------------------------------------------
    def name_of(self, node: cst.CSTNode) -> str | None:
        name = self.meta.name_of(node)
        return normalize_self(name) if name else None

    def line_of(self, node: cst.CSTNode) -> int:
        return self.meta.line_of(node)

    def _function(self) -> FunctionDraft | None:
        scope = self._scopes[-1] if self._scopes else None
        return scope if isinstance(scope, FunctionDraft) else None

    def site(self) -> Site:
        function = self._function()
        return Site(
            name_of=self.name_of,
            line_of=self.line_of,
            settings=self.settings,
            scope=function.handler.name if function else "",
            params=function.params if function else None,
        )

    # -- assignments: collections, settings, pattern lists, class attributes -------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        self._record_assignment([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._record_assignment([node.target], node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and not self._scopes:
            self._module_list(node.target.value, node.value, always=False)

    def _module_list(self, name: str, value: cst.BaseExpression, *, always: bool) -> None:
        """A module-level list that holds URL patterns or settings read as data."""
        if self.settings_reader.read(name, value):
            return
        found = read_patterns(value, f"{self.module}.{name}", self.name_of, self.line_of)
        if always or name == "urlpatterns" or holds_patterns(found):
            self.patterns.extend(found)

    def _record_assignment(
        self, targets: list[cst.BaseAssignTargetExpression], value: cst.BaseExpression
    ) -> None:
        scope = self._scopes[-1] if self._scopes else None
        if isinstance(scope, ClassDraft):
            self._record_class_attribute(scope, targets, value)
            return
        if isinstance(scope, FunctionDraft):
            if is_unbounded_query(value, self.settings):
                scope.unbounded_names.update(t.value for t in targets if isinstance(t, cst.Name))
            scope.writes = scope.writes or any(self._sets_global(scope, t) for t in targets)
        if scope is None:
            for target in targets:
                if isinstance(target, cst.Name):
                    self._module_list(target.value, value, always=False)
                    constant = string_value(value)
                    if constant is not None and len(constant) < 200:
                        self.constants.append((f"{self.module}.{target.value}", constant))
        if isinstance(value, cst.Call):
            self._record_constructed(targets, value, module_level=scope is None)

    def _sets_global(self, scope: FunctionDraft, target: cst.BaseAssignTargetExpression) -> bool:
        """``config.value = x`` / ``REGISTRY[key] = x``: state that outlives the request."""
        if not isinstance(target, cst.Attribute | cst.Subscript):
            return False
        root: cst.BaseExpression = target
        while isinstance(root, cst.Attribute | cst.Subscript):
            root = root.value
        if not isinstance(root, cst.Name) or root.value in scope.params:
            return False
        name = self.name_of(root)
        return (
            name is not None
            and "<locals>" not in name
            and not name.startswith("builtins.")
            and not matches(name, self.settings.write_exclusions)
        )

    def _record_constructed(
        self, targets: list[cst.BaseAssignTargetExpression], call: cst.Call, *, module_level: bool
    ) -> None:
        constructor = self.name_of(call.func)
        if constructor is None:
            return
        for target in targets:
            name = self.name_of(target)
            if name is None:
                continue
            kind = self.settings.collections.get(constructor)
            found = call_attribute(call)
            if kind is not None:
                self._record_collection(name, kind, call)  # type: ignore[arg-type]
            elif found is not None and found[1] == "namespace":
                self._record_collection(name, "namespace", call)
                parent = self.name_of(found[0])
                if parent:
                    self.mounts.append(Mount(parent=parent, child=name, prefix=None))
            elif matches(constructor, self.settings.security_constructors):
                self.security_objects.append(name)
            elif matches(constructor, self.settings.auth_dependencies):
                # ``admin = auth.current_user(superuser=True)``: made by an auth factory.
                self.security_objects.append(name)
            else:
                self._results[name] = constructor
                if module_level:
                    self.aliases.append((name, f"returns:{constructor}"))

    def _record_collection(self, name: str, kind: CollectionKind, call: cst.Call) -> None:
        self._collection_names.add(name)
        collection, mount = declarations.collection(self.site(), name, kind, call)
        self.collections.append(collection)
        if mount is not None:
            self.mounts.append(mount)

    def _record_class_attribute(
        self,
        scope: ClassDraft,
        targets: list[cst.BaseAssignTargetExpression],
        value: cst.BaseExpression,
    ) -> None:
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            attribute = target.value
            scope.attributes.append(attribute)
            if attribute == "permission_classes":
                scope.permission_classes = self._class_names(value)
            elif attribute in CLASS_DECORATOR_ATTRIBUTES:
                listed = tuple(n for n in map(self.decorators.callee, decorator_values(value)) if n)
                scope.decorators = (*scope.decorators, *listed)

    def _class_names(self, value: cst.BaseExpression) -> tuple[str, ...]:
        """``[IsAuthenticated]``, ``DEFAULTS + [Extra]``; an expression we cannot read
        counts as a class that is not public."""
        if isinstance(value, cst.List | cst.Tuple):
            return tuple(self.name_of(e) or "<expression>" for e in elements(value))
        if isinstance(value, cst.BinaryOperation):
            return (*self._class_names(value.left), *self._class_names(value.right))
        return (self.name_of(value) or "<expression>",)

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

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        function = self._function()
        if function is not None:
            function.guards = function.guards or bodies.call_guards(node, self.settings)
            function.to_login = function.to_login or bodies.sends_to_login(node)
            function.writes = function.writes or bodies.call_writes(node, self.settings)
        found = call_attribute(node)
        if found is not None and self._record_method_call(node, *found):
            return
        site = self.call_site_of(node)
        if site is not None:
            self.call_sites.append(site)

    def call_site_of(self, node: cst.Call) -> CallSite | None:
        return declarations.call_site(self.site(), node, self._collection_names)

    def _record_method_call(
        self, node: cst.Call, receiver: cst.BaseExpression, attribute: str
    ) -> bool:
        """Record a framework registration; False when the call is none."""
        if attribute in ("append", "extend", "insert") and isinstance(receiver, cst.Name):
            if not self._scopes and node.args:
                self._module_list(receiver.value, node.args[-1].value, always=False)
            return True
        site = self.site()
        if attribute in MOUNT_ATTRIBUTES or attribute == "mount":
            mount = declarations.mount(site, node, receiver, attribute)
            if mount is not None:
                self.mounts.append(self._resolved_mount(mount))
        elif attribute in ADDED_ROUTES:
            self.routes.extend(declarations.added_routes(site, node, receiver, attribute))
        elif attribute in HOOK_ATTRIBUTES:
            hook = declarations.hook(site, node, receiver, attribute)
            if hook is not None:
                self.hooks.append(hook)
        elif attribute == "register":
            self._record_registration(node, receiver)
        else:
            return False
        return True

    def _resolved_mount(self, mount: Mount) -> Mount:
        made_by = self._results.get(mount.child)
        if made_by is None:
            return mount
        return Mount(
            parent=mount.parent,
            child=f"returns:{made_by}",
            prefix=mount.prefix,
            prefix_names=mount.prefix_names,
            dependencies=mount.dependencies,
            security=mount.security,
        )

    def _record_registration(self, node: cst.Call, receiver: cst.BaseExpression) -> None:
        prefix = string_value(argument(node, 0, "prefix"))
        viewset = argument(node, 1, "viewset")
        parent = self.name_of(receiver)
        name = self.name_of(viewset) if viewset is not None else None
        if prefix is not None and parent and name:
            self.registrations.append((parent, prefix, name))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        function = self._function()
        if function is not None:
            function.exempts.update(bodies.endpoint_exemptions(node))

    def visit_Raise(self, node: cst.Raise) -> None:
        function = self._function()
        if function is not None and not function.guards:
            function.guards = bodies.raise_guards(node, self.settings)

    def visit_For(self, node: cst.For) -> None:
        """``for route in routes:`` over a parameter: each ``route`` is one of its items."""
        function = self._function()
        if (
            function is not None
            and isinstance(node.iter, cst.Name)
            and isinstance(node.target, cst.Name)
            and function.params.get(node.iter.value, "").startswith("param:")
        ):
            function.params[node.target.value] = "each:" + node.iter.value

    # -- classes and functions -------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        name = self.name_of(node) or f"{self.module}.{node.name.value}"
        if not self._scopes:
            self.defined.add(f"{self.module}.{node.name.value}")
        site = self.site()
        for decorator in node.decorators:
            self.routes.extend(
                declarations.decorator_routes(
                    site, decorator.decorator, f"class:{name}", on_class=True
                )
            )
        self._scopes.append(
            ClassDraft(
                name=name,
                path=self.path,
                line=self.line_of(node.name),
                bases=tuple(n for n in (self.name_of(b.value) for b in node.bases) if n),
                documented_methods=self.decorators.documented_methods(node.decorators),
                documented=has_docstring(node),
                decorators=self.decorators.names(node.decorators),
            )
        )

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        draft = self._scopes.pop()
        if isinstance(draft, ClassDraft):
            self.classes.append(draft.finish())

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = (
            self._scopes[-1] if self._scopes and isinstance(self._scopes[-1], ClassDraft) else None
        )
        name = self.name_of(node) or f"{self.module}.{node.name.value}"
        if not self._scopes:
            self.defined.add(f"{self.module}.{node.name.value}")
        site = self.site()
        declared: tuple[str, ...] | None = None
        for decorator in node.decorators:
            expression = decorator.decorator
            declared = self.decorators.declared_methods(expression) or declared
            self.routes.extend(
                declarations.decorator_routes(site, expression, name, on_class=False)
            )
            hook = declarations.decorator_hook(site, expression, name)
            if hook is not None:
                self.hooks.append(hook)
            action = self.decorators.action(expression, node.name.value)
            if owner is not None and action is not None:
                owner.actions.append(action)
        if owner is not None and node.name.value in HTTP_METHOD_NAMES:
            owner.methods.append(node.name.value)
        dependencies, security = parameter_dependencies(node.params, self.name_of)
        self._note_collection_parameters(node.params)
        signature = signature_of(node.params)
        params = {n.lstrip("*"): "param:" + n.lstrip("*") for n in signature}
        self._scopes.append(
            FunctionDraft(
                handler=Handler(
                    name=name,
                    path=self.path,
                    line=self.line_of(node.name),
                    is_async=node.asynchronous is not None,
                    docstring=has_docstring(node),
                    decorators=self.decorators.names(node.decorators),
                    documented_by=self.decorators.documenting(node.decorators),
                    dependencies=dependencies,
                    security=security,
                    signature=signature,
                    declared_methods=declared,
                ),
                parameters=frozenset(params),
                params=params,
            )
        )

    def _note_collection_parameters(self, params: cst.Parameters) -> None:
        """``def register(app: FastAPI)``: passing ``app`` on may register routes on it."""
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            annotation = param.annotation
            if annotation is None:
                continue
            if self.name_of(annotation.annotation) in self.settings.collections:
                name = self.name_of(param.name)
                if name:
                    self._collection_names.add(name)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        draft = self._scopes.pop()
        if not isinstance(draft, FunctionDraft):
            return
        self.handlers.append(draft.finish(frozenset(self.settings.pagination_parameters)))
        enclosing = self._function()
        if enclosing is not None:
            enclosing.absorb(draft)

    def visit_Return(self, node: cst.Return) -> None:
        scope = self._function()
        if scope is None or node.value is None:
            return
        if not scope.unbounded:
            scope.unbounded = returns_unbounded(node.value, scope.unbounded_names, self.settings)
        scope.guards = scope.guards or bodies.return_guards(node, self.settings)
        if isinstance(node.value, cst.Name | cst.Attribute):
            returned = self.name_of(node.value)
            if returned:
                scope.returns.append(returned)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        scope = self._function()
        if scope is not None:
            value = string_value(node)
            if value is not None and len(value) < 20:
                scope.literals.add(value)
