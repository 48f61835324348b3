"""N shards scanned locally, as N CI jobs would, then merged: the merge equals the unsharded
scan exactly (findings, fingerprints, metrics, errors, recommendations, roadmap, hotspots)
in every format; shards that do not belong together are refused, one line, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOXPANEL, run_roadmap
from tests.test_history import commit, git, module

FORMATS = ("json", "markdown", "sarif", "gitlab")
# 2025-01-06, a Monday: the roadmap's dates do not depend on the day the test runs.
EPOCH = "1736121600"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture application as a git checkout whose history makes hotspots."""
    root = tmp_path_factory.mktemp("sharded") / "noxpanel"
    shutil.copytree(NOXPANEL, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial", when="2024-06-01T12:00:00+00:00")
    for month in range(1, 5):
        text = "import os\n" * month + "\n" + module("hot", f"v{month}")
        commit(root, {"noxpanel/services/hot.py": text}, f"2024-{month + 6:02d}-15T12:00:00+00:00")
    return root


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg-cache")),
        "SOURCE_DATE_EPOCH": EPOCH,
    }


def _outputs(directory: Path, stem: str) -> list[str]:
    return [arg for fmt in FORMATS for arg in ("-o", f"{fmt}:{directory / f'{stem}.{fmt}'}")]


