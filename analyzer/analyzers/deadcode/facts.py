"""What vulture saw in one file, as JSON facts, and vulture's whole-program state rebuilt
from every file's facts.

vulture's verdict needs the whole program: a definition is unused when no file uses its
name. But what it records is per file (the definitions, with where they sit, and the names
used), and the verdict is computed from that alone (``Vulture.get_unused_code``). So each
file is scanned on its own (in parallel, cached per file) and the join replays the records
into one vulture before asking it: the same items as one vulture scanning every file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from analyzer.analyzers.deadcode.context import Context, Frame, ItemKey
from analyzer.analyzers.deadcode.recorder import RecordingVulture

# vulture's item type -> the list its definitions are kept in.
_LISTS = {
    "attribute": "defined_attrs",
    "class": "defined_classes",
    "function": "defined_funcs",
    "import": "defined_imports",
    "method": "defined_methods",
    "property": "defined_props",
    "variable": "defined_vars",
    "unreachable_code": "unreachable_code",
}


def encode(scanner: RecordingVulture, path: str) -> str | None:
    """The records of a scanner that scanned only ``path``; None when it saw nothing.

    A definition whose name the file itself uses is left out, with its context: vulture
    calls a definition unused only when no file uses its name, so the join could never
    report it (unreachable code does not depend on names, and is always kept). On Django
    that is most definitions, and most of the facts' size."""
    used = scanner.used_names
    kept = [
        i
        for attribute in _LISTS.values()
        for i in getattr(scanner, attribute)
        if i.typ == "unreachable_code" or i.name not in used
    ]
    kept_keys = {(int(i.first_lineno), str(i.name), str(i.typ)) for i in kept}
    data: dict[str, Any] = {
        "items": [
            [i.typ, i.name, i.first_lineno, i.last_lineno, i.message, i.confidence] for i in kept
        ],
        "used": sorted(used),
        "contexts": [
            [line, name, typ, [_frame(f) for f in context.frames], context.is_parameter]
            for (_, line, name, typ), context in scanner.contexts.items()
            if (line, name, typ) in kept_keys
        ],
        "imports": sorted(scanner.imports.get(path, ())),
        "bases": {name: sorted(bases) for name, bases in scanner.class_bases.items()},
        "dotted": {name: sorted(modules) for name, modules in scanner.dotted_strings.items()},
    }
    if not any(data.values()):
        return None
    return _dumps(data)


def replay(scanner: RecordingVulture, path: str, encoded: str) -> None:
    """Add one file's records to ``scanner``, as if it had scanned the file itself.
    Raises KeyError, TypeError or ValueError on facts that do not decode."""
    from vulture.core import Item

    data = _loads(encoded)
    filename = Path(path)
    for typ, name, first, last, message, confidence in data["items"]:
        item = Item(str(name), str(typ), filename, int(first), int(last), str(message))
        item.confidence = int(confidence)
        getattr(scanner, _LISTS[typ]).append(item)
    scanner.used_names.update(str(n) for n in data["used"])
    # Decoded when asked for (``context_of``): a context is read only for the few items
    # found unused, and decoding every definition's was a third of the join.
    for line, name, typ, frames, is_parameter in data["contexts"]:
        scanner.encoded_contexts[(path, int(line), str(name), str(typ))] = (frames, is_parameter)
    if data["imports"]:
        scanner.imports[path].update(str(m) for m in data["imports"])
    for name, bases in data["bases"].items():
        scanner.class_bases[name].update(bases)
    for name, modules in data["dotted"].items():
        scanner.dotted_strings[name].update(modules)


def _dumps(data: dict[str, Any]) -> str:
    # orjson is several times faster on these ten-megabyte joins; what it refuses (a lone
    # surrogate) the standard library writes, and reads back in ``_loads``.
    try:
        return orjson.dumps(data).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":"))


def _loads(encoded: str) -> Any:
    try:
        return orjson.loads(encoded)
    except orjson.JSONDecodeError:
        return json.loads(encoded)


def context_of(scanner: RecordingVulture, key: ItemKey) -> Context | None:
    """Where the item ``key`` was defined: recorded by this scanner, or replayed from facts.
    Raises TypeError or ValueError on a replayed context that does not decode."""
    context = scanner.contexts.get(key)
    if context is not None or key not in scanner.encoded_contexts:
        return context
    frames, is_parameter = scanner.encoded_contexts[key]
    return Context(frames=tuple(_unframe(f) for f in frames), is_parameter=bool(is_parameter))


def _frame(frame: Frame) -> list[Any]:
    return [
        frame.kind,
        frame.name,
        list(frame.bases),
        list(frame.decorators),
        [[parameter, list(calls)] for parameter, calls in frame.parameter_calls],
    ]


def _unframe(data: list[Any]) -> Frame:
    kind, name, bases, decorators, calls = data
    if kind not in ("class", "function"):
        raise ValueError(f"not a frame kind: {kind!r}")
    return Frame(
        kind=kind,
        name=str(name),
        bases=tuple(bases),
        decorators=tuple(decorators),
        parameter_calls=tuple((str(p), tuple(c)) for p, c in calls),
    )
