"""How often each file, and each complex function, changed: the git history of the checkout.

Read only through the hardened runner (``analyzer.discover.git``), so nothing in the
target's git configuration or attributes runs a program. The window is counted back from
the HEAD commit's date, not from today, so one commit always gives one history. It is
bounded: ``max_commits`` and a time limit per git call. Nothing here fails a scan: no git,
no repository, no commits, a shallow clone or a timeout each give a ``History`` that says
why there is none (``available`` false).

- ``git log --numstat`` gives commits and changed lines per file;
- ``git log -p -U0`` over the files holding complex functions maps each hunk onto the
  functions it touches, walking from HEAD back and shifting each function's line span by
  the hunks above it, so a function is followed while code around it moves.

Root commits (and a shallow clone's boundary commits, which look like roots) are skipped:
their diff is the whole tree, not a change. Merges are skipped: their changes are counted
in the commits they merge.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from analyzer import __version__
from analyzer.cache import ResultCache
from analyzer.discover.git import GitError, Repository, decode_path, find_repository, run_git

_DAYS_PER_MONTH = 30.4375
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_FORMAT = "repo-roadmap-history/1"
# A function span: (qualified name, first line, last line) in the HEAD version of its file.
Span = tuple[str, int, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class FileChurn:
    path: str
    commits: int
    lines_changed: int


@dataclass(frozen=True, kw_only=True, slots=True)
class FunctionChurn:
    path: str
    symbol: str
    commits: int
    lines_changed: int


@dataclass(frozen=True, kw_only=True, slots=True)
class History:
    """Churn under the scan root; paths relative to it. ``note`` says what was read, or why not."""

    available: bool
    note: str
    commits: int = 0
    since: str | None = None
    until: str | None = None
    # True when ``max_commits`` cut the window short.
    truncated: bool = False
    files: tuple[FileChurn, ...] = ()
    functions: tuple[FunctionChurn, ...] = ()
    # Files whose diffs were mapped onto functions: there, a function missing from
    # ``functions`` did not change; elsewhere only the file's churn is known.
    function_files: tuple[str, ...] = ()


def no_history(reason: str) -> History:
    return History(available=False, note=reason)


def read_history(
    root: Path,
    functions: Mapping[str, Sequence[Span]],
    *,
    months: int,
    max_commits: int,
    timeout: float,
    max_function_files: int,
    cache_dir: Path | None = None,
) -> History:
    """The churn of ``root``'s files (and of the ``functions`` spans) in the last ``months``."""
    repository = find_repository(root)
    if repository is None:
        return no_history("not a git checkout")
    try:
        head = _line(repository, root, timeout, "rev-parse", "--verify", "-q", "HEAD^{commit}")
        head_time = int(_line(repository, root, timeout, "log", "-1", "--format=%ct", "HEAD"))
    except (GitError, ValueError) as exc:
        return no_history(f"git history unreadable ({exc})")
    until = datetime.fromtimestamp(head_time, tz=UTC)
    since = until - timedelta(days=months * _DAYS_PER_MONTH)
    bounds = (since.isoformat(), str(max_commits))
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    key = _cache_key(head, root, repository, bounds, functions, max_function_files)
    cached = _load(cache, key)
    if cached is not None:
        return cached
    try:
        history = _read(
            repository, root, functions, bounds, timeout, max_function_files, since, until
        )
    except GitError as exc:
        return no_history(f"git history unreadable ({exc})")
    _store(cache, key, history)
    return history


