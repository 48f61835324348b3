"""Reading a JSON report back: the model round-trips exactly, and hostile or broken files
are refused in one line that names the file and the field."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from analyzer.config import ScanConfig
from analyzer.discover.history import FileChurn, FunctionChurn, History
from analyzer.model import ScanResult
from analyzer.render.encode import dump_json
from analyzer.render.json_report import build_report
from analyzer.report import Report, with_roadmap
from analyzer.reports.fields import ReportError
from analyzer.reports.read import parse_report, read_report_file
from analyzer.scan import run_scan
from analyzer.sharding import Shard
from tests.conftest import NOXPANEL

HISTORY = History(
    available=True,
    note="3 commits from 2024-01-01 to 2025-01-01",
    commits=3,
    since="2024-01-01",
    until="2025-01-01",
    files=(FileChurn(path="noxpanel/app.py", commits=3, lines_changed=40),),
    functions=(
        FunctionChurn(path="noxpanel/app.py", symbol="create_app", commits=2, lines_changed=9),
    ),
    function_files=("noxpanel/app.py",),
)


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return run_scan(NOXPANEL, ScanConfig(jobs=2, use_cache=False))


def _text(result: ScanResult, history: History | None = HISTORY) -> bytes:
    report = with_roadmap(Report(result=result, root_label="fixtures/noxpanel"), history=history)
    return dump_json(build_report(report)).encode()


def test_a_report_reads_back_into_the_result_it_was_written_from(result: ScanResult) -> None:
    read = parse_report(_text(result), "report.json")
    assert read.root_label == "fixtures/noxpanel"
    expected = replace(
        result,
        target=replace(result.target, root="fixtures/noxpanel"),
        analyzed_paths=frozenset(),
    )
    assert read.result == expected
    assert read.history == HISTORY


def test_a_shard_reads_back_with_its_part() -> None:
    shard = run_scan(NOXPANEL, ScanConfig(jobs=2, use_cache=False, shard=Shard(index=2, count=3)))
    read = parse_report(_text(shard), "shard-2.json")
    assert read.result.shard == shard.shard
    assert read.result.findings == shard.findings
    assert read.history is None  # a shard is not planned


def _document(result: ScanResult) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_text(result))
    return document


def _refusal(document: object, where: str = "r.json") -> str:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(ReportError) as caught:
        parse_report(data, where)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{where}: ")
    return message


def test_bytes_that_are_not_a_report_are_refused() -> None:
    assert "not UTF-8" in _refusal(b"\xff\xfe{}")
    assert "not JSON" in _refusal(b"{'a': 1}")
    assert "not a number JSON allows" in _refusal(b'{"a": NaN}')
    assert "cannot read" in _refusal(b"[" * 100_000 + b"]" * 100_000)
    assert "not a repo-roadmap JSON report" in _refusal([1, 2])
    assert "not a repo-roadmap JSON report" in _refusal({"tool": {"name": "other"}})


def test_an_old_report_says_to_scan_again(result: ScanResult) -> None:
    document = _document(result)
    document["schema_version"] = "1.1"
    assert "version 1.1 report" in _refusal(document)
    document = _document(result)
    del document["scan"]
    assert "no 'scan' section" in _refusal(document)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("findings", 0, "line"), 0, "findings[0].line must be a whole number of at least 1"),
        (("findings", 0, "line"), True, "findings[0].line must be a whole number"),
        (("findings", 0, "severity"), "critical", "findings[0].severity must be one of"),
        (("findings", 0, "details"), [], "findings[0].details must be an object"),
        (("findings", 0, "details", "x"), {"a": 1}, "findings[0].details['x'] must be a number"),
        (("suppressed", 0, "suppressed_by"), "friend", "suppressed[0].suppressed_by must be one"),
        (("analyzers", 0, "status"), "great", "analyzers[0].status must be one of"),
        (("analyzers", 0, "duration_s"), -1, "must be a finite number of at least 0"),
        (("endpoints", 0, "methods"), "GET", "endpoints[0].methods must be a list"),
        (("metrics", "files", "*", "raw.loc"), "9", "must be a number"),
        (("metrics", "files", "*", "raw.loc"), 10**400, "must be a finite number"),
        (("metrics", "files", "*", "raw.loc"), 1e308, "must be a finite number"),
        (("findings", 0, "details", "x"), 1e300, "findings[0].details['x'] must be a finite"),
        (("findings", 0, "details", "x"), 10**400, "findings[0].details['x'] must be a finite"),
        (("target", "lines"), 10**400, "target.lines must be a whole number below 2**53"),
        (("target", "lines"), -4, "target.lines must be a whole number of at least 0"),
        (("scan", "identity", "commit"), 7, "scan.identity.commit must be a string"),
        (("scan", "config"), [], "scan.config must be an object"),
        (("roadmap", "history", "files"), {}, "roadmap.history.files must be a list"),
    ],
)
def test_each_field_is_checked(
    result: ScanResult, path: tuple[Any, ...], value: object, message: str
) -> None:
    document = _document(result)
    node: Any = document
    for key in path[:-1]:
        node = node[next(iter(node)) if key == "*" else key]
    node[path[-1]] = value
    assert message in _refusal(document)


def test_a_missing_field_is_named(result: ScanResult) -> None:
    document = _document(result)
    del document["errors"]
    assert _refusal(document) == "r.json: lacks 'errors'"
    document = _document(result)
    del document["findings"][3]["fingerprint"]
    assert _refusal(document) == "r.json: findings[3] lacks 'fingerprint'"


def test_a_shard_number_past_the_count_is_refused(result: ScanResult) -> None:
    shard = run_scan(NOXPANEL, ScanConfig(jobs=2, use_cache=False, shard=Shard(index=1, count=2)))
    document = _document(shard)
    document["scan"]["shard"]["index"] = 3
    assert "scan.shard.index must be at most the shard count (2)" in _refusal(document)


def test_files_are_read_capped_and_only_when_regular(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(" " * 2048)
    with pytest.raises(ReportError, match="larger than"):
        read_report_file(big, limit=1024)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(ReportError, match="not a regular file"):
        read_report_file(fifo)
    with pytest.raises(ReportError, match="cannot read"):
        read_report_file(tmp_path / "absent.json")
