"""Match the paths a coverage report recorded to files under the scan root."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable


def match_recorded_paths(recorded: Iterable[str], known: Iterable[str]) -> dict[str, str]:
    """``{recorded: known}`` for each recorded path that ends with exactly one known path's
    longest matching tail. Coverage files written elsewhere (CI, another checkout) record
    absolute or differently-rooted paths, so matching is by trailing path components."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in known:
        by_name[posixpath.basename(path)].append(path)
    matched: dict[str, str] = {}
    for original in recorded:
        path = original.replace("\\", "/").removeprefix("./")
        best = _best_candidate(path, by_name.get(posixpath.basename(path), []))
        if best is not None:
            matched[original] = best
    return matched


def _best_candidate(path: str, candidates: list[str]) -> str | None:
    if path in candidates:
        return path
    parts = path.split("/")
    scored = sorted(((_common_tail(parts, c.split("/")), c) for c in candidates), reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def _common_tail(left: list[str], right: list[str]) -> int:
    count = 0
    for a, b in zip(reversed(left), reversed(right), strict=False):
        if a != b:
            break
        count += 1
    return count
