"""Reports handed to ``roadmap progress`` and ``roadmap merge`` are untrusted input (a CI
artifact of an untrusted pull request, a file someone sends): whatever a report holds, the
command reads it or refuses it in one line with exit 2; it never stops on an internal error.
Each case here was found by trying hostile reports through the installed command."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analyzer.report import report_date
from tests.conftest import run_roadmap, write_tree
from tests.golden_roadmap import JSON as GOLDEN_REPORT

FAST = ("--select", "security", "--no-cache", "-q")


def golden() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(GOLDEN_REPORT.read_text(encoding="utf-8"))
    return document


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def assert_one_line_or_fine(run: Any) -> None:
    assert run.returncode in (0, 2), run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    if run.returncode == 2:
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_a_plan_finding_path_too_long_for_the_system_is_not_an_internal_error(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "app", {"app.py": "import pickle\n"})
    plan = golden()
    plan["target"]["git"]["commit"] = "0123456789abcdef0123456789abcdef01234567"
    plan["findings"][0]["path"] = "a" * 5000 + ".py"
    plan["findings"][1]["path"] = "/".join(["b" * 240] * 20)
    run = run_roadmap(
        "progress", str(write(tmp_path / "plan.json", plan)), str(root), "--force", *FAST,
        env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_numbers_too_large_to_sum_are_refused_in_one_line(tmp_path: Path) -> None:
    plan = golden()
    for recommendation in plan["recommendations"]:
        recommendation["effort"]["hours"] = 1e308
    run = run_roadmap(
        "progress", str(write(tmp_path / "plan.json", plan)), str(GOLDEN_REPORT), "-q"
    )
    assert_one_line_or_fine(run)
    assert "effort.hours must be a number" in run.stderr


def test_an_org_report_with_an_integer_too_large_for_a_float_is_one_line(tmp_path: Path) -> None:
    report = golden()
    for finding in report["findings"]:
        finding["details"] = {"complexity": 10**400}
    hostile = write(tmp_path / "a.json", report)
    out = tmp_path / "org.md"
    run = run_roadmap(
        "merge", "--org", f"a={hostile}", f"b={GOLDEN_REPORT}", "-o", f"markdown:{out}", "-q"
    )
    assert_one_line_or_fine(run)
    assert run.returncode == 2 and "must be a finite number" in run.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "config",
    [
        "[plan]\ndevelopers = " + "[" * 100_000 + "]" * 100_000 + "\n",
        "[plan]\ndevelopers = " + "9" * 5000 + "\n",
        "[plan]\nhours_per_week = nan\n",
        "[plan]\nhours_per_week = inf\n",
        "fifo",
        "/dev/zero",
    ],
)
def test_a_hostile_org_config_is_one_line_and_never_hangs(tmp_path: Path, config: str) -> None:
    path = tmp_path / "org.toml"
    if config == "fifo":
        os.mkfifo(path)
    elif config.startswith("/"):
        path = Path(config)
    else:
        path.write_text(config, encoding="utf-8")
    out = tmp_path / "org.md"
    run = run_roadmap(
        "merge", "--org", f"a={GOLDEN_REPORT}", f"b={GOLDEN_REPORT}", "--org-config", str(path),
        "-o", f"markdown:{out}", "-q", timeout=60,
    )  # fmt: skip
    assert_one_line_or_fine(run)
    assert run.returncode == 2 and not out.exists()


def test_a_fifo_given_as_config_to_progress_is_refused_not_waited_on(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "app", {"app.py": "import pickle\n"})
    fifo = tmp_path / "roadmap.toml"
    os.mkfifo(fifo)
    run = run_roadmap(
        "progress", str(GOLDEN_REPORT), str(root), "--force", "--config", str(fifo), *FAST,
        env=cache_env, timeout=60,
    )  # fmt: skip
    assert_one_line_or_fine(run)
    assert run.returncode == 2 and "not a regular file" in run.stderr


@pytest.mark.parametrize("epoch", ["9" * 30, "9" * 5000, "\u00b2"])
def test_a_source_date_epoch_out_of_range_is_ignored_like_any_bad_value(epoch: str) -> None:
    assert report_date({"SOURCE_DATE_EPOCH": epoch}) == date.today()


def test_a_fifo_given_as_baseline_is_refused_not_waited_on(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "app", {"app.py": "import pickle\n"})
    fifo = tmp_path / "baseline.json"
    os.mkfifo(fifo)
    run = run_roadmap("scan", str(root), "--baseline", str(fifo), *FAST, env=cache_env, timeout=60)
    assert_one_line_or_fine(run)
    assert run.returncode == 2 and "not a regular file" in run.stderr
