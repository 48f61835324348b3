"""Every VALID / INVALID sample kept next to an api rule in rules/api.toml, run as a test."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from analyzer.analyzers.api import ApiAnalyzer
from analyzer.model import AnalysisOutput, SourceFile
from analyzer.plugins import AnalysisRequest, analyze_whole
from analyzer.resources import rules_dir

EXPECT = re.compile(r"#\s*expect:\s*(?P<ids>[\w.\-, ]+)")
RULES = tomllib.loads((rules_dir() / "api.toml").read_text(encoding="utf-8"))["rules"]
SAMPLES = [
    pytest.param(code, kind, sample, id=f"{code}-{kind}-{index}")
    for code, rule in sorted(RULES.items())
    for kind in ("valid", "invalid")
    for index, sample in enumerate(rule.get(kind, []))
]


def run_api(root: Path, files: dict[str, str]) -> AnalysisOutput:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    sources = tuple(SourceFile(path=name, size=len(text)) for name, text in sorted(files.items()))
    output = analyze_whole(ApiAnalyzer(), AnalysisRequest(root=str(root), files=sources))
    assert isinstance(output, AnalysisOutput)
    return output


def expected_lines(text: str, rule_id: str) -> set[int]:
    lines = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match and rule_id in {part.strip() for part in match.group("ids").split(",")}:
            lines.add(number)
    return lines


def test_every_rule_has_valid_and_invalid_samples() -> None:
    for code, rule in RULES.items():
        assert rule.get("valid") and rule.get("invalid"), code


@pytest.mark.parametrize(("code", "kind", "sample"), SAMPLES)
def test_rule_sample(tmp_path: Path, code: str, kind: str, sample: str) -> None:
    output = run_api(tmp_path, {"app.py": sample})
    found = {f.line for f in output.findings if f.tool_code == code}
    expected = expected_lines(sample, f"api.{code}")
    assert (kind == "invalid") == bool(expected)
    assert found == expected
    assert output.errors == ()


def test_blocking_calls_in_command_line_programs_hold_up_no_request(tmp_path: Path) -> None:
    """An async typer or click command blocks only itself; the same call in a server module
    blocks every request on the worker."""
    body = """
import time
from fastapi import FastAPI
app = FastAPI()

async def refresh():
    time.sleep(3)
"""
    files = {
        "pkg/cli.py": body,
        "pkg/__main__.py": body,
        "scripts/sync.py": body,
        "pkg/jobs.py": body,
    }
    output = run_api(tmp_path, files)
    flagged = {f.path for f in output.findings if f.tool_code == "blocking-call-in-async"}
    assert flagged == {"pkg/jobs.py"}
