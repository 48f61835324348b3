"""Rewrite tests/golden/noxpanel.* from fresh scans: ``python -m tests.regen_golden``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.golden_progress import (
    PROGRESS_JSON,
    PROGRESS_MARKDOWN,
    build_progress_outputs,
    golden_inputs,
)
from tests.golden_roadmap import JSON, MARKDOWN, build_outputs


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        markdown, data = build_outputs(Path(cache))
    MARKDOWN.write_text(markdown, encoding="utf-8")
    JSON.write_text(data, encoding="utf-8")
    print(f"wrote {MARKDOWN} and {JSON}")
    # The progress goldens take the roadmap's golden report, just written, as their plan.
    with tempfile.TemporaryDirectory() as work:
        markdown, data = build_progress_outputs(Path(work), golden_inputs())
    PROGRESS_MARKDOWN.write_text(markdown, encoding="utf-8")
    PROGRESS_JSON.write_text(data, encoding="utf-8")
    print(f"wrote {PROGRESS_MARKDOWN} and {PROGRESS_JSON}")


if __name__ == "__main__":
    main()
