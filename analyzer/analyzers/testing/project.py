"""The project's Python files split into tests and code: per-file facts, then the whole.

Each file is parsed once, in the per-file phase (``file_facts``): whether it is a test, its
code lines, whether it defines something worth testing and, for tests, what it imports.
The join (``ProjectSources.from_facts``) needs no syntax tree.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.analyzers.testing.layout import (
    TestLayout,
    count_code_lines,
    imported_modules,
    module_names,
    source_roots,
    tested_by_name,
    untested_modules,
)
from analyzer.model import FileError, FileFacts, Measure, RawFinding
from analyzer.source import parse_file


@dataclass(kw_only=True)
class ProjectSources:
    layout: TestLayout
    paths: set[str] = field(default_factory=set)
    tests: list[str] = field(default_factory=list)
    test_imports: set[str] = field(default_factory=set)
    modules: dict[str, str] = field(default_factory=dict)
    # Package __init__.py -> (name, submodule) it re-exports: ``from .image import Image``.
    reexports: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    test_lines: int = 0
    code_lines: int = 0

    @classmethod
    def from_facts(cls, layout: TestLayout, facts: Iterable[FileFacts]) -> ProjectSources:
        """Raises KeyError, TypeError or ValueError on facts it did not write."""
        project = cls(layout=layout)
        for item in sorted(facts, key=lambda f: f.path):
            data = json.loads(item.data)
            project.paths.add(item.path)
            if data["test"]:
                project.tests.append(item.path)
                project.test_lines += int(data["lines"])
                project.test_imports.update(data["imports"])
                continue
            project.code_lines += int(data["lines"])
            if data.get("reexports"):
                project.reexports[item.path] = [(str(n), str(m)) for n, m in data["reexports"]]
            if data["module"] is not None:
                project.modules[item.path] = str(data["module"])
        return project

    def findings_and_measures(self) -> tuple[list[RawFinding], list[Measure]]:
        roots = source_roots(self.paths, self.tests, self.layout.source_roots)
        names = {path: module_names(path, roots) for path in self.modules}
        imports = self.test_imports | self._through_packages(roots)
        untested = untested_modules(names, imports, tested_by_name(self.tests))
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

    def _through_packages(self, roots: set[str]) -> set[str]:
        """``pkg.image`` for a test that imports ``pkg.Image`` when ``pkg/__init__.py``
        re-exports it with ``from .image import Image``."""
        aliases: dict[str, str] = {}
        for init, pairs in self.reexports.items():
            for package in module_names(init, roots):
                for name, submodule in pairs:
                    aliases[f"{package}.{name}"] = f"{package}.{submodule}"
        return {aliases[name] for name in self.test_imports if name in aliases}


def file_facts(root: str, path: str, layout: TestLayout) -> FileFacts | FileError:
    """What the join needs to know about one Python file."""
    parsed = parse_file(root, path, "testing")
    if isinstance(parsed, FileError):
        return parsed
    text, tree = parsed
    test = layout.is_test(path)
    module = (
        layout.module_name(path)
        if not test and not layout.is_exempt(path) and _defines_something(tree)
        else None
    )
    data = {
        "test": test,
        "lines": count_code_lines(text),
        "module": module,
        "imports": sorted(imported_modules(tree, path)) if test else [],
        "reexports": _reexports(tree) if path.endswith("__init__.py") and not test else [],
    }
    return FileFacts(path=path, data=json.dumps(data, separators=(",", ":")))


def _reexports(tree: ast.Module) -> list[list[str]]:
    """[name, submodule] for each ``from .submodule import name`` at the package's top."""
    return [
        [alias.asname or alias.name, node.module]
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names
        if alias.name != "*"
    ]


def _defines_something(tree: ast.Module) -> bool:
    """Modules without a function, or a class with a method, have nothing to test:
    constants, re-exports, settings classes, choices, app configs, schemas."""
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        or (isinstance(node, ast.ClassDef) and _has_method(node))
        for node in tree.body
    )


def _has_method(node: ast.ClassDef) -> bool:
    return any(
        isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) for child in ast.walk(node)
    )