def _read(directory: Path, stem: str) -> dict[str, Any]:
    texts = {fmt: (directory / f"{stem}.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}
    report = json.loads(texts.pop("json"))
    for run in report["analyzers"]:
        run["duration_s"] = 0.0  # time differs between any two runs
    return {"json": report, **texts}


@pytest.fixture(scope="module")
def unsharded(
    checkout: Path, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("unsharded")
    run = run_roadmap("scan", ".", "-q", *_outputs(out, "report"), cwd=checkout, env=env)
    assert run.returncode == 0, run.stderr
    return _read(out, "report")


def scan_shards(
    checkout: Path, env: dict[str, str], out: Path, count: int, whole: str | None = None
) -> list[Path]:
    paths = []
    for index in range(1, count + 1):
        path = out / f"shard-{index}.json"
        extra = ["--whole-program-shard", whole] if whole else []
        run = run_roadmap(
            "scan", ".", "-q", "--shard", f"{index}/{count}", *extra, "-o", f"json:{path}",
            cwd=checkout, env=env,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout == ""
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def three(
    checkout: Path, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    return scan_shards(checkout, env, tmp_path_factory.mktemp("three"), 3)


@pytest.mark.parametrize(("count", "whole"), [(3, None), (2, "2"), (5, "all")])
def test_merged_shards_equal_the_unsharded_scan(
    count: int,
    whole: str | None,
    checkout: Path,
    env: dict[str, str],
    unsharded: dict[str, Any],
    three: list[Path],
    tmp_path: Path,
) -> None:
    shards = (
        three
        if count == 3 and whole is None
        else scan_shards(checkout, env, tmp_path, count, whole)
    )
    run = run_roadmap(
        "merge", *map(str, shards), "-q", *_outputs(tmp_path, "merged"), cwd=checkout, env=env
    )
    assert run.returncode == 0, run.stderr
    merged = _read(tmp_path, "merged")
    assert unsharded["json"]["roadmap"]["history"]["available"]
    assert unsharded["json"]["hotspots"], "the test needs hotspots to compare"
    for key in unsharded["json"]:
        assert merged["json"][key] == unsharded["json"][key], key
    for fmt in FORMATS[1:]:
        assert merged[fmt] == unsharded[fmt], fmt


def test_shards_split_the_per_file_work(three: list[Path], unsharded: dict[str, Any]) -> None:
    reports = [json.loads(path.read_text()) for path in three]
    total = {run["name"]: run["files"] for run in unsharded["json"]["analyzers"]}
    for name in ("security", "complexity", "api"):
        shares = [
            next(r["files"] for r in rep["analyzers"] if r["name"] == name) for rep in reports
        ]
        assert sum(shares) == total[name] and max(shares) < total[name]
    for report in reports:
        assert report["recommendations"] == [] and report["roadmap"] is None
        assert report["scan"]["shard"]["count"] == 3


def _merge(shards: list[Path], cwd: Path, env: dict[str, str], *extra: str) -> Any:
    return run_roadmap("merge", *map(str, shards), "-q", "-f", "json", *extra, cwd=cwd, env=env)


def _refused(run: Any, message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert message in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr


def test_a_missing_shard_is_named(three: list[Path], checkout: Path, env: dict[str, str]) -> None:
    _refused(_merge([three[0], three[2]], checkout, env), "shard 2/3 is missing")
    _refused(_merge([three[0]], checkout, env), "shards 2/3, 3/3 are missing")


def test_a_shard_given_twice_is_refused(
    three: list[Path], checkout: Path, env: dict[str, str], tmp_path: Path
) -> None:
    copy = tmp_path / "again.json"
    shutil.copy(three[1], copy)
    _refused(_merge([*three, copy], checkout, env), "shard 2/3 is given twice")


def _tampered(path: Path, tmp_path: Path, change: Any) -> Path:
    report = json.loads(path.read_text())
    change(report)
    target = tmp_path / f"tampered-{path.name}"
    target.write_text(json.dumps(report))
    return target


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("commit", "f" * 40, "f" * 12 + ")"),
        ("config_hash", "0" * 64, "different configurations or rules"),
        ("files_digest", "1" * 64, "different trees"),
        ("root_name", "another", "different project roots"),
    ],
)
def test_shards_of_another_scan_are_refused(
    field: str,
    value: str,
    message: str,
    three: list[Path],
    checkout: Path,
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    other = _tampered(three[1], tmp_path, lambda r: r["scan"]["identity"].update({field: value}))
    run = _merge([three[0], other, three[2]], checkout, env)
    _refused(run, "are not shards of one scan")
    assert message in run.stderr


def test_other_tool_versions_are_refused(
    three: list[Path], checkout: Path, env: dict[str, str], tmp_path: Path
) -> None:
    def bump(report: Any) -> None:
        report["scan"]["identity"]["tool_versions"][0]["version"] = "0.0.1"

    run = _merge([three[0], _tampered(three[1], tmp_path, bump), three[2]], checkout, env)
    _refused(run, "different tool versions (api")


def test_a_whole_report_is_not_a_shard(
    three: list[Path], checkout: Path, env: dict[str, str], tmp_path: Path
) -> None:
    whole = tmp_path / "whole.json"
    run = run_roadmap("scan", ".", "-q", "-o", f"json:{whole}", cwd=checkout, env=env)
    assert run.returncode == 0, run.stderr
    _refused(_merge([whole, *three[1:]], checkout, env), "not a shard's report")


def test_the_merge_needs_the_checkout_the_shards_scanned(
    three: list[Path], env: dict[str, str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(NOXPANEL, elsewhere)
    _refused(_merge(three, tmp_path, env, "--root", str(elsewhere)), "the shards scanned commit")


def test_the_merge_needs_the_rules_the_shards_used(
    three: list[Path], checkout: Path, env: dict[str, str], tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "planning.toml").write_text("[team]\ndevelopers = 5\n")
    _refused(_merge(three, checkout, env, "--rules-dir", str(rules)), "other rules")


def test_a_damaged_shard_is_one_line_naming_the_field(
    three: list[Path], checkout: Path, env: dict[str, str], tmp_path: Path
) -> None:
    def damage(report: Any) -> None:
        report["findings"][0]["line"] = "seven"

    damaged = _tampered(three[0], tmp_path, damage)
    _refused(
        _merge([damaged, *three[1:]], checkout, env), "findings[0].line must be a whole number"
    )


def test_the_merge_gates_like_a_scan(
    three: list[Path], checkout: Path, env: dict[str, str]
) -> None:
    run = _merge(three, checkout, env, "--fail-on", "high")
    assert run.returncode == 1, run.stderr
    assert "at or above --fail-on high" in run.stderr


def test_the_readmes_sharding_commands_run_as_written(tmp_path: Path, env: dict[str, str]) -> None:
    """The README's block, run in one checkout as a user trying it would (K = 1..2 for
    speed): the shards' reports go outside the checkout, so the merge sees the same tree."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Sharding a scan across CI jobs", 1)[1].split("```bash\n", 1)[1]
    shard_line, merge_line, org_line = block.split("```", 1)[0].splitlines()[:3]
    root = tmp_path / "checkout" / "noxpanel"
    shutil.copytree(NOXPANEL, root)
    for k in (1, 2):
        line = shard_line.split("#", 1)[0].replace("2/8", f"{k}/2").replace("shard-2", f"shard-{k}")
        mkdir, scan = line.split(" && ")
        (root / mkdir.split()[-1]).mkdir(parents=True, exist_ok=True)
        run = run_roadmap(*scan.split()[1:], "-q", cwd=root, env=env)
        assert run.returncode == 0, run.stderr
    shards = sorted(str(p) for p in (root / "../shards").glob("shard-*.json"))
    merge = [a for a in merge_line.split()[1:] if "shard-*" not in a]
    run = run_roadmap(*merge[:1], *shards, *merge[1:], "-q", cwd=root, env=env)
    assert run.returncode == 0, run.stderr
    shutil.copy(root / "report.json", root / "web.json")
    shutil.copy(root / "report.json", root / "backend.json")
    run = run_roadmap(*org_line.split("#", 1)[0].split()[1:], "-q", cwd=root, env=env)
    assert run.returncode == 0, run.stderr
    assert (root / "ORG-ROADMAP.md").is_file()
