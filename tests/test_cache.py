"""The result cache: a warm scan reports exactly what a cold one does, unchanged files are
not analyzed again, and a change of content, tool version or rules invalidates entries.
A corrupt entry is a miss, never trusted."""

from __future__ import annotations

import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.cache import ResultCache, file_key
from analyzer.config import ScanConfig
from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding, ScanResult
from analyzer.rules import RuleBook, load_rulebook
from analyzer.scan import run_scan
from tests.fault_analyzers import RecordingAnalyzer, analyzed_paths, loaded

_SAMPLE = textwrap.dedent(
    """\
    import subprocess


    def run(command: str) -> None:
        subprocess.call(command, shell=True)


    def branches(value):
        if value == 1:
            return "a"
        elif value == 2:
            return "b"
        elif value == 3:
            return "c"
        elif value == 4:
            return "d"
        elif value == 5:
            return "e"
        elif value == 6:
            return "f"
        elif value == 7:
            return "g"
        elif value == 8:
            return "h"
        elif value == 9:
            return "i"
        elif value == 10:
            return "j"
        return "z"


    def unused_helper() -> int:
        return 1 + "x"
    """
)


def _tree(root: Path, count: int = 6) -> Path:
    root.mkdir()
    for index in range(count):
        (root / f"mod{index}.py").write_text(f"# module {index}\n{_SAMPLE}", encoding="utf-8")
    (root / "broken.py").write_text("def broken(:\n", encoding="utf-8")
    return root


def _comparable(result: ScanResult) -> tuple[object, ...]:
    runs = tuple((r.name, r.status, r.tool_version, r.files, r.error) for r in result.analyzers)
    return runs, result.findings, result.measures, result.errors, result.suppressed


def test_a_warm_scan_reports_exactly_what_a_cold_scan_does_without_analyzing(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "repo")
    config = ScanConfig(jobs=2, cache_dir=tmp_path / "cache")
    cold = run_scan(root, config)
    warm = run_scan(root, config)
    uncached = run_scan(root, replace(config, use_cache=False))
    assert {f.tool for f in cold.findings} >= {"bandit", "mypy", "vulture", "radon"}
    assert cold.errors, "the broken file is reported"
    assert _comparable(warm) == _comparable(cold) == _comparable(uncached)
    # Nothing ran on the warm scan: every analyzer's output came from the cache.
    assert all(run.duration_s == 0.0 for run in warm.analyzers)


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path, ScanConfig]:
    logs = tmp_path / "logs"
    logs.mkdir()
    return _tree(tmp_path / "repo"), logs, ScanConfig(jobs=2, cache_dir=tmp_path / "cache")


def _scan(
    root: Path, config: ScanConfig, *analyzers: RecordingAnalyzer, rules: RuleBook | None = None
) -> ScanResult:
    return run_scan(root, config, loaded=loaded(*analyzers), rules=rules)


def test_unchanged_files_are_not_analyzed_again(recorded: tuple[Path, Path, ScanConfig]) -> None:
    root, logs, config = recorded
    per_file = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    project = RecordingAnalyzer(name="project", log_dir=str(logs), scope="project")
    first = _scan(root, config, per_file, project)
    second = _scan(root, config, per_file, project)
    assert first.findings == second.findings
    assert len(analyzed_paths(logs, "per-file")) == 7
    assert len(analyzed_paths(logs, "project")) == 7


def test_a_content_change_invalidates_that_file_and_the_project_result(
    recorded: tuple[Path, Path, ScanConfig],
) -> None:
    root, logs, config = recorded
    per_file = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    project = RecordingAnalyzer(name="project", log_dir=str(logs), scope="project")
    _scan(root, config, per_file, project)
    (root / "mod3.py").write_text("# changed\n", encoding="utf-8")
    result = _scan(root, config, per_file, project)
    assert analyzed_paths(logs, "per-file").count("mod3.py") == 2
    assert len(analyzed_paths(logs, "per-file")) == 8
    assert len(analyzed_paths(logs, "project")) == 14
    assert {f.message for f in result.findings if f.path == "mod3.py"} == {"# changed"}


def test_a_tool_version_change_invalidates_everything(
    recorded: tuple[Path, Path, ScanConfig],
) -> None:
    root, logs, config = recorded
    _scan(root, config, RecordingAnalyzer(name="per-file", log_dir=str(logs), version="1.0"))
    _scan(root, config, RecordingAnalyzer(name="per-file", log_dir=str(logs), version="2.0"))
    assert len(analyzed_paths(logs, "per-file")) == 14


