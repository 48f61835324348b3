"""Scan configuration: defaults, then ``[tool.roadmap]`` in the target's pyproject.toml,
then command-line flags. The target's pyproject is read as data only."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_S = 1800.0


class ConfigError(ValueError):
    """The configuration names an unknown key or holds a bad value."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ScanConfig:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    disabled_analyzers: frozenset[str] = frozenset()
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache_dir: Path | None = None
    timeout_s: float | None = DEFAULT_TIMEOUT_S


def default_cache_dir() -> Path:
    """The user's cache directory (XDG), never inside the scanned repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "repo-roadmap"


_KNOWN_KEYS = {"include", "exclude", "analyzers"}


def read_project_table(root: Path) -> dict[str, Any]:
    """``[tool.roadmap]`` from ``root/pyproject.toml``, or an empty table."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.roadmap]: {exc}") from exc
    table = document.get("tool", {}).get("roadmap", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.roadmap must be a table")
    return table


def apply_project_table(config: ScanConfig, table: Mapping[str, Any], source: str) -> ScanConfig:
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key tool.roadmap.{unknown[0]}")
    updates: dict[str, Any] = {}
    for key in ("include", "exclude"):
        if key in table:
            updates[key] = _globs(table[key], f"{source}: tool.roadmap.{key}")
    if "analyzers" in table:
        updates["disabled_analyzers"] = _disabled(table["analyzers"], f"{source}: tool.roadmap.analyzers")
    return replace(config, **updates)


def _globs(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of glob strings")
    return tuple(value)


def _disabled(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise ConfigError(f"{where} must be a table of analyzer = true/false")
    return frozenset(name for name, enabled in value.items() if not enabled)
