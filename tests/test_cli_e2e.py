"""End-to-end through the installed ``roadmap`` console script, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from analyzer import __version__
from analyzer.resources import schema_path
from tests.conftest import NOXPANEL, REPO_ROOT, run_roadmap, write_tree

THIRD_PARTY_MODULE = '''
from analyzer.model import AnalysisOutput, RawFinding


class TodoAnalyzer:
    """Flags TODO comments; lives outside the repo_roadmap package."""

    name = "todo"
    tool = "todo-finder"
    scope = "file"
    file_patterns = ("*.py",)

    def tool_version(self):
        return "9.9"

    def analyze(self, request):
        findings = []
        for source in request.files:
            text = open(f"{request.root}/{source.path}", encoding="utf-8").read()
            for number, line in enumerate(text.splitlines(), start=1):
                if "TODO" in line:
                    findings.append(RawFinding(tool="todo-finder", tool_code="T1",
                                               message="TODO left",
                                               path=source.path, line=number))
        return AnalysisOutput(findings=tuple(findings))


class ExplodingAnalyzer:
    name = "exploding"
    tool = "boom"
    scope = "project"
    file_patterns = ("*.py",)

    def tool_version(self):
        return "0.0"

    def analyze(self, request):
        raise RuntimeError("kaboom")
'''


def _install_fake_distribution(site: Path) -> None:
    """An injected distribution: a module plus dist-info with entry points, on PYTHONPATH."""
    (site / "todo_plugin.py").write_text(THIRD_PARTY_MODULE)
    info = site / "todo_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: todo-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[repo_roadmap.analyzers]\ntodo = todo_plugin:TodoAnalyzer\n"
        "exploding = todo_plugin:ExplodingAnalyzer\n"
    )


def test_version() -> None:
    run = run_roadmap("--version")
    assert run.returncode == 0
    assert run.stdout.strip() == f"roadmap {__version__}"


def test_analyzers_lists_the_built_ins_with_versions() -> None:
    run = run_roadmap("analyzers")
    assert run.returncode == 0
    for name, tool in [
        ("security", "bandit"),
        ("typing", "mypy"),
        ("dead-code", "vulture"),
        ("complexity", "radon"),
    ]:
        assert name in run.stdout and tool in run.stdout


def test_json_export_of_the_fixture_validates_against_the_schema(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    output = tmp_path / "findings.json"
    run = run_roadmap(
        "scan",
        str(NOXPANEL),
        "--format",
        "json",
        "--output",
        str(output),
        env=cache_env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(output.read_text())
    jsonschema.validate(report, json.loads(schema_path().read_text()))
    assert report["target"]["files_scanned"] > 20
    assert {a["name"]: a["status"] for a in report["analyzers"]}["security"] == "ok"
    assert report["scan_complete"] is True
    assert "Wrote json report" in run.stderr


def test_python_dash_m_works_like_the_script(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(tmp_path / "repo", {"a.py": "assert 1\n"})
    completed = subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", str(root), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
        env={**cache_env, "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    findings = json.loads(completed.stdout)["findings"]
    assert [f["rule_id"] for f in findings if f["tool"] == "bandit"] == ["bandit.B101"]


# What only running an analyzer needs: the tools, and the parsers our own checks use.
ANALYSIS_ONLY = ("bandit", "radon", "vulture", "mypy", "libcst", "coverage", "jinja2", "yaml")


def test_a_rescan_served_from_the_cache_imports_no_tool_and_no_analyzer_internals(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    """Loading a plugin for its name, patterns and version must not load its work: each
    analyzer package's ``__init__`` imports its phases only when they run."""
    root = write_tree(
        tmp_path / "repo",
        {
            "app.py": "def index(name):\n    return name\n",
            "tests/test_app.py": "from app import index\n\nassert index(1)\n",
            "templates/page.html": "<form method='post'><input name='q'></form>\n",
            "Dockerfile": "FROM python:3.12\nCOPY . /app\n",
            "compose.yaml": "services:\n  web:\n    build: .\n",
            "README.md": "# App\n",
        },
    )
    output = tmp_path / "report.json"
    arguments = ("scan", str(root), "-q", "-o", f"json:{output}")
    assert run_roadmap(*arguments, env=cache_env).returncode == 0
    warm = run_roadmap(*arguments, env={**cache_env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert warm.returncode == 0, warm.stderr
    assert {a["duration_s"] for a in json.loads(output.read_text())["analyzers"]} == {0.0}
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in warm.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "analyzer.cli" in imported  # the profile was written
    assert sorted(m for m in imported if m.split(".")[0] in ANALYSIS_ONLY) == []
    assert "html.parser" not in imported
    assert (
        sorted(m for m in imported if m.startswith("analyzer.analyzers.") and m.count(".") > 2)
        == []
    )


def test_text_summary_names_categories_and_analyzers(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    run = run_roadmap("scan", str(NOXPANEL), env=cache_env, cwd=tmp_path)
    assert run.returncode == 0
    for word in (
        "security",
        "typing",
        "dead-code",
        "complexity",
        "Top 10 files",
        "bandit"[:0] + "Analyzers",
    ):
        assert word in run.stdout


def test_missing_target_is_a_usage_error(tmp_path: Path) -> None:
    run = run_roadmap("scan", str(tmp_path / "nope"))
    assert run.returncode == 2
    assert run.stderr.strip() == f"roadmap: error: {tmp_path / 'nope'} does not exist"
    assert "Traceback" not in run.stderr


def test_file_target_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text("x = 1\n")
    run = run_roadmap("scan", str(target))
    assert run.returncode == 2
    assert "is not a directory" in run.stderr


def test_bad_flag_is_a_usage_error() -> None:
    assert run_roadmap("scan", "--format", "pdf", ".").returncode == 2


def test_third_party_analyzer_is_discovered_and_a_crashing_one_is_isolated(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _install_fake_distribution(site)
    root = write_tree(tmp_path / "repo", {"app.py": "x = 1  # TODO tidy\nassert x\n"})
    env = {**cache_env, "PYTHONPATH": str(site)}

    listing = run_roadmap("analyzers", env=env)
    assert "todo-finder" in listing.stdout and "exploding" in listing.stdout

    run = run_roadmap("scan", str(root), "-f", "json", "-q", env=env)
    assert run.returncode == 0, run.stderr
    report = run.json()
    runs = {a["name"]: a for a in report["analyzers"]}
    assert runs["todo"]["status"] == "ok"
    assert runs["exploding"]["status"] == "failed"
    assert report["scan_complete"] is False
    assert "RuntimeError: kaboom" in runs["exploding"]["error"]
    assert runs["security"]["status"] == "ok"
    rules = {(f["rule_id"], f["category"]) for f in report["findings"]}
    assert ("todo-finder.T1", "other") in rules  # unknown tool: fallback rule, not dropped
    assert ("bandit.B101", "security") in rules


def test_rules_dir_overrides_rules_kinds_and_planning(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    rules = write_tree(
        tmp_path / "my-rules",
        {
            "bandit.toml": """\
                [tool]
                name = "bandit"
                category = "security"
                [rules.B101]
                title = "Assert outside tests"
                help = "Our policy: asserts only in tests."
                severity = "high"
                """,
            "planning.toml": (REPO_ROOT / "rules" / "planning.toml")
            .read_text()
            .replace("developers = 2", "developers = 5"),
        },
    )
    root = write_tree(tmp_path / "repo", {"a.py": "assert 1\n"})
    run = run_roadmap(
        "scan", str(root), "-f", "markdown", "-q", "--rules-dir", str(rules), env=cache_env
    )
    assert run.returncode == 0, run.stderr
    assert "(5 developers at 12 hours a week each)" in run.stdout
    report = run_roadmap(
        "scan", str(root), "-f", "json", "-q", "--rules-dir", str(rules), env=cache_env
    ).json()
    [finding] = [f for f in report["findings"] if f["tool"] == "bandit"]
    assert finding["rule_id"] == "bandit.B101"
    # Severity comes from bandit itself; the rule file adds metadata and its default.
    assert finding["severity"] == "low"
    missing = run_roadmap("scan", str(root), "--rules-dir", str(tmp_path / "nope"), env=cache_env)
    assert missing.returncode == 2
    assert "--rules-dir" in missing.stderr


def test_analyzers_shows_what_a_projects_config_disables(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pyproject.toml": "[tool.roadmap.analyzers]\ntyping = false\n"})
    run = run_roadmap("analyzers", str(root), env={"COLUMNS": "200"})
    assert run.returncode == 0, run.stderr
    typing_row = next(line for line in run.stdout.splitlines() if "mypy" in line)
    assert "disabled by configuration" in typing_row
    security_row = next(line for line in run.stdout.splitlines() if "bandit" in line)
    assert "enabled" in security_row