def _read(
    repository: Repository,
    root: Path,
    functions: Mapping[str, Sequence[Span]],
    bounds: tuple[str, str],
    timeout: float,
    max_function_files: int,
    since: datetime,
    until: datetime,
) -> History:
    output = _log(repository, root, timeout, bounds, ("--numstat", "-z", "--format=%x01%H %P"))
    commits, files = parse_numstat(output)
    window = f"{since.date().isoformat()} to {until.date().isoformat()}"
    shallow = _line(repository, root, timeout, "rev-parse", "--is-shallow-repository") == "true"
    if commits == 0:
        why = "the clone is shallow" if shallow else "no commit changed these files"
        return no_history(f"no git history from {window}: {why}")
    churned = {churn.path: churn.commits for churn in files}
    wanted = sorted(
        (path for path in functions if churned.get(path)), key=lambda p: (-churned[p], p)
    )[:max_function_files]
    mapped: tuple[FunctionChurn, ...] = ()
    if wanted:
        patch = _log(repository, root, timeout, bounds, ("-p", "-U0", "--format=%x01%H %P"), wanted)
        mapped = map_function_churn(patch, {path: functions[path] for path in wanted})
    shallow_note = " (a shallow clone: older commits are missing)" if shallow else ""
    return History(
        available=True,
        note=f"{commits} commits from {window}{shallow_note}",
        commits=commits,
        since=since.date().isoformat(),
        until=until.date().isoformat(),
        truncated=commits >= int(bounds[1]),
        files=files,
        functions=mapped,
        function_files=tuple(wanted),
    )


def _log(
    repository: Repository,
    root: Path,
    timeout: float,
    bounds: tuple[str, str],
    options: tuple[str, ...],
    paths: Sequence[str] = (".",),
) -> bytes:
    since, limit = bounds
    return run_git(
        repository, "log", "--no-merges", "--no-renames", "--relative", f"--since={since}",
        f"--max-count={limit}", *options, "HEAD", "--", *paths, cwd=root, timeout=timeout,
    )  # fmt: skip


def _line(repository: Repository, root: Path, timeout: float, *args: str) -> str:
    return decode_path(run_git(repository, *args, cwd=root, timeout=timeout)).strip()


def parse_numstat(output: bytes) -> tuple[int, tuple[FileChurn, ...]]:
    """Commits with a parent, and per file their count and added plus deleted lines."""
    commits = 0
    counts: dict[str, list[int]] = {}
    for record in output.split(b"\x01")[1:]:
        header, _, body = record.partition(b"\0")
        if len(header.split()) < 2:  # no parent: a root, or a shallow clone's boundary
            continue
        commits += 1
        for entry in body.lstrip(b"\n").split(b"\0"):
            fields = entry.split(b"\t", 2)
            if len(fields) != 3 or not fields[2]:
                continue
            added, deleted = (int(v) if v.isdigit() else 0 for v in fields[:2])
            churn = counts.setdefault(decode_path(fields[2]), [0, 0])
            churn[0] += 1
            churn[1] += added + deleted
    return commits, tuple(
        FileChurn(path=path, commits=value[0], lines_changed=value[1])
        for path, value in sorted(counts.items())
    )


def map_function_churn(
    patch: bytes, spans: Mapping[str, Sequence[Span]]
) -> tuple[FunctionChurn, ...]:
    """Commits and changed lines per function, from ``-U0`` patches newest first."""
    current = {path: list(items) for path, items in spans.items()}
    totals: dict[tuple[str, str], list[int]] = {}
    for record in patch.split(b"\x01")[1:]:
        header, _, body = record.partition(b"\n")
        if len(header.split()) < 2:
            continue
        for path, hunks in _file_hunks(body):
            tracked = current.get(path)
            if tracked:
                _count(path, tracked, hunks, totals)
                current[path] = _shift(tracked, hunks)
    return tuple(
        FunctionChurn(path=path, symbol=symbol, commits=value[0], lines_changed=value[1])
        for (path, symbol), value in sorted(totals.items())
    )


Hunk = tuple[int, int, int, int]  # old start, old count, new start, new count


