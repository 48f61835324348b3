"""The cheap pass: decide from the raw bytes whether a file needs the libcst pass at all.

A file qualifies when it imports a configured web framework or database/HTTP library, or
when it defines a coroutine and imports a module with blocking calls (``time``,
``subprocess``). A regular expression over bytes costs microseconds; parsing with libcst
and resolving qualified names costs tens of milliseconds per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.analyzers.api.settings import ApiSettings


@dataclass(frozen=True, slots=True)
class Prefilter:
    imports: re.Pattern[bytes]
    async_imports: re.Pattern[bytes]

    def wants_full_pass(self, data: bytes) -> bool:
        if self.imports.search(data):
            return True
        return b"async def" in data and self.async_imports.search(data) is not None


def build_prefilter(settings: ApiSettings) -> Prefilter:
    return Prefilter(
        imports=_import_pattern((*settings.frameworks, *settings.libraries)),
        async_imports=_import_pattern(settings.async_libraries),
    )


def _import_pattern(modules: Iterable[str]) -> re.Pattern[bytes]:
    """``import m``, ``import a, m``, ``from m import``, ``from m.sub import`` for any ``m``."""
    names = b"|".join(
        re.escape(m.encode()) for m in sorted(set(modules), key=lambda m: (-len(m), m))
    )
    head = rb"^[ \t]*(?:from[ \t]+|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*)"
    return re.compile(head + rb"(?:" + names + rb")(?=[ \t.,;]|$)", re.MULTILINE)
