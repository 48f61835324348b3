"""Whether a scan is complete: the one definition every output and the gate use.

A scan is incomplete when an analyzer failed (crashed, timed out, its worker died) or a
file could not be analyzed by some analyzer (a syntax error, a bad encoding, over the size
limit). Exactly then ``--strict`` exits 3, the JSON says ``scan_complete: false``, SARIF
says ``executionSuccessful: false``, and the summary and the Markdown warn. An analyzer
the user turned off (``--disable``, ``--select``) is skipped, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model import ScanResult


@dataclass(frozen=True, kw_only=True, slots=True)
class Completeness:
    failed_analyzers: tuple[str, ...]
    # Files at least one analyzer could not analyze, sorted.
    unanalyzed_files: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.failed_analyzers and not self.unanalyzed_files

    def describe(self) -> str:
        """What is missing, in one line ("analyzers failed: typing; 2 files could not be
        analyzed"), or "" for a complete scan."""
        parts = []
        if self.failed_analyzers:
            noun = "analyzer" if len(self.failed_analyzers) == 1 else "analyzers"
            parts.append(f"{noun} failed: {', '.join(self.failed_analyzers)}")
        if self.unanalyzed_files:
            count = len(self.unanalyzed_files)
            parts.append(f"{count} {'file' if count == 1 else 'files'} could not be analyzed")
        return "; ".join(parts)


def assess_completeness(result: ScanResult) -> Completeness:
    return Completeness(
        failed_analyzers=tuple(run.name for run in result.analyzers if run.status == "failed"),
        unanalyzed_files=tuple(sorted({error.path for error in result.errors})),
    )
