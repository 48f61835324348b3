"""The dead-code analyzer: vulture's items are findings or whitelisted, never lost.

Each framework whitelist in rules/vulture.toml carries VALID samples (framework code whose
marked lines vulture reports and the whitelist takes out) and INVALID samples (dead code it
must leave reported). On every line, each vulture item's outcome is "reported", "whitelisted"
(by the whitelist under test) or taken out by something else; a marker lists the first two.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
import vulture

from analyzer.analyzers.deadcode import DeadCodeAnalyzer
from analyzer.analyzers.deadcode.phases import parse_settings
from analyzer.analyzers.deadcode.usage import declared_dependencies
from analyzer.model import AnalysisOutput, RawFinding
from analyzer.plugins import analyze_whole
from analyzer.resources import rules_dir
from analyzer.rules import load_rulebook, load_settings
from tests.conftest import NOXPANEL, analyze_tree

EXPECT = re.compile(r"#\s*expect:\s*(?P<outcomes>[\w, ]+?)\s*$")
FILE = re.compile(r"^#!file:\s*(?P<path>\S+)\s*\n")
WHITELISTS = tomllib.loads((rules_dir() / "vulture.toml").read_text(encoding="utf-8"))["settings"][
    "whitelists"
]
SAMPLES = [
    pytest.param(key, kind, sample, id=f"{key}-{kind}-{index}")
    for key, body in sorted(WHITELISTS.items())
    for kind in ("valid", "invalid")
    for index, sample in enumerate(body.get(kind, []))
]


def run_deadcode(root: Path, files: dict[str, str | bytes]) -> AnalysisOutput:
    output: AnalysisOutput = analyze_tree(DeadCodeAnalyzer(), root, files)
    return output


def whitelisted_by(finding: RawFinding) -> str | None:
    value = dict(finding.details).get("whitelisted_by")
    return None if value is None else str(value)


def split_sample(sample: str) -> tuple[str, str]:
    text = sample.lstrip("\n")
    match = FILE.match(text)
    return (match.group("path"), text[match.end() :]) if match else ("app.py", text)


def test_every_whitelist_has_valid_and_invalid_samples() -> None:
    for key, body in WHITELISTS.items():
        assert body.get("valid") and body.get("invalid"), key


def test_the_bundled_settings_parse() -> None:
    settings = parse_settings(load_settings("vulture"))
    assert {w.key for w in settings.whitelists} == set(WHITELISTS)


@pytest.mark.parametrize(("key", "kind", "sample"), SAMPLES)
def test_whitelist_sample(tmp_path: Path, key: str, kind: str, sample: str) -> None:
    path, text = split_sample(sample)
    output = run_deadcode(tmp_path, {path: text})
    assert output.errors == ()
    outcomes: dict[int, set[str]] = defaultdict(set)
    for finding in output.findings:
        reason = whitelisted_by(finding)
        if reason is None:
            outcomes[finding.line].add("reported")
        elif reason.startswith(f"whitelist {key} "):
            outcomes[finding.line].add("whitelisted")
    expected: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            expected[number] = {o.strip() for o in match.group("outcomes").split(",")}
    assert {n: o for n, o in outcomes.items() if o} == expected
    wanted = "whitelisted" if kind == "valid" else "reported"
    assert any(wanted in o for o in expected.values())


def raw_vulture(root: Path, paths: list[str], **settings: list[str]) -> set[tuple[str, int, str]]:
    scanner = vulture.Vulture(**settings)
    for path in paths:
        scanner.scan((root / path).read_text(encoding="utf-8"), filename=path)
    return {
        (item.filename.as_posix(), item.first_lineno, item.message)
        for item in scanner.get_unused_code(min_confidence=60)
    }


def keys(findings: list[RawFinding]) -> set[tuple[str, int, str]]:
    return {(f.path, f.line, f.message) for f in findings}


FRAMEWORK_TREE = {
    "app/main.py": """\
        from fastapi import FastAPI, Depends

        app = FastAPI()


        def current_user():
            return "me"


        @app.get("/items")
        def list_items(user=Depends(current_user)):
            return []


        def truly_unused():
            return 1
        """,
    "migrations/versions/a1_init.py": """\
        from alembic import op

        revision = "a1"
        down_revision = None
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table("t")


        def downgrade():
            op.drop_table("t")
        """,
    "app/models.py": """\
        from pydantic import BaseModel, field_validator


        class Item(BaseModel):
            name: str
            price: float = 0

            @field_validator("name")
            @classmethod
            def tidy_name(cls, value):
                return value.strip()
        """,
}


def test_raw_vulture_items_are_exactly_the_findings_plus_the_whitelisted(tmp_path: Path) -> None:
    output = run_deadcode(tmp_path, FRAMEWORK_TREE)
    findings = list(output.findings)
    reported = [f for f in findings if whitelisted_by(f) is None]
    whitelisted = [f for f in findings if whitelisted_by(f) is not None]
    raw = raw_vulture(tmp_path, sorted(FRAMEWORK_TREE))
    assert keys(findings) == raw
    assert len(findings) == len(raw)
    assert reported and whitelisted
    assert all(f.suppressed_by == "whitelisted" for f in whitelisted)
    assert all(f.suppressed_by is None for f in reported)
    assert ("app/main.py", 15, "unused function 'truly_unused'") in keys(reported)


def test_what_ignore_decorators_leave_out_is_whitelisted_with_the_pattern(tmp_path: Path) -> None:
    output = run_deadcode(tmp_path, FRAMEWORK_TREE)
    settings = parse_settings(load_settings("vulture"))
    by_settings = raw_vulture(
        tmp_path,
        sorted(FRAMEWORK_TREE),
        ignore_decorators=list(settings.ignore_decorators),
    )
    # What vulture's own setting leaves out: the decorated definitions, not their parameters.
    decorated = [
        f
        for f in output.findings
        if (whitelisted_by(f) or "").startswith("ignore_decorators")
        and "a parameter of" not in (whitelisted_by(f) or "")
    ]
    assert keys(list(output.findings)) - keys(decorated) == by_settings
    reasons = {whitelisted_by(f) for f in decorated}
    assert "ignore_decorators @*.get (@app.get)" in reasons
    assert "ignore_decorators @field_validator (@field_validator)" in reasons
    parameter = next(f for f in output.findings if dict(f.details)["name"] == "cls")
    assert whitelisted_by(parameter) == (
        "ignore_decorators @field_validator (@field_validator): a parameter of tidy_name"
    )


def test_the_fixture_loses_nothing_either() -> None:
    paths = sorted(p.relative_to(NOXPANEL).as_posix() for p in NOXPANEL.rglob("*.py"))
    files: dict[str, str | bytes] = {p: (NOXPANEL / p).read_text(encoding="utf-8") for p in paths}
    request = _request(NOXPANEL, paths, load_rulebook().settings_for("vulture"))
    output = analyze_whole(DeadCodeAnalyzer(), request)  # type: ignore[arg-type]
    assert isinstance(output, AnalysisOutput)
    assert keys(list(output.findings)) == raw_vulture(NOXPANEL, paths)
    assert files


def _request(root: Path, paths: list[str], options: object) -> object:
    from analyzer.model import SourceFile
    from analyzer.plugins import AnalysisRequest

    return AnalysisRequest(
        root=str(root),
        files=tuple(SourceFile(path=p, size=(root / p).stat().st_size) for p in paths),
        options=options,  # type: ignore[arg-type]
    )


ALEMBIC_SCRIPT = "from alembic import op\n\ndown_revision = None\n\n\ndef upgrade():\n    op.f()\n"


def test_a_whitelist_applies_only_when_the_project_uses_the_framework(tmp_path: Path) -> None:
    # A file that merely defines `downgrade` is not an Alembic script without alembic.
    plain = run_deadcode(tmp_path / "plain", {"m.py": "down_revision = None\n"})
    assert [whitelisted_by(f) for f in plain.findings] == [None]
    used = run_deadcode(tmp_path / "used", {"versions/a.py": ALEMBIC_SCRIPT})
    assert {whitelisted_by(f) for f in used.findings} == {
        "whitelist alembic-migrations v1 (Alembic migration scripts)"
    }


def test_declared_dependencies_count_as_using_the_framework(tmp_path: Path) -> None:
    model = "class Invoice(Base):\n    number = 1\n"
    without = run_deadcode(tmp_path / "a", {"models.py": model})
    assert all(whitelisted_by(f) is None for f in without.findings)
    pyproject = '[project]\nname = "shop"\ndependencies = ["SQLAlchemy>=2"]\n'
    declared = run_deadcode(tmp_path / "b", {"models.py": model, "pyproject.toml": pyproject})
    number = next(f for f in declared.findings if dict(f.details)["name"] == "number")
    assert (whitelisted_by(number) or "").startswith("whitelist sqlalchemy-models v1")


@pytest.mark.parametrize(
    ("path", "text", "names"),
    [
        (
            "requirements.txt",
            "# pinned\nDjango==5.2 ; python_version>'3'\n-r base.txt\n",
            ["Django"],
        ),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\npython = "^3.11"\ncelery = "*"\n',
            ["python", "celery"],
        ),
        ("x.dist-info/METADATA", "Name: x\nRequires-Dist: click (>=8)\n", ["click"]),
        ("pyproject.toml", "not toml [", []),
    ],
)
def test_dependency_files_are_read_as_data(path: str, text: str, names: list[str]) -> None:
    assert declared_dependencies(path, text) == names


def test_a_bad_whitelist_fails_the_analyzer_with_the_key(tmp_path: Path) -> None:
    options = {"whitelists": {"mine": {"version": 1, "title": "t", "uses": ["x"], "nmes": []}}}
    (tmp_path / "m.py").write_text("x = 1\n", encoding="utf-8")
    outcome = DeadCodeAnalyzer().analyze(_request(tmp_path, ["m.py"], options))  # type: ignore[arg-type]
    assert not isinstance(outcome, AnalysisOutput)
    assert "whitelists.mine: unknown key(s) nmes" in outcome.reason
