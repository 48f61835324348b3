"""The analysis and screening stages served whole on an unchanged tree: the same result as
computing it, and never a stale one when a file, the configuration, an analyzer or the
stages' own code changed; incomplete runs are not stored."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

import analyzer.scan
from analyzer.analyze import Progress
from analyzer.config import ScanConfig
from analyzer.model import ScanResult
from analyzer.screened_cache import STAGE_MODULES
from tests.fault_analyzers import CrashingAnalyzer, RecordingAnalyzer, analyzed_paths, loaded


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path, ScanConfig]:
    root = tmp_path / "repo"
    root.mkdir()
    for index in range(4):
        (root / f"mod{index}.py").write_text(f"# module {index}\nVALUE = {index}\n")
    logs = tmp_path / "logs"
    logs.mkdir()
    return root, logs, ScanConfig(jobs=1, cache_dir=tmp_path / "cache")


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the scans that computed their findings instead of being served them."""
    calls: list[int] = []
    compute = analyzer.scan._analyze

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return compute(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analyzer.scan, "_analyze", counting)
    return calls


def _scan(root: Path, config: ScanConfig, *analyzers: object, **kwargs: object) -> ScanResult:
    return analyzer.scan.run_scan(root, config, loaded=loaded(*analyzers), **kwargs)  # type: ignore[arg-type]


def test_an_unchanged_tree_is_served_the_result_it_computed(
    tree: tuple[Path, Path, ScanConfig], computed: list[int]
) -> None:
    root, logs, config = tree
    recording = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    cold = _scan(root, config, recording)
    warm = _scan(root, config, recording)
    assert len(computed) == 1
    assert warm.findings == cold.findings and warm.measures == cold.measures
    assert warm.suppressed == cold.suppressed and warm.errors == cold.errors
    assert [replace(r, duration_s=0.0) for r in cold.analyzers] == list(warm.analyzers)
    assert len(analyzed_paths(logs, "per-file")) == 4


def test_a_served_scan_reports_every_analyzer_done(tree: tuple[Path, Path, ScanConfig]) -> None:
    root, logs, config = tree
    recording = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    _scan(root, config, recording)
    seen: list[Progress] = []
    _scan(root, config, recording, on_progress=seen.append)
    assert seen == [Progress(analyzer="per-file", done=1, total=1)]


def test_an_edited_file_is_never_served_stale(
    tree: tuple[Path, Path, ScanConfig], computed: list[int]
) -> None:
    root, logs, config = tree
    recording = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    _scan(root, config, recording)
    (root / "mod2.py").write_text("# edited\n")
    result = _scan(root, config, recording)
    assert len(computed) == 2
    assert {f.message for f in result.findings if f.path == "mod2.py"} == {"# edited"}


@pytest.mark.parametrize(
    "change",
    [
        {"disabled_rules": ("recorder.*",)},
        {"severity_overrides": (("recorder.first-line", "high"),)},
        {"min_severity": "high"},
        {"path_ignores": (("mod1.py", ("recorder.*",)),)},
        {"only_paths": frozenset({"mod0.py"})},
    ],
)
def test_a_screening_change_is_computed_again(
    tree: tuple[Path, Path, ScanConfig], computed: list[int], change: dict[str, object]
) -> None:
    root, logs, config = tree
    recording = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    _scan(root, config, recording)
    changed = replace(config, **change)  # type: ignore[arg-type]
    uncached = _scan(root, replace(changed, use_cache=False), recording)
    result = _scan(root, changed, recording)
    assert len(computed) == 3
    assert (result.findings, result.suppressed) == (uncached.findings, uncached.suppressed)


def test_another_analyzer_version_is_computed_again(
    tree: tuple[Path, Path, ScanConfig], computed: list[int]
) -> None:
    root, logs, config = tree
    _scan(root, config, RecordingAnalyzer(name="per-file", log_dir=str(logs), version="1"))
    _scan(root, config, RecordingAnalyzer(name="per-file", log_dir=str(logs), version="2"))
    assert len(computed) == 2


def test_a_run_with_a_failed_analyzer_is_not_stored(
    tree: tuple[Path, Path, ScanConfig], computed: list[int]
) -> None:
    root, logs, config = tree
    analyzers = (RecordingAnalyzer(name="per-file", log_dir=str(logs)), CrashingAnalyzer())
    first = _scan(root, config, *analyzers)
    assert {r.name: r.status for r in first.analyzers}["crash"] == "failed"
    _scan(root, config, *analyzers)
    assert len(computed) == 2


