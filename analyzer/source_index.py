"""Build the ``SourceIndex`` of each file that has findings, without re-parsing what the
cache already knows.

The lines come from reading the file; the function/class spans (which need a parse) come
from the cache by content digest, and the files the cache does not know are parsed in the
worker pool, several at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from analyzer.cache import (
    FORMAT,
    ResultCache,
    digest_bytes,
    module_digest,
    pack_key,
    spans_from_payload,
    spans_key,
    spans_payload,
)
from analyzer.model import FileError
from analyzer.normalize import SourceIndex, SymbolSpan, index_sources
from analyzer.pool import Done, Job, WorkerPool
from analyzer.source import decode_source, read_many, source_lines

# Below this many unknown files, parsing them here is quicker than shipping them to workers.
_PARSE_HERE_BELOW = 24
_FILES_PER_JOB = 48


def index_with_cache(
    root: str, paths: Iterable[str], *, cache: ResultCache | None, pool: WorkerPool
) -> dict[str, SourceIndex]:
    lines: dict[str, tuple[str, ...]] = {}
    spans: dict[str, tuple[SymbolSpan, ...]] = {}
    keys: dict[str, str] = {}
    pack_name = spans_pack_key(root)
    pack = cache.load_pack(pack_name) if cache else {}
    for path, data in read_many(root, sorted(set(paths)), "normalize"):
        if isinstance(data, FileError):
            continue
        text = decode_source(data, path, "normalize")
        if not isinstance(text, str):
            continue
        lines[path] = source_lines(text)
        keys[path] = spans_key(path, digest_bytes(data))
        entry = pack.get(path)
        cached = spans_from_payload(entry[1]) if entry and entry[0] == keys[path] else None
        if cached is not None:
            spans[path] = cached
    unknown = [p for p in lines if p not in spans]
    for path, found in _parse_spans(root, unknown, pool):
        spans[path] = found
        pack[path] = (keys[path], spans_payload(found))
    if cache and unknown:
        cache.store_pack(pack_name, pack)
    # Unreadable files get no entry: normalize falls back to an empty index for them.
    return {p: SourceIndex(lines=lines[p], spans=spans.get(p, ())) for p in lines}


def spans_pack_key(root: str) -> str:
    """The pack holding the symbol spans of a tree's files."""
    return pack_key("spans", f"{FORMAT} {module_digest('analyzer.normalize')}", root)


def _parse_spans(
    root: str, paths: Sequence[str], pool: WorkerPool
) -> Iterator[tuple[str, tuple[SymbolSpan, ...]]]:
    if len(paths) < _PARSE_HERE_BELOW:
        yield from spans_of(root, paths)
        return
    chunks = [tuple(paths[i : i + _FILES_PER_JOB]) for i in range(0, len(paths), _FILES_PER_JOB)]
    jobs = [
        Job(key=k, function=spans_of, arguments=(root, chunk)) for k, chunk in enumerate(chunks)
    ]
    for outcome in pool.run(jobs):
        # A chunk whose worker failed leaves its files without symbols; findings still report.
        if isinstance(outcome, Done):
            yield from outcome.value


def spans_of(root: str, paths: Sequence[str]) -> list[tuple[str, tuple[SymbolSpan, ...]]]:
    """Runs in a worker: the symbol spans of each file, parsed the way normalize does."""
    return [(path, index.spans) for path, index in index_sources(root, paths).items()]
