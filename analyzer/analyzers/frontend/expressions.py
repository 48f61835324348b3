"""What a template expression marked ``|safe`` holds, read from its text.

Jinja2 and Django share the shape ``head|filter|filter:arg|filter(args)``. Splitting it at
the top-level ``|`` (outside quotes and brackets) gives the value's source and what was done
to it before ``|safe``: a string literal or translated text written by the developers, a
call to a sanitiser, or a value that went through an escaping filter is already safe, as
long as no later filter mixes other values in (``'href="'|add:url``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

_STRING = re.compile(r"""\s*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*""", re.DOTALL)
_CALL_HEAD = re.compile(r"\s*(?P<name>[A-Za-z_][\w.]*)\s*\(")
_FILTER = re.compile(r"\s*(?P<name>[A-Za-z_][\w.]*)\s*(?P<rest>.*)", re.DOTALL)
_SAFE_FILTERS = frozenset({"safe", "safeseq"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_OPENERS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, kw_only=True, slots=True)
class SafePolicy:
    """Tunable lists from ``rules/frontend.toml`` ``[settings]`` (fnmatch globs)."""

    # Calls whose result is safe markup: form-field rendering, sanitisers.
    trusted_calls: tuple[str, ...]
    # Translation calls: safe when the message is a string literal (Jinja's gettext
    # escapes the values interpolated into it).
    translation_calls: tuple[str, ...]
    # Filters whose output is safe whatever went in: escaping, JSON for scripts, numbers.
    sanitizing_filters: tuple[str, ...]
    # Attributes of the request that carry what the client sent.
    request_inputs: tuple[str, ...]


def split_pipes(expression: str) -> list[str]:
    """``head|f1|f2:arg`` -> ``["head", "f1", "f2:arg"]``, ignoring ``|`` in strings,
    brackets and ``||``."""
    return _split_top(expression, "|")


def _split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` where it is outside quotes and brackets."""
    parts: list[str] = []
    closers: list[str] = []
    quote: str | None = None
    start, index = 0, 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in _OPENERS:
            closers.append(_OPENERS[char])
        elif closers and char == closers[-1]:
            closers.pop()
        elif char == separator and not closers:
            if separator == "|" and text[index + 1 : index + 2] == "|":
                index += 2
                continue
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def marked_values(kind: str, body: str) -> list[str]:
    """The expressions in a tag that go through ``|safe``: the whole of ``{{ ... }}``; in a
    statement, the value of ``{% set x = ... %}`` or each ``name=value`` / bare value of
    ``{% blocktrans with a=... %}`` and ``{% with ... as x %}`` that has the filter."""
    stripped = body.strip()
    if kind == "expression":
        return [stripped]
    if stripped.startswith("set ") and "=" in stripped:
        return [stripped.split("=", 1)[1]]
    tokens = [t for t in _split_top(stripped.replace("\n", " "), " ") if t.strip()]
    values = [re.sub(r"^\w+=", "", t) for t in tokens]
    return [v for v in values if _has_safe_filter(v)]


def _has_safe_filter(expression: str) -> bool:
    return any(
        (m := _FILTER.match(part)) is not None and m.group("name") in _SAFE_FILTERS
        for part in split_pipes(expression)[1:]
    )


def is_trusted(
    expression: str, policy: SafePolicy, local_markup: frozenset[str] = frozenset()
) -> bool:
    """True when the value reaching the first ``|safe`` cannot carry markup the developers
    did not write or escape. ``local_markup``: names the template itself builds with a
    ``{% set name %}...{% endset %}`` block (autoescaped markup, a static SVG icon)."""
    parts = split_pipes(expression)
    trusted = _trusted_head(parts[0], policy, local_markup)
    for part in parts[1:]:
        match = _FILTER.match(part)
        if match is None:
            return False
        name, rest = match.group("name"), match.group("rest").strip()
        if name in _SAFE_FILTERS:
            return trusted
        if _matches(name, policy.sanitizing_filters):
            trusted = True
        elif not _literal_arguments(rest):
            trusted = False
    return trusted


def reads_request_input(expression: str, request_names: Iterable[str], policy: SafePolicy) -> bool:
    """``request.args.q``, ``request.GET["q"]``: what the client sent. Attributes our own
    code sets on the request (``request.user``, ``request.csp_nonce``) are not."""
    names = "|".join(map(re.escape, request_names))
    inputs = "|".join(re.escape(i) for i in policy.request_inputs)
    if not names or not inputs:
        return False
    return re.search(rf"\b(?:{names})\s*\.\s*(?:{inputs})\b", expression) is not None


def _trusted_head(head: str, policy: SafePolicy, local_markup: frozenset[str]) -> bool:
    if _is_string_literals(head) or head.strip() in local_markup or _NUMBER.fullmatch(head.strip()):
        return True
    call = _CALL_HEAD.match(head)
    if call is None or not head.rstrip().endswith(")"):
        return False
    name = call.group("name")
    if _matches(name, policy.translation_calls):
        # The message must be written by the developers, and so must every value put into
        # it: ``_()`` may be a plain gettext that interpolates without escaping.
        arguments = [
            a.strip() for a in _split_top(head[call.end() : head.rstrip().rfind(")")], ",")
        ]
        values = [re.sub(r"^\w+\s*=(?!=)", "", a).strip() for a in arguments[1:] if a]
        return (
            bool(arguments)
            and _STRING.fullmatch(arguments[0]) is not None
            and all(_trusted_head(v, policy, local_markup) for v in values)
        )
    return _matches(name, policy.trusted_calls)


def _is_string_literals(text: str) -> bool:
    """One or more adjacent or ``~``/``+``-joined string literals, nothing else."""
    pieces = re.split(r"[~+]", text) if text.strip() else []
    return bool(pieces) and all(_STRING.fullmatch(piece) for piece in pieces)


def _literal_arguments(rest: str) -> bool:
    """A filter's arguments (``:'x'``, ``('a', 2)``) are literals, or there are none."""
    if not rest:
        return True
    inner = rest[1:] if rest.startswith(":") else rest
    inner = inner.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    values = [v for v in (p.strip() for p in _split_top(inner, ",")) if v]
    return all(_STRING.fullmatch(v) or _NUMBER.fullmatch(v) for v in values)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    last = name.rsplit(".", 1)[-1]
    return any(fnmatchcase(name, p) or fnmatchcase(last, p) for p in patterns)
