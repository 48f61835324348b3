"""Each built-in adapter against small sources, called through the plugin protocol."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from analyzer.analyzers import typecheck
from analyzer.analyzers.complexity import ComplexityAnalyzer
from analyzer.analyzers.deadcode import DeadCodeAnalyzer
from analyzer.analyzers.security import SecurityAnalyzer
from analyzer.analyzers.typecheck import TypingAnalyzer, count_annotated_functions, module_name
from analyzer.analyzers.typecheck.target_python import minimum_python
from analyzer.model import AnalysisOutput, SourceFile
from analyzer.plugins import AnalysisRequest, Analyzer, analyze_whole
from tests.conftest import write_tree


def _run(
    analyzer: Analyzer, root: Path, tmp_cache: Path | None = None, *, extra: tuple[str, ...] = ()
) -> AnalysisOutput:
    paths = [*sorted(root.rglob("*.py")), *(root / name for name in extra)]
    files = tuple(
        SourceFile(path=p.relative_to(root).as_posix(), size=p.stat().st_size) for p in paths
    )
    request = AnalysisRequest(
        root=str(root), files=files, cache_dir=str(tmp_cache or root.parent / "cache")
    )
    outcome = analyze_whole(analyzer, request)
    assert isinstance(outcome, AnalysisOutput), outcome
    return outcome


def _codes(output: AnalysisOutput) -> set[tuple[str, int, str]]:
    return {(f.path, f.line, f.tool_code) for f in output.findings}


# --- security (bandit) ---------------------------------------------------------------


def test_bandit_severity_confidence_and_cwe_are_bandits_own(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "app.py": """\
                import subprocess

                def run(host):
                    return subprocess.call("ping " + host, shell=True)
                """
        },
    )
    output = _run(SecurityAnalyzer(), root)
    shell = next(f for f in output.findings if f.tool_code == "B602")
    assert (shell.severity, shell.confidence, shell.cwe) == ("high", "high", 78)
    assert (shell.path, shell.line, shell.column) == ("app.py", 4, 12)


def test_bandit_honours_nosec(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"app.py": "import subprocess\nsubprocess.call('ls', shell=True)  # nosec\n"},
    )
    output = _run(SecurityAnalyzer(), root)
    assert not [f for f in output.findings if f.tool_code == "B602"]
    assert [m.value for m in output.measures if m.name == "security.nosec"] >= [1.0]


def test_bandit_reports_unparseable_file_and_goes_on(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"bad.py": "def broken(:\n", "good.py": "assert True\n"})
    output = _run(SecurityAnalyzer(), root)
    assert [(e.path, e.analyzer) for e in output.errors] == [("bad.py", "security")]
    assert _codes(output) == {("good.py", 1, "B101")}


def test_bandit_ignores_the_targets_bandit_config(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {".bandit": "[bandit]\nskips = B101\n", "app.py": "assert True\n"},
    )
    assert _codes(_run(SecurityAnalyzer(), root)) == {("app.py", 1, "B101")}


# --- typing (mypy) -------------------------------------------------------------------


def test_mypy_reports_errors_with_one_based_columns(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/m.py": 'x: int = "a"\n'})
    output = _run(TypingAnalyzer(), root)
    [finding] = output.findings
    assert (finding.path, finding.line, finding.column, finding.tool_code) == (
        "pkg/m.py",
        1,
        10,
        "assignment",
    )
    assert finding.end_column == 13


def test_mypy_unparseable_file_does_not_blank_out_the_rest(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "bad.py": "def broken(:\n",
            "good.py": 'x: int = "a"\n',
            "uses_bad.py": "import bad\ny: str = 1\n",
        },
    )
    output = _run(TypingAnalyzer(), root)
    assert _codes(output) == {("good.py", 1, "assignment"), ("uses_bad.py", 2, "assignment")}
    assert [e.path for e in output.errors] == ["bad.py"]


def test_mypy_ignores_the_targets_config_and_plugins(tmp_path: Path) -> None:
    marker = tmp_path / "plugin-ran"
    root = write_tree(
        tmp_path / "repo",
        {
            "mypy.ini": "[mypy]\nplugins = evil_plugin\ndisallow_untyped_defs = True\n",
            "evil_plugin.py": f"open({str(marker)!r}, 'w').write('x')\n"
            "def plugin(v): return None\n",
            "app.py": "def f(a):\n    return a\n",
        },
    )
    output = _run(TypingAnalyzer(), root)
    assert not marker.exists()
    assert output.findings == ()  # disallow_untyped_defs from the target's config is not applied


def test_two_typing_runs_on_one_tree_take_turns(tmp_path: Path) -> None:
    """A second scan of the same tree must not rebuild the view of files under a running
    mypy: while one run holds the tree's lock, another waits before touching the view."""
    fcntl = pytest.importorskip("fcntl")
    root = write_tree(tmp_path / "repo", {"app.py": 'x: int = "a"\n'})
    cache = tmp_path / "cache"
    folder = Path(typecheck._cache_dir(_request(root, cache)))
    sentinel = folder / "view" / "still-here"
    sentinel.parent.mkdir(parents=True)
    sentinel.write_text("")
    outputs: list[AnalysisOutput] = []
    with (folder / "lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = threading.Thread(
            target=lambda: outputs.append(_run(TypingAnalyzer(), root, cache))
        )
        second.start()
        second.join(timeout=2)
        assert second.is_alive() and sentinel.exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    second.join(timeout=120)
    assert not sentinel.exists()
    assert _codes(outputs[0]) == {("app.py", 1, "assignment")}


