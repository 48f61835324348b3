"""Dockerfile checks: base images, layer caches, build context, user and secrets."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.analyzers.infrastructure.dockerfile import Dockerfile, Instruction, Stage
from analyzer.analyzers.infrastructure.policy import InfraPolicy
from analyzer.model import RawFinding, Scalar, Severity

_APT_INSTALL = re.compile(r"\bapt(-get)?\s+(\S+\s+)*?install\b")
_APK_ADD = re.compile(r"\bapk\s+(\S+\s+)*?add\b")
_PIP_INSTALL = re.compile(r"(?<!uv )\b(pip3?(\.\d+)?|python3?(\.\d+)?\s+-m\s+pip)\s+install\b")
_CACHE_MOUNT = re.compile(r"--mount=\S*type=cache")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}?")


@dataclass(frozen=True, kw_only=True, slots=True)
class ImageRef:
    repository: str
    tag: str | None
    digest: str | None


def split_image(reference: str) -> ImageRef:
    rest, _, digest = reference.partition("@")
    slash, colon = rest.rfind("/"), rest.rfind(":")
    if colon > slash:
        return ImageRef(repository=rest[:colon], tag=rest[colon + 1 :], digest=digest or None)
    return ImageRef(repository=rest, tag=None, digest=digest or None)


def check_dockerfile(
    dockerfile: Dockerfile, path: str, has_dockerignore: bool, policy: InfraPolicy
) -> list[RawFinding]:
    findings: list[RawFinding] = []
    defaults = _global_defaults(dockerfile.global_args)
    earlier: set[str] = set()
    for stage in dockerfile.stages:
        findings.extend(
            _check_base(
                stage, path, defaults, earlier, policy, final=stage is dockerfile.stages[-1]
            )
        )
        findings.extend(_check_instructions(stage, path, has_dockerignore, policy))
        if stage.name:
            earlier.add(stage.name.lower())
    if dockerfile.stages:
        findings.extend(_check_final_stage(dockerfile, path, policy))
    return sorted(findings, key=lambda f: (f.line, f.column, f.tool_code))


def resolved_image(stage: Stage, dockerfile: Dockerfile) -> str:
    """The stage's image with global ``ARG`` defaults substituted."""
    defaults = _global_defaults(dockerfile.global_args)
    return _VARIABLE.sub(lambda m: defaults.get(m.group(1), m.group(2) or m.group(0)), stage.image)


def _global_defaults(arguments: tuple[Instruction, ...]) -> dict[str, str]:
    defaults = {}
    for instruction in arguments:
        for word in _words(instruction.arguments):
            name, sep, value = word.partition("=")
            if sep:
                defaults[name] = value
    return defaults


def _check_base(
    stage: Stage,
    path: str,
    defaults: dict[str, str],
    earlier: set[str],
    policy: InfraPolicy,
    *,
    final: bool,
) -> Iterator[RawFinding]:
    image = _VARIABLE.sub(lambda m: defaults.get(m.group(1), m.group(2) or m.group(0)), stage.image)
    if not image or image.lower() == "scratch" or image.lower() in earlier or "$" in image:
        return
    ref = split_image(image)
    if ref.digest is None:
        floating = ref.tag in (None, "latest")
        why = "has no tag (so it is `latest`)" if ref.tag is None else f"uses tag `{ref.tag}`"
        yield _finding(
            path,
            stage.line,
            "unpinned-base-image",
            f"Base image {image} {why} and is not pinned by digest",
            severity="medium" if floating else "low",
        )
    if final and ref.repository.lower() in policy.python_images:
        yield from _check_slim(stage, path, image, ref, policy)


def _check_slim(
    stage: Stage, path: str, image: str, ref: ImageRef, policy: InfraPolicy
) -> Iterator[RawFinding]:
    tag = (ref.tag or "latest").lower()
    if any(variant in tag for variant in policy.slim_variants):
        return
    sizes = policy.sizes_for(ref.tag)
    details: tuple[tuple[str, Scalar], ...] = ()
    message = f"Final stage uses the full Python image {image}"
    if sizes is not None:
        saving = sizes.full_mb - sizes.slim_mb
        details = (
            ("estimated_saving_mb", saving),
            ("size_reference_version", sizes.version),
            ("units", 1),
        )
        message += (
            f"; the slim variant is about {saving:.0f} MB smaller (python:{sizes.version} sizes)"
        )
    yield _finding(path, stage.line, "non-slim-base-image", message, details=details)


def _check_instructions(
    stage: Stage, path: str, has_dockerignore: bool, policy: InfraPolicy
) -> Iterator[RawFinding]:
    pip_cache_off = False
    for instruction in stage.instructions:
        keyword, arguments = instruction.keyword, instruction.arguments
        if keyword == "ENV":
            pip_cache_off = pip_cache_off or "PIP_NO_CACHE_DIR" in arguments
            yield from _check_secrets(instruction, path, policy, with_value_only=True)
        elif keyword == "ARG":
            yield from _check_secrets(instruction, path, policy, with_value_only=False)
        elif keyword == "RUN":
            yield from _check_run(instruction, path, pip_cache_off)
        elif keyword in ("COPY", "ADD"):
            yield from _check_copy(instruction, path, has_dockerignore)


