"""The one JSON encoder of the reports (JSON, SARIF, GitLab) and the baseline file.

Paths from the scanned tree may not be valid UTF-8 (``a\\xff.py``); they travel through the
pipeline with surrogate escapes, and here become the visible text ``a\\xff.py``, so every
report is valid UTF-8 JSON that any parser reads.
"""

from __future__ import annotations

import json
import re

from analyzer.render.escape import break_workflow_commands

_SURROGATE = re.compile("[\ud800-\udfff]")


def dump_json(document: object) -> str:
    """``document`` as indented JSON text ending in a newline, always valid UTF-8."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _SURROGATE.sub(_escaped_byte, text) if _SURROGATE.search(text) else text


def _escaped_byte(match: re.Match[str]) -> str:
    # A JSON string holding a backslash: "\\xff" decodes to the four characters \xff.
    code = ord(match.group())
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\\\u{code:04x}"


def for_terminal(text: str, fmt: str) -> str:
    """A report on its way to stdout, where a terminal or CI log reads it: JSON formats are
    re-encoded in ASCII (every other character as a ``\\u`` escape, workflow-command
    openers too, so the data is unchanged), other formats get workflow commands broken."""
    if fmt not in JSON_FORMATS:
        return break_workflow_commands(text)
    ascii_text = json.dumps(json.loads(text), indent=2, ensure_ascii=True) + "\n"
    return _OPENERS.sub(lambda m: m.group()[0] + f"\\u{ord(m.group()[1]):04x}", ascii_text)


JSON_FORMATS = frozenset({"json", "sarif", "gitlab"})
_OPENERS = re.compile(r"::|##")