def _request(root: Path, cache: Path) -> AnalysisRequest:
    return AnalysisRequest(root=str(root), files=(), cache_dir=str(cache))


def test_mypy_duplicate_module_names_are_checked_separately(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"a/conftest.py": 'x: int = "a"\n', "b/conftest.py": 'y: int = "b"\n'},
    )
    output = _run(TypingAnalyzer(), root)
    assert _codes(output) == {
        ("a/conftest.py", 1, "assignment"),
        ("b/conftest.py", 1, "assignment"),
    }


def test_annotation_counting() -> None:
    import ast

    tree = ast.parse(
        "def a(x: int) -> int: ...\n"
        "def b(x): ...\n"
        "class C:\n    def m(self, y: str) -> None: ...\n    def __init__(self, z: int): ...\n"
    )
    assert count_annotated_functions(tree) == (4, 3)


def test_module_names_follow_explicit_package_bases() -> None:
    assert module_name("pkg/sub/__init__.py") == "pkg.sub"
    assert module_name("pkg/mod.py") == "pkg.mod"


# --- dead code (vulture) -------------------------------------------------------------


def test_vulture_keeps_every_item_with_its_confidence(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "app.py": """\
                import os

                def unused():
                    return 1
                    print("never")
                """
        },
    )
    output = _run(DeadCodeAnalyzer(), root)
    assert _codes(output) == {
        ("app.py", 1, "unused-import"),
        ("app.py", 3, "unused-function"),
        ("app.py", 5, "unreachable-code"),
    }
    by_code = {f.tool_code: f for f in output.findings}
    assert dict(by_code["unused-import"].details)["vulture_confidence"] == 90
    assert by_code["unused-function"].confidence == "low"  # vulture's 60%


def test_vulture_reports_syntax_errors_per_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"bad.py": "def broken(:\n", "good.py": "import os\n"})
    output = _run(DeadCodeAnalyzer(), root)
    assert [e.path for e in output.errors] == ["bad.py"]
    assert output.errors[0].reason.startswith("syntax error (line 1)")
    assert _codes(output) == {("good.py", 1, "unused-import")}


# --- complexity (radon) --------------------------------------------------------------


def _branchy(name: str, branches: int) -> str:
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(branches))
    return f"def {name}(x):\n{body}    return -1\n"


