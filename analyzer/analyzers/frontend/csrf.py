"""Is a POST form without a CSRF token in its own markup really unprotected?

A token often comes from elsewhere: a macro or an included template that renders
``form.hidden_tag()``, or protection switched on for the whole application (Flask-WTF's
``CSRFProtect(app)``, Django's ``CsrfViewMiddleware``, a CSRF header every AJAX request
carries) — then a form without a token is rejected by the server, not open to forgery.
The per-file pass records what each file contributes (``CsrfFacts``); the join decides.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_CALL = re.compile(r"([A-Za-z_][\w.]*)\s*\(")
_INCLUDE = re.compile(r"""\{%-?\s*include\s+["']([^"']+)["']""")
_MACRO = re.compile(
    r"\{%-?\s*macro\s+(?P<name>[A-Za-z_]\w*)\s*\(.*?%\}(?P<body>.*?)\{%-?\s*endmacro",
    re.DOTALL,
)
_TAG_OPEN = re.compile(r"\{%-?\s*")
_HEADER = re.compile(r"""["']X-CSRF-?Token["']""", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True, slots=True)
class FormCandidate:
    """A POST form whose own markup holds no token."""

    line: int
    column: int
    # Macros and functions called in the form's tags, and templates it includes.
    calls: tuple[str, ...]
    includes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class CsrfFacts:
    """What one file tells about CSRF protection."""

    forms: tuple[FormCandidate, ...] = ()
    # Macros this template defines whose output holds a token.
    token_macros: tuple[str, ...] = ()
    # The template holds a token (so including it adds one).
    has_token: bool = False
    # How this file protects the whole application ("CSRFProtect", the middleware path...).
    protection: str | None = None

    def is_empty(self) -> bool:
        return not (self.forms or self.token_macros or self.has_token or self.protection)

    def to_json(self) -> str:
        return json.dumps(
            {
                "forms": [[f.line, f.column, list(f.calls), list(f.includes)] for f in self.forms],
                "token_macros": list(self.token_macros),
                "has_token": self.has_token,
                "protection": self.protection,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> CsrfFacts:
        """Raises KeyError, TypeError or ValueError on data it did not write."""
        data = json.loads(text)
        return cls(
            forms=tuple(
                FormCandidate(
                    line=int(line), column=int(column), calls=tuple(calls), includes=tuple(inc)
                )
                for line, column, calls, inc in data["forms"]
            ),
            token_macros=tuple(str(m) for m in data["token_macros"]),
            has_token=bool(data["has_token"]),
            protection=None if data["protection"] is None else str(data["protection"]),
        )


def has_token(text: str, markers: Iterable[str]) -> bool:
    """The (lower-cased) markup holds one of the token markers."""
    normalized = _TAG_OPEN.sub("{% ", text.lower())
    return any(marker in normalized for marker in markers)


def form_candidate(line: int, column: int, body: str) -> FormCandidate:
    """What a token-less form's body calls and includes, for the join to resolve."""
    tags = " ".join(_TAG.findall(body))
    calls = sorted({name.rsplit(".", 1)[-1] for name in _CALL.findall(tags)})
    return FormCandidate(
        line=line,
        column=column,
        calls=tuple(calls),
        includes=tuple(sorted(set(_INCLUDE.findall(body)))),
    )


def template_facts(text: str, forms: Iterable[FormCandidate], markers: Iterable[str]) -> CsrfFacts:
    markers = tuple(markers)
    macros = sorted(
        {m.group("name") for m in _MACRO.finditer(text) if has_token(m.group("body"), markers)}
    )
    return CsrfFacts(
        forms=tuple(forms), token_macros=tuple(macros), has_token=has_token(text, markers)
    )


def script_facts(text: str) -> CsrfFacts:
    """A script that sends a CSRF header with its requests (``X-CSRFToken``)."""
    return CsrfFacts(protection="X-CSRFToken header" if _HEADER.search(text) else None)


@dataclass(frozen=True, kw_only=True, slots=True)
class ProtectionMarkers:
    """From ``rules/frontend.toml``: calls and strings that protect a whole application."""

    calls: tuple[str, ...]
    middleware: tuple[str, ...]


def python_protection(tree: ast.AST, markers: ProtectionMarkers) -> str | None:
    """``CSRFProtect(app)`` / ``csrf.init_app(app)``-style calls, or a middleware path in
    a settings list; the first one found, or None."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _callee(node.func)
            if name in markers.calls:
                return f"{name}()"
        elif isinstance(node, ast.Constant) and node.value in markers.middleware:
            return str(node.value)
    return None


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


@dataclass(kw_only=True)
class CsrfProject:
    """Every file's CSRF facts, joined."""

    protection: list[tuple[str, str]] = field(default_factory=list)
    token_macros: set[str] = field(default_factory=set)
    token_templates: set[str] = field(default_factory=set)
    forms: list[tuple[str, FormCandidate]] = field(default_factory=list)

    def add(self, path: str, facts: CsrfFacts) -> None:
        if facts.protection is not None:
            self.protection.append((path, facts.protection))
        self.token_macros.update(facts.token_macros)
        if facts.has_token:
            self.token_templates.add(path)
        self.forms.extend((path, form) for form in facts.forms)

    def unprotected(self) -> list[tuple[str, FormCandidate]]:
        """Forms no macro, include or application-wide protection gives a token."""
        if self.protection:
            return []
        return [
            (path, form)
            for path, form in self.forms
            if not self.token_macros.intersection(form.calls)
            and not any(self._includes_token(name) for name in form.includes)
        ]

    def _includes_token(self, name: str) -> bool:
        return any(path == name or path.endswith(f"/{name}") for path in self.token_templates)