def _file_hunks(body: bytes) -> Iterable[tuple[str, list[Hunk]]]:
    path: str | None = None
    hunks: list[Hunk] = []
    for line in body.split(b"\n"):
        if line.startswith(b"diff --git "):
            if path is not None:
                yield path, hunks
            path, hunks = None, []
        elif line.startswith(b"+++ "):
            target = line[4:]
            path = None if target == b"/dev/null" else _unquote(target).removeprefix("b/")
        elif line.startswith(b"@@ ") and path is not None:
            match = _HUNK.match(line)
            if match:
                old, old_n, new, new_n = match.groups()
                hunks.append((int(old), _count_of(old_n), int(new), _count_of(new_n)))
    if path is not None:
        yield path, hunks


def _count_of(raw: bytes | None) -> int:
    return 1 if raw is None else int(raw)


def _unquote(raw: bytes) -> str:
    """A path as git prints it in a diff header: C-quoted when it holds unusual bytes."""
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return decode_path(raw)
    inner, out, index = raw[1:-1], bytearray(), 0
    escapes = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8,
               ord("f"): 12, ord("r"): 13, ord("v"): 11}  # fmt: skip
    while index < len(inner):
        byte = inner[index]
        if byte == 92 and index + 1 < len(inner):
            following = inner[index + 1]
            if 48 <= following <= 55 and index + 4 <= len(inner):
                out.append(int(inner[index + 1 : index + 4], 8) & 0xFF)
                index += 4
                continue
            out.append(escapes.get(following, following))
            index += 2
            continue
        out.append(byte)
        index += 1
    return decode_path(bytes(out))


def _count(
    path: str,
    tracked: Sequence[Span],
    hunks: Sequence[Hunk],
    totals: dict[tuple[str, str], list[int]],
) -> None:
    for name, start, end in tracked:
        touched = [h for h in hunks if start <= end and _overlaps(h, start, end)]
        if touched:
            total = totals.setdefault((path, name), [0, 0])
            total[0] += 1
            total[1] += sum(h[1] + h[3] for h in touched)


def _overlaps(hunk: Hunk, start: int, end: int) -> bool:
    _, _, new, new_n = hunk
    if new_n == 0:  # a pure deletion after line ``new``
        return start <= new < end
    return new <= end and new + new_n - 1 >= start


def _shift(tracked: Sequence[Span], hunks: Sequence[Hunk]) -> list[Span]:
    """The spans in the file as it was before this commit; a function the commit added
    ends before it starts, and is no longer counted."""
    return [
        (name, _before(start, hunks, is_end=False), _before(end, hunks, is_end=True))
        for name, start, end in tracked
    ]


def _before(line: int, hunks: Sequence[Hunk], *, is_end: bool) -> int:
    delta = 0
    for old, old_n, new, new_n in hunks:
        last_new = new + new_n - 1 if new_n else new
        if (new_n and line < new) or (not new_n and line <= new):
            break
        if new_n and line <= last_new:  # inside lines this commit added
            return (old + old_n - 1 if old_n else old) if is_end else (old if old_n else old + 1)
        delta += old_n - new_n
    return line + delta


def _cache_key(
    head: str,
    root: Path,
    repository: Repository,
    bounds: tuple[str, str],
    functions: Mapping[str, Sequence[Span]],
    max_function_files: int,
) -> str:
    spans = json.dumps(sorted((p, sorted(s)) for p, s in functions.items()))
    parts = (_FORMAT, __version__, head, str(root.resolve()), str(repository.git_dir), *bounds,
             str(max_function_files), spans)  # fmt: skip
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _load(cache: ResultCache | None, key: str) -> History | None:
    if cache is None:
        return None
    entry = cache.load_pack(key).get("history")
    if entry is None or entry[0] != key or not isinstance(entry[1], dict):
        return None
    try:
        data = dict(entry[1])
        data["files"] = tuple(FileChurn(**item) for item in data["files"])
        data["functions"] = tuple(FunctionChurn(**item) for item in data["functions"])
        data["function_files"] = tuple(data["function_files"])
        return History(**data)
    except (KeyError, TypeError):
        return None


def _store(cache: ResultCache | None, key: str, history: History) -> None:
    if cache is not None and history.available:
        cache.store_pack(key, {"history": (key, asdict(history))})
