"""The ``[settings]`` table of rules/api.toml, validated into one frozen value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from analyzer.rules import RuleError, load_settings


@dataclass(frozen=True, kw_only=True, slots=True)
class ApiSettings:
    frameworks: tuple[str, ...]
    endpoint_markers: tuple[str, ...]
    libraries: tuple[str, ...]
    query_libraries: tuple[str, ...]
    async_libraries: tuple[str, ...]
    collections: Mapping[str, str]
    auth_decorators: tuple[str, ...]
    auth_dependencies: tuple[str, ...]
    security_constructors: tuple[str, ...]
    auth_bases: tuple[str, ...]
    public_permissions: tuple[str, ...]
    public_writes: tuple[str, ...]
    public_decorators: tuple[str, ...]
    auth_middleware: tuple[str, ...]
    guard_statuses: tuple[str, ...]
    guard_calls: tuple[str, ...]
    guard_exceptions: tuple[str, ...]
    write_methods: tuple[str, ...]
    write_names: tuple[str, ...]
    write_chains: tuple[str, ...]
    write_exclusions: tuple[str, ...]
    doc_decorators: tuple[str, ...]
    doc_keywords: tuple[str, ...]
    blocking_calls: tuple[str, ...]
    timeout_calls: Mapping[str, int]
    session_factories: tuple[str, ...]
    session_methods: tuple[str, ...]
    query_methods: tuple[str, ...]
    result_accessors: tuple[str, ...]
    unparameterized_sql: tuple[str, ...]
    query_attribute_methods: tuple[str, ...]
    query_loop_skip_files: tuple[str, ...]
    blocking_skip_files: tuple[str, ...]
    manager_attribute: str
    bounding_methods: tuple[str, ...]
    pagination_parameters: tuple[str, ...]
    list_views: tuple[str, ...]
    pagination_attributes: tuple[str, ...]
    view_methods: Mapping[str, tuple[str, ...]]
    viewset_actions: Mapping[str, tuple[str, ...]]
    # Globs of files that are not the application (tests declare throwaway routes).
    skip_files: tuple[str, ...] = ()


# Every list-of-strings setting; the other keys are tables or a single string.
_LISTS = tuple(
    name for name, kind in ApiSettings.__annotations__.items() if kind == "tuple[str, ...]"
)


def parse_settings(table: Mapping[str, Any]) -> ApiSettings:
    """Validate ``table``; a missing or mistyped key is a RuleError naming it."""
    values: dict[str, Any] = {key: _strings(table, key) for key in _LISTS}
    values["collections"] = _mapping(table, "collections", str)
    values["timeout_calls"] = _mapping(table, "timeout_calls", int)
    values["view_methods"] = _list_mapping(table, "view_methods")
    values["viewset_actions"] = _list_mapping(table, "viewset_actions")
    manager = table.get("manager_attribute")
    if not isinstance(manager, str):
        raise RuleError("api settings: manager_attribute must be a string")
    values["manager_attribute"] = manager
    return ApiSettings(**values)


def bundled_settings() -> ApiSettings:
    return parse_settings(load_settings("api"))


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    """Does the qualified ``name``, or its last part, match any fnmatch pattern?"""
    last = name.rsplit(".", 1)[-1]
    return any(fnmatchcase(name, p) or fnmatchcase(last, p) for p in patterns)


def _strings(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RuleError(f"api settings: {key} must be a list of strings")
    return tuple(value)


def _mapping(table: Mapping[str, Any], key: str, kind: type) -> dict[str, Any]:
    value = table.get(key)
    if not isinstance(value, dict) or not all(isinstance(v, kind) for v in value.values()):
        raise RuleError(f"api settings: {key} must be a table of {kind.__name__} values")
    return dict(value)


def _list_mapping(table: Mapping[str, Any], key: str) -> dict[str, tuple[str, ...]]:
    value = table.get(key)
    if not isinstance(value, dict):
        raise RuleError(f"api settings: {key} must be a table")
    return {name: _strings(value, name) for name in value}
