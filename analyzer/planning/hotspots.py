"""Hotspots: complex code that changes often (churn from git history times complexity).

A function of complexity 60 that changes every week costs more than one nobody touched in
five years: defects cluster there and every change to it is slow. Churn is the function's
own commits where its file's diffs were mapped onto functions, else its file's.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.discover.history import History
from analyzer.planning.facts import CodeFacts


@dataclass(frozen=True, kw_only=True, slots=True)
class Hotspot:
    path: str
    symbol: str | None
    commits: int
    lines_changed: int
    complexity: int
    score: int


def find_hotspots(facts: CodeFacts, history: History | None) -> tuple[Hotspot, ...]:
    """Complex functions that changed in the window, highest score (commits x complexity) first."""
    if history is None or not history.available:
        return ()
    functions = {(f.path, f.symbol): f for f in history.functions}
    files = {f.path: f for f in history.files}
    mapped = frozenset(history.function_files)
    found: list[Hotspot] = []
    for path, complex_functions in facts.complex_functions.items():
        file_churn = files.get(path)
        for function in complex_functions:
            churn = functions.get((path, function.name))
            if churn is not None:
                commits, lines = churn.commits, churn.lines_changed
            elif path not in mapped and file_churn is not None:
                commits, lines = file_churn.commits, file_churn.lines_changed
            else:
                continue
            found.append(
                Hotspot(
                    path=path,
                    symbol=function.name,
                    commits=commits,
                    lines_changed=lines,
                    complexity=function.complexity,
                    score=commits * function.complexity,
                )
            )
    return tuple(sorted(found, key=lambda h: (-h.score, h.path, h.symbol or "")))
