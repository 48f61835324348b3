"""Typing analyzer: mypy, in its own process, never trusting the target's configuration.

mypy is not thread-safe and mutates interpreter state, so it always runs as a subprocess.
The target's mypy config (and therefore its plugins) is ignored with ``--config-file=``,
site-packages are not searched, and the cache lives outside the target.

A file mypy cannot parse is a *blocking* error that would blank out every other finding,
so files are parsed here first; unparseable ones are reported as errors and left out.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from analyzer.cache import module_digest
from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding, Scope, Severity
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.source import decode_source, parse_text, read_bytes

if TYPE_CHECKING:
    # Imported when the analyzer runs (in ``_parse_all``): a scan served from the cache
    # never needs it.
    from analyzer.memo import FileMemo

# Analyzer file patterns match a bare name at any depth: nested pyproject.toml files come
# along too (only in the cache key); the root one is read.
PROJECT_PATTERN = "pyproject.toml"
PROJECT_PATH = "pyproject.toml"
MYPY_FLAGS = (
    "--config-file=",
    "--ignore-missing-imports",
    "--no-site-packages",
    "--explicit-package-bases",
    "--follow-imports=skip",
    "--show-error-codes",
    "--no-error-summary",
    "--no-pretty",
    "--output=json",
)
# mypy's own re-tries when a blocking error names a file we could not foresee.
_MAX_ATTEMPTS = 4
# mypy runs allowed to isolate the files it crashes on: a few crashing files among thousands.
_MAX_BISECTION_RUNS = 40
_SURROGATE = re.compile("[\udc80-\udcff]")
# Modules mypy loads for every check (mypy.build.CORE_BUILTIN_MODULES; a test keeps the two
# equal). A top-level file or package of the target with one of these names shadows the
# standard library and mypy refuses the whole run, whether or not the file is passed to it.
CORE_MODULES = frozenset(
    {
        "_collections_abc", "_typeshed", "abc", "builtins", "collections", "mypy_extensions",
        "sys", "types", "typing", "typing_extensions",
    }
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class _Checked:
    path: str
    module: str
    functions: int
    annotated: int


class TypingAnalyzer:
    name = "typing"
    tool = "mypy"
    scope: Scope = "project"
    # The root pyproject.toml is read as data for the Python version the project requires;
    # listing it here puts its content in the cache key.
    file_patterns: tuple[str, ...] = ("*.py", "*.pyi", PROJECT_PATTERN)

    def tool_version(self) -> str:
        return version("mypy")

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        sources = tuple(f for f in request.files if f.path.rsplit("/", 1)[-1] != PROJECT_PATTERN)
        # Read only when given: then its content is in the cache key (an excluded
        # pyproject.toml steers nothing).
        given = any(f.path == PROJECT_PATH for f in request.files)
        version = _target_python(request.root) if given else None
        options = {**request.options, "python_version": version}
        request = replace(request, files=sources, options=options)
        parsed, errors = _parse_all(request)
        measures = _annotation_measures(parsed)
        checked, uncheckable = _split_uncheckable(parsed)
        errors.extend(uncheckable)
        findings: list[RawFinding] = []
        with _one_run_per_tree(request):
            workdir = _working_directory(request, checked)
            for group in _unique_module_groups(checked):
                result = _run_mypy(request, [c.path for c in group], workdir)
                if isinstance(result, AnalyzerFailure):
                    return result
                group_findings, group_errors = result
                findings.extend(group_findings)
                errors.extend(group_errors)
        return AnalysisOutput(findings=tuple(findings), errors=tuple(errors), measures=measures)


@contextlib.contextmanager
def _one_run_per_tree(request: AnalysisRequest) -> Iterator[None]:
    """Two scans of one tree at once (an editor's scan and a pre-commit hook) share its
    view and mypy's incremental cache: one rebuilding the view under the other's mypy would
    hide its files. They take turns; the worker's time limit still bounds the wait."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): runs are not serialized
        yield
        return
    folder = Path(_cache_dir(request))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _target_python(root: str) -> str | None:
    # Imported here: a scan served from the cache never reads pyproject.toml.
    from analyzer.analyzers.typecheck.target_python import target_python

    return target_python(root)


def _split_uncheckable(parsed: Sequence[_Checked]) -> tuple[list[_Checked], list[FileError]]:
    """The files mypy can be given, and errors for those it cannot: a top-level module that
    shadows one mypy itself needs, or a file name that is not valid UTF-8 (mypy crashes)."""
    checked: list[_Checked] = []
    errors: list[FileError] = []
    for item in parsed:
        reason = _uncheckable_reason(item)
        if reason is None:
            checked.append(item)
        else:
            errors.append(FileError(path=item.path, analyzer="typing", reason=reason))
    return checked, errors


def _uncheckable_reason(item: _Checked) -> str | None:
    top = item.module.split(".", 1)[0]
    if top in CORE_MODULES:
        return (
            f"not type-checked: the top-level module {top!r} shadows the standard-library "
            "module mypy itself needs"
        )
    if _SURROGATE.search(item.path):
        return "not type-checked: the file name is not valid UTF-8, which mypy cannot handle"
    return None


def _working_directory(request: AnalysisRequest, checked: Sequence[_Checked]) -> str:
    """Where mypy runs: a view of the tree holding links to the checked files only, never
    the root. There mypy would still find what it is not given: a shadowing module or a bad
    file name through its search path, and any stub (``--follow-imports=skip`` does not skip
    stubs) that is excluded, git-ignored or oversized, which would steer the findings while
    being none of the files the cache key names. Paths and module names stay."""
    view = Path(_cache_dir(request)) / "view"
    shutil.rmtree(view, ignore_errors=True)
    for item in checked:
        link = view / item.path
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(Path(request.root, item.path))
    view.mkdir(parents=True, exist_ok=True)
    return str(view)


def _parse_all(request: AnalysisRequest) -> tuple[list[_Checked], list[FileError]]:
    """Which files mypy can be given, and their annotation counts; remembered per file, so
    after a one-file change only that file is parsed again."""
    from analyzer.memo import FileMemo

    memo = FileMemo(
        request.cache_dir,
        namespace="typing-parse",
        salt=f"{sys.version}\0{module_digest(__name__)}",
        root=request.root,
    )
    checked: list[_Checked] = []
    errors: list[FileError] = []
    for source_file in request.files:
        outcome = _parse_one(request.root, source_file.path, memo)
        if isinstance(outcome, FileError):
            errors.append(outcome)
        else:
            checked.append(outcome)
    memo.save()
    return checked, errors


def _parse_one(root: str, path: str, memo: FileMemo) -> _Checked | FileError:
    data = read_bytes(root, path, "typing")
    if isinstance(data, FileError):
        return data
    remembered = memo.get(path, data)
    if remembered is None:
        remembered = _measure_source(data, path)
        memo.put(path, data, remembered)
    if remembered.get("error"):
        return FileError(path=path, analyzer="typing", reason=str(remembered["error"]))
    return _Checked(
        path=path,
        module=module_name(path),
        functions=int(remembered.get("functions", 0)),
        annotated=int(remembered.get("annotated", 0)),
    )


def _measure_source(data: bytes, path: str) -> dict[str, Any]:
    text = decode_source(data, path, "typing")
    if isinstance(text, FileError):
        return {"error": text.reason}
    tree = parse_text(text, path, "typing")
    if isinstance(tree, FileError):
        return {"error": tree.reason}
    functions, annotated = count_annotated_functions(tree)
    return {"error": None, "functions": functions, "annotated": annotated}


def count_annotated_functions(tree: ast.AST) -> tuple[int, int]:
    """How many functions there are, and how many have every parameter and the return annotated."""
    total = annotated = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            total += 1
            annotated += _is_fully_annotated(node)
    return total, annotated


def _is_fully_annotated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if params and params[0].arg in ("self", "cls"):
        params = params[1:]
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    returns_ok = node.returns is not None or node.name == "__init__"
    return returns_ok and all(p.annotation is not None for p in params)


def _annotation_measures(checked: Sequence[_Checked]) -> tuple[Measure, ...]:
    measures: list[Measure] = []
    for item in checked:
        measures.append(Measure(name="typing.functions", value=item.functions, path=item.path))
        measures.append(
            Measure(name="typing.annotated_functions", value=item.annotated, path=item.path)
        )
    return tuple(measures)


def module_name(path: str) -> str:
    """The module name mypy derives for ``path`` under ``--explicit-package-bases``."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _unique_module_groups(checked: Sequence[_Checked]) -> list[list[_Checked]]:
    """Split files so no group has two files mypy would name the same module.

    Real repositories often have several ``conftest.py`` or ``setup.py`` files; mypy
    refuses a whole run on such a duplicate, so each copy goes into a later group.
    """
    groups: list[list[_Checked]] = []
    seen_per_group: list[set[str]] = []
    for item in sorted(checked, key=lambda c: c.path):
        for names, group in zip(seen_per_group, groups, strict=True):
            if item.module not in names:
                names.add(item.module)
                group.append(item)
                break
        else:
            seen_per_group.append({item.module})
            groups.append([item])
    return groups


def _cache_dir(request: AnalysisRequest) -> str:
    base = request.cache_dir or tempfile.gettempdir()
    digest = hashlib.sha256(request.root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return str(Path(base) / "mypy" / digest)


def _run_mypy(
    request: AnalysisRequest, paths: list[str], workdir: str
) -> tuple[list[RawFinding], list[FileError]] | AnalyzerFailure:
    result = _check(request, paths, workdir, cache=True)
    if not isinstance(result, AnalyzerFailure):
        return result
    # An unwritable or corrupted incremental cache fails every later run: try once without
    # it, and start it afresh for the next scan.
    shutil.rmtree(Path(_cache_dir(request)) / "incremental", ignore_errors=True)
    retried = _check(request, paths, workdir, cache=False)
    if not isinstance(retried, AnalyzerFailure) or len(paths) < 2:
        return retried
    # Still failing: mypy crashes on some file (a segfault on a 20,000-term expression).
    # Halve the files until the ones it crashes on are found; every other file keeps its
    # findings.
    found = _bisect(request, paths, workdir, _Budget(runs=_MAX_BISECTION_RUNS))
    return result if found is None else found


@dataclass(kw_only=True, slots=True)
class _Budget:
    runs: int


def _bisect(
    request: AnalysisRequest, paths: list[str], workdir: str, budget: _Budget
) -> tuple[list[RawFinding], list[FileError]] | None:
    """Findings of the files mypy survives, errors for those it crashes on alone; None when
    the runs allowed are spent before the crashing files are isolated."""
    findings: list[RawFinding] = []
    errors: list[FileError] = []
    middle = len(paths) // 2
    for half in (paths[:middle], paths[middle:]):
        if budget.runs <= 0:
            return None
        budget.runs -= 1
        outcome = _check(request, half, workdir, cache=True)
        if isinstance(outcome, AnalyzerFailure) and len(half) == 1:
            reason = f"mypy crashed on this file: {outcome.reason.removeprefix('mypy failed: ')}"
            errors.append(FileError(path=half[0], analyzer="typing", reason=reason[:300]))
            continue
        if isinstance(outcome, AnalyzerFailure):
            deeper = _bisect(request, half, workdir, budget)
            if deeper is None:
                return None
            outcome = deeper
        findings.extend(outcome[0])
        errors.extend(outcome[1])
    return findings, errors


def _check(
    request: AnalysisRequest, paths: list[str], workdir: str, *, cache: bool
) -> tuple[list[RawFinding], list[FileError]] | AnalyzerFailure:
    errors: list[FileError] = []
    remaining = list(paths)
    for _ in range(_MAX_ATTEMPTS):
        if not remaining:
            return [], errors
        completed = _invoke(request, remaining, workdir, cache=cache)
        records, other = _parse_output(completed.stdout)
        if completed.returncode in (0, 1):
            # Exit 1 is "errors found": every record is a finding, including non-blocking
            # "syntax" ones such as a malformed type comment in a file Python accepts.
            return [_to_finding(r) for r in records], errors
        blocked = _blocked_files(records)
        if not blocked:
            message = " ".join(
                (other or completed.stderr.strip() or f"exit {completed.returncode}").split()
            )
            return AnalyzerFailure(reason=f"mypy failed: {message[:500]}")
        # Exit 2 is a blocking error that hides every other finding: drop the file, re-run.
        errors.extend(blocked)
        drop = {e.path for e in blocked}
        remaining = [p for p in remaining if p not in drop]
    return AnalyzerFailure(reason="mypy kept reporting blocking errors")


def _version_flag(request: AnalysisRequest) -> list[str]:
    version = request.options.get("python_version")
    return [f"--python-version={version}"] if isinstance(version, str) else []


def _invoke(
    request: AnalysisRequest, paths: list[str], workdir: str, *, cache: bool
) -> subprocess.CompletedProcess[str]:
    # -I (isolated): the working directory, which is the scanned repository, is not put on
    # sys.path, so a "mypy" package inside the target can never be imported instead.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPY", "PYTHON"))}
    command = [
        sys.executable,
        "-I",
        "-m",
        "mypy",
        *MYPY_FLAGS,
        *_version_flag(request),
        f"--cache-dir={Path(_cache_dir(request)) / 'incremental' if cache else os.devnull}",
        "--",
        *paths,
    ]
    return subprocess.run(
        command,
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        errors="surrogateescape",
        check=False,
    )


def _parse_output(stdout: str) -> tuple[list[dict[str, Any]], str]:
    """mypy's JSON records, and any line that is not one (its messages about the run)."""
    records: list[dict[str, Any]] = []
    other: list[str] = []
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if line.strip():
                other.append(line.strip())
            continue
        if isinstance(record, dict):
            records.append(record)
    return records, "; ".join(other)


def _blocked_files(records: Iterable[dict[str, Any]]) -> list[FileError]:
    """One error per file that mypy refused to parse, with its first message."""
    blocked: dict[str, FileError] = {}
    for record in records:
        if record.get("code") == "syntax" and str(record.get("file")) not in blocked:
            path = Path(str(record["file"])).as_posix()
            blocked[path] = FileError(
                path=path, analyzer="typing", reason=f"mypy: {record.get('message')}"
            )
    return list(blocked.values())


def _to_finding(record: dict[str, object]) -> RawFinding:
    severity: Severity | None = "info" if record.get("severity") == "note" else None
    hint = record.get("hint")
    end_column = record.get("end_column")
    return RawFinding(
        tool="mypy",
        tool_code=str(record.get("code") or ("note" if severity == "info" else "misc")),
        message=str(record["message"]),
        path=Path(str(record["file"])).as_posix(),
        line=max(int(str(record["line"])), 1),
        column=max(int(str(record.get("column", 0))), 0) + 1,
        end_line=int(str(record["end_line"])) if record.get("end_line") else None,
        end_column=int(str(end_column)) + 1 if isinstance(end_column, int) else None,
        column_unit="mypy",
        severity=severity,
        confidence="high",
        details=(("hint", str(hint)),) if hint else (),
    )