def test_radon_flags_rank_c_and_worse_only(tmp_path: Path) -> None:
    source = (
        _branchy("simple", 3)
        + _branchy("moderate", 12)
        + "class K:\n"
        + "".join("    " + line + "\n" for line in _branchy("method", 22).splitlines())
    )
    root = write_tree(tmp_path / "repo", {"m.py": source})
    output = _run(ComplexityAnalyzer(), root)
    codes = {(f.tool_code, f.message.split()[0]) for f in output.findings}
    assert codes == {("CC-C", "moderate"), ("CC-D", "K.method")}
    units = {f.tool_code: dict(f.details)["units"] for f in output.findings}
    assert units == {"CC-C": 3, "CC-D": 13}


def test_radon_measures_raw_metrics_and_maintainability(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"m.py": "# a comment\nx = 1\n\ny = 2\n"})
    measures = {m.name: m.value for m in _run(ComplexityAnalyzer(), root).measures}
    assert measures["raw.loc"] == 4
    assert measures["raw.sloc"] == 2
    assert measures["raw.comments"] == 1
    assert 0 < measures["complexity.mi"] <= 100


def test_radon_reports_unparseable_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"bad.py": b"x = 1\x00\n", "good.py": "x = 1\n"})
    output = _run(ComplexityAnalyzer(), root)
    assert [(e.path, e.reason) for e in output.errors] == [
        ("bad.py", "binary file: contains NUL bytes")
    ]


def test_mypy_non_blocking_syntax_errors_are_findings_not_lost_files(tmp_path: Path) -> None:
    # A tuple where a type belongs is a "syntax" error to mypy, but Python parses the file;
    # mypy exits 1 and reports the rest, so the file must stay in the check.
    root = write_tree(
        tmp_path / "repo",
        {
            "m.py": "def pair(a):\n    # type: (int) -> (int, int)\n    return a, a\n\n"
            "x: int = 'a'\n"
        },
    )
    output = _run(TypingAnalyzer(), root)
    assert output.errors == ()
    assert {f.tool_code for f in output.findings} == {"syntax", "assignment"}


def test_radon_line_counts_skip_giant_statements_but_keep_complexity(tmp_path: Path) -> None:
    table = "TABLE = {\n" + "".join(f"    'k{i}': {i},\n" for i in range(700)) + "}\n"
    root = write_tree(tmp_path / "repo", {"data.py": table + _branchy("lookup", 12)})
    output = _run(ComplexityAnalyzer(), root)
    assert {f.tool_code for f in output.findings} == {"CC-C"}
    [error] = output.errors
    assert "702-line statement at line 1" in error.reason
    assert {m.name for m in output.measures} == {"complexity.functions"}


@pytest.mark.parametrize(
    ("specifier", "minimum"),
    [
        (">=3.12", (3, 12)),
        (">3.11,<4", (3, 12)),
        ("~=3.13", (3, 13)),
        ("==3.12.*", (3, 12)),
        (">=3.8, !=3.9.*", (3, 8)),
        (">=2.7", None),
        ("", None),
    ],
)
def test_the_minimum_python_a_project_requires(
    specifier: str, minimum: tuple[int, int] | None
) -> None:
    assert minimum_python(specifier) == minimum


NEWER_STDLIB = """\
from typing import override


class Base:
    def f(self) -> None: ...


class Child(Base):
    @override
    def f(self) -> None: ...
"""


def test_mypy_checks_for_the_python_the_project_requires(tmp_path: Path) -> None:
    requires = write_tree(
        tmp_path / "requires",
        {"pyproject.toml": '[project]\nrequires-python = ">=3.12"\n', "app.py": NEWER_STDLIB},
    )
    given = _run(TypingAnalyzer(), requires, tmp_path / "c1", extra=("pyproject.toml",))
    assert given.findings == ()
    plain = write_tree(tmp_path / "plain", {"app.py": NEWER_STDLIB})
    codes = {f.tool_code for f in _run(TypingAnalyzer(), plain, tmp_path / "c2").findings}
    # Checked for our own Python: on 3.11, typing.override does not exist yet.
    assert ("attr-defined" in codes) == (sys.version_info < (3, 12))
