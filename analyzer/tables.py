"""Typed reads from parsed TOML tables, with errors that name the file and the key: the one
way configuration and data files are validated.

Used by the loaders of ``[tool.roadmap]`` (``config``), ``rules/<tool>.toml`` (``rules``),
``rules/recommendations.toml``, ``planning.toml``, ``metrics.toml`` and of
``[tool.roadmap.plan]``; each passes the exception type its callers expect. Keys are named
in errors as ``where: key`` or, with a ``prefix``, by their dotted TOML path
(``pyproject.toml: tool.roadmap.fail_on``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from analyzer.discover.reader import read_named

T = TypeVar("T", bound=str)
# The bundled rules files are tens of kilobytes; this bounds a wrong or hostile one.
TOML_LIMIT = 4 * 1024 * 1024
# Numbers beyond this are not settings but a broken file (and would overflow as floats).
_LARGEST = 2**53
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def read_toml(path: Path, error: type[ValueError]) -> dict[str, Any]:
    try:
        data = read_named(path, limit=TOML_LIMIT)
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{path}: {exc}") from exc
    except (RecursionError, ValueError, MemoryError) as exc:
        # Nesting deeper than Python's recursion limit, or an integer of thousands of digits.
        raise error(f"{path}: cannot read: {type(exc).__name__}: {exc}"[:300]) from exc


@dataclass(frozen=True, slots=True)
class TableReader:
    """One TOML table; ``where`` names it in errors (``rules/planning.toml: [review]``)."""

    values: Mapping[str, Any]
    where: str
    error: type[ValueError]
    # The table's dotted TOML path ("tool.roadmap."), when keys are named by it in errors.
    prefix: str = ""

    @classmethod
    def of(
        cls, value: object, where: str, error: type[ValueError], prefix: str = ""
    ) -> TableReader:
        if not isinstance(value, dict):
            name = f"{where}: {prefix.rstrip('.')}" if prefix else where
            raise error(f"{name} must be a table")
        return cls(cast(dict[str, Any], value), where, error, prefix)

    def name(self, key: str) -> str:
        """How errors name a key: ``where: key``, or its dotted TOML path after ``where``
        (a key that is not a bare word quoted, as TOML writes it: ``a."bandit.B101"``)."""
        shown = key if _BARE_KEY.match(key) else f'"{key}"'
        return f"{self.where}: {self.prefix}{shown}"

    def fail(self, key: str, problem: str) -> ValueError:
        separator = "" if problem.startswith(":") else " "
        return self.error(f"{self.name(key)}{separator}{problem}")

    def only(self, allowed: Collection[str]) -> TableReader:
        unknown = sorted(set(self.values) - set(allowed))
        if unknown:
            shown = f"{self.prefix}{unknown[0]}" if self.prefix else repr(unknown[0])
            known = f" (known keys: {', '.join(sorted(allowed))})" if self.prefix else ""
            raise self.error(f"{self.where}: unknown key {shown}{known}")
        return self

    def table(self, key: str) -> TableReader:
        return TableReader.of(self.values.get(key, {}), f"{self.where}.{key}", self.error)

    def section(self, key: str, default: object = None) -> TableReader:
        """A nested table, its keys named by their dotted path (``tool.name``)."""
        value = self.values.get(key, {} if default is None else default)
        return TableReader.of(value, self.where, self.error, f"{self.prefix}{key}.")

    def string(self, key: str, default: str | None = None) -> str:
        value = self.values.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(key, "must be a non-empty string")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.values.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.values.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float = 0.0) -> float:
        value = self.values.get(key, default)
        # Written so that TOML's nan and inf (and an integer too large for a float) fail.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number of at least {minimum:g}")
        if not minimum <= value < _LARGEST:
            raise self.fail(key, f"must be a number of at least {minimum:g}")
        return float(value)

    def integer(self, key: str, default: int | None = None, *, minimum: int = 0) -> int:
        value = self.values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be a whole number of at least {minimum}")
        return value

    def choice(self, key: str, choices: tuple[T, ...], default: T | None = None) -> T:
        value = self.values.get(key, default)
        if value not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)}, not {value!r}")
        return cast(T, value)
