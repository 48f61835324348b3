"""The documentation analyzer: VALID / INVALID project trees per rule, docstring coverage
and where project-level findings are reported (path ".", line 1)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analyzer.analyzers.documentation import DocumentationAnalyzer
from analyzer.analyzers.documentation.presence import headings
from analyzer.model import AnalysisOutput
from analyzer.resources import rules_dir
from analyzer.rules import load_rulebook
from tests.conftest import analyze_tree

FULL_DOCS = {
    "README.md": "# Tool\n\n## Deployment\n\nRun the image.\n\n## Troubleshooting\n\nSee logs.\n",
    "CHANGELOG.md": "# Changelog\n",
    "docs/api.md": "# API reference\n",
}
RULES = tomllib.loads((rules_dir() / "documentation.toml").read_text(encoding="utf-8"))["rules"]
# (rule code, kind, files), from the samples kept next to each rule in rules/documentation.toml.
CASES: list[tuple[str, str, dict[str, str]]] = [
    (code, kind, dict(tree))
    for code, rule in sorted(RULES.items())
    for kind in ("valid", "invalid")
    for tree in rule.get(kind, [])
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
    presence = {m.name: (m.value, m.path) for m in output.measures if "symbols" not in m.name}
    assert presence == {
        "documentation.api_docs": (1, "docs/api.md"),
        "documentation.changelog": (1, "CHANGELOG.md"),
        "documentation.deployment_guide": (1, "README.md"),
        "documentation.readme": (1, "README.md"),
        "documentation.troubleshooting_guide": (1, "README.md"),
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
    measures = {(m.name, m.path): m.value for m in output.measures if "symbols" in m.name}
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


def test_a_linked_guide_is_found_on_the_document_that_links_it(tmp_path: Path) -> None:
    readme = "# Shop\n\nRead the [docs](https://shop.example.org/docs/) to deploy it.\n"
    output = run_documentation(tmp_path, {"README.md": readme})
    where = {m.name: (m.value, m.path) for m in output.measures}
    assert where["documentation.deployment_guide"] == (1, "README.md")
    assert where["documentation.troubleshooting_guide"] == (0, None)


def test_a_wheels_own_documentation_site_counts_by_its_name(tmp_path: Path) -> None:
    metadata = (
        "Metadata-Version: 2.1\nName: FlaskShop\n"
        "Project-URL: Source, https://github.com/acme/flaskshop\n\n"
        "# FlaskShop\n\nInstall it as shown [here](https://flaskshop.readthedocs.io/install.html).\n"
    )
    output = run_documentation(tmp_path, {"FlaskShop-1.0.dist-info/METADATA": metadata})
    found = {m.name: m.value for m in output.measures}
    assert found["documentation.readme"] == 1
    assert found["documentation.deployment_guide"] == 1
