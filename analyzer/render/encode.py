"""The one JSON encoder of the reports (JSON, SARIF, GitLab) and the baseline file.

Paths from the scanned tree may not be valid UTF-8 (``a\\xff.py``); they travel through the
pipeline with surrogate escapes, and here become the visible text ``a\\xff.py``, so every
report is valid UTF-8 JSON that any parser reads.
"""

from __future__ import annotations

import json
import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def dump_json(document: object) -> str:
    """``document`` as indented JSON text ending in a newline, always valid UTF-8."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _SURROGATE.sub(_escaped_byte, text) if _SURROGATE.search(text) else text


def _escaped_byte(match: re.Match[str]) -> str:
    # A JSON string holding a backslash: "\\xff" decodes to the four characters \xff.
    code = ord(match.group())
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\\\u{code:04x}"
