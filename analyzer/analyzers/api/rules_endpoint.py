"""Rules about endpoints as a whole: documentation, authentication, pagination."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analyzer.analyzers.api.facts import Found
from analyzer.analyzers.api.settings import ApiSettings, matches
from analyzer.model import Endpoint, RawFinding

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_state_changing(endpoint: Endpoint) -> bool:
    return bool(WRITE_METHODS & set(endpoint.methods))


def is_public_by_nature(endpoint: Endpoint, settings: ApiSettings) -> bool:
    """Login, sign-up, token and webhook endpoints cannot require a logged-in user."""
    handler = endpoint.handler.rsplit(".", 1)[-1]
    return matches(handler, settings.public_writes) or any(
        matches(part, settings.public_writes) for part in endpoint.route.split("/") if part
    )


def unauthenticated_writes(found: Iterable[Found], settings: ApiSettings) -> list[Endpoint]:
    return [
        f.endpoint
        for f in found
        if is_state_changing(f.endpoint)
        and not f.endpoint.authenticated
        and not is_public_by_nature(f.endpoint, settings)
    ]


def endpoint_findings(found: list[Found], settings: ApiSettings) -> list[RawFinding]:
    """One finding per handler and rule, however many routes share the handler."""
    seen: set[tuple[str, str, int]] = set()
    findings = []
    for code, endpoint, message in _candidates(found, settings):
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


def _candidates(found: list[Found], settings: ApiSettings) -> Iterator[tuple[str, Endpoint, str]]:
    for item in found:
        endpoint = item.endpoint
        label = f"{'/'.join(endpoint.methods)} {endpoint.route}"
        if not endpoint.documented:
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
    for endpoint in unauthenticated_writes(found, settings):
        label = f"{'/'.join(endpoint.methods)} {endpoint.route}"
        yield (
            "unauthenticated-write",
            endpoint,
            f"state-changing endpoint {label} has no authentication",
        )
