"""HTML checks on a masked template: CSRF tokens, CSP blockers and accessibility.

The standard library's ``html.parser`` is lenient: it never rejects markup, and it reports
the line and column of every start tag. Template tags are blanked beforehand (see
``templates.mask_template``), but the original text is kept to look for CSRF tokens and
for attributes a template generates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from analyzer.analyzers.frontend.csrf import FormCandidate, form_candidate, has_token
from analyzer.analyzers.frontend.templates import line_starts_of, offset_of
from analyzer.model import RawFinding

_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%")
_LABELLABLE = frozenset({"input", "select", "textarea"})

Attributes = dict[str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class MarkupPolicy:
    """Tunable lists from ``rules/frontend.toml`` ``[settings]``."""

    csrf_markers: tuple[str, ...]
    unlabelled_input_types: frozenset[str]
    inert_script_types: frozenset[str]


@dataclass(kw_only=True, slots=True)
class _Control:
    line: int
    column: int
    name: str
    element_id: str | None


@dataclass(kw_only=True, slots=True)
class _Form:
    line: int
    column: int
    start: int
    # Posting to another site (``action="https://..."``): no session of ours to forge.
    external: bool = False


@dataclass(kw_only=True, slots=True)
class _State:
    findings: list[RawFinding] = field(default_factory=list)
    label_depth: int = 0
    label_targets: set[str] = field(default_factory=set)
    controls: list[_Control] = field(default_factory=list)
    forms: list[_Form] = field(default_factory=list)
    candidates: list[FormCandidate] = field(default_factory=list)
    script: tuple[int, int] | None = None
    script_text: list[str] = field(default_factory=list)


class _TemplateMarkupParser(HTMLParser):
    def __init__(self, original: str, path: str, policy: MarkupPolicy) -> None:
        super().__init__(convert_charrefs=True)
        self.original = original
        self.path = path
        self.policy = policy
        self.line_starts = line_starts_of(original)
        self.state = _State()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, column0 = self.getpos()
        values: Attributes = {name: value or "" for name, value in attrs}
        generated = self._has_generated_attributes(line, column0)
        self._check_attributes(line, column0 + 1, values)
        if tag == "label":
            self.state.label_depth += 1
            if values.get("for"):
                self.state.label_targets.add(values["for"])
        elif tag == "form" and values.get("method", "").strip().lower() == "post":
            action = values.get("action", "").strip().lower()
            self.state.forms.append(
                _Form(
                    line=line,
                    column=column0 + 1,
                    start=offset_of(self.line_starts, line, column0),
                    external=action.startswith(("http://", "https://", "//")),
                )
            )
        elif tag == "img" and "alt" not in values and not generated:
            self._add(line, column0 + 1, "img-missing-alt", "<img> has no alt attribute")
        elif (
            tag == "script"
            and "src" not in values
            and "nonce" not in values
            and not self._inert(values)
        ):
            self.state.script = (line, column0 + 1)
            self.state.script_text = []
        if tag in _LABELLABLE and not generated:
            self._consider_control(line, column0 + 1, tag, values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("label", "form", "script"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.state.label_depth = max(self.state.label_depth - 1, 0)
        elif tag == "form" and self.state.forms:
            line, column0 = self.getpos()
            self._close_form(self.state.forms.pop(), offset_of(self.line_starts, line, column0))
        elif tag == "script" and self.state.script is not None:
            if "".join(self.state.script_text).strip():
                line, column = self.state.script
                self._add(line, column, "inline-script", "Inline <script> block")
            self.state.script = None

    def handle_data(self, data: str) -> None:
        if self.state.script is not None:
            self.state.script_text.append(data)

    def finish(self) -> list[RawFinding]:
        self.close()
        while self.state.forms:
            self._close_form(self.state.forms.pop(), len(self.original))
        for control in self.state.controls:
            if control.element_id is None or control.element_id not in self.state.label_targets:
                self._add(
                    control.line,
                    control.column,
                    "input-missing-label",
                    f"<{control.name}> has no label",
                )
        return sorted(self.state.findings, key=lambda f: (f.line, f.column, f.tool_code))

    def _check_attributes(self, line: int, column: int, values: Attributes) -> None:
        handlers = sorted(name for name in values if name.startswith("on") and name[2:].isalpha())
        if handlers:
            self._add(
                line, column, "inline-event-handler", f"Inline event handler {', '.join(handlers)}"
            )
        for name in ("href", "src", "action", "formaction"):
            if values.get(name, "").strip().lower().startswith("javascript:"):
                self._add(line, column, "javascript-url", f"javascript: URL in {name}")

    def _inert(self, values: Attributes) -> bool:
        return values.get("type", "").strip().lower() in self.policy.inert_script_types

    def _consider_control(self, line: int, column: int, tag: str, values: Attributes) -> None:
        kind = values.get("type", "text").strip().lower() if tag == "input" else tag
        if kind in self.policy.unlabelled_input_types or self.state.label_depth > 0:
            return
        if any(values.get(name, "").strip() for name in ("aria-label", "aria-labelledby", "title")):
            return
        self.state.controls.append(
            _Control(line=line, column=column, name=tag, element_id=values.get("id"))
        )

    def _close_form(self, form: _Form, end: int) -> None:
        """A form without a token of its own is a candidate; whether a macro, an include or
        the application provides one is decided once every file is read."""
        body = self.original[form.start : end]
        if not form.external and not has_token(body, self.policy.csrf_markers):
            self.state.candidates.append(form_candidate(form.line, form.column, body))

    def _has_generated_attributes(self, line: int, column0: int) -> bool:
        """True when template syntax outside quoted values writes attributes into this tag."""
        start_text = self.get_starttag_text() or ""
        start = offset_of(self.line_starts, line, column0)
        original_tag = self.original[start : start + len(start_text)]
        return bool(_TEMPLATE_SYNTAX.search(_QUOTED.sub("", original_tag)))

    def _add(self, line: int, column: int, code: str, message: str) -> None:
        self.state.findings.append(
            RawFinding(
                tool="frontend",
                tool_code=code,
                message=message,
                path=self.path,
                line=line,
                column=column,
            )
        )


def check_markup(
    original: str, masked: str, path: str, policy: MarkupPolicy
) -> tuple[list[RawFinding], list[FormCandidate]]:
    """Every HTML-level finding in one template, and its POST forms without a token."""
    parser = _TemplateMarkupParser(original, path, policy)
    parser.feed(masked)
    findings = parser.finish()
    return findings, parser.state.candidates
