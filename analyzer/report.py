"""What every renderer receives: the scan result plus how the user named the target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.baseline import Comparison
from analyzer.model import ScanResult

if TYPE_CHECKING:  # plan.py builds these from a Report, so it imports this module
    from analyzer.group import Recommendation
    from analyzer.plan import Roadmap


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    result: ScanResult
    # The root as the user typed it: outputs never show absolute paths of the machine.
    root_label: str
    # Set when the scan was compared with a baseline: which findings are new.
    baseline: Comparison | None = None
    # Filled by analyzer.plan.with_roadmap; renderers plan with defaults when it is None.
    recommendations: tuple[Recommendation, ...] = ()
    roadmap: Roadmap | None = None
    # The day the roadmap is dated (and its Gantt chart starts); an input, so output is
    # deterministic. Templates the user points --template-dir at, before the bundled ones.
    generated_on: date | None = None
    template_dir: Path | None = None
    # --rules-dir: renderers read rule titles, help and kinds with the same overrides.
    rule_dirs: tuple[Path, ...] = ()
    # --sarif-include-suppressed: SARIF lists suppressed findings too (GitHub counts them
    # against its limit, so by default they are left out; the JSON always has them).
    sarif_suppressed: bool = False
