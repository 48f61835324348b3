"""The per-file pass and the second round of the join.

Per file (in parallel, cached): the pre-filter decides how much of the libcst pass a file
needs (``prefilter``). At the join: files no pass looked at, or looked at only for the body
rules, are parsed when a declaration refers to them (a Django view module, a view's base
class, a router re-exported by a package), until nothing new is referred to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import libcst as cst

from analyzer.analyzers.api.candidates import may_report
from analyzer.analyzers.api.extract import ModuleExtractor
from analyzer.analyzers.api.facts import ModuleFacts
from analyzer.analyzers.api.memo import FactsMemo
from analyzer.analyzers.api.metadata import ModuleMetadata
from analyzer.analyzers.api.names import ModuleIndex, build_index, module_name, source_roots
from analyzer.analyzers.api.prefilter import (
    BASES,
    COLLECTIONS,
    ENDPOINTS,
    GUARDS,
    NEEDED,
    ROUTES,
    NameNeeds,
    Prefilter,
)
from analyzer.analyzers.api.project import MAX_DEPTH
from analyzer.analyzers.api.rules_body import BodyRules
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.model import FileError, SourceFile
from analyzer.source import PARSE_ERRORS, decode_source, describe_parse_error, read_bytes

ANALYZER = "api"


@dataclass(frozen=True, kw_only=True, slots=True)
class FirstPass:
    """What the per-file pass made of one file: its facts, and whether it has declarations."""

    facts: ModuleFacts
    declarations: bool


def read_file(root: str, path: str) -> bytes | FileError:
    return read_bytes(root, path, ANALYZER)


def first_pass(
    root: str, source: SourceFile, settings: ApiSettings, prefilter: Prefilter
) -> FirstPass | FileError | None:
    """The per-file pass over one file; None when the pre-filter skips it."""
    data = read_file(root, source.path)
    if isinstance(data, FileError):
        return data
    which = prefilter.which_pass(data)
    if which is None:
        return None
    declarations = which == ENDPOINTS
    result = analyze_module(
        data,
        source.path,
        settings,
        declarations=declarations,
        needs=prefilter.name_needs(data, module_name(source.path)),
    )
    return (
        result
        if isinstance(result, FileError)
        else FirstPass(facts=result, declarations=declarations)
    )


def second_round(
    root: str,
    files: Sequence[SourceFile],
    facts: list[ModuleFacts],
    settings: ApiSettings,
    prefilter: Prefilter,
    unreadable: set[str],
    memo: FactsMemo | None = None,
) -> tuple[list[ModuleFacts], list[FileError]]:
    """Parse the files declarations refer to that the per-file pass gave no declarations for.

    A module referred to only as a possible registration helper, decorator or hook is
    parsed only when its bytes could hold a route declaration or a refusal (``Prefilter``).
    Body findings are kept only for files the per-file pass skipped altogether (the others
    already reported theirs).
    """
    paths: dict[str, str] = {}
    for source in files:
        paths.setdefault(module_name(source.path), source.path)
    index = build_index(paths, source_roots(paths.values()))
    added: list[ModuleFacts] = []
    errors: list[FileError] = []
    done = {m.module for m in facts} | {module_name(p) for p in unreadable}
    skipped: set[str] = set()
    for _ in range(MAX_DEPTH):
        wanted = _wanted_modules([*facts, *added], index)
        pending = [
            m for m in sorted(wanted) if m not in done and (m not in skipped or NEEDED in wanted[m])
        ]
        if not pending:
            break
        for module in pending:
            data = read_file(root, paths[module])
            if not isinstance(data, FileError) and not prefilter.may_matter(data, wanted[module]):
                skipped.add(module)
                continue
            done.add(module)
            result = _parse_referenced(root, paths[module], data, settings, prefilter, memo)
            if isinstance(result, FileError):
                errors.append(result)
            else:
                added.append(result)
    return added, errors


def _parse_referenced(
    root: str,
    path: str,
    data: bytes | FileError,
    settings: ApiSettings,
    prefilter: Prefilter,
    memo: FactsMemo | None,
) -> ModuleFacts | FileError:
    if isinstance(data, FileError):
        return data
    remembered = memo.get(path, data) if memo else None
    if remembered is not None:
        return remembered
    needs = prefilter.name_needs(data, module_name(path))
    result = analyze_module(data, path, settings, declarations=True, needs=needs)
    if isinstance(result, ModuleFacts) and prefilter.which_pass(data) is not None:
        result = replace(result, findings=())
    if isinstance(result, ModuleFacts) and memo:
        memo.put(path, data, result)
    return result


def _wanted_modules(facts: Sequence[ModuleFacts], index: ModuleIndex) -> dict[str, set[str]]:
    """Scanned modules that the names declarations refer to live in, through re-exports,
    each with why: ``NEEDED``, or only ``ROUTES`` / ``GUARDS`` (see ``_referenced_names``)."""
    aliases = {index.canonical(k): v for m in facts for k, v in m.aliases}
    wanted: dict[str, set[str]] = {}
    for name, need in _referenced_names(facts):
        current = name
        for _ in range(MAX_DEPTH):
            module = index.module_of(current)
            if module is not None:
                wanted.setdefault(module, set()).add(need)
            target = aliases.get(index.canonical(current))
            if target is None or target.startswith("returns:"):
                break
            current = target
    return wanted


def _referenced_names(facts: Iterable[ModuleFacts]) -> Iterator[tuple[str, str]]:
    """Names the join looks up: handlers, views, collections, dependencies (``NEEDED``);
    registration helpers (``ROUTES``); decorators and hooks, whose bodies may refuse
    requests (``GUARDS``); base classes (``BASES``); factories of module-level names
    (``COLLECTIONS``)."""
    for module in facts:
        for route in module.routes:
            yield route.handler.removeprefix("class:"), NEEDED
            yield route.target, NEEDED
        for pattern in module.patterns:
            yield pattern.view.removeprefix("made:"), NEEDED
            yield from ((d, GUARDS) for d in pattern.decorators)
        for router, _, viewset in module.registrations:
            yield router, NEEDED
            yield viewset, NEEDED
        for mount in module.mounts:
            yield mount.parent, NEEDED
            yield mount.child.removeprefix("returns:"), NEEDED
        for hook in module.hooks:
            yield hook.function, GUARDS
        yield from ((m, GUARDS) for m in module.middleware)
        for collection in module.collections:
            yield from ((d, GUARDS) for d in collection.decorators)
        for site in module.call_sites:
            yield site.func, ROUTES
        for handler in module.handlers:
            yield from ((d, NEEDED) for d in handler.dependencies)
            yield from ((d.partition(":")[0], GUARDS) for d in handler.decorators)
        for view in module.classes:
            yield from ((b, BASES) for b in view.bases)
            yield from ((d, GUARDS) for d in view.decorators)
        for _, target in module.aliases:
            if target.startswith("returns:"):
                yield target.removeprefix("returns:"), COLLECTIONS


def analyze_module(
    data: bytes, path: str, settings: ApiSettings, *, declarations: bool, needs: NameNeeds
) -> ModuleFacts | FileError:
    """Parse one file with libcst and run the body rules, and the extractor if asked."""
    text = decode_source(data, path, ANALYZER)
    if isinstance(text, FileError):
        return text
    module = module_name(path)
    if not declarations and not may_report(text, module, settings):
        return ModuleFacts(module=module, path=path)
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return FileError(
            path=path,
            analyzer=ANALYZER,
            reason=f"syntax error (line {exc.raw_line}): {exc.message}",
        )
    except PARSE_ERRORS as exc:
        return FileError(path=path, analyzer=ANALYZER, reason=describe_parse_error(exc))
    metadata = ModuleMetadata(tree, module=module, path=path)
    body = BodyRules(metadata=metadata, settings=settings, needs=needs)
    tree.visit(body)
    if not declarations:
        return ModuleFacts(module=module, path=path, findings=tuple(body.findings))
    extractor = ModuleExtractor(metadata=metadata, settings=settings)
    tree.visit(extractor)
    return ModuleFacts(
        module=module,
        path=path,
        collections=tuple(extractor.collections),
        mounts=tuple(extractor.mounts),
        hooks=tuple(extractor.hooks),
        routes=tuple(extractor.routes),
        call_sites=tuple(extractor.call_sites),
        patterns=tuple(extractor.patterns),
        registrations=tuple(extractor.registrations),
        handlers=tuple(extractor.handlers),
        classes=tuple(extractor.classes),
        security_objects=tuple(extractor.security_objects),
        drf_defaults=tuple(extractor.settings_reader.drf_defaults),
        middleware=tuple(extractor.settings_reader.middleware),
        constants=tuple(extractor.constants),
        aliases=tuple(a for a in extractor.aliases if a[0] not in extractor.defined),
        findings=tuple(body.findings),
    )
