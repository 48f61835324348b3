"""Dependencies from the code: a pull request waits for the earlier one that edits its files.

"Earlier" is the schedule's order (priority, then value per hour), so every dependency
points backwards and the graph is acyclic by construction; a pull request never waits for
an unrelated one. Pull requests that add tests or documents (``changes_code`` false) edit
no file another one fixes, so they neither wait nor make others wait.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from analyzer.planning.group import Dependency, Recommendation


def link_dependencies(
    ordered: Sequence[Recommendation], changes_code: Mapping[str, bool]
) -> tuple[Recommendation, ...]:
    """Each pull request depends on the last earlier one editing each of its files, less
    those another of its dependencies already waits for."""
    last_editor: dict[str, int] = {}
    direct: list[dict[int, str]] = []
    for index, rec in enumerate(ordered):
        waits: dict[int, str] = {}
        if changes_code.get(rec.kind, True):
            for path in rec.files:
                if path == ".":
                    continue
                earlier = last_editor.get(path)
                if earlier is not None and earlier not in waits:
                    waits[earlier] = path
                last_editor[path] = index
        direct.append(waits)
    linked = []
    for index, rec in enumerate(ordered):
        waits = direct[index]
        kept = sorted(
            (d, path)
            for d, path in waits.items()
            if not any(d in direct[o] for o in waits if o != d)
        )
        linked.append(
            replace(
                rec,
                depends_on=tuple(
                    Dependency(id=ordered[d].id, reason=f"both edit {path}") for d, path in kept
                ),
            )
        )
    return tuple(linked)
