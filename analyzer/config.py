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

from analyzer.cachedir import default_max_bytes
from analyzer.discover import TEST_FILE_GLOBS, compile_globs
from analyzer.discover.reader import read_inside, read_named
from analyzer.model import Severity
from analyzer.planning.settings import PlanSettings, PlanSettingsError, plan_settings_from_table
from analyzer.sharding import Shard
from analyzer.tables import TableReader

DEFAULT_TIMEOUT_S = 1800.0
FailOn = Literal["high", "medium", "low"]
FAIL_ON_CHOICES: tuple[FailOn, ...] = ("high", "medium", "low")
SEVERITY_CHOICES: tuple[Severity, ...] = ("high", "medium", "low", "info")
DEFAULT_SOURCE = "default"
ISOLATED_SOURCE = "none (--isolated)"
_RULE_PATTERN = re.compile(r"^[a-z0-9-]+\.[A-Za-z0-9_*?\[\]-]+$")
# A tool's own code alone ("B101"), as "# roadmap: ignore[B101]" accepts it.
_BARE_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


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
    for glob in TEST_FILE_GLOBS
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScanConfig:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    disabled_analyzers: frozenset[str] = frozenset()
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache_dir: Path | None = None
    # The cache is pruned back under this size after each scan, least recently used first.
    cache_max_bytes: int = field(default_factory=default_max_bytes)
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
    # When set (``--select``), only these analyzers run; the others are skipped.
    selected_analyzers: frozenset[str] | None = None
    # Findings below this severity are suppressed as "below-min-severity" (still counted).
    min_severity: Severity = "info"
    # Python sources larger than this are almost always generated (data tables, vendored
    # bundles); the tools take minutes on them, so they are listed in errors instead.
    max_file_bytes: int = 2 * 1024 * 1024
    # ``--shard K/N``: analyze only this shard's part (see analyzer/sharding.py).
    shard: Shard | None = None


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
        # Non-blocking and regular files only: a FIFO named here must not hang the command.
        data = read_named(path, limit=CONFIG_LIMIT)
    except OSError as exc:
        raise ConfigError(f"--config {path}: cannot read: {exc.strerror or exc}") from exc
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


# One validator per key: (the table, the key, known tools) -> parsed value. Known tools is a
# collection of tool names, or a mapping of each tool to its rule codes (then a bare code
# such as "B101" is accepted and becomes "bandit.B101"). Every read goes through
# TableReader, the one validation style of configuration and data files.
_Validator = Callable[[TableReader, str, Collection[str]], Any]


def _validate(
    table: Mapping[str, Any], source: str, known_tools: Collection[str]
) -> dict[str, Any]:
    reader = TableReader.of(dict(table), source, ConfigError, prefix="tool.roadmap.")
    reader.only(_VALIDATORS)
    return {key: _VALIDATORS[key](reader, key, known_tools) for key in table}


