"""Is a SQL argument built from strings at run time, and would bandit's B608 see it?

``dynamic``: an f-string with fields, ``%``/``.format()`` on a literal, or ``+`` joining a
literal (or a string built in the same function) with something else. ``bandit_sees``:
the literal text of such a construction matches B608's pattern, so bandit reports it and
we must not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from analyzer.analyzers.api.syntax import string_value

# The same test bandit's B608 applies to the literal text of a formatted string.
BANDIT_SQL = re.compile(
    r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Built:
    """How a local string variable was built, over all its assignments; ``head`` is the
    literal text it starts with (``PRAGMA``, ``SELECT``), as far as it is known."""

    dynamic: bool
    bandit_sees: bool
    head: str = ""

    def merge(self, other: Built) -> Built:
        return Built(
            dynamic=self.dynamic or other.dynamic,
            bandit_sees=self.bandit_sees or other.bandit_sees,
            head=self.head or other.head,
        )


STATIC = Built(dynamic=False, bandit_sees=False)


def classify(node: cst.BaseExpression, names: Mapping[str, Built]) -> Built | None:
    """How ``node`` is built; None when it is not a string we can follow."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        return Built(dynamic=False, bandit_sees=False, head=string_value(node) or "")
    if isinstance(node, cst.Name):
        return names.get(node.value)
    if isinstance(node, cst.FormattedString):
        literal = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        dynamic = any(isinstance(p, cst.FormattedStringExpression) for p in node.parts)
        first = node.parts[0] if node.parts else None
        head = first.value if isinstance(first, cst.FormattedStringText) else ""
        return Built(dynamic=dynamic, bandit_sees=dynamic and _bandit(literal), head=head)
    if isinstance(node, cst.BinaryOperation):
        return _binary(node, names)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    ):
        text = string_value(node.func.value)
        if text is not None:
            return Built(dynamic=True, bandit_sees=_bandit(text), head=text)
    return None


def _binary(node: cst.BinaryOperation, names: Mapping[str, Built]) -> Built | None:
    if isinstance(node.operator, cst.Modulo):
        text = string_value(node.left)
        if text is None:
            return None
        return Built(dynamic=True, bandit_sees=_bandit(text), head=text)
    if not isinstance(node.operator, cst.Add):
        return None
    left, right = classify(node.left, names), classify(node.right, names)
    if left is None and right is None:
        return None
    dynamic = left is None or right is None or left.dynamic or right.dynamic
    sides = [s for s in (left, right) if s is not None]
    inherited = any(s.bandit_sees for s in sides)
    return Built(
        dynamic=dynamic,
        bandit_sees=inherited or (dynamic and _bandit(_literal_text(node))),
        head=left.head if left is not None else "",
    )


def _literal_text(node: cst.BaseExpression) -> str:
    """The literal pieces of a ``+`` chain, joined as bandit joins them."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _literal_text(node.left) + _literal_text(node.right)
    return string_value(node) or ""


def _bandit(text: str | None) -> bool:
    return text is not None and BANDIT_SQL.search(text) is not None


def takes_no_parameters(built: Built, keywords: tuple[str, ...]) -> bool:
    """A statement whose values cannot be bound as parameters (``PRAGMA``, DDL): building
    it from strings is the only way, so it is no finding."""
    words = built.head.split(None, 1)
    return bool(words) and words[0].upper() in keywords
