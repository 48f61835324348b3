"""A content-addressed cache of analyzer outputs and symbol spans, in the user's cache dir.

A key names everything an output depends on: the file contents (SHA-256), the analyzer,
its tool's version, our own version and the adapter's code, and the effective options and
rules. Each entry starts with a header holding the format version, the key and a checksum
of the payload; an entry that does not verify is a miss, never trusted. Entries are written
to a temporary file and renamed into place, so readers never see half an entry and two
scans writing the same key at once leave one complete copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from analyzer import __version__
from analyzer.cachedir import mark_used
from analyzer.model import AnalysisOutput
from analyzer.normalize import SymbolSpan
from analyzer.resources import rules_dir
from analyzer.rules import RuleBook

# Bump when the payload layout changes; old entries then simply stop matching.
FORMAT = "repo-roadmap-cache/2"


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest_text(*parts: str) -> str:
    return digest_bytes("\0".join(parts).encode("utf-8", "surrogatepass"))


@cache
def module_digest(module_name: str) -> str:
    """A digest of a loaded module's source, so editing an adapter invalidates it; for a
    package, of every module in it (an adapter split into several modules). Read once per
    process: the code running cannot change under it."""
    path = getattr(sys.modules.get(module_name), "__file__", None)
    if not path:
        return "unknown"
    source = Path(path)
    sources = sorted(source.parent.rglob("*.py")) if source.name == "__init__.py" else [source]
    try:
        return _digest_text(
            *(f"{s.relative_to(source.parent)}:{digest_bytes(s.read_bytes())}" for s in sources)
        )
    except OSError:
        return "unknown"


def analyzer_fingerprint(
    *, name: str, module: str, tool_version: str, options: Mapping[str, object], rules_digest: str
) -> str:
    """Everything about an analyzer, except its input files, that its output depends on:
    with the Python it runs on, since what parses (and what the tools report) depends on it
    and one user cache serves every virtualenv."""
    settings = json.dumps(sorted((k, repr(v)) for k, v in options.items()))
    return _digest_text(
        FORMAT,
        _MODEL_SHAPE,
        __version__,
        sys.version,
        name,
        module,
        module_digest(module),
        tool_version,
        settings,
        rules_digest,
    )


def rules_digest(rulebook: RuleBook) -> str:
    """The effective rules: the loaded rule book plus every bundled data file."""
    directory = rules_dir()
    parts = [repr(rulebook)]
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            parts += [path.relative_to(directory).as_posix(), digest_bytes(path.read_bytes())]
    return _digest_text(*parts)


def file_key(fingerprint: str, path: str, digest: str) -> str:
    return _digest_text("file", fingerprint, path, digest)


def project_key(fingerprint: str, digests: Mapping[str, str], paths: Iterable[str]) -> str | None:
    """The key of a whole-project run, or None when an input could not be read."""
    return _files_key("project", fingerprint, digests, paths)


def combine_key(fingerprint: str, digests: Mapping[str, str], paths: Iterable[str]) -> str | None:
    """The key of a two-phase analyzer's combine step over ``paths``."""
    return _files_key("combine", fingerprint, digests, paths)


def _files_key(
    kind: str, fingerprint: str, digests: Mapping[str, str], paths: Iterable[str]
) -> str | None:
    parts = [kind, fingerprint]
    for path in sorted(paths):
        if path not in digests:
            return None
        parts += [path, digests[path]]
    return _digest_text(*parts)


def spans_key(path: str, digest: str) -> str:
    suffix = path.rsplit(".", 1)[-1] if "." in path else ""
    return _digest_text("spans", FORMAT, module_digest("analyzer.normalize"), suffix, digest)


def pack_key(kind: str, fingerprint: str, root: str) -> str:
    """The pack holding one analyzer's per-file entries (or the symbol spans) for one tree."""
    return _digest_text("pack", kind, fingerprint, root)


# A pack's entries: relative path -> (the entry's own key, its JSON payload).
PackEntries = dict[str, tuple[str, Any]]


def output_payload(output: AnalysisOutput) -> dict[str, Any]:
    return _output_to_json(output)


def output_from_payload(payload: Any) -> AnalysisOutput | None:
    if not isinstance(payload, dict):
        return None
    try:
        return _output_from_json(payload)
    except (KeyError, TypeError, ValueError):
        return None


def spans_payload(spans: Iterable[SymbolSpan]) -> list[list[object]]:
    return [[s.start, s.end, s.name] for s in spans]


def spans_from_payload(payload: Any) -> tuple[SymbolSpan, ...] | None:
    try:
        return tuple(SymbolSpan(start=int(s), end=int(e), name=str(n)) for s, e, n in payload)
    except (TypeError, ValueError):
        return None


