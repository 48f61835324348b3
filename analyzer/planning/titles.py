"""Pull-request titles named after what they change: the fixes, and the modules or functions.

"Replace eval() and remove shell=True in cli/main.py and utils/fields.py", "Split
build_query (complexity 60) in reports/filters.py". The phrases are data
(``[phrases]`` in recommendations.toml). Titles are unique: two pull requests that would
share one are told apart by the files, then the lines, they cover.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from analyzer.model import SEVERITIES, Finding
from analyzer.planning.kinds import KindBook, Phrase
from analyzer.planning.rootcause import RootCause
from analyzer.rules import RuleBook

SHOWN_FIXES = 2


def describe_fixes(causes: Sequence[RootCause], book: KindBook, rulebook: RuleBook) -> str:
    """The fixes, most severe first: "replace eval(), remove shell=True and 2 more fixes"."""
    groups: dict[Phrase, list[Finding]] = {}
    for cause in sorted(causes, key=lambda c: _severity(c.lead)):
        lead = cause.lead
        phrase = book.phrase(lead.rule_id, lead.category) or _fallback(lead, rulebook)
        groups.setdefault(phrase, []).append(lead)
    texts = list(
        dict.fromkeys(phrase.text([_values(f) for f in leads]) for phrase, leads in groups.items())
    )
    if len(texts) <= SHOWN_FIXES:
        return " and ".join(texts)
    more = len(texts) - SHOWN_FIXES
    return f"{', '.join(texts[:SHOWN_FIXES])} and {more} more fix{'es' if more > 1 else ''}"


def _severity(finding: Finding) -> tuple[int, str, int]:
    return (SEVERITIES.index(finding.severity), finding.path, finding.line)


def _values(finding: Finding) -> dict[str, object]:
    values: dict[str, object] = {"symbol": finding.symbol}
    for key, value in finding.details:
        values[key] = value
    return values


def _fallback(finding: Finding, rulebook: RuleBook) -> Phrase:
    title = rulebook.lookup(finding.tool, finding.tool_code).title
    text = f"fix {title[:1].lower()}{title[1:]}"
    return Phrase(one=text, many=text)


def describe_place(files: Sequence[str]) -> str:
    """ "in a.py and b.py", "in pkg/forum (5 files)", "in pkg (4 packages, 9 files)",
    "for the project"."""
    real = sorted(path for path in files if path != ".")
    if not real:
        return "for the project"
    if len(real) <= 2:
        return f"in {' and '.join(real)}"
    packages = sorted({parent_of(path) for path in real})
    count = f"{len(real)} files"
    if len(packages) == 1:
        return f"in {packages[0]} ({count})" if packages[0] != "." else f"across {count}"
    if len(packages) == 2:
        return f"in {packages[0]} and {packages[1]} ({count})"
    scope = common_scope(real)
    where = f"in {scope}" if scope != "." else "across the project"
    return f"{where} ({len(packages)} packages, {count})"


def common_scope(files: Iterable[str]) -> str:
    """The deepest directory holding every file (``"."`` for the root)."""
    parents = [path.split("/")[:-1] for path in files if path != "."]
    common: list[str] = []
    for level in zip(*parents, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) or "."


def parent_of(path: str) -> str:
    """The folder of a relative POSIX path, ``"."`` at the top (string work: this runs for
    every file of every recommendation)."""
    return path.rpartition("/")[0] or "."


def make_title(fixes: str, place: str) -> str:
    text = f"{fixes} {place}"
    return text[:1].upper() + text[1:]


def unique_titles(
    titles: Mapping[str, str], refinements: Sequence[Mapping[str, str]]
) -> dict[str, str]:
    """Titles by id; each refinement (id -> detail) in turn tells the clashing ones apart."""
    result = dict(titles)
    for detail in refinements:
        counts = Counter(result.values())
        for rec_id, title in list(result.items()):
            if counts[title] > 1 and detail.get(rec_id):
                result[rec_id] = f"{title} ({detail[rec_id]})"
    return result


def file_range(files: Sequence[str]) -> str:
    """ "models.py to views.py": the first and last file names, to tell two titles apart."""
    names = sorted(path.rpartition("/")[2] for path in files if path != ".")
    if not names:
        return ""
    return names[0] if names[0] == names[-1] else f"{names[0]} to {names[-1]}"
