"""The infrastructure analyzer: every VALID / INVALID sample in rules/infrastructure.toml,
the Dockerfile reader, and the image-size baseline.

A sample is a Dockerfile unless it starts with ``services:`` (then docker-compose.yml). A
Dockerfile sample marks flagged lines with ``# expect-next-line: RULE`` on the line before
(a trailing comment would be part of the instruction); a compose sample with a trailing
``# expect: RULE``. A first line ``# context: .dockerignore`` adds a .dockerignore.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from analyzer.analyzers.infrastructure import InfrastructureAnalyzer
from analyzer.analyzers.infrastructure.dockerfile import parse_dockerfile, read_instructions
from analyzer.analyzers.infrastructure.dockerfile_rules import split_image
from analyzer.model import AnalysisOutput, SourceFile
from analyzer.plugins import AnalysisRequest
from analyzer.resources import rules_dir
from analyzer.rules import load_rulebook

MARKER = re.compile(r"#\s*expect(?P<next>-next-line)?:\s*(?P<ids>[\w.\-, ]+)")
RULES = tomllib.loads((rules_dir() / "infrastructure.toml").read_text(encoding="utf-8"))["rules"]
SAMPLES = [
    pytest.param(code, kind, sample, id=f"{code}-{kind}-{index}")
    for code, rule in sorted(RULES.items())
    for kind in ("valid", "invalid")
    for index, sample in enumerate(rule.get(kind, []))
]


def run_infrastructure(root: Path, files: dict[str, str]) -> AnalysisOutput:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    sources = tuple(SourceFile(path=name, size=len(text)) for name, text in sorted(files.items()))
    options = load_rulebook().settings_for("infrastructure")
    request = AnalysisRequest(root=str(root), files=sources, options=options)
    output = InfrastructureAnalyzer().analyze(request)
    assert isinstance(output, AnalysisOutput)
    return output


def expected_lines(text: str, rule_id: str) -> set[int]:
    lines = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.search(line)
        if match and rule_id in {part.strip() for part in match.group("ids").split(",")}:
            lines.add(number + 1 if match.group("next") else number)
    return lines


def sample_files(sample: str) -> dict[str, str]:
    if sample.startswith("services:"):
        return {"docker-compose.yml": sample}
    files = {"Dockerfile": sample}
    if sample.startswith("# context: .dockerignore"):
        files[".dockerignore"] = ".git\n.venv\n"
    return files


def test_every_rule_has_valid_and_invalid_samples() -> None:
    for code, rule in RULES.items():
        assert rule.get("valid") and rule.get("invalid"), code


@pytest.mark.parametrize(("code", "kind", "sample"), SAMPLES)
def test_rule_sample(tmp_path: Path, code: str, kind: str, sample: str) -> None:
    output = run_infrastructure(tmp_path, sample_files(sample))
    found = {f.line for f in output.findings if f.tool_code == code}
    expected = expected_lines(sample, f"infrastructure.{code}")
    assert (kind == "invalid") == bool(expected)
    assert found == expected
    assert output.errors == ()


def test_continuations_comments_and_heredocs_keep_their_lines() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.12-slim\n"
        "RUN apt-get update \\\n"
        "# dropped comment\n"
        "    && apt-get install -y curl\n"
        "RUN <<EOF\n"
        "echo one\n"
        "EOF\n"
        'CMD ["app"]\n'
    )
    instructions = read_instructions(text)
    assert [(i.keyword, i.line) for i in instructions] == [
        ("FROM", 2),
        ("RUN", 3),
        ("RUN", 6),
        ("CMD", 9),
    ]
    assert instructions[1].arguments == "apt-get update && apt-get install -y curl"
    assert "echo one" in instructions[2].arguments


def test_escape_directive_switches_the_continuation_character() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    c:\\\n"
    run = read_instructions(text)[1]
    assert (run.keyword, run.arguments) == ("RUN", "dir c:\\")


def test_stages_and_names() -> None:
    dockerfile = parse_dockerfile("ARG V=3.12\nFROM python:${V} AS build\nFROM build\nUSER app\n")
    assert [(s.image, s.name, s.line) for s in dockerfile.stages] == [
        ("python:${V}", "build", 2),
        ("build", None, 3),
    ]
    assert [a.arguments for a in dockerfile.global_args] == ["V=3.12"]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("python", ("python", None, None)),
        ("python:3.12-slim", ("python", "3.12-slim", None)),
        ("localhost:5000/team/app:1.0", ("localhost:5000/team/app", "1.0", None)),
        ("localhost:5000/team/app", ("localhost:5000/team/app", None, None)),
        ("python@sha256:abc", ("python", None, "sha256:abc")),
    ],
)
def test_split_image(reference: str, expected: tuple[str, str | None, str | None]) -> None:
    ref = split_image(reference)
    assert (ref.repository, ref.tag, ref.digest) == expected


def test_image_size_baseline_for_a_full_python_image(tmp_path: Path) -> None:
    output = run_infrastructure(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12\nRUN pip install .\nCOPY . .\n",
            "docker/Dockerfile": "FROM python:3.11-slim\n",
        },
    )
    by_name = {(m.name, m.path): m.value for m in output.measures}
    assert by_name[("infrastructure.base_image_mb", "Dockerfile")] == 1000
    assert by_name[("infrastructure.estimated_image_saving_mb", "Dockerfile")] == 850
    # non-slim-base-image, pip-cache and copy-all are size findings; unpinned and root are not.
    assert by_name[("infrastructure.size_findings", "Dockerfile")] == 3
    assert by_name[("infrastructure.size_findings", "docker/Dockerfile")] == 0
    assert ("infrastructure.base_image_mb", "docker/Dockerfile") not in by_name


def test_unlisted_python_version_uses_the_fallback_row_and_says_so(tmp_path: Path) -> None:
    output = run_infrastructure(tmp_path, {"Dockerfile": "FROM python:3.9\nUSER app\n"})
    [finding] = [f for f in output.findings if f.tool_code == "non-slim-base-image"]
    assert dict(finding.details)["size_reference_version"] == "3.12"


def test_secret_values_never_appear_in_messages(tmp_path: Path) -> None:
    output = run_infrastructure(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12-slim\nENV API_KEY=topsecretvalue\nUSER app\n",
            "compose.yaml": "services:\n  a:\n    environment:\n      PASSWORD: topsecretvalue\n",
        },
    )
    assert len(output.findings) >= 2
    assert all("topsecretvalue" not in f.message for f in output.findings)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("docker-compose.yml", "services: [unclosed\n"),
        ("Dockerfile", "# only a comment\n"),
    ],
)
def test_broken_files_are_file_errors(tmp_path: Path, name: str, text: str) -> None:
    output = run_infrastructure(tmp_path, {name: text})
    assert [e.path for e in output.errors] == [name]
    assert output.findings == ()


def test_compose_without_services_is_fine(tmp_path: Path) -> None:
    output = run_infrastructure(tmp_path, {"docker-compose.yml": "version: '3'\n"})
    assert (output.findings, output.errors) == ((), ())
