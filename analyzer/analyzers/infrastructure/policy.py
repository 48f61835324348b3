"""The infrastructure analyzer's tunable data, read from ``rules/infrastructure.toml``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analyzer.rules import load_settings


@dataclass(frozen=True, kw_only=True, slots=True)
class ImageSizes:
    """Published sizes of one official Python image version, in MB."""

    version: str
    full_mb: float
    slim_mb: float


@dataclass(frozen=True, kw_only=True, slots=True)
class InfraPolicy:
    secret_name: re.Pattern[str]
    not_secret_suffixes: tuple[str, ...]
    credential_url: re.Pattern[str]
    build_packages: frozenset[str]
    python_images: frozenset[str]
    slim_variants: tuple[str, ...]
    image_sizes: Mapping[str, ImageSizes]
    fallback_version: str
    size_rules: frozenset[str]

    def sizes_for(self, tag: str | None) -> ImageSizes | None:
        match = re.match(r"(\d+\.\d+)", tag or "")
        version = match.group(1) if match else self.fallback_version
        return self.image_sizes.get(version) or self.image_sizes.get(self.fallback_version)


def default_policy() -> InfraPolicy:
    return parse_policy(load_settings("infrastructure"))


def parse_policy(settings: Mapping[str, Any]) -> InfraPolicy:
    """Validate the ``[settings]`` table of rules/infrastructure.toml."""
    sizes = settings["python_image_sizes"]
    return InfraPolicy(
        secret_name=re.compile(str(settings["secret_name_pattern"]), re.IGNORECASE),
        not_secret_suffixes=tuple(str(s).upper() for s in settings["not_secret_suffixes"]),
        credential_url=re.compile(str(settings["credential_url_pattern"])),
        build_packages=frozenset(str(p) for p in settings["build_packages"]),
        python_images=frozenset(str(i) for i in settings["python_images"]),
        slim_variants=tuple(str(v) for v in settings["slim_variants"]),
        image_sizes=_image_sizes(sizes["versions"]),
        fallback_version=str(sizes["fallback_version"]),
        size_rules=frozenset(str(r) for r in settings["size_rules"]),
    )


def _image_sizes(versions: Mapping[str, Any]) -> dict[str, ImageSizes]:
    return {
        str(version): ImageSizes(
            version=str(version), full_mb=float(row["full_mb"]), slim_mb=float(row["slim_mb"])
        )
        for version, row in versions.items()
    }
