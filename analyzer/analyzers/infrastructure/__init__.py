"""Infrastructure analyzer: Dockerfiles and docker compose files, read by hand, never built.

Besides findings it measures the baseline for "reduce Docker image sizes": per Dockerfile
the number of size-related findings and, when the final stage is an official Python image
that is not slim, the published size of that image and the estimated saving from the slim
variant (the table and its source are in ``rules/infrastructure.toml``).

This module holds only what the engine reads without running the analyzer; the checks
(``checks``), and yaml with them, are imported when it runs, so a scan served from the
cache never loads them.
"""

from __future__ import annotations

from importlib.metadata import version

from analyzer.model import AnalysisOutput
from analyzer.plugins import AnalysisRequest, AnalyzerFailure

DOCKERFILE_PATTERNS = (
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
)
COMPOSE_PATTERNS = (
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose.yml",
    "compose.yaml",
    "compose.*.yml",
    "compose.*.yaml",
)


class InfrastructureAnalyzer:
    name = "infrastructure"
    tool = "infrastructure"
    scope = "project"
    file_patterns = (*DOCKERFILE_PATTERNS, *COMPOSE_PATTERNS, ".dockerignore")

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        from analyzer.analyzers.infrastructure.checks import check_files

        return check_files(request)
