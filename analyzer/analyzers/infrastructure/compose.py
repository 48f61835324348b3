"""docker compose files: secrets written into ``environment`` and unpinned ``image`` tags.

Read with PyYAML's node API (``yaml.compose`` with the safe loader), which keeps the line
of every value and constructs no Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from analyzer.analyzers.infrastructure.dockerfile_rules import split_image
from analyzer.analyzers.infrastructure.policy import InfraPolicy
from analyzer.model import RawFinding

# PyYAML ships no type hints; its nodes are typed as Any here.
Node = Any


def check_compose(text: str, path: str, policy: InfraPolicy) -> list[RawFinding]:
    """Raises ``yaml.YAMLError`` for a file that is not YAML."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    services = _value(root, "services") if root is not None else None
    if not isinstance(services, yaml.MappingNode):
        return []
    findings: list[RawFinding] = []
    for name_node, service in services.value:
        if isinstance(service, yaml.MappingNode):
            findings.extend(_check_service(str(name_node.value), service, path, policy))
    return sorted(findings, key=lambda f: (f.line, f.column, f.tool_code))


def _check_service(
    name: str, service: Node, path: str, policy: InfraPolicy
) -> Iterator[RawFinding]:
    image = _value(service, "image")
    if isinstance(image, yaml.ScalarNode) and "$" not in str(image.value):
        ref = split_image(str(image.value))
        if ref.digest is None and ref.tag in (None, "latest"):
            yield _finding(
                path,
                image,
                "unpinned-image",
                f"Service {name} runs image {image.value} without a fixed tag",
            )
    environment = _value(service, "environment")
    for key, value_node, value in _environment(environment):
        literal = value and "${" not in value and not value.startswith("$")
        secret_name = policy.secret_name.search(key) and not key.upper().endswith(
            policy.not_secret_suffixes
        )
        if (secret_name and literal) or policy.credential_url.search(value):
            yield _finding(
                path,
                value_node,
                "secret-in-environment",
                f"Service {name} sets {key} to a literal secret (value not shown)",
            )


def _environment(node: Node | None) -> Iterator[tuple[str, Node, str]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            text = (
                str(value.value)
                if isinstance(value, yaml.ScalarNode) and value.value is not None
                else ""
            )
            yield str(key.value), value, text
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                key, _, text = str(item.value).partition("=")
                yield key, item, text


def _value(node: Node, key: str) -> Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def _finding(path: str, node: Node, code: str, message: str) -> RawFinding:
    mark = node.start_mark
    return RawFinding(
        tool="infrastructure",
        tool_code=code,
        message=message,
        path=path,
        line=mark.line + 1,
        column=mark.column + 1,
    )
