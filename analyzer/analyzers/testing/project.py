"""The project's Python files split into tests and code, parsed once."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from analyzer.analyzers.testing.layout import (
    TestLayout,
    count_code_lines,
    imported_modules,
    tested_by_name,
    untested_modules,
)
from analyzer.model import FileError, Measure, RawFinding
from analyzer.plugins import AnalysisRequest
from analyzer.source import PARSE_ERRORS, describe_parse_error, read_source


@dataclass(kw_only=True)
class ProjectSources:
    layout: TestLayout
    trees: dict[str, ast.Module] = field(default_factory=dict)
    tests: list[str] = field(default_factory=list)
    modules: dict[str, str] = field(default_factory=dict)
    test_lines: int = 0
    code_lines: int = 0
    errors: list[FileError] = field(default_factory=list)

    def findings_and_measures(self) -> tuple[list[RawFinding], list[Measure]]:
        test_imports: set[str] = set()
        for path in self.tests:
            test_imports.update(imported_modules(self.trees[path]))
        untested = untested_modules(self.modules, test_imports, tested_by_name(self.tests))
        findings = [
            RawFinding(
                tool="testing",
                tool_code="untested-module",
                path=path,
                line=1,
                message=f"No test file is named after or imports {self.modules[path]}",
            )
            for path in untested
        ]
        ratio = round(self.test_lines / self.code_lines, 3) if self.code_lines else 0.0
        measures = [
            Measure(name="testing.source_modules", value=len(self.modules)),
            Measure(name="testing.untested_modules", value=len(untested)),
            Measure(name="testing.test_files", value=len(self.tests)),
            Measure(name="testing.test_lines", value=self.test_lines),
            Measure(name="testing.code_lines", value=self.code_lines),
            Measure(name="testing.test_to_code_ratio", value=ratio),
        ]
        return findings, measures


def read_project(request: AnalysisRequest, layout: TestLayout) -> ProjectSources:
    project = ProjectSources(layout=layout)
    for source_file in request.files:
        path = source_file.path
        if not path.endswith(".py"):
            continue
        text = read_source(request.root, path, "testing")
        if isinstance(text, FileError):
            project.errors.append(text)
            continue
        try:
            tree = ast.parse(text, filename=path)
        except PARSE_ERRORS as exc:
            project.errors.append(
                FileError(path=path, analyzer="testing", reason=describe_parse_error(exc))
            )
            continue
        project.trees[path] = tree
        _classify(project, path, tree, count_code_lines(text))
    return project


def _classify(project: ProjectSources, path: str, tree: ast.Module, lines: int) -> None:
    if project.layout.is_test(path):
        project.tests.append(path)
        project.test_lines += lines
        return
    project.code_lines += lines
    if not project.layout.is_exempt(path) and _defines_something(tree):
        project.modules[path] = project.layout.module_name(path)


def _defines_something(tree: ast.Module) -> bool:
    """Modules without a function or class (constants, re-exports) have nothing to test."""
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for node in tree.body
    )
