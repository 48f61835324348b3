"""Renderers: JSON (and SARIF) built as plain dicts and serialized; Markdown through jinja2.

Each renderer turns a Report into the text of one output format; ``RENDERERS`` is the
single table of formats the command line offers.
"""

from __future__ import annotations

from collections.abc import Callable

from analyzer.render.gitlab import render_gitlab
from analyzer.render.json_report import render_json
from analyzer.render.markdown import render_markdown
from analyzer.render.sarif import render_sarif
from analyzer.render.text import render_text
from analyzer.report import Report

Renderer = Callable[[Report], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "gitlab": render_gitlab,
}


def render(report: Report, fmt: str) -> str:
    return RENDERERS[fmt](report)
