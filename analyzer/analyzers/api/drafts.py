"""Classes and functions while the extractor is inside them: what their bodies add up to."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from analyzer.analyzers.api.facts import Handler, ViewClass


@dataclass(kw_only=True)
class ClassDraft:
    name: str
    path: str
    line: int
    bases: tuple[str, ...]
    documented: bool
    decorators: tuple[str, ...]
    documented_methods: tuple[str, ...] = ()
    methods: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    permission_classes: tuple[str, ...] | None = None
    actions: list[tuple[str, tuple[str, ...], bool, str]] = field(default_factory=list)

    def finish(self) -> ViewClass:
        return ViewClass(
            name=self.name,
            path=self.path,
            line=self.line,
            bases=self.bases,
            documented=self.documented or "*" in self.documented_methods,
            documented_methods=self.documented_methods,
            methods=tuple(self.methods),
            decorators=self.decorators,
            attributes=tuple(self.attributes),
            permission_classes=self.permission_classes,
            extra_actions=tuple(self.actions),
        )


@dataclass(kw_only=True)
class FunctionDraft:
    """A handler whose paging inputs, returns, guards and writes are collected while its
    body is visited. ``params`` maps local names to ``param:<name>`` (its parameters) or
    ``each:<name>`` (a loop variable over one)."""

    handler: Handler
    parameters: frozenset[str]
    params: dict[str, str]
    literals: set[str] = field(default_factory=set)
    unbounded_names: set[str] = field(default_factory=set)
    unbounded: bool = False
    guards: bool = False
    to_login: bool = False
    writes: bool = False
    returns: list[str] = field(default_factory=list)
    exempts: set[str] = field(default_factory=set)

    def finish(self, paging: frozenset[str]) -> Handler:
        return replace(
            self.handler,
            parameters=tuple(sorted((self.parameters | self.literals) & paging)),
            unbounded_return=self.unbounded,
            guards=self.guards,
            to_login=self.to_login,
            writes=self.writes,
            returns=tuple(dict.fromkeys(self.returns)),
            exempts=tuple(sorted(self.exempts)),
        )

    def absorb(self, inner: FunctionDraft) -> None:
        """A nested function (a decorator's wrapper, a background task) acts for this one."""
        self.guards = self.guards or inner.guards
        self.to_login = self.to_login or inner.to_login
        self.writes = self.writes or inner.writes


def signature_of(params: cst.Parameters) -> tuple[str, ...]:
    """Parameter names in call order: ``("self", "a", "*args", "b", "**kwargs")``."""
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        names.append("*" + params.star_arg.name.value)
    names.extend(p.name.value for p in params.kwonly_params)
    if params.star_kwarg is not None:
        names.append("**" + params.star_kwarg.name.value)
    return tuple(names)
