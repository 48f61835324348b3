"""The one JSON encoder of the reports (JSON, SARIF, GitLab) and the baseline file.

Paths from the scanned tree may not be valid UTF-8 (``a\\xff.py``); they travel through the
pipeline with surrogate escapes, and here become the visible text ``a\\xff.py``, so every
report is valid UTF-8 JSON that any parser reads.
"""

from __future__ import annotations

import json
import re

import orjson

from analyzer.render.escape import break_workflow_commands

_SURROGATE = re.compile("[\ud800-\udfff]")


def dump_json(document: object) -> str:
    """``document`` as indented JSON text ending in a newline, always valid UTF-8.

    orjson writes the same text as ``json.dumps(indent=2, ensure_ascii=False)``, in C; a
    document it refuses (a lone surrogate from a non-UTF-8 path, an integer over 64 bits)
    goes through the standard library, which encodes it, surrogates then made visible. (One
    difference: a NaN, which no JSON parser accepts, is written as ``null``.)"""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except orjson.JSONEncodeError:
        pass
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _SURROGATE.sub(_escaped_byte, text) if _SURROGATE.search(text) else text


def _escaped_byte(match: re.Match[str]) -> str:
    # A JSON string holding a backslash: "\\xff" decodes to the four characters \xff.
    code = ord(match.group())
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\\\u{code:04x}"


def as_read_back(text: str) -> str:
    """``text`` as a JSON report written by ``dump_json`` and read back holds it: a
    surrogate-escaped byte as the four visible characters ``\\xff``."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda match: str(json.loads(f'"{_escaped_byte(match)}"')), text)


def for_terminal(text: str, fmt: str) -> str:
    """A report on its way to stdout, where a terminal or CI log reads it: JSON formats are
    re-encoded in ASCII (every other character as a ``\\u`` escape, workflow-command
    openers too, so the data is unchanged), other formats get workflow commands broken."""
    if fmt in COMMAND_FORMATS:
        return text
    if fmt not in JSON_FORMATS:
        return break_workflow_commands(text)
    ascii_text = json.dumps(json.loads(text), indent=2, ensure_ascii=True) + "\n"
    return _OPENERS.sub(lambda m: m.group()[0] + f"\\u{ord(m.group()[1]):04x}", ascii_text)


JSON_FORMATS = frozenset({"json", "sarif", "gitlab"})
# Workflow commands are the point of this format; its renderer escapes what goes in them.
COMMAND_FORMATS = frozenset({"github"})
_OPENERS = re.compile(r"::|##")
