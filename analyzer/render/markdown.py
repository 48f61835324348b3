"""The roadmap as Markdown, through the jinja2 templates in ``templates/``.

Rendering is strict: an undefined name or a ``None`` reaching the output is an error, so no
placeholder can leak. Every expression is escaped for Markdown unless it is marked safe;
the filters ``code`` and ``mermaid`` build safe code spans and Mermaid labels from
untrusted text (finding messages and paths come from the scanned repository).
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from analyzer.render.escape import break_workflow_commands, escape_controls
from analyzer.render.numbers import format_number, plural
from analyzer.render.roadmap_view import build_context
from analyzer.report import Report, planned
from analyzer.resources import templates_dir

TEMPLATE = "roadmap.md.j2"
TOP_FINDINGS = 5
TOP_RULES = 4
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~!&$])")
_INERT = re.compile(
    r"(?P<fence>`+)(?P<tick>[^`]+?)(?P=fence)(?!`)|(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s`]+"
)
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def escape_markdown(text: str) -> str:
    """Inline text that cannot open a link, an HTML tag, emphasis, a table cell or math.

    URLs and `backticked` runs become code spans (inert, and never autolinked); a run
    holding ``|`` is escaped as text instead, so it cannot split a table cell.
    """
    text = escape_controls(_NEWLINES.sub(" ", text))
    pieces, last = [], 0
    for match in _INERT.finditer(text):
        inner = match.group("tick")
        if inner is not None and "|" in inner:
            continue
        pieces.append(_SPECIAL.sub(r"\\\1", text[last : match.start()]))
        pieces.append(code_span(match.group() if inner is None else inner))
        last = match.end()
    pieces.append(_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(pieces)


def code_span(text: object) -> Markup:
    """A code span that holds any text: the fence is longer than any backtick run inside."""
    value = break_workflow_commands(escape_controls(_NEWLINES.sub(" ", str(text))))
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return Markup(f"{fence}{pad}{value}{pad}{fence}")


def mermaid_label(text: object) -> Markup:
    """Text Mermaid's gantt syntax accepts as a task or section name."""
    value = escape_controls(re.sub(r"[:;#`\r\n]+", " ", str(text)))
    return Markup(re.sub(r"\s+", " ", value).strip() or "untitled")


def _finalize(value: object) -> object:
    if value is None:
        raise ValueError("a template tried to print None; the context is missing a value")
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return escape_markdown(value)
    return value


def make_environment(template_dir: Path | None = None) -> Environment:
    loaders = [FileSystemLoader(str(template_dir))] if template_dir is not None else []
    environment = Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(templates_dir()))]),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["code"] = code_span
    environment.filters["mermaid"] = mermaid_label
    environment.filters["plural"] = plural
    environment.filters["number"] = format_number
    return environment


def check_templates(template_dir: Path) -> None:
    """Compile every template once, so a broken override fails before a long scan."""
    environment = make_environment(template_dir)
    for name in environment.list_templates(filter_func=lambda n: n.endswith(".j2")):
        environment.get_template(name)


def render_markdown(report: Report) -> str:
    full = planned(report)
    environment = make_environment(full.template_dir)
    text = environment.get_template(TEMPLATE).render(**build_context(full))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
