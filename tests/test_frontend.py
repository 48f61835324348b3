"""The frontend analyzer: every VALID / INVALID sample in rules/frontend.toml, plus edges.

A sample is a template (``page.html``) unless its first line is ``#!python``, or a small
project when it starts with ``#!file: PATH`` lines, each opening one file (a macro in one
template and the form that calls it in another, say). INVALID samples mark each line that
must be flagged with ``{# expect: RULE #}`` (templates), ``# expect: RULE`` (Python) or
``// expect: RULE`` (scripts); VALID samples have no marker and must not fire the rule.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from analyzer.analyzers.frontend import FrontendAnalyzer
from analyzer.analyzers.frontend.phases import analyze_template, default_settings
from analyzer.model import AnalysisOutput, SourceFile
from analyzer.plugins import AnalysisRequest
from analyzer.resources import rules_dir
from tests.conftest import analyze_tree

EXPECT = re.compile(r"(?:#|\{#|//)\s*expect:\s*(?P<ids>[\w.\-, ]+?)\s*(?:#\}|$)")
FILE = re.compile(r"^#!file:\s*(?P<path>\S+)\s*$", re.MULTILINE)
RULES = tomllib.loads((rules_dir() / "frontend.toml").read_text(encoding="utf-8"))["rules"]
SAMPLES = [
    pytest.param(code, kind, sample, id=f"{code}-{kind}-{index}")
    for code, rule in sorted(RULES.items())
    for kind in ("valid", "invalid")
    for index, sample in enumerate(rule.get(kind, []))
]


def run_frontend(root: Path, files: dict[str, str]) -> AnalysisOutput:
    """Both phases, as a scan runs them."""
    output: AnalysisOutput = analyze_tree(FrontendAnalyzer(), root, files)
    return output


def sample_files(sample: str) -> dict[str, str]:
    if sample.startswith("#!python"):
        return {"app.py": sample}
    if not sample.lstrip("\n").startswith("#!file:"):
        return {"templates/page.html": sample}
    pieces = FILE.split(sample.lstrip("\n"))
    return {path: text.lstrip("\n") for path, text in zip(pieces[1::2], pieces[2::2], strict=True)}


def expected_lines(text: str, rule_id: str) -> set[int]:
    return {
        number
        for number, line in enumerate(text.splitlines(), start=1)
        for match in EXPECT.finditer(line)
        if rule_id in {part.strip() for part in match.group("ids").split(",")}
    }


def test_every_rule_has_valid_and_invalid_samples() -> None:
    for code, rule in RULES.items():
        assert rule.get("valid") and rule.get("invalid"), code


@pytest.mark.parametrize(("code", "kind", "sample"), SAMPLES)
def test_rule_sample(tmp_path: Path, code: str, kind: str, sample: str) -> None:
    files = sample_files(sample)
    output = run_frontend(tmp_path, files)
    found = {(f.path, f.line) for f in output.findings if f.tool_code == code}
    expected = {
        (path, line)
        for path, text in files.items()
        for line in expected_lines(text, f"frontend.{code}")
    }
    assert (kind == "invalid") == bool(expected)
    assert found == expected
    assert output.errors == ()


def test_findings_carry_path_line_and_column(tmp_path: Path) -> None:
    output = run_frontend(tmp_path, {"t/a.html": "<p>\n  <img src=x>\n</p>\n"})
    [finding] = output.findings
    assert (finding.tool, finding.path, finding.line, finding.column) == (
        "frontend",
        "t/a.html",
        2,
        3,
    )


def test_templates_are_counted_and_python_files_are_not(tmp_path: Path) -> None:
    output = run_frontend(tmp_path, {"a.html": "<p>hi</p>", "b.jinja2": "x", "c.py": "x = 1\n"})
    assert sorted((m.name, m.path) for m in output.measures) == [
        ("frontend.templates", "a.html"),
        ("frontend.templates", "b.jinja2"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "<div><p>unclosed <b>tags</div>",
        "{{ broken ",
        "{% if x %}<input {% if y %}checked{% endif %} name=a aria-label=A>{% endif %}",
        "<script>if (a < b && c > d) {}</script>",
        "{% comment %}<img src=x>{% endcomment %}",
        "{% raw %}{{ not a tag }}{% endraw %}",
        "",
    ],
)
def test_malformed_templates_never_fail(text: str) -> None:
    findings = analyze_template(text, "x.html", default_settings()).findings
    assert all(f.tool_code != "img-missing-alt" for f in findings)


def test_unparsable_python_with_trigger_word_is_a_file_error(tmp_path: Path) -> None:
    output = run_frontend(tmp_path, {"bad.py": "from markupsafe import Markup\ndef (:\n"})
    assert [(e.path, e.analyzer) for e in output.errors] == [("bad.py", "frontend")]


def test_binary_template_is_a_file_error(tmp_path: Path) -> None:
    (tmp_path / "x.html").write_bytes(b"<p>\x00</p>")
    output = FrontendAnalyzer().analyze(
        AnalysisRequest(root=str(tmp_path), files=(SourceFile(path="x.html", size=8),))
    )
    assert isinstance(output, AnalysisOutput)
    assert [e.path for e in output.errors] == ["x.html"]


def test_a_label_for_defined_later_in_the_file_counts() -> None:
    text = '<input id="a" name="a">\n<label for="a">A</label>\n'
    assert analyze_template(text, "x.html", default_settings()).findings == []


def test_vendored_files_are_not_the_projects(tmp_path: Path) -> None:
    page = '<input type="text" id="load-specific">\n<img src="x.png">\n'
    output = run_frontend(
        tmp_path, {"app/static/app/vendor/timeline/embed.html": page, "app/templates/a.html": page}
    )
    assert {f.path for f in output.findings} == {"app/templates/a.html"}
