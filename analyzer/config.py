"""Configuration: defaults, then ``[tool.roadmap]`` in the target's pyproject.toml, then
command-line flags. The target's pyproject is read as data only.

Every key is validated here, in one place; an unknown key or a bad value is a
``ConfigError`` naming the key. ``EffectiveConfig.sources`` records where each value came
from, for ``roadmap config``.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from analyzer.discover import TEST_FILE_PATTERNS
from analyzer.discover.reader import read_inside
from analyzer.model import Severity
from analyzer.planning.settings import PlanSettings, PlanSettingsError, plan_settings_from_table

DEFAULT_TIMEOUT_S = 1800.0
FailOn = Literal["high", "medium", "low"]
FAIL_ON_CHOICES: tuple[FailOn, ...] = ("high", "medium", "low")
SEVERITY_CHOICES: tuple[Severity, ...] = ("high", "medium", "low", "info")
DEFAULT_SOURCE = "default"
ISOLATED_SOURCE = "none (--isolated)"
_RULE_PATTERN = re.compile(r"^[a-z0-9-]+\.[A-Za-z0-9_*?\[\]-]+$")


class ConfigError(ValueError):
    """The configuration names an unknown key or holds a bad value."""


# A pyproject.toml is a few kilobytes; this bounds a hostile one.
CONFIG_LIMIT = 1024 * 1024


# Test code asserts by design, takes pytest fixtures as arguments for their side effects,
# logs in with made-up passwords, writes to /tmp, draws random test data and runs commands:
# bandit's B101, its hard-coded password (B105, B106, B107), temp-path (B108), random
# (B311) and subprocess (B404, B603, B607) rules, and vulture's "unused variable" there are
# noise that buries real findings (on changedetection.io, 3,972 asserts and 500 fixture
# arguments; on seven real apps, 227 test passwords). They are suppressed as "path-ignored",
# so they stay in the export's ``suppressed`` list and the counts; a project that sets its
# own ``per_path_ignores`` replaces this default. Shell commands (B602), eval (B307) and SQL
# built from strings (B608) are still reported in tests.
DEFAULT_PATH_IGNORES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (
        glob,
        (
            "bandit.B101",
            "bandit.B105",
            "bandit.B106",
            "bandit.B107",
            "bandit.B108",
            "bandit.B311",
            "bandit.B404",
            "bandit.B603",
            "bandit.B607",
            "vulture.unused-variable",
        ),
    )
    for glob in TEST_FILE_PATTERNS
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScanConfig:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    disabled_analyzers: frozenset[str] = frozenset()
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache_dir: Path | None = None
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    # False (``--no-cache``): analyze every file afresh and keep nothing between scans.
    use_cache: bool = True
    # Rule ids or globs over them ("bandit.B101", "vulture.*"); their findings are suppressed.
    disabled_rules: tuple[str, ...] = ()
    severity_overrides: tuple[tuple[str, Severity], ...] = ()
    # (path glob, rule ids or globs): findings of those rules in matching files are suppressed.
    path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = field(
        default_factory=lambda: DEFAULT_PATH_IGNORES
    )
    # When set (``--changed-since``), only findings in these files are reported.
    only_paths: frozenset[str] | None = None
    # Python sources larger than this are almost always generated (data tables, vendored
    # bundles); the tools take minutes on them, so they are listed in errors instead.
    max_file_bytes: int = 2 * 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class GateConfig:
    """What makes ``roadmap scan`` fail in CI."""

    fail_on: FailOn | None = None
    strict: bool = False
    # As written in the configuration: relative paths are relative to the scanned root.
    baseline: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EffectiveConfig:
    scan: ScanConfig
    gate: GateConfig
    # ``[tool.roadmap.plan]`` over the bundled planning defaults; None when not configured.
    plan: PlanSettings | None = None
    # Key (as written in pyproject.toml) -> where its value came from.
    sources: Mapping[str, str] = field(default_factory=dict)
    # The configuration file that was read (or ISOLATED_SOURCE): said on stderr in CI.
    origin: str = ""


def default_cache_dir() -> Path:
    """The user's cache directory (XDG), never inside the scanned repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "repo-roadmap"


def read_project_table(root: Path) -> dict[str, Any]:
    """``[tool.roadmap]`` from ``root/pyproject.toml``, or an empty table.

    Read through the guarded reader: a pyproject.toml that is a symlink out of the tree, a
    FIFO or a device is refused, never read.
    """
    if not (root / "pyproject.toml").exists() and not (root / "pyproject.toml").is_symlink():
        return {}
    try:
        data = read_inside(root, "pyproject.toml", limit=CONFIG_LIMIT)
    except OSError as exc:
        raise ConfigError(f"{root / 'pyproject.toml'}: cannot read: {exc.strerror or exc}") from exc
    return read_config_table(data, str(root / "pyproject.toml"))


