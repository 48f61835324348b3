"""The org roadmap's teams (``roadmap merge --org --org-config FILE``), read and checked.

```toml
[plan]                     # the shared team; any key left out is the pooled default
developers = 6
hours_per_week = 30
horizon_weeks = 12
[repositories.payments]    # a team of its own, which works only on that repository
developers = 2
hours_per_week = 20        # optional: that repository's own [tool.roadmap.plan] by default
```

Unknown keys, repositories the merge does not have, and numbers out of the bounds a
project's own ``[tool.roadmap.plan]`` has are load errors.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from analyzer.planning.org import TeamSizes
from analyzer.planning.settings import MAX_DEVELOPERS
from analyzer.tables import TableReader, read_toml

MAX_HOURS = 168
MAX_HORIZON_WEEKS = 260


class OrgConfigError(ValueError):
    pass


def load_team_sizes(path: Path, repositories: Collection[str]) -> TeamSizes:
    document = TableReader.of(read_toml(path, OrgConfigError), str(path), OrgConfigError)
    document.only({"plan", "repositories"})
    plan = document.table("plan").only({"developers", "hours_per_week", "horizon_weeks"})
    listed = document.table("repositories")
    unknown = sorted(set(listed.values) - set(repositories))
    if unknown:
        raise OrgConfigError(
            f"{path}: [repositories.{unknown[0]}] names no repository of this merge "
            f"(they are: {', '.join(sorted(repositories))})"
        )
    own: dict[str, tuple[int, float | None]] = {}
    for name in sorted(listed.values):
        table = listed.table(name).only({"developers", "hours_per_week"})
        own[name] = (_developers(table), _hours(table))
    return TeamSizes(
        shared_developers=_developers(plan) if "developers" in plan.values else None,
        shared_hours_per_week=_hours(plan),
        horizon_weeks=_horizon(plan),
        own=own,
    )


def _developers(table: TableReader) -> int:
    developers = table.integer("developers", minimum=1)
    if developers > MAX_DEVELOPERS:
        raise table.fail("developers", f"cannot exceed {MAX_DEVELOPERS}")
    return developers


def _hours(table: TableReader) -> float | None:
    if "hours_per_week" not in table.values:
        return None
    hours = table.number("hours_per_week", minimum=1)
    if hours > MAX_HOURS:
        raise table.fail("hours_per_week", "cannot exceed the 168 hours of a week")
    return hours


def _horizon(table: TableReader) -> int | None:
    if "horizon_weeks" not in table.values:
        return None
    weeks = table.integer("horizon_weeks", minimum=1)
    if weeks > MAX_HORIZON_WEEKS:
        raise table.fail("horizon_weeks", "cannot exceed 260 (five years)")
    return weeks
