"""The frontend analyzer's two phases (see the package's docstring): its settings, each
file checked on its own, and the CSRF join. Imported when the analyzer runs, so a scan
served from the cache loads neither these checks nor ``html.parser``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.analyzers.frontend import TEMPLATE_PATTERNS
from analyzer.analyzers.frontend.csrf import (
    CsrfFacts,
    CsrfProject,
    ProtectionMarkers,
    python_protection,
    script_facts,
    template_facts,
)
from analyzer.analyzers.frontend.expressions import SafePolicy
from analyzer.analyzers.frontend.markup import MarkupPolicy, check_markup
from analyzer.analyzers.frontend.pysource import TRIGGER_WORDS, PythonPolicy, check_python
from analyzer.analyzers.frontend.templates import (
    check_tags,
    has_markup,
    mask_comments,
    mask_template,
    scan_tags,
)
from analyzer.discover import is_test_file, matches_any
from analyzer.model import AnalysisOutput, FileError, FileFacts, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.rules import load_settings
from analyzer.source import parse_text, read_source

TEMPLATE_SUFFIXES = tuple(p.removeprefix("*") for p in TEMPLATE_PATTERNS)


@dataclass(frozen=True, kw_only=True, slots=True)
class FrontendSettings:
    """The ``[settings]`` table of rules/frontend.toml."""

    policy: MarkupPolicy
    request_names: tuple[str, ...]
    safe: SafePolicy
    protection: ProtectionMarkers
    # Third-party files kept in the tree (a vendored widget's demo page): not the project's.
    skip_files: tuple[str, ...] = ()


def parse_settings(table: Mapping[str, Any]) -> FrontendSettings:
    policy = MarkupPolicy(
        csrf_markers=tuple(str(m).lower() for m in table["csrf_markers"]),
        unlabelled_input_types=frozenset(str(t) for t in table["unlabelled_input_types"]),
        inert_script_types=frozenset(str(t) for t in table["inert_script_types"]),
    )
    return FrontendSettings(
        policy=policy,
        request_names=_strings(table, "request_names"),
        safe=SafePolicy(
            trusted_calls=_strings(table, "safe_trusted_calls"),
            translation_calls=_strings(table, "safe_translation_calls"),
            sanitizing_filters=_strings(table, "safe_sanitizing_filters"),
            request_inputs=_strings(table, "request_inputs"),
        ),
        protection=ProtectionMarkers(
            calls=_strings(table, "csrf_protection_calls"),
            middleware=_strings(table, "csrf_middleware"),
        ),
        skip_files=_strings(table, "skip_files"),
    )


def _strings(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item) for item in table[key])


def default_settings() -> FrontendSettings:
    return parse_settings(load_settings("frontend"))


@dataclass(frozen=True, kw_only=True, slots=True)
class FileResult:
    findings: list[RawFinding]
    csrf: CsrfFacts


def first_phase(request: AnalysisRequest) -> AnalysisOutput:
    """Each file on its own: template and Python findings, and CSRF facts for the join."""
    findings: list[RawFinding] = []
    measures: list[Measure] = []
    errors: list[FileError] = []
    facts: list[FileFacts] = []
    settings = parse_settings(request.options) if request.options else default_settings()
    for source_file in request.files:
        if matches_any(source_file.path, settings.skip_files):
            continue
        result = analyze_file(request.root, source_file.path, settings)
        if isinstance(result, FileError):
            errors.append(result)
            continue
        findings.extend(result.findings)
        if not result.csrf.is_empty():
            facts.append(FileFacts(path=source_file.path, data=result.csrf.to_json()))
        if source_file.path.endswith(TEMPLATE_SUFFIXES):
            measures.append(Measure(name="frontend.templates", value=1, path=source_file.path))
    return AnalysisOutput(
        findings=tuple(findings),
        measures=tuple(measures),
        errors=tuple(errors),
        facts=tuple(facts),
    )


def join(outputs: Sequence[AnalysisOutput]) -> AnalysisOutput | AnalyzerFailure:
    """The CSRF join: POST forms no template, macro, script or application protects."""
    project = CsrfProject()
    try:
        for item in sorted((f for o in outputs for f in o.facts), key=lambda f: f.path):
            project.add(item.path, CsrfFacts.from_json(item.data))
    except (KeyError, TypeError, ValueError) as exc:
        return AnalyzerFailure(reason=f"unreadable facts from the per-file pass: {exc!r}")
    return AnalysisOutput(
        findings=tuple(
            RawFinding(
                tool="frontend",
                tool_code="form-missing-csrf",
                message="POST form without a CSRF token",
                path=path,
                line=form.line,
                column=form.column,
            )
            for path, form in project.unprotected()
        )
    )


def analyze_file(root: str, path: str, settings: FrontendSettings) -> FileResult | FileError:
    text = read_source(root, path, "frontend")
    if isinstance(text, FileError):
        return text
    if path.endswith(".py"):
        return analyze_python(text, path, settings)
    if path.endswith(".js"):
        return FileResult(findings=[], csrf=script_facts(text))
    return analyze_template(text, path, settings)


def analyze_template(text: str, path: str, settings: FrontendSettings) -> FileResult:
    masked = mask_template(text)
    findings = list(
        check_tags(
            scan_tags(text),
            path,
            settings.request_names,
            settings.safe,
            is_markup=has_markup(masked),
        )
    )
    markup, forms = check_markup(mask_comments(text), masked, path, settings.policy)
    findings.extend(markup)
    return FileResult(
        findings=sorted(findings, key=lambda f: (f.line, f.column, f.tool_code)),
        csrf=template_facts(text, forms, settings.policy.csrf_markers),
    )


def analyze_python(text: str, path: str, settings: FrontendSettings) -> FileResult | FileError:
    checks_markup = any(word in text for word in TRIGGER_WORDS)
    # Tests switch protection on and off for their own apps; that says nothing of the app.
    checks_csrf = "csrf" in text.lower() and not is_test_file(path)
    if not checks_markup and not checks_csrf:
        return FileResult(findings=[], csrf=CsrfFacts())
    tree = parse_text(text, path, "frontend")
    if isinstance(tree, FileError):
        return tree
    python_policy = PythonPolicy(
        request_names=frozenset(settings.request_names),
        request_inputs=frozenset(settings.safe.request_inputs),
        trusted_calls=settings.safe.trusted_calls,
        translation_calls=settings.safe.translation_calls,
    )
    findings = (
        sorted(
            check_python(tree, path, python_policy),
            key=lambda f: (f.line, f.column, f.tool_code),
        )
        if checks_markup
        else []
    )
    protection = python_protection(tree, settings.protection) if checks_csrf else None
    return FileResult(findings=findings, csrf=CsrfFacts(protection=protection))