def test_a_damaged_entry_is_computed_again(
    tree: tuple[Path, Path, ScanConfig], computed: list[int]
) -> None:
    root, logs, config = tree
    recording = RecordingAnalyzer(name="per-file", log_dir=str(logs))
    cold = _scan(root, config, recording)
    for entry in (config.cache_dir or Path()).rglob("*"):
        if entry.is_file() and b'"runs"' in entry.read_bytes()[:400]:
            entry.write_bytes(entry.read_bytes()[:-3])
    warm = _scan(root, config, recording)
    assert len(computed) == 2
    assert warm.findings == cold.findings


def _cobertura(hits: dict[int, int]) -> str:
    lines = "".join(f'<line number="{n}" hits="{h}"/>' for n, h in sorted(hits.items()))
    return (
        '<?xml version="1.0" ?>\n<coverage line-rate="0.5"><sources><source>/ci</source>'
        "</sources><packages><package name='p'><classes><class name='m' filename='calc.py'>"
        f"<methods/><lines>{lines}</lines></class></classes></package></packages></coverage>\n"
    )


@pytest.mark.parametrize(
    ("analyzer_name", "before", "after"),
    [
        # The testing join reads a coverage file at the root that discovery left out (as
        # git ignores it): its low coverage must be reported once it drops.
        ("testing", _cobertura({1: 1, 2: 1, 5: 1}), _cobertura({1: 1, 2: 0, 5: 0})),
        # The documentation join reads the project's name from setup.cfg, which is none of
        # its files, to know the README links to the project's own documentation site.
        ("documentation", "[metadata]\nname = other\n", "[metadata]\nname = myproj\n"),
    ],
)
def test_a_file_a_join_reads_besides_its_own_is_in_the_key(
    tmp_path: Path, analyzer_name: str, before: str, after: str
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\nX = add(1, 2)\n")
    (root / "README.md").write_text("# Myproj\n\n[Site](https://myproj.readthedocs.io/).\n")
    read = "coverage.xml" if analyzer_name == "testing" else "setup.cfg"
    (root / read).write_text(before)
    config = ScanConfig(
        jobs=1,
        cache_dir=tmp_path / "cache",
        selected_analyzers=frozenset({analyzer_name}),
        exclude=(read,),
    )
    cold = analyzer.scan.run_scan(root, config)
    (root / read).write_text(after)
    warm = analyzer.scan.run_scan(root, config)
    fresh = analyzer.scan.run_scan(root, replace(config, use_cache=False))
    assert (cold.findings, cold.measures) != (fresh.findings, fresh.measures)
    assert (warm.findings, warm.measures) == (fresh.findings, fresh.measures)


def test_a_stub_mypy_is_not_given_steers_nothing(tmp_path: Path) -> None:
    """An excluded (or git-ignored, or oversized) stub is none of the typing run's files,
    so none of its key: mypy must not read it either (``--follow-imports=skip`` does not
    skip stubs), or editing it would be served the findings it no longer gives."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text("from gen import VALUE\n\n\ndef f() -> int:\n    return VALUE\n")
    (root / "gen.pyi").write_text("VALUE: int\n")
    config = ScanConfig(
        jobs=1,
        cache_dir=tmp_path / "cache",
        selected_analyzers=frozenset({"typing"}),
        exclude=("gen.pyi",),
    )
    analyzer.scan.run_scan(root, config)
    (root / "gen.pyi").write_text("VALUE: str\n")
    warm = analyzer.scan.run_scan(root, config)
    fresh = analyzer.scan.run_scan(root, replace(config, use_cache=False))
    assert warm.findings == fresh.findings == ()


def test_the_key_covers_every_module_the_stages_import() -> None:
    """A change to code between the analyzers' outputs and the screened findings must change
    the key: each stage module's own imports from the package are stage modules too."""
    package = Path(analyzer.scan.__file__).parent
    stages = set(STAGE_MODULES)
    for name in STAGE_MODULES:
        relative = name.removeprefix("analyzer.").replace(".", "/")
        path = package / f"{relative}.py"
        if not path.exists():
            path = package / relative / "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analyzer."):
                imported = node.module or ""
                covered = any(imported == s or imported.startswith(f"{s}.") for s in stages)
                needed = _shapes_the_result(imported)
                assert covered or not needed, f"{name} imports {imported}, not in the key"


def _shapes_the_result(module: str) -> bool:
    """Modules the stages import only for running, not for what they produce."""
    return module not in {
        "analyzer.cachedir",
        "analyzer.config",
        "analyzer.deadline",
        "analyzer.identity",
        "analyzer.plugins",
        "analyzer.pool",
        "analyzer.resources",
        "analyzer.sharding",
        "analyzer.snapshot",
    }