def _globs(reader: TableReader, key: str, _tools: Collection[str]) -> tuple[str, ...]:
    value = reader.values[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise reader.fail(key, "must be a list of glob strings")
    for pattern in value:
        _check_glob(pattern, reader.name(key))
    return tuple(value)


def _check_glob(pattern: str, where: str) -> None:
    try:
        compile_globs((pattern,))
    except ValueError as exc:
        raise ConfigError(
            f"{where}: {pattern!r} is not a valid .gitignore-style glob: {exc}"
        ) from exc


def _analyzer_switches(reader: TableReader, key: str, _tools: Collection[str]) -> dict[str, bool]:
    value = reader.values[key]
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise reader.fail(key, "must be a table of analyzer = true/false")
    return dict(value)


def _rule_ids(reader: TableReader, key: str, tools: Collection[str]) -> tuple[str, ...]:
    return _rule_list(reader.values[key], reader.name(key), tools)


def _rule_list(value: object, where: str, tools: Collection[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where} must be a list of rule ids such as "bandit.B101"')
    return tuple(_check_rule_id(rule, where, tools) for rule in value)


def _check_rule_id(rule: str, where: str, tools: Collection[str]) -> str:
    """The rule id in full: ``TOOL.CODE`` (or a glob) as given, or a bare code resolved."""
    if isinstance(tools, Mapping) and "." not in rule and _BARE_CODE.match(rule):
        return _resolve_code(rule, where, tools)
    if not _RULE_PATTERN.match(rule):
        raise ConfigError(
            f'{where}: {rule!r} is not a rule id (expected TOOL.CODE, e.g. "bandit.B101")'
        )
    tool = rule.split(".", 1)[0]
    if tools and tool not in tools:
        raise ConfigError(
            f"{where}: {rule!r} names unknown tool {tool!r} (known: {', '.join(sorted(tools))})"
        )
    return rule


def _resolve_code(code: str, where: str, tools: Mapping[str, Collection[str]]) -> str:
    owners = sorted(tool for tool, codes in tools.items() if code in codes)
    if len(owners) == 1:
        return f"{owners[0]}.{code}"
    if owners:
        choices = ", ".join(f"{tool}.{code}" for tool in owners)
        raise ConfigError(f"{where}: {code!r} is a code of several tools; write one of {choices}")
    raise ConfigError(
        f"{where}: {code!r} is not a rule id, nor the code of a known rule "
        '(expected TOOL.CODE, e.g. "bandit.B101", or a known code such as "B101")'
    )


def _severities(
    reader: TableReader, key: str, tools: Collection[str]
) -> tuple[tuple[str, Severity], ...]:
    value = reader.values[key]
    if not isinstance(value, dict):
        raise reader.fail(key, 'must be a table of "RULE" = "high|medium|low|info"')
    table = reader.section(key)
    result: list[tuple[str, Severity]] = []
    for given in sorted(value):
        rule = _check_rule_id(given, reader.name(key), tools)
        if any(char in rule for char in "*?["):
            raise reader.fail(key, f": {rule!r}: severity overrides take exact rule ids, not globs")
        result.append((rule, table.choice(given, SEVERITY_CHOICES)))
    return tuple(result)


def _path_ignores(
    reader: TableReader, key: str, tools: Collection[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    value = reader.values[key]
    if not isinstance(value, dict):
        raise reader.fail(key, 'must be a table of "PATH GLOB" = ["RULE", ...]')
    for glob in value:
        _check_glob(glob, reader.name(key))
    return tuple(
        (glob, _rule_list(rules, f'{reader.name(key)}."{glob}"', tools))
        for glob, rules in sorted(value.items())
    )


def _fail_on(reader: TableReader, key: str, _tools: Collection[str]) -> FailOn | None:
    choice = reader.choice(key, (*FAIL_ON_CHOICES, "none"))
    for level in FAIL_ON_CHOICES:
        if choice == level:
            return level
    return None


def _min_severity(reader: TableReader, key: str, _tools: Collection[str]) -> Severity:
    return reader.choice(key, SEVERITY_CHOICES)


def _analyzer_names(reader: TableReader, key: str, _tools: Collection[str]) -> frozenset[str]:
    names = reader.strings(key)
    if not names:
        raise reader.fail(key, "must be a non-empty list of analyzer names")
    return frozenset(names)


def _boolean(reader: TableReader, key: str, _tools: Collection[str]) -> bool:
    return reader.flag(key)


def _path_string(reader: TableReader, key: str, _tools: Collection[str]) -> str:
    value = reader.values[key]
    if not isinstance(value, str) or not value:
        raise reader.fail(key, "must be a file path")
    return value


def _positive_number(reader: TableReader, key: str, _tools: Collection[str]) -> float:
    value = reader.values[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise reader.fail(key, "must be a positive number")
    return float(value)


# Longer than any scan; beyond it the operating system's timers overflow.
MAX_TIMEOUT_S = 1_000_000.0


def _seconds(reader: TableReader, key: str, tools: Collection[str]) -> float:
    seconds = _positive_number(reader, key, tools)
    if seconds > MAX_TIMEOUT_S:
        raise reader.fail(key, f"must be at most {MAX_TIMEOUT_S:,.0f} seconds")
    return seconds


def _positive_int(reader: TableReader, key: str, _tools: Collection[str]) -> int:
    return reader.integer(key, minimum=1)


def _plan(reader: TableReader, key: str, _tools: Collection[str]) -> PlanSettings:
    value = reader.values[key]
    if not isinstance(value, dict):
        raise reader.fail(key, "must be a table")
    try:
        return plan_settings_from_table(value)
    except PlanSettingsError as exc:
        raise ConfigError(f"{reader.where}: {exc}") from exc


_VALIDATORS: dict[str, _Validator] = {
    "include": _globs,
    "exclude": _globs,
    "analyzers": _analyzer_switches,
    "disable_rules": _rule_ids,
    "severity_overrides": _severities,
    "per_path_ignores": _path_ignores,
    "fail_on": _fail_on,
    "min_severity": _min_severity,
    "select": _analyzer_names,
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
        "selected_analyzers": values.get("select"),
        "min_severity": values.get("min_severity", scan.min_severity),
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
        "min_severity": scan.min_severity,
        "select": (
            ", ".join(sorted(scan.selected_analyzers))
            if scan.selected_analyzers is not None
            else "all enabled analyzers"
        ),
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
    low, high = plan.review_rate_lines_per_hour
    return "\n".join(
        (
            f"developers = {plan.developers:g}",
            f"hours_per_week = {plan.hours_per_week:g}",
            f"horizon_weeks = {plan.horizon_weeks:g}",
            f"review_budget_lines = {plan.review_budget_lines:g}",
            f"review_rate_lines_per_hour = [{low:g}, {high:g}]",
        )
    )


def _show(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key} = {item}" for key, item in value.items())
    return str(value)
