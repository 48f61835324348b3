"""Rewrite tests/golden/noxpanel.* from a fresh scan, and org.roadmap.md from its JSON:
``python -m tests.regen_golden``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.golden_roadmap import JSON, MARKDOWN, ORG_MARKDOWN, build_org_markdown, build_outputs


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        markdown, data = build_outputs(Path(cache))
    MARKDOWN.write_text(markdown, encoding="utf-8")
    JSON.write_text(data, encoding="utf-8")
    # The org roadmap is built from the JSON just written.
    ORG_MARKDOWN.write_text(build_org_markdown(), encoding="utf-8")
    print(f"wrote {MARKDOWN}, {JSON} and {ORG_MARKDOWN}")


if __name__ == "__main__":
    main()
