"""Load and validate the rule metadata in ``rules/<tool>.toml``.

Each tool file has a ``[tool]`` table (the tool's name, category and defaults) and one
``[rules.<code>]`` table per tool code. Codes a file does not list still produce findings
through the tool's fallback rule, so nothing a tool reports can vanish.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from analyzer.model import SEVERITIES, Severity
from analyzer.resources import rules_dir

Change = Literal["low", "medium", "high"]
T = TypeVar("T", bound=str)
CHANGES: tuple[Change, ...] = ("low", "medium", "high")

_TOOL_KEYS = {
    "name",
    "category",
    "default_severity",
    "fallback_title",
    "effort",
    "behaviour_change",
}
# ``valid``/``invalid``: code samples kept next to a rule; tests run them, the loader skips them.
_RULE_KEYS = {
    "title",
    "help",
    "severity",
    "category",
    "effort",
    "behaviour_change",
    "valid",
    "invalid",
}
_EFFORT_KEYS = {"base", "per_unit", "unit"}
# Files in rules/ that describe something other than one tool's codes.
NON_TOOL_FILES = frozenset({"recommendations", "metrics", "planning"})


class RuleError(ValueError):
    """rules/ holds something that cannot be loaded."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Effort:
    """Remediation minutes: ``base`` plus ``per_unit`` for each unit the finding measures."""

    base: float
    per_unit: float = 0.0
    unit: str | None = None

    def minutes(self, units: float = 0.0) -> float:
        return self.base + self.per_unit * max(units, 0.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    rule_id: str
    tool: str
    code: str
    title: str
    help: str
    category: str
    severity: Severity
    effort: Effort
    behaviour_change: Change
    known: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolRules:
    tool: str
    category: str
    default_severity: Severity
    fallback_title: str
    effort: Effort
    behaviour_change: Change
    rules: Mapping[str, Rule]
    # The free-form [settings] table, handed to the tool's analyzer, which validates it.
    settings: Mapping[str, Any] = field(default_factory=dict)

    def lookup(self, code: str) -> Rule:
        rule = self.rules.get(code)
        if rule is not None:
            return rule
        return Rule(
            rule_id=f"{self.tool}.{code}",
            tool=self.tool,
            code=code,
            title=self.fallback_title,
            help=f"{self.tool} reported code {code!r}, which rules/{self.tool}.toml does not list.",
            category=self.category,
            severity=self.default_severity,
            effort=self.effort,
            behaviour_change=self.behaviour_change,
            known=False,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleBook:
    tools: Mapping[str, ToolRules]

    def lookup(self, tool: str, code: str) -> Rule:
        tool_rules = self.tools.get(tool)
        if tool_rules is None:
            tool_rules = _unknown_tool(tool)
        return tool_rules.lookup(code)

    def all_rules(self) -> tuple[Rule, ...]:
        return tuple(
            rule
            for name in sorted(self.tools)
            for _, rule in sorted(self.tools[name].rules.items())
        )

    def settings_for(self, tool: str) -> Mapping[str, Any]:
        tool_rules = self.tools.get(tool)
        return tool_rules.settings if tool_rules else {}

    def find(self, rule_id: str) -> Rule | None:
        tool, _, code = rule_id.partition(".")
        tool_rules = self.tools.get(tool)
        return tool_rules.rules.get(code) if tool_rules else None


def _unknown_tool(tool: str) -> ToolRules:
    return ToolRules(
        tool=tool,
        category="other",
        default_severity="low",
        fallback_title=f"{tool} finding",
        effort=Effort(base=15),
        behaviour_change="medium",
        rules={},
    )


def load_rulebook(extra_dirs: Iterable[Path] = ()) -> RuleBook:
    """Load the bundled rules, then each of ``extra_dirs`` in turn, later files overriding."""
    tools: dict[str, ToolRules] = {}
    for directory in (rules_dir(), *extra_dirs):
        for tool_rules in _load_dir(directory):
            base = tools.get(tool_rules.tool)
            tools[tool_rules.tool] = _merge(base, tool_rules) if base else tool_rules
    return RuleBook(tools=tools)


def _load_dir(directory: Path) -> list[ToolRules]:
    seen: dict[str, Path] = {}
    loaded = []
    for path in sorted(directory.glob("*.toml")):
        if path.stem in NON_TOOL_FILES:
            continue
        tool_rules = load_tool_file(path)
        if tool_rules.tool in seen:
            raise RuleError(
                f"{path}: tool {tool_rules.tool!r} is already defined in {seen[tool_rules.tool]}"
            )
        seen[tool_rules.tool] = path
        loaded.append(tool_rules)
    return loaded


def _merge(base: ToolRules, override: ToolRules) -> ToolRules:
    return ToolRules(
        tool=base.tool,
        category=override.category,
        default_severity=override.default_severity,
        fallback_title=override.fallback_title,
        effort=override.effort,
        behaviour_change=override.behaviour_change,
        rules={**base.rules, **override.rules},
        settings=merge_tables(base.settings, override.settings),
    )


def merge_tables(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``, table by table: a nested table (one vulture whitelist,
    one kind of document) is merged key by key, any other value (a list too) replaced."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_tables(current, value)
        else:
            merged[key] = value
    return merged


def load_tool_file(path: Path) -> ToolRules:
    """Parse one ``rules/<tool>.toml``; any unknown key or bad value is a RuleError."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from exc
    _check_keys(path, "top level", document, {"tool", "rules", "settings"})
    head = _table(path, "tool", document.get("tool"))
    _check_keys(path, "[tool]", head, _TOOL_KEYS)
    tool = _string(path, "tool.name", head.get("name"))
    category = _string(path, "tool.category", head.get("category"))
    effort = _effort(path, "tool.effort", head.get("effort", {"base": 15}))
    change = _choice(path, "tool.behaviour_change", head.get("behaviour_change", "medium"), CHANGES)
    default_severity = _choice(
        path, "tool.default_severity", head.get("default_severity", "low"), SEVERITIES
    )
    rules = {}
    for code, raw in _table(path, "rules", document.get("rules", {})).items():
        where = f"rules.{code}"
        body = _table(path, where, raw)
        _check_keys(path, f"[{where}]", body, _RULE_KEYS)
        rules[code] = Rule(
            rule_id=f"{tool}.{code}",
            tool=tool,
            code=code,
            title=_string(path, f"{where}.title", body.get("title")),
            help=str(body.get("help", "")),
            category=_string(path, f"{where}.category", body.get("category", category)),
            severity=_choice(
                path, f"{where}.severity", body.get("severity", default_severity), SEVERITIES
            ),
            effort=_effort(
                path, f"{where}.effort", body.get("effort", head.get("effort", {"base": 15}))
            ),
            behaviour_change=_choice(
                path, f"{where}.behaviour_change", body.get("behaviour_change", change), CHANGES
            ),
        )
    return ToolRules(
        tool=tool,
        category=category,
        default_severity=default_severity,
        fallback_title=_string(
            path, "tool.fallback_title", head.get("fallback_title", f"{tool} finding")
        ),
        effort=effort,
        behaviour_change=change,
        rules=rules,
        settings=_table(path, "settings", document.get("settings", {})),
    )


def _check_keys(path: Path, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RuleError(f"{path}: unknown key(s) {', '.join(unknown)} in {where}")


def _table(path: Path, where: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RuleError(f"{path}: {where} must be a table")
    return cast(dict[str, Any], value)


def _string(path: Path, where: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise RuleError(f"{path}: {where} must be a non-empty string")
    return value


def _choice(path: Path, where: str, value: object, choices: tuple[T, ...]) -> T:
    for choice in choices:
        if value == choice:
            return choice
    raise RuleError(f"{path}: {where} must be one of {', '.join(choices)}, not {value!r}")


def _effort(path: Path, where: str, value: object) -> Effort:
    table = _table(path, where, value)
    _check_keys(path, where, table, _EFFORT_KEYS)
    base, per_unit = table.get("base", 0), table.get("per_unit", 0)
    if (
        not isinstance(base, int | float)
        or not isinstance(per_unit, int | float)
        or base < 0
        or per_unit < 0
    ):
        raise RuleError(f"{path}: {where} base and per_unit must be non-negative numbers")
    unit = table.get("unit")
    return Effort(base=float(base), per_unit=float(per_unit), unit=str(unit) if unit else None)


def load_settings(tool: str) -> dict[str, Any]:
    """The free-form ``[settings]`` table of the bundled ``rules/<tool>.toml`` (thresholds,
    file-name patterns, reference data); the analyzer that owns the file validates it.

    For an analyzer called without ``request.options`` (a scan always passes the merged
    settings of the rulebook); read through the same loader as everything else.
    """
    return dict(load_tool_file(rules_dir() / f"{tool}.toml").settings)
