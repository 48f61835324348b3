"""The per-file passes: pre-filter, then libcst with metadata for the files that qualify.

A second round parses files the pre-filter skipped when a declaration in a parsed file
refers to them (a Django view module that imports nothing the filter knows, say).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from analyzer.analyzers.api.extract import ModuleExtractor
from analyzer.analyzers.api.facts import ModuleFacts
from analyzer.analyzers.api.names import build_index, module_name
from analyzer.analyzers.api.prefilter import build_prefilter
from analyzer.analyzers.api.rules_body import BodyRules
from analyzer.analyzers.api.settings import ApiSettings
from analyzer.model import FileError, SourceFile
from analyzer.source import PARSE_ERRORS, decode_source, describe_parse_error

ANALYZER = "api"


def run_file_passes(
    root: str, files: Sequence[SourceFile], settings: ApiSettings
) -> tuple[list[ModuleFacts], list[FileError]]:
    prefilter = build_prefilter(settings)
    facts: list[ModuleFacts] = []
    errors: list[FileError] = []
    skipped: dict[str, bytes] = {}
    for source in files:
        try:
            data = (Path(root) / source.path).read_bytes()
        except OSError as exc:
            errors.append(
                FileError(
                    path=source.path, analyzer=ANALYZER, reason=f"unreadable: {exc.strerror or exc}"
                )
            )
            continue
        if prefilter.wants_full_pass(data):
            _collect(analyze_module(data, source.path, settings), facts, errors)
        else:
            skipped[module_name(source.path)] = data
    for module in _referenced(facts, skipped):
        path = next(f.path for f in files if module_name(f.path) == module)
        _collect(analyze_module(skipped[module], path, settings), facts, errors)
    return facts, errors


def _collect(
    result: ModuleFacts | FileError, facts: list[ModuleFacts], errors: list[FileError]
) -> None:
    if isinstance(result, FileError):
        errors.append(result)
    else:
        facts.append(result)


def _referenced(facts: Iterable[ModuleFacts], skipped: dict[str, bytes]) -> list[str]:
    """Skipped modules that routes, URL patterns or registrations name."""
    index = build_index(skipped)
    names: set[str] = set()
    for module in facts:
        names.update(r.handler.removeprefix("class:") for r in module.routes)
        names.update(p.view for p in module.patterns)
        names.update(viewset for _, _, viewset in module.registrations)
        names.update(m.child for m in module.mounts)
    wanted = {index.module_of(name) for name in names}
    return sorted(m for m in wanted if m is not None and m in skipped)


def analyze_module(data: bytes, path: str, settings: ApiSettings) -> ModuleFacts | FileError:
    """Parse one file with libcst and run the extractor and the body rules over it."""
    text = decode_source(data, path, ANALYZER)
    if isinstance(text, FileError):
        return text
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
    module = module_name(path)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    extractor = ModuleExtractor(module=module, path=path, settings=settings)
    body = BodyRules(module=module, path=path, settings=settings)
    wrapper.visit(extractor)
    wrapper.visit(body)
    return ModuleFacts(
        module=module,
        path=path,
        collections=tuple(extractor.collections),
        mounts=tuple(extractor.mounts),
        routes=tuple(extractor.routes),
        patterns=tuple(extractor.patterns),
        registrations=tuple(extractor.registrations),
        handlers=tuple(extractor.handlers),
        classes=tuple(extractor.classes),
        security_objects=tuple(extractor.security_objects),
        drf_defaults=tuple(extractor.drf_defaults),
        aliases=tuple(extractor.aliases),
        findings=tuple(body.findings),
    )