def _check_run(instruction: Instruction, path: str, pip_cache_off: bool) -> Iterator[RawFinding]:
    command, line = instruction.arguments, instruction.line
    cached = bool(_CACHE_MOUNT.search(command))
    if _APT_INSTALL.search(command):
        if "--no-install-recommends" not in command and "Install-Recommends" not in command:
            yield _finding(
                path,
                line,
                "apt-no-install-recommends",
                "apt-get install without --no-install-recommends",
            )
        if "/var/lib/apt/lists" not in command and not cached:
            yield _finding(
                path, line, "apt-lists-not-cleaned", "apt package lists are left in the layer"
            )
    if _APK_ADD.search(command) and "--no-cache" not in command and not cached:
        yield _finding(path, line, "apk-no-cache", "apk add without --no-cache")
    if (
        _PIP_INSTALL.search(command)
        and "--no-cache-dir" not in command
        and not (pip_cache_off or cached)
    ):
        yield _finding(
            path,
            line,
            "pip-cache",
            "pip install without --no-cache-dir keeps pip's cache in the layer",
        )


def _check_copy(
    instruction: Instruction, path: str, has_dockerignore: bool
) -> Iterator[RawFinding]:
    words = [w for w in _words(instruction.arguments) if not w.startswith("--")]
    flags = [w for w in _words(instruction.arguments) if w.startswith("--")]
    sources = words[:-1]
    if (
        instruction.keyword == "ADD"
        and any(s.startswith(("http://", "https://", "git@")) for s in sources)
        and not any(f.startswith("--checksum") for f in flags)
    ):
        yield _finding(
            path,
            instruction.line,
            "add-remote-url",
            "ADD downloads a remote URL without --checksum",
        )
    from_stage = any(f.startswith("--from") for f in flags)
    if not has_dockerignore and not from_stage and any(s.rstrip("/") in (".", "") for s in sources):
        yield _finding(
            path,
            instruction.line,
            "copy-all",
            f"{instruction.keyword} copies the whole build context and there is no .dockerignore",
        )


def _check_secrets(
    instruction: Instruction, path: str, policy: InfraPolicy, *, with_value_only: bool
) -> Iterator[RawFinding]:
    for name, value in _assignments(instruction):
        secret_name = policy.secret_name.search(name) and not name.upper().endswith(
            policy.not_secret_suffixes
        )
        if (secret_name and (value or not with_value_only)) or policy.credential_url.search(value):
            yield _finding(
                path,
                instruction.line,
                "secret-in-env",
                f"{instruction.keyword} {name} bakes a secret into the image (value not shown)",
            )


def _assignments(instruction: Instruction) -> list[tuple[str, str]]:
    words = _words(instruction.arguments)
    if instruction.keyword == "ENV" and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]  # legacy ``ENV NAME value``
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words]


def _check_final_stage(
    dockerfile: Dockerfile, path: str, policy: InfraPolicy
) -> Iterator[RawFinding]:
    final = dockerfile.stages[-1]
    users = [i.arguments.split(":")[0].strip() for i in final.instructions if i.keyword == "USER"]
    if not users or users[-1] in ("root", "0"):
        yield _finding(
            path, final.last_line, "runs-as-root", "The final image runs as root (no non-root USER)"
        )
    if len(dockerfile.stages) == 1:
        packages = sorted(_build_packages(final, policy))
        if packages:
            yield _finding(
                path,
                final.line,
                "no-multi-stage-build",
                f"Build tools ({', '.join(packages[:5])}) stay in the only stage",
            )


def _build_packages(stage: Stage, policy: InfraPolicy) -> set[str]:
    found: set[str] = set()
    for instruction in stage.instructions:
        if instruction.keyword != "RUN" or not (
            _APT_INSTALL.search(instruction.arguments) or _APK_ADD.search(instruction.arguments)
        ):
            continue
        for word in re.split(r"[\s;&|]+", instruction.arguments):
            if word in policy.build_packages or (
                word.endswith("-dev") and not word.startswith("-")
            ):
                found.add(word)
    return found


def _words(arguments: str) -> list[str]:
    """Shell-like words, or the items of the JSON (exec) form."""
    if arguments.lstrip().startswith("["):
        try:
            items = json.loads(arguments)
        except ValueError:
            items = None
        if isinstance(items, list) and all(isinstance(item, str) for item in items):
            return items
    try:
        return shlex.split(arguments, posix=True)
    except ValueError:
        return arguments.split()


def _finding(
    path: str,
    line: int,
    code: str,
    message: str,
    *,
    severity: Severity | None = None,
    details: tuple[tuple[str, Scalar], ...] = (),
) -> RawFinding:
    return RawFinding(
        tool="infrastructure",
        tool_code=code,
        message=message,
        path=path,
        line=line,
        severity=severity,
        details=details,
    )
