"""Measure a roadmap the way a reader notices it first: one line of JSON per report.

    python bench/roadmap/measure.py NAME ROADMAP.md REPORT.json [--hotspots]

Works on reports of this version and of the previous planner (no ``scheduled`` key, no
backlog): lines of Markdown, pull requests (scheduled, backlog), the share of prose lines
that repeat another line but for numbers and code spans, "part N of M" and duplicate
titles, priority inversions (a lower-priority pull request in an earlier phase than a
higher-priority one it does not feed), weeks, hotspots, and whether every finding is in
exactly one recommendation.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def masked(line: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "N", re.sub(r"`[^`]*`", "`X`", line)).strip()


def is_prose(line: str) -> bool:
    """Not a table row, not a short line, not a "- **Key:** value" field of six words or less."""
    text = line.strip()
    if text.startswith("|") or len(text) <= 30:
        return False
    field = re.match(r"[-*] \*\*[^*]+:\*\*(.*)$", text)
    return not (field and len(field.group(1).split()) <= 6)


def repeated_share(markdown: str) -> float:
    counts = Counter(
        masked(line) for line in markdown.splitlines() if line.strip() and is_prose(line)
    )
    total = sum(counts.values())
    return sum(n for n in counts.values() if n > 1) / total if total else 0.0


def inversions(recs: list[dict[str, Any]], roadmap: dict[str, Any]) -> int:
    phase_of = {
        rec_id: index
        for index, phase in enumerate(roadmap.get("phases") or [])
        for rec_id in phase["recommendation_ids"]
    }
    by_id = {rec["id"]: rec for rec in recs}

    def ancestors(rec_id: str) -> set[str]:
        found: set[str] = set()
        stack = list(by_id[rec_id].get("depends_on") or [])
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(by_id.get(current, {}).get("depends_on") or [])
        return found

    count = 0
    for high in phase_of:
        feeding = ancestors(high)
        for low in phase_of:
            lower = RANK[by_id[low]["priority"]] > RANK[by_id[high]["priority"]]
            if lower and phase_of[low] < phase_of[high] and low not in feeding:
                count += 1
    return count


def measure(name: str, markdown_path: Path, report_path: Path) -> dict[str, Any]:
    markdown = markdown_path.read_text(encoding="utf-8")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    recs = report.get("recommendations") or []
    roadmap = report.get("roadmap") or {}
    titles = Counter(rec["title"] for rec in recs)
    placed = Counter(fid for rec in recs for fid in rec["finding_ids"])
    scheduled = sum(1 for phase in roadmap.get("phases") or [] for _ in phase["recommendation_ids"])
    return {
        "name": name,
        "files": report["target"]["files_scanned"],
        "findings": len(report["findings"]),
        "lines": len(markdown.splitlines()),
        "prs": len(recs),
        "scheduled": scheduled,
        "backlog": len(roadmap.get("backlog") or []),
        "weeks": roadmap.get("total_weeks"),
        "repeated_share": round(repeated_share(markdown), 3),
        "part_titles": sum(1 for t in titles if re.search(r"part \d+ of \d+", t)),
        "duplicate_titles": sum(1 for n in titles.values() if n > 1),
        "inversions": inversions(recs, roadmap),
        "hotspots": len(report.get("hotspots") or []),
        "each_finding_once": sorted(placed) == sorted(f["fingerprint"] for f in report["findings"])
        and all(n == 1 for n in placed.values()),
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
