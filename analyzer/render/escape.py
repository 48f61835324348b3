"""The one escaper for text from the scanned tree on its way to a terminal or a CI log.

File names, messages quoting source, configuration values: any of it may hold an ESC
sequence (moving the cursor, erasing lines, setting the window title), a newline that
starts a forged line, a bidirectional override that reorders what a reader sees, or a
GitHub workflow command (``::error::``, ``::add-mask::`` at the start of a line, ``##[``
anywhere in it). Each is shown as a visible escape instead, so what the tree holds is
displayed, never obeyed.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text
# (bidi embeddings, overrides and isolates; zero-width and line/paragraph separators).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub Actions reads "::command::" at the start of a (trimmed) line and "##[command]"
# anywhere in one, Azure Pipelines "##vso[command]" anywhere; breaking the pair keeps the
# text readable and inert.
_WORKFLOW = re.compile(r"::|##(?:vso)?\[")
_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_for_terminal(text: str) -> str:
    """``text`` on one line, with control, reordering and workflow-command sequences shown
    as escapes (``\\x1b``, ``\\n``, ``\\u202e``, ``:\\x3a``)."""
    return break_workflow_commands(escape_controls(text))


def escape_controls(text: str) -> str:
    """``text`` on one line, with control and reordering characters shown as escapes, and
    the bytes of a non-UTF-8 file name shown as ``\\xff``: for any text output. A
    backslash is doubled, so a name that holds the four characters ``\\xff`` cannot pass
    for one that holds the byte."""
    return _surrogates_visible(_UNSAFE.sub(_visible, text.replace("\\", "\\\\")))


def break_workflow_commands(text: str) -> str:
    """Any text, multi-line and ours included, with workflow-command openers made inert."""
    return _WORKFLOW.sub(_broken_pair, text)


def _broken_pair(match: re.Match[str]) -> str:
    found = match.group()
    return f"{found[0]}\\x{ord(found[1]):02x}{found[2:]}"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _surrogates_visible(text: str) -> str:
    """A file name that is not valid UTF-8 arrives with surrogate escapes: show its bytes
    (``\\xff``); any other lone surrogate (from a string literal) as ``\\ud800``."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_surrogate_shown, text)


def _surrogate_shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
