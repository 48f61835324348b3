"""Renderers: JSON (and later SARIF) built as plain dicts; Markdown through jinja2."""
