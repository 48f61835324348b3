"""``roadmap merge --org`` through the installed command: two repositories (two variants of
the fixture application) scanned as their CI jobs would, then planned as one roadmap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOXPANEL, run_roadmap

EPOCH = "1736121600"  # 2025-01-06, a Monday


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg-cache")),
        "SOURCE_DATE_EPOCH": EPOCH,
    }


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> dict[str, Path]:
    """``web``: the fixture as it is; ``api``: without its templates and container files,
    and configured for a team of three."""
    base = tmp_path_factory.mktemp("repos")
    shutil.copytree(NOXPANEL, base / "web")
    shutil.copytree(NOXPANEL, base / "api")
    shutil.rmtree(base / "api" / "noxpanel" / "templates")
    for name in ("Dockerfile", "docker-compose.yml"):
        (base / "api" / name).unlink()
    pyproject = base / "api" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8") + "\n[tool.roadmap.plan]\ndevelopers = 3\n",
        encoding="utf-8",
    )
    paths = {}
    for name in ("web", "api"):
        paths[name] = base / f"{name}.json"
        run = run_roadmap("scan", name, "-q", "-o", f"json:{paths[name]}", cwd=base, env=env)
        assert run.returncode in (0, 1), run.stderr
    return paths


def _org(
    reports: dict[str, Path], env: dict[str, str], cwd: Path, *extra: str
) -> tuple[Any, dict[str, Any], str]:
    run = run_roadmap(
        "merge", str(reports["web"]), f"backend={reports['api']}", "--org",
        "-o", "json:org.json", "-o", "markdown:org.md", *extra, cwd=cwd, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    data = json.loads((cwd / "org.json").read_text(encoding="utf-8"))
    return run, data, (cwd / "org.md").read_text(encoding="utf-8")


def test_two_repositories_make_one_roadmap(
    reports: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    run, data, markdown = _org(reports, env, tmp_path)
    assert "planned 2 repositories together" in run.stderr
    names = [repo["name"] for repo in data["repositories"]]
    assert names == ["web", "backend"]
    web = json.loads(reports["web"].read_text(encoding="utf-8"))
    backend = json.loads(reports["api"].read_text(encoding="utf-8"))
    for name, alone in (("web", web), ("backend", backend)):
        mine = [rec for rec in data["recommendations"] if rec["repository"] == name]
        assert sorted(rec["id"] for rec in mine) == sorted(
            f"{name}/{rec['id']}" for rec in alone["recommendations"]
        )
        assert all(path.startswith(f"{name}/") or path == name for r in mine for path in r["files"])
    # The shared team pools the two repositories' own teams: 2 (the default) and 3.
    (team,) = data["teams"]
    assert team["name"] == "shared" and team["developers"] == 5
    assert "| Measure | web | backend |" in markdown
    assert "`web/noxpanel/" in markdown and "`backend/noxpanel/" in markdown
    assert "## web" in markdown and "## backend" in markdown
    findings = {repo["name"]: repo["findings"] for repo in data["repositories"]}
    assert findings["web"] == len(web["findings"]) > findings["backend"]


def test_a_repository_may_keep_a_team_of_its_own(
    reports: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "teams.toml"
    config.write_text("[repositories.backend]\ndevelopers = 1\n", encoding="utf-8")
    _, data, markdown = _org(reports, env, tmp_path, "--org-config", str(config))
    teams = {team["name"]: team for team in data["teams"]}
    assert teams["backend"]["repositories"] == ["backend"] and teams["backend"]["developers"] == 1
    assert teams["shared"]["repositories"] == ["web"] and teams["shared"]["developers"] == 2
    backend = {
        item["developer"]
        for phase in data["roadmap"]["phases"]
        for item in phase["work"]
        if item["recommendation_id"].startswith("backend/")
    }
    assert backend == {1}
    assert "| backend | 1 |" in markdown


def _refused(run: Any, message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and run.stderr.count("\n") == 1, run.stderr


def test_what_the_org_merge_refuses(
    reports: dict[str, Path], env: dict[str, str], tmp_path: Path
) -> None:
    web, api = str(reports["web"]), str(reports["api"])
    _refused(run_roadmap("merge", web, "--org", cwd=tmp_path, env=env), "two reports or more")
    _refused(
        run_roadmap("merge", web, f"web={api}", "--org", cwd=tmp_path, env=env),
        "are both named 'web'",
    )
    _refused(
        run_roadmap("merge", web, api, "--org", "-f", "sarif", cwd=tmp_path, env=env),
        "writes markdown or json",
    )
    _refused(
        run_roadmap("merge", web, api, "--org", "--fail-on", "high", cwd=tmp_path, env=env),
        "--fail-on gates one scan",
    )
    _refused(
        run_roadmap("merge", web, api, "--org-config", web, cwd=tmp_path, env=env),
        "add --org",
    )
    shard = tmp_path / "shard.json"
    scan = run_roadmap(
        "scan", str(reports["web"].parent / "web"), "-q", "--shard", "1/2",
        "-o", f"json:{shard}", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert scan.returncode == 0, scan.stderr
    _refused(
        run_roadmap("merge", web, str(shard), "--org", cwd=tmp_path, env=env),
        "merge its shards first",
    )
