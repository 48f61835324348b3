"""File names and contents from the scanned tree never break a scan, an output's encoding,
or a terminal: a name that is not UTF-8 is analyzed or listed, every report is valid UTF-8,
and control sequences or CI workflow commands reach stdout and stderr only as escapes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analyzer.render.escape import escape_for_terminal
from tests.conftest import CliRun, run_roadmap, write_tree

# Target text that would move the cursor, clear the screen, forge a GitHub annotation or
# a log group, or reorder what a reader sees, if printed raw.
HOSTILE_TEXT = "\x1b[2J\x1b]0;owned\x07::error file=x::forged\n##[group]g\u202eevil"
RAW_SEQUENCES = ("\x1b", "\x07", "\u202e", "\n::error", "##[group]", "::error file")


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names")
    write_tree(
        root,
        {
            "ok.py": f"value = {HOSTILE_TEXT!r}\neval(value)\n",
            "[red]markup[/red].py": "eval(input())\n",
            "::warning::name.py": "eval(input())\n",
        },
    )
    (root / "esc\x1b[31m.py").write_text("eval(input())\n")
    (root / b"latin\xff.py".decode("utf-8", "surrogateescape")).write_bytes(b"eval(input())\n")
    return root


@pytest.fixture(scope="module")
def outputs(
    hostile_tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CliRun, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("out")
    cache = {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache"))}
    files = {fmt: out / f"report.{fmt}" for fmt in ("json", "sarif", "gitlab", "markdown")}
    run = run_roadmap(
        "scan", str(hostile_tree), "--fail-on", "low",
        *(f"-o{fmt}:{path}" for fmt, path in files.items()), env=cache,
    )  # fmt: skip
    return run, {fmt: path.read_bytes() for fmt, path in files.items()}


def test_a_name_that_is_not_utf8_is_analyzed_and_encoded_validly(
    outputs: tuple[CliRun, dict[str, bytes]],
) -> None:
    run, reports = outputs
    assert run.returncode == 1, run.stderr  # findings at or above --fail-on low
    for data in reports.values():
        data.decode("utf-8")  # every report is valid UTF-8
    report = json.loads(reports["json"])
    flagged = {f["path"] for f in report["findings"] if f["rule_id"] == "bandit.B307"}
    assert "latin\\xff.py" in flagged
    assert all(a["status"] == "ok" for a in report["analyzers"]), report["analyzers"]
    typing_errors = [e for e in report["errors"] if e["path"] == "latin\\xff.py"]
    assert [e["analyzer"] for e in typing_errors] == ["typing"]


def test_terminal_and_log_output_hold_no_raw_sequence(
    outputs: tuple[CliRun, dict[str, bytes]],
) -> None:
    run, _ = outputs
    for stream in (run.stdout, run.stderr):
        for sequence in RAW_SEQUENCES:
            assert sequence not in stream, (sequence, stream)
    # No line of either stream starts with a workflow command, once trimmed as GitHub does.
    lines = (run.stdout + run.stderr).splitlines()
    assert not [line for line in lines if line.strip().startswith("::")]
    assert "esc\\x1b[31m.py" in run.stderr  # the gate lists it, escaped


def test_the_gate_lines_are_escaped_even_when_quiet(
    hostile_tree: Path, cache_env: dict[str, str]
) -> None:
    run = run_roadmap("scan", str(hostile_tree), "-q", "--fail-on", "low", env=cache_env)
    assert run.returncode == 1
    assert "\x1b" not in run.stderr and ":\\x3awarning:\\x3aname.py" in run.stderr


def test_markdown_escapes_control_characters(outputs: tuple[CliRun, dict[str, bytes]]) -> None:
    _, reports = outputs
    text = reports["markdown"].decode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text


def test_json_keeps_the_text_and_encodes_it_as_json(
    outputs: tuple[CliRun, dict[str, bytes]],
) -> None:
    _, reports = outputs
    assert b"\x1b" not in reports["json"]  # JSON escapes it as \u001b
    report = json.loads(reports["json"])
    assert "esc\x1b[31m.py" in {f["path"] for f in report["findings"]}


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("::error::x", ":\\x3aerror:\\x3ax"),
        ("log ##[error]x", "log #\\x23[error]x"),
        ("\u202eabc\u2066", "\\u202eabc\\u2066"),
        ("\x9b31m", "\\x9b31m"),
        ("a" + b"\xff".decode("utf-8", "surrogateescape"), "a\\xff"),
        ("plain ünïcödé ✓", "plain ünïcödé ✓"),
        ("b\\xff", "b\\\\xff"),  # a literal backslash is doubled: never taken for a byte
        ("##vso[task.complete]", "#\\x23vso[task.complete]"),
        ("\ud800", "\\ud800"),
    ],
)
def test_the_terminal_escaper(text: str, shown: str) -> None:
    assert escape_for_terminal(text) == shown
    assert not re.search("[\x00-\x1f\x7f-\x9f]", escape_for_terminal(text))


def test_shards_of_a_tree_with_a_name_that_is_not_utf8_merge_into_the_unsharded_report(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    """The reports carry such a name as visible text (``a\\xff.py``); the merge takes the
    name itself back from the checkout, so the joins and SARIF's line hashes read the file
    and the merged report equals the unsharded scan's."""
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    source = b"import pickle\n\n\ndef unused(data):\n    return pickle.loads(data)\n"
    (root / "pkg" / b"a\xff.py".decode("utf-8", "surrogateescape")).write_bytes(source)
    (root / "pkg" / "b.py").write_text("def other():\n    return eval('1')\n")
    outputs = {fmt: tmp_path / f"whole.{fmt}" for fmt in ("json", "sarif")}
    whole = run_roadmap(
        "scan", str(root), "-q", "-o", f"json:{outputs['json']}", "-o", f"sarif:{outputs['sarif']}",
        env=cache_env,
    )  # fmt: skip
    assert whole.returncode == 0, whole.stderr
    shards = []
    for k in (1, 2):
        shards.append(tmp_path / f"shard-{k}.json")
        run = run_roadmap(
            "scan", str(root), "--shard", f"{k}/2", "-q", "-o", f"json:{shards[-1]}", env=cache_env
        )
        assert run.returncode == 0, run.stderr
    merged = {fmt: tmp_path / f"merged.{fmt}" for fmt in ("json", "sarif")}
    run = run_roadmap(
        "merge", *map(str, shards), "--root", str(root), "-q",
        "-o", f"json:{merged['json']}", "-o", f"sarif:{merged['sarif']}", env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    expected, got = (
        json.loads(outputs["json"].read_text()),
        json.loads(merged["json"].read_text()),
    )
    assert any(f["path"] == "pkg/a\\xff.py" for f in got["findings"])
    for key in ("findings", "suppressed", "errors", "metrics"):
        assert got[key] == expected[key], key
    results = [
        json.loads(p.read_text())["runs"][0]["results"] for p in (outputs["sarif"], merged["sarif"])
    ]
    assert results[0] == results[1]
