"""The infrastructure analyzer's work: each Dockerfile and compose file of a request read
and checked, plus the image-size baseline of each Dockerfile.

Imported when the analyzer runs (so yaml and the rule modules are not loaded on a scan
served from the cache).
"""

from __future__ import annotations

import posixpath

import yaml

from analyzer.analyzers.infrastructure import COMPOSE_PATTERNS, DOCKERFILE_PATTERNS
from analyzer.analyzers.infrastructure.compose import check_compose
from analyzer.analyzers.infrastructure.dockerfile import parse_dockerfile
from analyzer.analyzers.infrastructure.dockerfile_rules import check_dockerfile
from analyzer.analyzers.infrastructure.policy import InfraPolicy, default_policy, parse_policy
from analyzer.discover import matches_any
from analyzer.model import AnalysisOutput, FileError, Measure, RawFinding
from analyzer.plugins import AnalysisRequest, PerFile, gather_per_file
from analyzer.source import read_source


def check_files(request: AnalysisRequest) -> AnalysisOutput:
    """Findings and measures of every Dockerfile and compose file in ``request``."""
    policy = parse_policy(request.options) if request.options else default_policy()
    ignore_dirs = {
        posixpath.dirname(f.path)
        for f in request.files
        if posixpath.basename(f.path) == ".dockerignore"
    }

    def check(path: str) -> PerFile | None:
        if matches_any(path, DOCKERFILE_PATTERNS):
            near_ignore = posixpath.dirname(path) in ignore_dirs or "" in ignore_dirs
            return _dockerfile(request.root, path, near_ignore, policy)
        if matches_any(path, COMPOSE_PATTERNS):
            return _compose(request.root, path, policy)
        return None

    results = (check(f.path) for f in request.files)
    return gather_per_file(r for r in results if r is not None)


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
