"""The CI gate: the exit code ``roadmap scan`` ends with.

| code | meaning |
| ---- | ------- |
| 0 | no finding at or above ``fail_on`` (only new ones count when a baseline is used) |
| 1 | at least one such finding |
| 2 | usage or configuration error, unreadable target or baseline |
| 3 | ``strict`` and the scan was incomplete: an analyzer failed or a file could not be analyzed |

When both 1 and 3 apply, the code is 1: the findings are certain, the gap is secondary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from analyzer.completeness import assess_completeness
from analyzer.config import GateConfig
from analyzer.model import SEVERITIES, Finding, ScanResult

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_USAGE: Final = 2
EXIT_INCOMPLETE: Final = 3


def gating_findings(findings: Sequence[Finding], gate: GateConfig) -> tuple[Finding, ...]:
    """The findings that fail the gate: at or above ``fail_on``, and new if a baseline is used."""
    if gate.fail_on is None:
        return ()
    limit = SEVERITIES.index(gate.fail_on)
    return tuple(
        f
        for f in findings
        if SEVERITIES.index(f.severity) <= limit and f.baseline_status != "baseline"
    )


def is_incomplete(result: ScanResult) -> bool:
    return not assess_completeness(result).complete


def exit_code(result: ScanResult, gate: GateConfig) -> int:
    if gating_findings(result.findings, gate):
        return EXIT_FINDINGS
    if gate.strict and is_incomplete(result):
        return EXIT_INCOMPLETE
    return EXIT_OK
