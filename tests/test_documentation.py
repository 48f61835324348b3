"""The documentation analyzer: VALID / INVALID project trees per rule, docstring coverage
and where project-level findings are reported (path ".", line 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analyzers.documentation import DocumentationAnalyzer
from analyzer.analyzers.documentation.presence import headings
from analyzer.model import AnalysisOutput
from analyzer.rules import load_rulebook
from tests.conftest import analyze_tree

FULL_DOCS = {
    "README.md": "# Tool\n\n## Deployment\n\nRun the image.\n\n## Troubleshooting\n\nSee logs.\n",
    "CHANGELOG.md": "# Changelog\n",
    "docs/api.md": "# API reference\n",
}
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("missing-readme", "valid", {"README.rst": "Tool\n====\n"}),
    ("missing-readme", "valid", {"README": "plain text readme\n"}),
    ("missing-readme", "invalid", {"docs/index.md": "# Tool\n"}),
    ("missing-deployment-guide", "valid", {"docs/deployment.md": "# Deploy\n"}),
    ("missing-deployment-guide", "valid", {"README.md": "# Tool\n\n## Running in production\n"}),
    (
        "missing-deployment-guide",
        "valid",
        {"docs/ops.rst": "Deploying the service\n=====================\n"},
    ),
    (
        "missing-deployment-guide",
        "invalid",
        {"README.md": "# Tool\n\n## Development\n\n```sh\n# deploy later\n```\n"},
    ),
    ("missing-troubleshooting-guide", "valid", {"docs/troubleshooting.md": "# Help\n"}),
    ("missing-troubleshooting-guide", "valid", {"README.md": "# Tool\n\n## FAQ\n"}),
    ("missing-troubleshooting-guide", "invalid", {"README.md": "# Tool\n"}),
    ("missing-changelog", "valid", {"CHANGES.rst": "1.0\n===\n"}),
    ("missing-changelog", "valid", {"docs/changelog.md": "# 1.0\n"}),
    ("missing-changelog", "invalid", {"README.md": "# Tool\n\nNo history here.\n"}),
    ("missing-api-docs", "valid", {"docs/api/index.md": "# Modules\n"}),
    ("missing-api-docs", "valid", {"README.md": "# Tool\n\n## API reference\n"}),
    ("missing-api-docs", "invalid", {"README.md": "# Tool\n"}),
    (
        "missing-docstring",
        "valid",
        {"pkg/m.py": 'def f():\n    """Do f."""\n\n\ndef _private():\n    pass\n'},
    ),
    (
        "missing-docstring",
        "valid",
        {"pkg/m.py": "class _Hidden:\n    def shown(self):\n        pass\n"},
    ),
    ("missing-docstring", "valid", {"tests/test_m.py": "def test_f():\n    pass\n"}),
    (
        "missing-docstring",
        "valid",
        {
            "pkg/m.py": 'class C:\n    """C."""\n\n    def __init__(self):\n        pass\n\n'
            '    @property\n    def x(self):\n        """X."""\n\n'
            "    @x.setter\n    def x(self, v):\n        pass\n"
        },
    ),
    ("missing-docstring", "invalid", {"pkg/m.py": "def f():\n    pass\n"}),
    (
        "missing-docstring",
        "invalid",
        {"pkg/m.py": 'class C:\n    """C."""\n\n    async def run(self):\n        pass\n'},
    ),
]


def run_documentation(root: Path, files: dict[str, str]) -> AnalysisOutput:
    output: AnalysisOutput = analyze_tree(DocumentationAnalyzer(), root, files)
    return output


@pytest.mark.parametrize(
    ("code", "kind", "files"),
    [pytest.param(*c, id=f"{c[0]}-{c[1]}-{i}") for i, c in enumerate(CASES)],
)
def test_rule_case(tmp_path: Path, code: str, kind: str, files: dict[str, str]) -> None:
    output = run_documentation(tmp_path, dict(files))
    assert output.errors == ()
    assert bool([f for f in output.findings if f.tool_code == code]) == (kind == "invalid")


def test_every_rule_has_a_valid_and_an_invalid_case() -> None:
    codes = set(load_rulebook().tools["documentation"].rules)
    assert (
        {c for c, k, _ in CASES if k == "valid"}
        == codes
        == {c for c, k, _ in CASES if k == "invalid"}
    )


def test_a_fully_documented_project_has_no_findings_and_all_presence_measures(
    tmp_path: Path,
) -> None:
    output = run_documentation(
        tmp_path, {**FULL_DOCS, "pkg/m.py": '"""M."""\n\n\ndef f():\n    """F."""\n'}
    )
    assert output.findings == ()
    presence = {m.name: m.value for m in output.measures if m.path is None}
    assert presence == {
        "documentation.api_docs": 1,
        "documentation.changelog": 1,
        "documentation.deployment_guide": 1,
        "documentation.readme": 1,
        "documentation.troubleshooting_guide": 1,
    }


def test_missing_documents_are_reported_on_the_root(tmp_path: Path) -> None:
    output = run_documentation(tmp_path, {"pkg/m.py": "X = 1\n"})
    assert sorted((f.path, f.line, f.tool_code) for f in output.findings) == [
        (".", 1, "missing-api-docs"),
        (".", 1, "missing-changelog"),
        (".", 1, "missing-deployment-guide"),
        (".", 1, "missing-readme"),
        (".", 1, "missing-troubleshooting-guide"),
    ]


def test_docstring_measures_and_finding_positions(tmp_path: Path) -> None:
    text = (
        'class Api:\n    """Api."""\n\n    def get(self):\n        pass\n\n\n'
        "def helper():\n    pass\n"
    )
    output = run_documentation(tmp_path, {**FULL_DOCS, "pkg/api.py": text})
    measures = {(m.name, m.path): m.value for m in output.measures if m.path}
    assert measures == {
        ("documentation.public_symbols", "pkg/api.py"): 3,
        ("documentation.documented_symbols", "pkg/api.py"): 1,
    }
    assert [(f.line, f.column, f.severity, f.message) for f in output.findings] == [
        (4, 5, None, "Public method Api.get has no docstring"),
        (8, 1, None, "Public function helper has no docstring"),
    ]


def test_unparsable_python_is_a_file_error(tmp_path: Path) -> None:
    output = run_documentation(tmp_path, {**FULL_DOCS, "bad.py": "def (:\n"})
    assert [(e.path, e.analyzer) for e in output.errors] == [("bad.py", "documentation")]


def test_headings_ignore_code_fences_and_short_underlines() -> None:
    text = "# Title\n\n```sh\n# not a heading\n```\n\nSection\n---\n\nLonger section\n===\n"
    assert headings(text) == ["title"]
