"""Split a recommendation too large to review in one sitting into consecutive parts.

A part follows the code's own boundaries (directory, then file, then runs of lines) so that
a reviewer reads related changes together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from analyzer.planning.rootcause import RootCause


def split_for_review(
    causes: Sequence[RootCause], size_of: Callable[[RootCause], float], budget: int
) -> list[list[RootCause]]:
    """Causes (in path order) packed into consecutive parts of at most the budget.

    Units are directories; a directory over budget falls back to its files, a file over
    budget to runs of lines. Only a single cause over budget can make a part exceed it.
    """
    sizes = [size_of(c) for c in causes]

    def size(group: Sequence[int]) -> float:
        return sum(sizes[i] for i in group)

    indexes = list(range(len(causes)))
    if not causes:
        return []
    if size(indexes) <= budget:
        return [list(causes)]
    units: list[list[int]] = []
    by_directory = _grouped(indexes, lambda i: causes[i].anchor.path.rpartition("/")[0] or ".")
    for directory in by_directory:
        if size(directory) <= budget:
            units.append(directory)
            continue
        for in_file in _grouped(directory, lambda i: causes[i].anchor.path):
            units.extend(_runs(in_file, size, budget) if size(in_file) > budget else [in_file])
    parts: list[list[int]] = []
    for unit in units:
        if parts and size(parts[-1]) + size(unit) <= budget:
            parts[-1].extend(unit)
        else:
            parts.append(list(unit))
    return [[causes[i] for i in part] for part in parts]


def _grouped(indexes: Sequence[int], key: Callable[[int], str]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index in indexes:
        groups[key(index)].append(index)
    return [groups[name] for name in sorted(groups)]


def _runs(
    indexes: Sequence[int], size: Callable[[Sequence[int]], float], budget: int
) -> list[list[int]]:
    runs: list[list[int]] = [[]]
    for index in indexes:
        if runs[-1] and size([*runs[-1], index]) > budget:
            runs.append([])
        runs[-1].append(index)
    return runs