def test_another_python_invalidates_everything(
    recorded: tuple[Path, Path, ScanConfig], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One user cache serves every virtualenv; what parses depends on the Python."""
    root, logs, config = recorded
    analyzer = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    _scan(root, config, analyzer)
    monkeypatch.setattr(sys, "version", "3.99.0 (elsewhere)")
    _scan(root, config, analyzer)
    assert len(analyzed_paths(logs, "per-file")) == 14


def test_a_rules_change_invalidates_everything(recorded: tuple[Path, Path, ScanConfig]) -> None:
    root, logs, config = recorded
    analyzer = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    _scan(root, config, analyzer, rules=load_rulebook())
    _scan(root, config, analyzer, rules=RuleBook(tools={}))
    assert len(analyzed_paths(logs, "per-file")) == 14


def test_no_cache_reads_and_writes_nothing(recorded: tuple[Path, Path, ScanConfig]) -> None:
    root, logs, config = recorded
    analyzer = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    _scan(root, config, analyzer)
    _scan(root, replace(config, use_cache=False), analyzer)
    assert len(analyzed_paths(logs, "per-file")) == 14
    entries = list((config.cache_dir or Path()).rglob("*"))
    _scan(root, replace(config, cache_dir=config.cache_dir, use_cache=False), analyzer)
    assert list((config.cache_dir or Path()).rglob("*")) == entries


def test_corrupt_entries_are_ignored_and_rewritten(recorded: tuple[Path, Path, ScanConfig]) -> None:
    root, logs, config = recorded
    analyzer = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    cold = _scan(root, config, analyzer)
    entries = [p for p in (config.cache_dir or Path()).rglob("*") if p.is_file()]
    assert entries
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        # Truncated, bit-flipped, or emptied: every one must fail its check.
        damaged = (data[: len(data) // 2], data[:-2] + b"}}", b"")[number % 3]
        entry.write_bytes(damaged)
    warm = _scan(root, config, analyzer)
    assert warm.findings == cold.findings
    assert len(analyzed_paths(logs, "per-file")) == 14
    again = _scan(root, config, analyzer)
    assert again.findings == cold.findings
    assert len(analyzed_paths(logs, "per-file")) == 14


_OUTPUT = AnalysisOutput(
    findings=(
        RawFinding(
            tool="bandit",
            tool_code="B602",
            message="shell=True",
            path="a.py",
            line=3,
            column=5,
            end_line=3,
            end_column=9,
            severity="high",
            confidence="medium",
            cwe=78,
            details=(
                ("test_name", "subprocess_popen"),
                ("units", 2),
                ("ratio", 0.5),
                ("flag", True),
                ("none", None),
            ),
        ),
    ),
    measures=(
        Measure(name="raw.loc", value=10, path="a.py"),
        Measure(name="complexity.mi", value=71.25, path="a.py"),
    ),
    errors=(
        FileError(path="a.py", analyzer="security", reason="syntax error (line 1): invalid syntax"),
    ),
)


def test_an_entry_round_trips_exactly(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    key = file_key("fingerprint", "a.py", "0" * 64)
    cache.store_output(key, _OUTPUT)
    assert cache.load_output(key) == _OUTPUT


def test_an_entry_copied_under_another_key_is_not_trusted(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    key, other = (
        file_key("fingerprint", "a.py", "0" * 64),
        file_key("fingerprint", "b.py", "0" * 64),
    )
    cache.store_output(key, _OUTPUT)
    target = tmp_path / other[:2] / other
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((tmp_path / key[:2] / key).read_bytes())
    assert cache.load_output(other) is None


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    cache = ResultCache(blocker)
    cache.store_output("ab" * 32, _OUTPUT)
    assert cache.load_output("ab" * 32) is None


_URLS = """\
from django.urls import path

from shop import views

urlpatterns = [
    path("items/", views.item_list),
    path("items/new", views.ItemCreate.as_view()),
]
"""
# Imports no framework, so only the join's second round parses it (and remembers it).
_VIEWS = """\
from shop.base import Base


def item_list(request):
    return None


class ItemCreate(Base):
    def post(self, request):
        return None
"""


def test_after_one_edit_the_api_join_reports_what_an_uncached_scan_does(tmp_path: Path) -> None:
    """The join's second round is remembered per file, and an edited file is parsed again."""
    package = tmp_path / "repo" / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "urls.py").write_text(_URLS, encoding="utf-8")
    (package / "views.py").write_text(_VIEWS, encoding="utf-8")
    (package / "base.py").write_text("class Base:\n    pass\n", encoding="utf-8")
    config = ScanConfig(jobs=2, cache_dir=tmp_path / "cache")
    cold = run_scan(tmp_path / "repo", config)
    assert {e.handler for e in cold.endpoints} == {
        "shop.views.item_list",
        "shop.views.ItemCreate.post",
    }
    assert list((tmp_path / "cache" / "api-second-round").rglob("*")), (
        "the second round was remembered"
    )
    (package / "base.py").write_text("class Base:\n    pass\n# edited\n", encoding="utf-8")
    assert run_scan(tmp_path / "repo", config).endpoints == cold.endpoints
    (package / "views.py").write_text(_VIEWS.replace("def post", "def put"), encoding="utf-8")
    warm = run_scan(tmp_path / "repo", config)
    uncached = run_scan(tmp_path / "repo", replace(config, use_cache=False))
    assert "shop.views.ItemCreate.put" in {e.handler for e in warm.endpoints}
    assert (warm.findings, warm.endpoints) == (uncached.findings, uncached.endpoints)


def test_the_typing_parse_is_remembered_per_file_and_redone_after_an_edit(tmp_path: Path) -> None:
    from analyzer.analyzers.typecheck import TypingAnalyzer
    from analyzer.model import AnalysisOutput, SourceFile
    from analyzer.plugins import AnalysisRequest

    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("def f(x: int) -> int:\n    return x\n")
    (root / "b.py").write_text("def g(y):\n    return y\n")

    def measures() -> dict[tuple[str, str | None], float]:
        files = tuple(
            SourceFile(path=p.name, size=p.stat().st_size) for p in sorted(root.glob("*.py"))
        )
        request = AnalysisRequest(root=str(root), files=files, cache_dir=str(tmp_path / "cache"))
        output = TypingAnalyzer().analyze(request)
        assert isinstance(output, AnalysisOutput)
        return {(m.name, m.path): m.value for m in output.measures}

    first = measures()
    assert list((tmp_path / "cache" / "typing-parse").rglob("*"))
    assert measures() == first
    (root / "b.py").write_text("def g(y: int) -> int:\n    return y\n")
    assert measures()[("typing.annotated_functions", "b.py")] == 1
