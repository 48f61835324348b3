"""The Markdown roadmap: escaping, strict templates, overrides, and the golden fixture output."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jinja2 import UndefinedError

from analyzer.model import Finding
from analyzer.render import renderer
from analyzer.render.markdown import code_span, escape_markdown, mermaid_label, render_markdown
from analyzer.render.roadmap_view import working_day
from analyzer.report import Report, with_roadmap
from analyzer.resources import schema_path, templates_dir
from tests.golden_roadmap import JSON, MARKDOWN, build_outputs
from tests.planning_samples import make_finding, ran, scan_result

HOSTILE = (
    "x | y [click](http://evil.example) <script>alert(1)</script> {{ leak }} *bold* $x$ `tick`"
    "\n# heading"
)
UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")


def report_with(found: Sequence[Finding], **changes: Any) -> Report:
    result = scan_result(found, analyzers=[ran("security"), ran("typing")])
    return with_roadmap(
        Report(result=result, root_label="repo", generated_on=date(2025, 1, 6), **changes)
    )


def outside_code(markdown: str) -> str:
    """The text with fenced blocks and code spans removed."""
    without_fences = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return re.sub(r"(`+).*?\1", "", without_fences)


def test_untrusted_text_cannot_open_links_html_tables_or_templates() -> None:
    escaped = escape_markdown(HOSTILE)
    prose = outside_code(escaped)
    assert "\n" not in escaped
    assert not re.search(r"(?<!\\)[|<>\[\]*$]", prose)
    assert not UNESCAPED_BRACE.search(prose)
    assert "http://evil.example" not in prose  # the URL is inside a code span, never linked
    assert "`tick`" in escaped


def test_control_characters_and_line_breaks_in_target_text_are_made_visible() -> None:
    hostile = "a\x1b[31mred\x00\u202eevil\u2028b\x85c\rd"
    for rendered in (
        escape_markdown(hostile),
        str(code_span(hostile)),
        str(mermaid_label(hostile)),
    ):
        assert not any(ch in rendered for ch in "\x1b\x00\u202e\u2028\x85\r\n")
        assert len(rendered.splitlines()) == 1
    assert "x1b" in escape_markdown(hostile)  # shown, escaped, rather than dropped


def test_a_backticked_run_with_a_pipe_stays_escaped_text() -> None:
    assert escape_markdown("use `a|b`") == r"use \`a\|b\`"


def test_double_backtick_runs_become_one_code_span() -> None:
    assert escape_markdown("use ``Markup`` here") == "use `Markup` here"


def test_code_spans_hold_any_backticks() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"


def test_mermaid_labels_lose_syntax_characters() -> None:
    assert mermaid_label("Fix: a; b # c\n```") == "Fix a b c"


def test_working_days_skip_weekends() -> None:
    friday = date(2025, 1, 10)
    assert working_day(friday, 0) == friday
    assert working_day(friday, 1) == date(2025, 1, 13)
    assert working_day(date(2025, 1, 11), 0) == date(2025, 1, 13)


def test_markdown_is_registered_as_a_format() -> None:
    assert renderer("markdown") is render_markdown


def test_hostile_findings_render_without_leaks() -> None:
    found = [make_finding(line=n) for n in range(1, 4)]
    found[0] = replace(found[0], message=HOSTILE)
    markdown = render_markdown(report_with(found))
    prose = outside_code(markdown)
    assert not UNESCAPED_BRACE.search(prose)
    assert "<script>" not in markdown
    assert "None" not in prose
    assert "\n# heading" not in markdown
    for table in re.findall(r"(?:^\|.*\n)+", markdown, flags=re.M):  # rows keep their column count
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()}) == 1


def test_every_section_is_present_and_none_is_empty() -> None:
    markdown = render_markdown(
        report_with([make_finding(severity="high"), make_finding(code="B101", line=3)])
    )
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    assert headings == [
        "Overview", "Implementation Timeline", "Schedule", "Success Metrics",
        "Review and Approval Process", "Risk Mitigation", "Communication Plan",
    ]  # fmt: skip
    sections = re.split(r"^## .+$", markdown, flags=re.M)[1:]
    assert all(section.strip() for section in sections)
    assert "**Total pull requests:** 1 scheduled" in markdown
    assert "```mermaid\ngantt" in markdown
    assert "**Hotspots:** none, no git history (not read)." in markdown


def test_a_clean_scan_says_so_instead_of_an_empty_timeline() -> None:
    markdown = render_markdown(report_with([]))
    assert "nothing to schedule" in markdown
    assert "## Implementation Timeline" not in markdown
    assert not UNESCAPED_BRACE.search(outside_code(markdown))


def test_a_template_dir_overrides_one_template_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "totals.md.j2").write_text("Custom totals: {{ totals.prs }}\n", encoding="utf-8")
    markdown = render_markdown(report_with([make_finding()], template_dir=tmp_path))
    assert markdown.rstrip().endswith("Custom totals: 1")
    assert "## Overview" in markdown


def test_an_undefined_name_in_a_template_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "totals.md.j2").write_text("{{ total_recommendations }}\n", encoding="utf-8")
    with pytest.raises(UndefinedError):
        render_markdown(report_with([make_finding()], template_dir=tmp_path))


def test_bundled_templates_exist() -> None:
    names = {path.name for path in templates_dir().glob("*.md.j2")}
    assert {"roadmap.md.j2", "recommendation.md.j2", "gantt.md.j2", "metrics.md.j2"} <= names


@pytest.fixture(scope="module")
def fixture_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return build_outputs(tmp_path_factory.mktemp("cache"))


def test_fixture_roadmap_matches_the_golden_markdown(fixture_outputs: tuple[str, str]) -> None:
    markdown, _ = fixture_outputs
    assert markdown == MARKDOWN.read_text(encoding="utf-8"), (
        "regenerate with: python -m tests.regen_golden"
    )


def test_fixture_report_matches_the_golden_json(fixture_outputs: tuple[str, str]) -> None:
    _, data = fixture_outputs
    assert data == JSON.read_text(encoding="utf-8"), "regenerate with: python -m tests.regen_golden"


def test_fixture_outputs_are_valid_and_leak_nothing(fixture_outputs: tuple[str, str]) -> None:
    markdown, data = fixture_outputs
    report = json.loads(data)
    jsonschema.validate(report, json.loads(schema_path().read_text(encoding="utf-8")))
    placed = sorted(fid for rec in report["recommendations"] for fid in rec["finding_ids"])
    assert placed == sorted(f["fingerprint"] for f in report["findings"])
    assert not UNESCAPED_BRACE.search(outside_code(markdown))
    assert "/work/" not in markdown and "/home/" not in markdown
    scheduled = [rec for rec in report["recommendations"] if rec["scheduled"]]
    assert f"**Total pull requests:** {len(scheduled)} scheduled" in markdown
    assert f"over {report['roadmap']['total_weeks']} weeks" in markdown
    assert all({"start_week", "end_week"} <= set(rec) for rec in scheduled)
    assert sorted(r["id"] for r in report["recommendations"] if not r["scheduled"]) == sorted(
        report["roadmap"]["backlog"]
    )
