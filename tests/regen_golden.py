"""Rewrite tests/golden/noxpanel.* from a fresh scan: ``python -m tests.regen_golden``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.golden_roadmap import JSON, MARKDOWN, build_outputs


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        markdown, data = build_outputs(Path(cache))
    MARKDOWN.write_text(markdown, encoding="utf-8")
    JSON.write_text(data, encoding="utf-8")
    print(f"wrote {MARKDOWN} and {JSON}")


if __name__ == "__main__":
    main()
