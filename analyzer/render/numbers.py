"""How numbers read in the Markdown: ``1,234``, ``2.5``, ``3 findings``."""

from __future__ import annotations


def format_number(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def plural(count: int | float, noun: str, many: str | None = None) -> str:
    word = noun if count == 1 else (many or f"{noun}s")
    return f"{format_number(count)} {word}"


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``11th``, ``23rd``."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"
