"""Property tests over generated source files and trees (hypothesis).

- a scan never raises, whatever bytes the files hold, and its JSON validates;
- results do not depend on the order files are handed to the analyzers;
- fingerprints are stable under edits elsewhere in the file.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.analyzers.complexity import ComplexityAnalyzer
from analyzer.analyzers.deadcode import DeadCodeAnalyzer
from analyzer.analyzers.security import SecurityAnalyzer
from analyzer.config import ScanConfig
from analyzer.model import AnalysisOutput, Finding, RawFinding, SourceFile
from analyzer.normalize import index_sources, normalize
from analyzer.plugins import AnalysisRequest, Analyzer, discover_analyzers
from analyzer.render.json_report import render_json
from analyzer.report import Report
from analyzer.resources import schema_path
from analyzer.rules import load_rulebook
from analyzer.scan import run_scan

RULES = load_rulebook()
SCHEMA = json.loads(schema_path().read_text())
IN_PROCESS: tuple[Analyzer, ...] = (SecurityAnalyzer(), ComplexityAnalyzer(), DeadCodeAnalyzer())

# Statements that tools flag, and harmless ones; generated modules mix them.
FLAGGED = (
    "assert value",
    "eval(value)",
    "subprocess.call(value, shell=True)",
    "import os",
    "password = 'hunter2'",
    "hashlib.md5(value)",
)
HARMLESS = ("value = 1", "print(value)", "items = [value for value in range(3)]", "pass", "# note")


def _module(statements: list[str], functions: int) -> str:
    head = "import subprocess\nimport hashlib\nvalue = 'x'\n"
    body = "\n".join(statements)
    defs = "".join(
        f"\n\ndef handler_{i}(value):\n" + "".join(f"    {s}\n" for s in statements or ["pass"])
        for i in range(functions)
    )
    return f"{head}{body}\n{defs}"


modules = st.builds(
    _module,
    st.lists(st.sampled_from(FLAGGED + HARMLESS), max_size=8),
    st.integers(min_value=0, max_value=3),
)
junk = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    modules.map(lambda m: m.encode()[: len(m) // 2]),  # a module cut off mid-statement
)
trees = st.dictionaries(
    st.from_regex(r"[a-z]{1,6}(/[a-z]{1,6})?\.py", fullmatch=True),
    st.one_of(modules.map(str.encode), junk),
    min_size=1,
    max_size=5,
)


def _write(root: Path, files: dict[str, bytes]) -> tuple[SourceFile, ...]:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tuple(SourceFile(path=rel, size=len(files[rel])) for rel in sorted(files))


def _analyze(
    root: Path, files: tuple[SourceFile, ...]
) -> tuple[tuple[Finding, ...], tuple[object, ...]]:
    raw: list[RawFinding] = []
    errors: list[object] = []
    for analyzer in IN_PROCESS:
        output = analyzer.analyze(AnalysisRequest(root=str(root), files=files))
        assert isinstance(output, AnalysisOutput), output
        raw.extend(output.findings)
        errors.extend(output.errors)
    sources = index_sources(str(root), {f.path for f in raw})
    normalized = normalize(raw, RULES, sources)
    return normalized.findings, tuple(sorted(errors, key=repr))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=trees, seed=st.integers(min_value=0, max_value=2**16))
def test_adapters_never_raise_and_file_order_does_not_matter(
    files: dict[str, bytes], seed: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ordered = _write(root, files)
        shuffled = list(ordered)
        random.Random(seed).shuffle(shuffled)
        assert _analyze(root, ordered) == _analyze(root, tuple(shuffled))


@settings(max_examples=40, deadline=None)
@given(
    statements=st.lists(st.sampled_from(FLAGGED), min_size=1, max_size=6),
    padding=st.lists(
        st.sampled_from(("", "# a comment", "CONSTANT = 3", "def other():\n    return 2")),
        max_size=6,
    ),
)
def test_fingerprints_survive_unrelated_edits_above(
    statements: list[str], padding: list[str]
) -> None:
    source = _module(statements, functions=2)
    edited = "\n".join(padding) + "\n" + source
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        before, _ = _analyze(root, _write(root, {"m.py": source.encode()}))
        after, _ = _analyze(root, _write(root, {"m.py": edited.encode()}))
    # The padding may add findings of its own; every earlier finding must keep its print.
    assert {f.fingerprint for f in before} <= {f.fingerprint for f in after}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=trees)
def test_a_full_scan_never_raises_and_its_json_validates(files: dict[str, bytes]) -> None:
    # Every installed analyzer except mypy (slow per example; covered by tests/test_hostile.py).
    loaded = tuple(item for item in discover_analyzers() if item.name != "typing")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        _write(root, files)
        config = ScanConfig(jobs=2, use_cache=False, cache_dir=Path(tmp) / "cache")
        result = run_scan(root, config, loaded=loaded)
        report = json.loads(render_json(Report(result=result, root_label="repo")))
    jsonschema.validate(report, SCHEMA)
    # No analyzer fails; a file that cannot be parsed is a per-file error, and then (only
    # then) the scan says it is incomplete, as --strict would.
    assert all(run["status"] != "failed" for run in report["analyzers"])
    assert report["scan_complete"] is (not report["errors"])
