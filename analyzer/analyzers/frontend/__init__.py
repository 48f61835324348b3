"""Frontend analyzer: Jinja2 and Django templates, plus the Python that marks markup safe.

Templates are read as text (never rendered): template tags for autoescape and ``|safe``,
then the markup, with tags blanked, through ``html.parser`` for CSRF tokens, inline
handlers and scripts (which block a Content-Security-Policy) and accessibility.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from analyzer.analyzers.frontend.markup import MarkupPolicy, check_markup
from analyzer.analyzers.frontend.pysource import TRIGGER_WORDS, check_python
from analyzer.analyzers.frontend.templates import (
    check_tags,
    mask_comments,
    mask_template,
    scan_tags,
)
from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.rules import load_settings
from analyzer.source import parse_text, read_source

TEMPLATE_PATTERNS = ("*.html", "*.htm", "*.jinja", "*.jinja2", "*.j2", "*.djhtml")


@dataclass(frozen=True, kw_only=True, slots=True)
class FrontendSettings:
    """The ``[settings]`` table of rules/frontend.toml."""

    policy: MarkupPolicy
    request_names: tuple[str, ...]


def parse_settings(table: Mapping[str, Any]) -> FrontendSettings:
    policy = MarkupPolicy(
        csrf_markers=tuple(str(m).lower() for m in table["csrf_markers"]),
        unlabelled_input_types=frozenset(str(t) for t in table["unlabelled_input_types"]),
        inert_script_types=frozenset(str(t) for t in table["inert_script_types"]),
    )
    return FrontendSettings(
        policy=policy, request_names=tuple(str(n) for n in table["request_names"])
    )


def default_settings() -> FrontendSettings:
    return parse_settings(load_settings("frontend"))


class FrontendAnalyzer:
    name = "frontend"
    tool = "frontend"
    scope = "file"
    file_patterns = (*TEMPLATE_PATTERNS, "*.py")

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        findings: list[RawFinding] = []
        measures: list[Measure] = []
        errors: list[FileError] = []
        settings = parse_settings(request.options) if request.options else default_settings()
        for source_file in request.files:
            result = analyze_file(request.root, source_file.path, settings)
            if isinstance(result, FileError):
                errors.append(result)
                continue
            findings.extend(result)
            if not source_file.path.endswith(".py"):
                measures.append(Measure(name="frontend.templates", value=1, path=source_file.path))
        return AnalysisOutput(
            findings=tuple(findings), measures=tuple(measures), errors=tuple(errors)
        )


def analyze_file(root: str, path: str, settings: FrontendSettings) -> list[RawFinding] | FileError:
    text = read_source(root, path, "frontend")
    if isinstance(text, FileError):
        return text
    if path.endswith(".py"):
        return analyze_python(text, path, settings)
    return analyze_template(text, path, settings)


def analyze_template(text: str, path: str, settings: FrontendSettings) -> list[RawFinding]:
    findings = list(check_tags(scan_tags(text), path, settings.request_names))
    findings.extend(check_markup(mask_comments(text), mask_template(text), path, settings.policy))
    return sorted(findings, key=lambda f: (f.line, f.column, f.tool_code))


def analyze_python(
    text: str, path: str, settings: FrontendSettings
) -> list[RawFinding] | FileError:
    if not any(word in text for word in TRIGGER_WORDS):
        return []
    tree = parse_text(text, path, "frontend")
    if isinstance(tree, FileError):
        return tree
    return sorted(
        check_python(tree, path, settings.request_names),
        key=lambda f: (f.line, f.column, f.tool_code),
    )