def read_config_file(path: Path) -> dict[str, Any]:
    """``[tool.roadmap]`` from a configuration file the user names (``--config FILE``): a
    pyproject.toml, or a file whose top level is the table itself."""
    try:
        with path.open("rb") as handle:
            data = handle.read(CONFIG_LIMIT + 1)
    except OSError as exc:
        raise ConfigError(f"--config {path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > CONFIG_LIMIT:
        raise ConfigError(f"--config {path}: larger than {CONFIG_LIMIT // 1024} KiB")
    document = _parse_toml(data, f"--config {path}")
    if "tool" not in document:
        return _as_table(document, f"--config {path}", "the file")
    return read_config_table(data, f"--config {path}")


def read_config_table(data: bytes, where: str) -> dict[str, Any]:
    document = _parse_toml(data, where)
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{where}: tool must be a table")
    return _as_table(tool.get("roadmap", {}), where, "tool.roadmap")


def _parse_toml(data: bytes, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    except (RecursionError, ValueError, MemoryError) as exc:
        # Nesting deeper than Python's recursion limit, or an integer of thousands of digits.
        raise ConfigError(f"{where}: cannot read: {type(exc).__name__}: {exc}"[:300]) from exc


def _as_table(value: object, where: str, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {name} must be a table")
    return value


def load_effective_config(
    table: Mapping[str, Any],
    source: str,
    overrides: Mapping[str, Any],
    *,
    known_tools: Collection[str] = (),
) -> EffectiveConfig:
    """Apply ``[tool.roadmap]`` (from ``source``), then command-line ``overrides`` on top.

    ``overrides`` uses the same keys as the table; ``exclude``, ``disable_rules`` and
    ``analyzers`` add to the configured values, every other key replaces it.
    """
    values = _validate(table, source, known_tools)
    if "jobs" in values:
        # A scanned project must not make us start more workers than there are cores.
        values["jobs"] = min(values["jobs"], os.cpu_count() or 1)
    sources = dict.fromkeys(values, source)
    for key, value in _validate(overrides, "command line", known_tools).items():
        values[key] = _merge_override(key, values.get(key), value)
        merged = key in sources and key in _ADDITIVE_KEYS
        sources[key] = f"{sources[key]} + command line" if merged else "command line"
    return replace(_build(values, sources), origin=source)


# Keys whose command-line values add to the configured ones; every other key replaces.
_ADDITIVE_KEYS = frozenset({"exclude", "disable_rules", "analyzers"})


def _merge_override(key: str, configured: Any, override: Any) -> Any:
    if configured is None:
        return override
    if key in ("exclude", "disable_rules"):
        return (*configured, *override)
    if key == "analyzers":
        return {**configured, **override}
    return override


# One validator per key: (value, "where" for messages, known tools) -> parsed value.
_Validator = Callable[[Any, str, Collection[str]], Any]


def _validate(
    table: Mapping[str, Any], source: str, known_tools: Collection[str]
) -> dict[str, Any]:
    unknown = sorted(set(table) - set(_VALIDATORS))
    if unknown:
        known = ", ".join(sorted(_VALIDATORS))
        raise ConfigError(f"{source}: unknown key tool.roadmap.{unknown[0]} (known keys: {known})")
    return {
        key: _VALIDATORS[key](value, f"{source}: tool.roadmap.{key}", known_tools)
        for key, value in table.items()
    }


def _globs(value: object, where: str, _tools: Collection[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where} must be a list of glob strings")
    return tuple(value)


def _analyzer_switches(value: object, where: str, _tools: Collection[str]) -> dict[str, bool]:
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise ConfigError(f"{where} must be a table of analyzer = true/false")
    return dict(value)


def _rule_ids(value: object, where: str, tools: Collection[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where} must be a list of rule ids such as "bandit.B101"')
    for rule in value:
        _check_rule_id(rule, where, tools)
    return tuple(value)


def _check_rule_id(rule: str, where: str, tools: Collection[str]) -> None:
    if not _RULE_PATTERN.match(rule):
        raise ConfigError(
            f'{where}: {rule!r} is not a rule id (expected TOOL.CODE, e.g. "bandit.B101")'
        )
    tool = rule.split(".", 1)[0]
    if tools and tool not in tools:
        raise ConfigError(
            f"{where}: {rule!r} names unknown tool {tool!r} (known: {', '.join(sorted(tools))})"
        )


def _severities(
    value: object, where: str, tools: Collection[str]
) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where} must be a table of "RULE" = "high|medium|low|info"')
    result: list[tuple[str, Severity]] = []
    for rule, severity in sorted(value.items()):
        _check_rule_id(rule, where, tools)
        if any(char in rule for char in "*?["):
            raise ConfigError(
                f"{where}: {rule!r}: severity overrides take exact rule ids, not globs"
            )
        if severity not in SEVERITY_CHOICES:
            raise ConfigError(
                f'{where}."{rule}": {severity!r} is not one of {", ".join(SEVERITY_CHOICES)}'
            )
        result.append((rule, severity))
    return tuple(result)


def _path_ignores(
    value: object, where: str, tools: Collection[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where} must be a table of "PATH GLOB" = ["RULE", ...]')
    return tuple(
        (glob, _rule_ids(rules, f'{where}."{glob}"', tools))
        for glob, rules in sorted(value.items())
    )


def _fail_on(value: object, where: str, _tools: Collection[str]) -> FailOn | None:
    if value == "none":
        return None
    if value not in FAIL_ON_CHOICES:
        raise ConfigError(f"{where}: {value!r} is not one of high, medium, low, none")
    return value


def _boolean(value: object, where: str, _tools: Collection[str]) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def _path_string(value: object, where: str, _tools: Collection[str]) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a file path")
    return value


def _positive_number(value: object, where: str, _tools: Collection[str]) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigError(f"{where} must be a positive number")
    return float(value)


# Longer than any scan; beyond it the operating system's timers overflow.
MAX_TIMEOUT_S = 1_000_000.0


def _seconds(value: object, where: str, tools: Collection[str]) -> float:
    seconds = _positive_number(value, where, tools)
    if seconds > MAX_TIMEOUT_S:
        raise ConfigError(f"{where} must be at most {MAX_TIMEOUT_S:,.0f} seconds")
    return seconds


def _positive_int(value: object, where: str, _tools: Collection[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where} must be a whole number of at least 1")
    return value


def _plan(value: object, where: str, _tools: Collection[str]) -> PlanSettings:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    try:
        return plan_settings_from_table(value)
    except PlanSettingsError as exc:
        raise ConfigError(f"{where.split(': ', 1)[0]}: {exc}") from exc


_VALIDATORS: dict[str, _Validator] = {
    "include": _globs,
    "exclude": _globs,
    "analyzers": _analyzer_switches,
    "disable_rules": _rule_ids,
    "severity_overrides": _severities,
    "per_path_ignores": _path_ignores,
    "fail_on": _fail_on,
    "strict": _boolean,
    "baseline": _path_string,
    "jobs": _positive_int,
    "timeout": _seconds,
    "max_file_kb": _positive_int,
    "plan": _plan,
}
CONFIG_KEYS: tuple[str, ...] = tuple(sorted(_VALIDATORS))


def _build(values: Mapping[str, Any], sources: Mapping[str, str]) -> EffectiveConfig:
    scan = ScanConfig()
    updates: dict[str, Any] = {
        "include": values.get("include", scan.include),
        "exclude": values.get("exclude", scan.exclude),
        "disabled_analyzers": frozenset(
            n for n, on in values.get("analyzers", {}).items() if not on
        ),
        "disabled_rules": values.get("disable_rules", ()),
        "severity_overrides": values.get("severity_overrides", ()),
        "path_ignores": values.get("per_path_ignores", scan.path_ignores),
        "jobs": values.get("jobs", scan.jobs),
        "timeout_s": values.get("timeout", scan.timeout_s),
        "max_file_bytes": values.get("max_file_kb", scan.max_file_bytes // 1024) * 1024,
    }
    gate = GateConfig(
        fail_on=values.get("fail_on"),
        strict=values.get("strict", False),
        baseline=values.get("baseline"),
    )
    full_sources = {key: sources.get(key, DEFAULT_SOURCE) for key in CONFIG_KEYS}
    return EffectiveConfig(
        scan=replace(scan, **updates), gate=gate, plan=values.get("plan"), sources=full_sources
    )


def describe(effective: EffectiveConfig) -> list[tuple[str, str, str]]:
    """(key, value, source) rows for every configuration key, for ``roadmap config``."""
    scan, gate = effective.scan, effective.gate
    shown: dict[str, object] = {
        "include": list(scan.include),
        "exclude": list(scan.exclude),
        "analyzers": (
            "disabled: " + ", ".join(sorted(scan.disabled_analyzers))
            if scan.disabled_analyzers
            else "all installed analyzers enabled"
        ),
        "disable_rules": list(scan.disabled_rules),
        "severity_overrides": dict(scan.severity_overrides),
        "per_path_ignores": "\n".join(
            f"{glob} = {', '.join(rules)}" for glob, rules in scan.path_ignores
        ),
        "fail_on": gate.fail_on or "none",
        "strict": gate.strict,
        "baseline": gate.baseline,
        "jobs": scan.jobs,
        "timeout": "none" if scan.timeout_s is None else f"{scan.timeout_s:g} s",
        "max_file_kb": scan.max_file_bytes // 1024,
        "plan": _plan_summary(effective.plan),
    }
    return [
        (key, _show(shown[key]), effective.sources.get(key, DEFAULT_SOURCE)) for key in CONFIG_KEYS
    ]


def _plan_summary(plan: PlanSettings | None) -> object:
    if plan is None:
        return "defaults from rules/planning.toml"
    return {
        "developers": plan.developers,
        "hours_per_week": plan.hours_per_week,
        "horizon_weeks": plan.horizon_weeks,
        "review_budget_lines": plan.review_budget_lines,
        "review_rate_lines_per_hour": list(plan.review_rate_lines_per_hour),
    }


def _show(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "" or value == [] or value == {}:
        return "-"
    return str(value)
