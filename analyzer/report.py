"""What every renderer receives: the scan result plus how the user named the target."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model import ScanResult


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    result: ScanResult
    # The root as the user typed it: outputs never show absolute paths of the machine.
    root_label: str
