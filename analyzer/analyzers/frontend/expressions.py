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
_STRING_ANYWHERE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.DOTALL)
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
    """Is this value (before any filter) free of markup nobody wrote or escaped?"""
    text = _strip_parentheses(head.strip())
    masked = _mask_nested(text)
    conditional = re.search(r"\sif\s.*\selse\s", masked)
    if conditional:
        # ``a if cond else b``: both outcomes must be trusted; the condition is not output.
        then, otherwise = text[: conditional.start()], text[masked.rindex(" else ") + 6 :]
        return _trusted_value(then, policy, local_markup) and _trusted_value(
            otherwise, policy, local_markup
        )
    pieces = _split_masked(text, masked, "~+")
    if len(pieces) > 1:
        return all(_trusted_value(piece, policy, local_markup) for piece in pieces)
    if _STRING.fullmatch(text) or text in local_markup or _NUMBER.fullmatch(text):
        return True
    call = _CALL_HEAD.match(text)
    if call is None or not text.endswith(")"):
        return False
    name = call.group("name")
    if _matches(name, policy.translation_calls):
        # The message must be written by the developers, and so must every value put into
        # it: ``_()`` may be a plain gettext that interpolates without escaping.
        arguments = [a.strip() for a in _split_top(text[call.end() : text.rfind(")")], ",")]
        values = [re.sub(r"^\w+\s*=(?!=)", "", a).strip() for a in arguments[1:] if a]
        return (
            bool(arguments)
            and _STRING.fullmatch(arguments[0]) is not None
            and all(_trusted_value(v, policy, local_markup) for v in values)
        )
    return _matches(name, policy.trusted_calls)


def _trusted_value(expression: str, policy: SafePolicy, local_markup: frozenset[str]) -> bool:
    """A whole value, filters included (``name|e`` is trusted)."""
    return is_trusted(_strip_parentheses(expression.strip()), policy, local_markup)


def _strip_parentheses(text: str) -> str:
    """``(a ~ b)`` -> ``a ~ b``, for parentheses around the whole expression only."""
    while text.startswith("(") and text.endswith(")") and _encloses(text):
        text = text[1:-1].strip()
    return text


def _encloses(text: str) -> bool:
    """The opening parenthesis closes at the last character, not before."""
    depth = 0
    masked = _mask_strings(text)
    for index, char in enumerate(masked):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index == len(masked) - 1
    return False


def _mask_strings(text: str) -> str:
    return _STRING_ANYWHERE.sub(lambda m: " " * len(m.group(0)), text)


def _mask_nested(text: str) -> str:
    """``text`` with string literals and bracketed parts blanked (same length), so what is
    left is its top level."""
    masked = list(_mask_strings(text))
    depth = 0
    for index, char in enumerate(masked):
        if char in "([{":
            depth += 1
            if depth > 1:
                masked[index] = " "
        elif char in ")]}":
            depth -= 1
            if depth > 0:
                masked[index] = " "
        elif depth > 0:
            masked[index] = " "
    return "".join(masked)


def _split_masked(text: str, masked: str, separators: str) -> list[str]:
    pieces, start = [], 0
    for index, char in enumerate(masked):
        if char in separators:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]


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
