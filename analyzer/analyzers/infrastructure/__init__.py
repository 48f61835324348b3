"""Infrastructure analyzer: Dockerfiles and docker compose files, read by hand, never built.

Besides findings it measures the baseline for "reduce Docker image sizes": per Dockerfile
the number of size-related findings and, when the final stage is an official Python image
that is not slim, the published size of that image and the estimated saving from the slim
variant (the table and its source are in ``rules/infrastructure.toml``).
"""

from __future__ import annotations

import fnmatch
import posixpath
from importlib.metadata import version

import yaml

from analyzer.analyzers.infrastructure.compose import check_compose
from analyzer.analyzers.infrastructure.dockerfile import parse_dockerfile
from analyzer.analyzers.infrastructure.dockerfile_rules import check_dockerfile
from analyzer.analyzers.infrastructure.policy import InfraPolicy, default_policy, parse_policy
from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, AnalyzerFailure
from analyzer.source import read_source

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


def _name_matches(path: str, patterns: tuple[str, ...]) -> bool:
    name = posixpath.basename(path)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


class InfrastructureAnalyzer:
    name = "infrastructure"
    tool = "infrastructure"
    scope = "project"
    file_patterns = (*DOCKERFILE_PATTERNS, *COMPOSE_PATTERNS, ".dockerignore")

    def tool_version(self) -> str:
        return f"repo-roadmap {version('repo-roadmap')}"

    def analyze(self, request: AnalysisRequest) -> AnalysisOutput | AnalyzerFailure:
        policy = parse_policy(request.options) if request.options else default_policy()
        ignore_dirs = {
            posixpath.dirname(f.path)
            for f in request.files
            if posixpath.basename(f.path) == ".dockerignore"
        }
        findings: list[RawFinding] = []
        measures: list[Measure] = []
        errors: list[FileError] = []
        for source_file in request.files:
            path = source_file.path
            if _name_matches(path, DOCKERFILE_PATTERNS):
                result = _dockerfile(
                    request.root,
                    path,
                    posixpath.dirname(path) in ignore_dirs or "" in ignore_dirs,
                    policy,
                )
            elif _name_matches(path, COMPOSE_PATTERNS):
                result = _compose(request.root, path, policy)
            else:
                continue
            if isinstance(result, FileError):
                errors.append(result)
            else:
                findings.extend(result[0])
                measures.extend(result[1])
        return AnalysisOutput(
            findings=tuple(findings), measures=tuple(measures), errors=tuple(errors)
        )


def _dockerfile(
    root: str, path: str, has_dockerignore: bool, policy: InfraPolicy
) -> tuple[list[RawFinding], list[Measure]] | FileError:
    text = read_source(root, path, "infrastructure")
    if isinstance(text, FileError):
        return text
    dockerfile = parse_dockerfile(text)
    if not dockerfile.stages:
        return FileError(
            path=path, analyzer="infrastructure", reason="no FROM instruction: not a Dockerfile"
        )
    findings = check_dockerfile(dockerfile, path, has_dockerignore, policy)
    return findings, image_measures(dockerfile_path=path, findings=findings, policy=policy)


def image_measures(
    *, dockerfile_path: str, findings: list[RawFinding], policy: InfraPolicy
) -> list[Measure]:
    """Size baseline of one Dockerfile: size-related findings, and the slim-variant estimate."""
    measures = [
        Measure(name="infrastructure.dockerfiles", value=1, path=dockerfile_path),
        Measure(
            name="infrastructure.size_findings",
            value=sum(1 for f in findings if f.tool_code in policy.size_rules),
            path=dockerfile_path,
        ),
    ]
    for finding in findings:
        details = dict(finding.details)
        if finding.tool_code == "non-slim-base-image" and "estimated_saving_mb" in details:
            sizes = policy.image_sizes[str(details["size_reference_version"])]
            measures.append(
                Measure(
                    name="infrastructure.base_image_mb", value=sizes.full_mb, path=dockerfile_path
                )
            )
            measures.append(
                Measure(
                    name="infrastructure.estimated_image_saving_mb",
                    value=sizes.full_mb - sizes.slim_mb,
                    path=dockerfile_path,
                )
            )
    return measures


def _compose(
    root: str, path: str, policy: InfraPolicy
) -> tuple[list[RawFinding], list[Measure]] | FileError:
    text = read_source(root, path, "infrastructure")
    if isinstance(text, FileError):
        return text
    try:
        findings = check_compose(text, path, policy)
    except (yaml.YAMLError, RecursionError) as exc:
        reason = " ".join(str(exc).split())[:200]
        return FileError(path=path, analyzer="infrastructure", reason=f"not valid YAML: {reason}")
    return findings, [Measure(name="infrastructure.compose_files", value=1, path=path)]
