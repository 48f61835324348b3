"""Test analyzers for the engine: one that records what it analyzed, and ones that hang,
crash or kill their worker. They run in worker processes, so they live in an importable
module and keep their state in files."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from analyzer.model import AnalysisOutput, RawFinding, Scope
from analyzer.plugins import AnalysisRequest, AnalyzerFailure, LoadedAnalyzer


@dataclass(frozen=True)
class RecordingAnalyzer:
    """Reports one finding per file (its first line) and logs every file it analyzed."""

    name: str
    log_dir: str
    scope: Scope = "file"
    version: str = "1.0"
    tool: str = "recorder"
    file_patterns: tuple[str, ...] = ("*.py",)
    poison: str | None = None  # a file name that kills the worker

    def tool_version(self) -> str:
        return self.version

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        paths = [f.path for f in request.files]
        if self.poison is not None and any(p.endswith(self.poison) for p in paths):
            os.kill(os.getpid(), signal.SIGKILL)
        log = Path(self.log_dir) / f"{self.name}-{uuid.uuid4().hex}.log"
        log.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
        findings = tuple(
            RawFinding(
                tool=self.tool,
                tool_code="first-line",
                message=(Path(request.root) / p).read_text(encoding="utf-8").split("\n", 1)[0],
                path=p,
                line=1,
            )
            for p in paths
        )
        return AnalysisOutput(findings=findings)


def analyzed_paths(log_dir: Path, name: str) -> list[str]:
    """Every path the named recording analyzer was given, over all its runs so far."""
    return sorted(
        line
        for log in log_dir.glob(f"{name}-*.log")
        for line in log.read_text(encoding="utf-8").splitlines()
    )


@dataclass(frozen=True)
class HangingAnalyzer:
    """Starts a child process, writes its pid to ``marker``, then never returns."""

    marker: str
    name: str = "hang"
    tool: str = "hang"
    scope: Scope = "project"
    file_patterns: tuple[str, ...] = ("*.py",)

    def tool_version(self) -> str:
        return "1.0"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        child = subprocess.Popen(["sleep", "600"])
        Path(self.marker).write_text(str(child.pid), encoding="utf-8")
        while True:
            time.sleep(1)


@dataclass(frozen=True)
class CrashingAnalyzer:
    name: str = "crash"
    tool: str = "crash"
    scope: Scope = "project"
    file_patterns: tuple[str, ...] = ("*.py",)

    def tool_version(self) -> str:
        return "1.0"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        raise RuntimeError("the tool blew up")


@dataclass(frozen=True)
class ExitingAnalyzer:
    """Ends its worker process abruptly, as a segfaulting extension would."""

    name: str = "exit"
    tool: str = "exit"
    scope: Scope = "project"
    file_patterns: tuple[str, ...] = ("*.py",)

    def tool_version(self) -> str:
        return "1.0"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        os._exit(7)


def loaded(*analyzers: object) -> tuple[LoadedAnalyzer, ...]:
    return tuple(LoadedAnalyzer(name=a.name, analyzer=a) for a in analyzers)  # type: ignore[attr-defined,arg-type]
