"""roadmap progress through the installed command: outputs, exit codes, refusals, escaping."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.resources import progress_schema_path, schema_path
from tests.conftest import run_roadmap, write_tree
from tests.progress_samples import finding, recommendation, report

FAST = ("--select", "security,dead-code", "--no-cache")
# 2025-01-20, a Monday two weeks after the plan below.
LATER = {"SOURCE_DATE_EPOCH": "1737331200"}
PLAN_DAY = {"SOURCE_DATE_EPOCH": "1736121600"}  # 2025-01-06
APP = {
    "pyproject.toml": '[project]\nname = "shopfront"\n',
    "shop/pay.py": """\
        import hashlib
        import subprocess


        def digest(data: bytes) -> str:
            return hashlib.md5(data).hexdigest()


        def run(command: str) -> int:
            return subprocess.call(command, shell=True)
        """,
    "shop/util.py": """\
        import os


        def helper() -> str:
            return "x"
        """,
}


@pytest.fixture
def planned(tmp_path: Path, cache_env: dict[str, str]) -> tuple[Path, Path, dict[str, str]]:
    """A small app and the JSON report of its first scan (dated 2025-01-06)."""
    root = write_tree(tmp_path / "shopfront", APP)
    plan = tmp_path / "plan.json"
    env = {**cache_env, **PLAN_DAY}
    run = run_roadmap("scan", str(root), *FAST, "-q", "-o", f"json:{plan}", env=env)
    assert run.returncode == 0, run.stderr
    return root, plan, {**cache_env, **LATER}


def fix_md5_and_add_eval(root: Path) -> None:
    pay = root / "shop" / "pay.py"
    pay.write_text(pay.read_text().replace("hashlib.md5(data)", "hashlib.sha256(data)"))
    (root / "shop" / "calc.py").write_text(
        "def calc(text: str) -> object:\n    return eval(text)\n"
    )


def validate(document: Any) -> None:
    jsonschema.validate(document, json.loads(progress_schema_path().read_text(encoding="utf-8")))


def test_progress_of_a_scan_against_its_plan(
    planned: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    root, plan, env = planned
    fix_md5_and_add_eval(root)
    out_json, out_md = tmp_path / "progress.json", tmp_path / "PROGRESS.md"
    run = run_roadmap(
        "progress", str(plan), str(root), *FAST, "-o", f"json:{out_json}",
        "-o", f"markdown:{out_md}", env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "roadmap progress of shopfront on 2025-01-20" in run.stdout
    assert "New debt: 2 new findings (1 medium, 1 low)" in run.stdout
    data = json.loads(out_json.read_text())
    validate(data)
    assert data["as_of"] == "2025-01-20" and data["plan"]["generated_on"] == "2025-01-06"
    assert data["summary"]["findings"]["fixed"] == 1
    new = [f["rule_id"] for f in data["new_debt"]["findings"]]
    assert new == ["bandit.B307", "vulture.unused-function"]
    security = next(rec for rec in data["recommendations"] if rec["kind"] == "security")
    assert security["status"] == "in progress"
    markdown = out_md.read_text()
    assert markdown.startswith("# 📈 shopfront: progress against the roadmap")
    assert "`bandit.B307` in `shop/calc.py`:2" in markdown


def test_two_reports_are_compared_without_scanning(
    planned: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    root, plan, env = planned
    fix_md5_and_add_eval(root)
    now = tmp_path / "now.json"
    scanned = run_roadmap("scan", str(root), *FAST, "-q", "-o", f"json:{now}", env=env)
    assert scanned.returncode == 0, scanned.stderr
    run = run_roadmap("progress", str(plan), str(now), "-f", "json", env=env)
    assert run.returncode == 0, run.stderr
    data = run.json()
    validate(data)
    assert data["now"]["source"] == str(now)
    assert data["summary"]["new_findings"] == 2
    # Compared as of the later report's own date, not the day the command runs.
    later = run_roadmap(
        "progress", str(plan), str(now), "-f", "json", env={"SOURCE_DATE_EPOCH": "1800000000"}
    )
    assert later.json()["as_of"] == "2025-01-20"


def test_fail_on_new_gates_new_debt_at_or_above_the_level(
    planned: tuple[Path, Path, dict[str, str]],
) -> None:
    root, plan, env = planned
    fix_md5_and_add_eval(root)
    failing = run_roadmap(
        "progress", str(plan), str(root), *FAST, "-q", "--fail-on-new", "medium", env=env
    )
    assert failing.returncode == 1, failing.stderr
    assert "1 new or returning finding at or above --fail-on-new medium" in failing.stderr
    assert "bandit.B307" in failing.stderr
    passing = run_roadmap(
        "progress", str(plan), str(root), *FAST, "-q", "--fail-on-new", "high", env=env
    )
    assert passing.returncode == 0, passing.stderr


def test_a_project_without_a_name_scanned_as_dot_is_called_by_its_folder(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    unnamed = {path: text for path, text in APP.items() if path != "pyproject.toml"}
    root = write_tree(tmp_path / "kiosk", unnamed)
    plan = tmp_path / "plan.json"
    scanned = run_roadmap(
        "scan", ".", *FAST, "-q", "-o", f"json:{plan}", cwd=root, env={**cache_env, **PLAN_DAY}
    )
    assert scanned.returncode == 0, scanned.stderr
    fix_md5_and_add_eval(root)
    run = run_roadmap(
        "progress", str(plan), ".", *FAST, "-f", "markdown", cwd=root,
        env={**cache_env, **LATER},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# 📈 kiosk: progress against the roadmap")


def test_strict_exits_3_when_the_later_report_is_incomplete(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    now = tmp_path / "now.json"
    plan.write_text(json.dumps(report([finding("f1")], [recommendation("security", ["f1"])])))
    now.write_text(json.dumps(report([finding("f1")], failed=["typing"])))
    assert run_roadmap("progress", str(plan), str(now), "-q").returncode == 0
    assert run_roadmap("progress", str(plan), str(now), "-q", "--strict").returncode == 3


def test_a_report_of_another_project_is_refused_unless_forced(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    other = tmp_path / "other.json"
    plan.write_text(json.dumps(report([finding("f1")], [recommendation("security", ["f1"])])))
    other.write_text(json.dumps(report([finding("zz")], name="billing", root="billing")))
    refused = run_roadmap("progress", str(plan), str(other))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "looks like a report of another project (shop, not billing" in refused.stderr
    assert "--force" in refused.stderr
    forced = run_roadmap("progress", str(plan), str(other), "--force", "-q")
    assert forced.returncode == 0, forced.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("{", "not JSON"),
        (json.dumps({"version": 1, "tool": {}, "findings": []}), "looks like a baseline file"),
        (json.dumps({**report(), "schema_version": "2.0"}), "schema_version 2.0"),
        (json.dumps({**report(), "findings": [{"fingerprint": 1}]}), "findings[0]."),
    ],
)
def test_an_unreadable_earlier_report_is_one_line_with_exit_2(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    earlier = tmp_path / "earlier.json"
    if content is not None:
        earlier.write_text(content)
    now = tmp_path / "now.json"
    now.write_text(json.dumps(report()))
    run = run_roadmap("progress", str(earlier), str(now))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert expected in run.stderr


def test_a_special_file_is_not_read_as_a_report(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    now = tmp_path / "now.json"
    now.write_text(json.dumps(report()))
    run = run_roadmap("progress", str(fifo), str(now), timeout=60)
    assert run.returncode == 2 and "not a regular file" in run.stderr


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    now = tmp_path / "now.json"
    now.write_text(json.dumps(report()))
    for args, expected in [
        ((str(now), str(tmp_path / "missing")), "does not exist"),
        ((str(now), str(now), "-o", f"sarif:{tmp_path}/x"), "unknown report format 'sarif'"),
        ((str(now), str(now), "--since", "last week"), "--since 'last week' is not a date"),
        ((str(now), str(now), "--save-report", str(tmp_path / "r.json")), "needs a directory"),
    ]:
        run = run_roadmap("progress", *args)
        assert run.returncode == 2, (args, run.stderr)
        assert expected in run.stderr and run.stderr.count("\n") == 1


def test_an_undated_report_needs_since_for_the_schedule(tmp_path: Path) -> None:
    plan, now = tmp_path / "plan.json", tmp_path / "now.json"
    recs = [recommendation("security", ["f1", "f2"])]
    plan.write_text(
        json.dumps(report([finding("f1"), finding("f2")], recs, generated_on=None, version="1.1"))
    )
    now.write_text(json.dumps(report([finding("f2")], generated_on=None, version="1.1")))
    unknown = run_roadmap("progress", str(plan), str(now), "-f", "json", env=LATER)
    assert unknown.json()["schedule"]["status"] == "unknown"
    assert "pass --since" in unknown.json()["schedule"]["note"]
    dated = run_roadmap(
        "progress", str(plan), str(now), "-f", "json", "--since", "2025-01-06", env=LATER
    )
    assert dated.json()["schedule"]["dated_by"] == "--since"
    assert dated.json()["schedule"]["status"] == "behind"


HOSTILE = "\x1b]0;owned\x07[red]x[/red] ::error::forged <img src=x onerror=alert(1)> | `tick`"


def test_text_from_a_report_is_escaped_on_the_terminal_and_in_markdown(tmp_path: Path) -> None:
    plan, now, md = tmp_path / "plan.json", tmp_path / "now.json", tmp_path / "p.md"
    rec = {**recommendation("security", ["f1"]), "title": HOSTILE}
    plan.write_text(json.dumps(report([finding("f1")], [rec])))
    bad = finding("n1", message=HOSTILE, path="shop/\x1b[2Jevil.py")
    now.write_text(json.dumps(report([finding("f1"), bad])))
    run = run_roadmap("progress", str(plan), str(now), "-o", f"markdown:{md}")
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
    assert "::error::" not in run.stdout
    assert "\\x1b]0;owned" in run.stdout
    markdown = md.read_text()
    assert "\x1b" not in markdown and "<img" not in markdown.replace("\\<img", "")
    assert "\\<img src=x onerror=alert(1)\\>" in markdown
    assert "\\| " in markdown


def test_a_template_dir_overrides_one_section(tmp_path: Path) -> None:
    plan, now, md = tmp_path / "plan.json", tmp_path / "now.json", tmp_path / "p.md"
    plan.write_text(json.dumps(report([finding("f1")], [recommendation("security", ["f1"])])))
    now.write_text(json.dumps(report([finding("f1"), finding("n1", severity="low")])))
    templates = write_tree(
        tmp_path / "templates", {"progress_debt.md.j2": "## Debt: {{ debt.total }} new\n"}
    )
    run = run_roadmap(
        "progress", str(plan), str(now), "-o", f"markdown:{md}", "--template-dir", str(templates)
    )
    assert run.returncode == 0, run.stderr
    assert "## Debt: 1 new" in md.read_text() and "## Burn-down" in md.read_text()
    (templates / "progress_debt.md.j2").write_text("{{ nothing_here }}\n")
    broken = run_roadmap(
        "progress", str(plan), str(now), "-o", f"markdown:{md}", "--template-dir", str(templates)
    )
    assert broken.returncode == 2 and "nothing_here" in broken.stderr


def test_save_report_keeps_the_scan_for_the_next_burn_down(
    planned: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    root, plan, env = planned
    fix_md5_and_add_eval(root)
    saved = tmp_path / "roadmap-2025-01-20.json"
    run = run_roadmap(
        "progress", str(plan), str(root), *FAST, "-q", "--save-report", str(saved), env=env
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(saved.read_text())
    jsonschema.validate(document, json.loads(schema_path().read_text(encoding="utf-8")))
    assert document["generated_on"] == "2025-01-20"
    again = run_roadmap("progress", str(plan), str(saved), str(root), *FAST, "-f", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert [p["date"] for p in again.json()["burndown"]] == [
        "2025-01-06",
        "2025-01-20",
        "2025-01-20",
    ]


def test_the_scan_follows_the_project_configuration_unless_isolated(
    planned: tuple[Path, Path, dict[str, str]],
) -> None:
    root, plan, env = planned
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shopfront"\n[tool.roadmap]\ndisable_rules = ["B324"]\n'
    )
    configured = run_roadmap("progress", str(plan), str(root), *FAST, "-f", "json", env=env)
    assert "configuration:" in configured.stderr and "disable_rules" in configured.stderr
    assert configured.json()["summary"]["findings"]["suppressed"] == 1
    isolated = run_roadmap(
        "progress", str(plan), str(root), *FAST, "-f", "json", "--isolated", env=env
    )
    assert isolated.json()["summary"]["findings"]["suppressed"] == 0
