"""Rules about endpoints as a whole: documentation, authentication, pagination."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analyzer.analyzers.api.auth import PUBLIC
from analyzer.analyzers.api.facts import Found
from analyzer.model import Endpoint, RawFinding

# Methods that may change state; ``*`` is a Django view that accepts any method.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "*"})


def is_state_changing(endpoint: Endpoint) -> bool:
    """A non-GET endpoint whose handler writes: a POST that only reads is not a write."""
    return endpoint.writes and bool(UNSAFE_METHODS & set(endpoint.methods))


def unauthenticated_writes(found: Iterable[Found]) -> list[Endpoint]:
    return [
        f.endpoint
        for f in found
        if not f.external
        and is_state_changing(f.endpoint)
        and not f.endpoint.authenticated
        and f.endpoint.auth_source != PUBLIC
    ]


def endpoint_findings(found: list[Found]) -> list[RawFinding]:
    """One finding per handler and rule, however many routes share the handler."""
    seen: set[tuple[str, str, int]] = set()
    findings = []
    for code, endpoint, message in _candidates(found):
        key = (code, endpoint.path, endpoint.line)
        if key not in seen:
            seen.add(key)
            findings.append(
                RawFinding(
                    tool="api",
                    tool_code=code,
                    message=message,
                    path=endpoint.path,
                    line=endpoint.line,
                )
            )
    return findings


def _candidates(found: list[Found]) -> Iterator[tuple[str, Endpoint, str]]:
    for item in found:
        endpoint = item.endpoint
        if item.external:
            continue
        label = f"{'/'.join(endpoint.methods)} {endpoint.route}"
        if not endpoint.documented and not item.hidden:
            yield (
                "undocumented-endpoint",
                endpoint,
                f"endpoint {label} has no docstring, summary or description",
            )
        if item.unpaginated:
            yield (
                "unpaginated-list",
                endpoint,
                f"endpoint {label} returns an unbounded query and takes no paging parameter",
            )
    for endpoint in unauthenticated_writes(found):
        label = f"{'/'.join(endpoint.methods)} {endpoint.route}"
        yield (
            "unauthenticated-write",
            endpoint,
            f"endpoint {label} changes state and nothing authenticates it",
        )
