"""Renderers: JSON (and SARIF) built as plain dicts and serialized; Markdown through jinja2.

Each renderer turns a Report into the text of one output format. ``FORMATS`` is the single
table of formats the command line offers; a renderer's module (and what it imports: jinja2
for Markdown, rich for text) is imported only when that format is written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.report import Report

Renderer = Callable[["Report"], str]

# Format -> (module, function) of its renderer.
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("analyzer.render.text", "render_text"),
    "json": ("analyzer.render.json_report", "render_json"),
    "markdown": ("analyzer.render.markdown", "render_markdown"),
    "sarif": ("analyzer.render.sarif", "render_sarif"),
    "gitlab": ("analyzer.render.gitlab", "render_gitlab"),
}


def renderer(fmt: str) -> Renderer:
    module, function = FORMATS[fmt]
    found: Renderer = getattr(importlib.import_module(module), function)
    return found


def render(report: Report, fmt: str) -> str:
    return renderer(fmt)(report)
