"""Typed reads from parsed JSON, with errors that say which file and which field.

A report read back is untrusted data (a CI artifact anyone with write access to the
pipeline could replace): each value is checked for its type and range where it is read,
and the first bad one stops the read with a ``ReportError`` naming the field by its path
(``shard-2.json: findings[13].line must be a whole number of at least 1``).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TypeVar

T = TypeVar("T", bound=str)
LARGEST_NUMBER = 2**53


class ReportError(ValueError):
    """A report that cannot be read, or reports that do not belong together."""


class Node:
    """One JSON value and where it sits in its file."""

    __slots__ = ("source", "value", "where")

    def __init__(self, value: object, where: str, source: str) -> None:
        self.value = value
        self.where = where
        self.source = source

    def fail(self, problem: str) -> ReportError:
        where = f"{self.where} " if self.where else ""
        return ReportError(f"{self.source}: {where}{problem}")

    def _child(self, value: object, name: str) -> Node:
        if name.startswith("["):
            return Node(value, f"{self.where}{name}", self.source)
        return Node(value, f"{self.where}.{name}" if self.where else name, self.source)

    def _object(self) -> dict[str, object]:
        if not isinstance(self.value, dict):
            raise self.fail("must be an object")
        return self.value

    def key(self, name: str) -> Node:
        members = self._object()
        if name not in members:
            raise self.fail(f"lacks {name!r}")
        return self._child(members[name], name)

    def optional(self, name: str) -> Node | None:
        """The member, or None when it is absent or null."""
        value = self._object().get(name)
        return None if value is None else self._child(value, name)

    def has(self, name: str) -> bool:
        return name in self._object()

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.fail("must be a list")
        return [self._child(item, f"[{index}]") for index, item in enumerate(self.value)]

    def entries(self) -> list[tuple[str, Node]]:
        return [(name, self._child(value, f"[{name!r}]")) for name, value in self._object().items()]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.fail("must be a string")
        return self.value

    def optional_text(self) -> str | None:
        return None if self.value is None else self.text()

    def integer(self, minimum: int = 0) -> int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"must be a whole number of at least {minimum}")
        if value >= LARGEST_NUMBER:
            raise self.fail("must be a whole number below 2**53")
        return value

    def optional_integer(self, minimum: int = 0) -> int | None:
        return None if self.value is None else self.integer(minimum)

    def number(self, minimum: float = -math.inf) -> float:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail("must be a number")
        # Bounded like an integer JSON carries exactly: a 5,000-digit integer cannot become a
        # float, and a 1e308 measure overflows to infinity in the sums a merge computes.
        if not abs(value) < LARGEST_NUMBER:
            raise self.fail("must be a finite number smaller than 2**53")
        if value < minimum:
            raise self.fail(f"must be a finite number of at least {minimum:g}")
        return value

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("must be true or false")
        return self.value

    def choice(self, choices: Collection[T]) -> T:
        if self.value not in choices:
            shown = repr(self.value)[:60]
            raise self.fail(f"must be one of {', '.join(sorted(choices))}, not {shown}")
        return self.value  # type: ignore[return-value]

    def optional_choice(self, choices: Collection[T]) -> T | None:
        return None if self.value is None else self.choice(choices)

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())
