"""SARIF rule descriptors: titles, help in text and Markdown, and what GitHub needs to show a
rule's results as security alerts.

A rule is a security rule when its category is ``security`` (bandit) or it names a weakness
(a CWE: ``cwe`` in ``rules/<tool>.toml`` for our own rules, or the CWE bandit gives each
finding). Security rules carry GitHub's ``security-severity``, the ``security`` tag and one
``external/cwe/cwe-NN`` tag per weakness, which is how code scanning files them under
security alerts. ``helpUri`` is only given when it leads somewhere real: bandit's own page
for the check, else the CWE's definition at MITRE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from analyzer.model import SEVERITIES, Finding, Severity
from analyzer.rules import Rule, RuleBook

LEVELS: Mapping[Severity, str] = {
    "high": "error",
    "medium": "warning",
    "low": "note",
    "info": "note",
}
# GitHub ranks security alerts by this number: >= 9.0 critical, 7.0 high, 4.0 medium, 0.1 low.
SECURITY_SEVERITY: Mapping[Severity, str] = {
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "info": "1.0",
}
CWE_URI = "https://cwe.mitre.org/data/definitions/{}.html"
_WORD = re.compile(r"[A-Za-z0-9]+")


def rule_descriptor(rules: RuleBook, rule_id: str, findings: Sequence[Finding]) -> dict[str, Any]:
    tool, _, code = rule_id.partition(".")
    rule: Rule = rules.find(rule_id) or rules.lookup(tool, code)
    worst = min((f.severity for f in findings), key=SEVERITIES.index)
    weaknesses = sorted({c for c in (rule.cwe, *(f.cwe for f in findings)) if c})
    help_text = rule.help or rule.title
    tags = {rule.category, tool}
    properties: dict[str, Any] = {}
    if rule.category == "security" or weaknesses:
        tags |= {"security", *(f"external/cwe/cwe-{n}" for n in weaknesses)}
        properties["security-severity"] = SECURITY_SEVERITY[worst]
    properties["tags"] = sorted(tags)
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": _pascal_case(rule.title) or _pascal_case(rule_id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": help_text},
        "help": {
            "text": f"{help_text}\n\nRule {rule_id} ({tool} {code}).",
            "markdown": _help_markdown(rule, rule_id, help_text, weaknesses),
        },
        "defaultConfiguration": {"level": LEVELS[worst]},
        "properties": properties,
    }
    uri = _help_uri(tool, code, weaknesses)
    if uri is not None:
        descriptor["helpUri"] = uri
    return descriptor


def _help_markdown(rule: Rule, rule_id: str, help_text: str, weaknesses: Sequence[int]) -> str:
    lines = [
        f"**{rule.title}**",
        "",
        help_text,
        "",
        f"Rule `{rule_id}` ({rule.tool} `{rule.code}`).",
    ]
    if weaknesses:
        links = ", ".join(f"[CWE-{n}]({CWE_URI.format(n)})" for n in weaknesses)
        lines += ["", f"Weakness: {links}."]
    return "\n".join(lines)


def _help_uri(tool: str, code: str, weaknesses: Sequence[int]) -> str | None:
    if tool == "bandit":
        page = _bandit_page(code)
        if page is not None:
            return page
    return CWE_URI.format(weaknesses[0]) if weaknesses else None


@cache
def _bandit_page(code: str) -> str | None:
    """bandit's documentation page for one of its checks (its own link, ``more_info``)."""
    try:
        from bandit.core.docs_utils import get_url
    except ImportError:
        return None
    url = str(get_url(code))
    # For a code bandit does not know, get_url returns the documentation's front page.
    return url if url.endswith(".html") else None


def _pascal_case(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in _WORD.findall(text))
