"""The split of a scan into shards: by path hash, complete, stable, and checked on the CLI."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzer.config import ScanConfig
from analyzer.scan import run_scan
from analyzer.sharding import Shard, ShardError, parse_shard, shard_of
from tests.conftest import NOXPANEL, run_roadmap

paths = st.lists(
    st.text(alphabet="abcdefghij/_.", min_size=1, max_size=30).filter(lambda p: p != "."),
    min_size=1,
    max_size=60,
    unique=True,
)


@given(paths, st.integers(min_value=1, max_value=16))
def test_every_path_belongs_to_exactly_one_shard(names: list[str], count: int) -> None:
    for name in names:
        owners = [k for k in range(1, count + 1) if Shard(index=k, count=count).owns(name)]
        assert owners == [shard_of(name, count)]


@given(paths, paths, st.integers(min_value=1, max_value=16))
def test_adding_files_moves_no_other_file(old: list[str], added: list[str], count: int) -> None:
    before = {name: shard_of(name, count) for name in old}
    after = {name: shard_of(name, count) for name in [*old, *added]}
    assert all(after[name] == shard for name, shard in before.items())


def test_the_split_is_about_even() -> None:
    counts = Counter(shard_of(f"pkg/module_{n}/file_{n % 37}.py", 4) for n in range(4000))
    assert sorted(counts) == [1, 2, 3, 4]
    assert all(900 <= n <= 1100 for n in counts.values()), counts


def test_the_project_itself_belongs_to_the_first_shard() -> None:
    assert Shard(index=1, count=3).owns(".") and Shard(index=1, count=3).owns(None)
    assert not Shard(index=2, count=3).owns(".")


@pytest.mark.parametrize(
    ("text", "whole", "expected"),
    [
        ("2/8", None, Shard(index=2, count=8, whole_program=1)),
        (" 1 / 1 ", None, Shard(index=1, count=1, whole_program=1)),
        ("3/4", "4", Shard(index=3, count=4, whole_program=4)),
        ("3/4", "ALL", Shard(index=3, count=4, whole_program="all")),
    ],
)
def test_shard_specs_parse(text: str, whole: str | None, expected: Shard) -> None:
    assert parse_shard(text, whole) == expected


@pytest.mark.parametrize(
    ("text", "whole", "message"),
    [
        ("2", None, "expected K/N"),
        ("0/4", None, "K must be between 1 and N"),
        ("5/4", None, "K must be between 1 and N"),
        ("1/0", None, "N must be between 1"),
        ("1/4", "5", "a shard number from 1 to 4"),
        ("1/4", "first", "a shard number from 1 to 4"),
        ("1/" + "9" * 5000, None, "expected K/N"),
        ("1/4", "9" * 5000, "a shard number from 1 to 4"),
        ("\uff11/\uff12", None, "expected K/N"),
    ],
)
def test_bad_shard_specs_say_what_is_wrong(text: str, whole: str | None, message: str) -> None:
    with pytest.raises(ShardError, match=message):
        parse_shard(text, whole)


def _parts(count: int, whole: int | str = 1) -> list:  # type: ignore[type-arg]
    return [
        run_scan(
            NOXPANEL,
            ScanConfig(
                jobs=2, use_cache=False, shard=Shard(index=k, count=count, whole_program=whole)
            ),  # type: ignore[arg-type]
        )
        for k in range(1, count + 1)
    ]


def test_shards_share_the_per_file_work_and_one_runs_the_whole_program() -> None:
    whole = run_scan(NOXPANEL, ScanConfig(jobs=2, use_cache=False))
    parts = _parts(3, whole=2)
    files = {run.name: run.files for run in whole.analyzers}
    for name in (
        "security",
        "complexity",
        "api",
        "frontend",
        "testing",
        "documentation",
        "dead-code",
    ):
        shares = [next(r.files for r in p.analyzers if r.name == name) for p in parts]
        assert sum(shares) == files[name], name
        assert max(shares) < files[name], name
    for name in ("typing", "infrastructure"):
        runs = [next(r for r in p.analyzers if r.name == name) for p in parts]
        assert [r.status for r in runs] == ["skipped", "ok", "skipped"]
        assert runs[1].files == files[name]
        assert runs[0].error == "runs in shard 2 of 3"
    owned = [dict(p.shard.lines) for p in parts if p.shard]
    assert sum(len(o) for o in owned) == whole.target.files_scanned
    assert set().union(*owned) == whole.analyzed_paths
    assert sum(sum(o.values()) for o in owned) == whole.target.lines


def test_with_all_every_shard_runs_the_whole_program_and_reports_its_own_files() -> None:
    parts = _parts(2, whole="all")
    for part in parts:
        assert part.shard is not None
        mine = {path for path, _ in part.shard.lines}
        typing = [f for f in part.findings if f.tool == "mypy"]
        assert typing and all(f.path in mine for f in typing)


def test_a_shard_writes_json_only_and_leaves_gates_to_the_merge(tmp_path: Path) -> None:
    cases = [
        (["-o", f"markdown:{tmp_path / 'a.md'}"], "writes its part as JSON"),
        (["-f", "sarif"], "writes its part as JSON"),
        (["-o", f"json:{tmp_path / 'a.json'}", "--fail-on", "high"], "--fail-on applies"),
        (["-o", f"json:{tmp_path / 'a.json'}", "--changed-since", "HEAD"], "--changed-since"),
        (["-o", f"json:{tmp_path / 'a.json'}", "--shard", "9/4"], "K must be between"),
    ]
    for extra, message in cases:
        args = ["scan", str(NOXPANEL), *(["--shard", "1/4"] if "--shard" not in extra else [])]
        run = run_roadmap(*args, *extra)
        assert run.returncode == 2, run.stderr
        assert message in run.stderr and run.stderr.count("\n") == 1, run.stderr
    run = run_roadmap("scan", str(NOXPANEL), "--whole-program-shard", "2")
    assert run.returncode == 2 and "needs --shard" in run.stderr