class ResultCache:
    """Entries under ``directory/<first two hex digits>/<key>``; every failure is a miss.

    Per-file results live in packs, one file per analyzer and tree holding every file's
    entry, each under its own content-derived key: a scan reads and writes a handful of
    files instead of one per source file and analyzer.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load_output(self, key: str) -> AnalysisOutput | None:
        return output_from_payload(self._read(key))

    def store_output(self, key: str, output: AnalysisOutput) -> None:
        self._write(key, _output_to_json(output))

    def load_pack(self, key: str) -> PackEntries:
        """A pack's entries; a missing or damaged pack has none."""
        payload = self._read(key)
        if not isinstance(payload, dict):
            return {}
        return {
            path: (item[0], item[1])
            for path, item in payload.items()
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
        }

    def store_pack(self, key: str, entries: Mapping[str, tuple[str, Any]]) -> None:
        self._write(key, {path: [k, v] for path, (k, v) in sorted(entries.items())})

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def _read(self, key: str) -> Any:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        header, _, body = data.partition(b"\n")
        if header != _header(key, body):
            return None
        mark_used(path)
        return _decode(body)

    def load_payload(self, key: str) -> Any:
        """An entry's JSON payload, or None when it is missing or does not verify."""
        return self._read(key)

    def store_payload(self, key: str, payload: object) -> None:
        self._write(key, payload)

    def touch(self, key: str) -> None:
        """Record a use of an entry without reading it (for least-recently-used pruning)."""
        mark_used(self._path(key))

    def _write(self, key: str, payload: object) -> None:
        body = _encode(payload)
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        except OSError:
            return  # an unwritable cache only costs speed
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_header(key, body) + b"\n" + body)
            os.replace(temporary, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _encode(payload: object) -> bytes:
    # ASCII with \u escapes: a message quoting a lone surrogate from the tree's code (a
    # string literal "\ud800") round-trips, where UTF-8 cannot encode it; and NaN stays NaN
    # (orjson would write null).
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _decode(body: bytes) -> Any:
    # Not orjson: it reads integers past 64 bits as floats, and the gain here is small.
    try:
        return json.loads(body.decode("ascii"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def _header(key: str, body: bytes) -> bytes:
    return f"{FORMAT} {key} {digest_bytes(body)}".encode("utf-8", "surrogatepass")


_Record = TypeVar("_Record")


def records_payload(items: Iterable[object]) -> list[dict[str, Any]]:
    """Frozen dataclasses as JSON objects, field by field."""
    return [{f.name: getattr(item, f.name) for f in fields(item)} for item in items]  # type: ignore[arg-type]


def records_from_payload(element: type[_Record], payload: Any) -> tuple[_Record, ...]:
    """``records_payload`` read back; raises KeyError, TypeError or ValueError on a payload
    that does not fit ``element``."""
    if not isinstance(payload, list):
        raise TypeError("not a list of records")
    return tuple(_element(element, item) for item in payload)


def _output_to_json(output: AnalysisOutput) -> dict[str, Any]:
    return {name: records_payload(getattr(output, name)) for name in _ELEMENTS}


def _output_from_json(payload: dict[str, Any]) -> AnalysisOutput:
    parts = {
        name: records_from_payload(element, payload[name]) for name, element in _ELEMENTS.items()
    }
    return AnalysisOutput(**parts)


def _element(element: type[Any], item: Any) -> Any:
    """One dataclass from its JSON object (a dict this function may change)."""
    if not isinstance(item, dict):
        raise TypeError("not a record")
    tupled = _TUPLE_FIELDS.get(element)
    if tupled is None:
        tupled = _TUPLE_FIELDS[element] = _tuple_fields(element)
    for name in tupled:
        if name in item:
            item[name] = tuples_from_json(item[name])
    return element(**item)


def tuples_from_json(value: Any) -> Any:
    """JSON lists back to the tuples the frozen dataclasses hold."""
    if type(value) is not list:
        return value
    return tuple([tuples_from_json(v) if type(v) is list else v for v in value])


def _element_types() -> dict[str, type[Any]]:
    """AnalysisOutput's fields and the dataclass each holds a tuple of."""
    hints = get_type_hints(AnalysisOutput)
    return {f.name: get_args(hints[f.name])[0] for f in fields(AnalysisOutput)}


def _tuple_fields(element: type[Any]) -> tuple[str, ...]:
    """The fields of ``element`` that hold tuples (JSON gives lists back)."""
    hints = get_type_hints(element)
    return tuple(f.name for f in fields(element) if _holds_tuple(hints[f.name]))


def _holds_tuple(hint: Any) -> bool:
    return get_origin(hint) is tuple or any(_holds_tuple(a) for a in get_args(hint))


_ELEMENTS = _element_types()
# Each record type's tuple fields, found once per process.
_TUPLE_FIELDS: dict[type[Any], tuple[str, ...]] = {}
# Any change to what an output holds changes every key, so old entries simply stop matching.
_MODEL_SHAPE = ";".join(f"{n}:{','.join(f.name for f in fields(t))}" for n, t in _ELEMENTS.items())
