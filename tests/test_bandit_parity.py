"""Our security findings are exactly what ``bandit -r`` reports on the same files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.conftest import NOXPANEL, run_roadmap


def test_security_findings_equal_bandit_cli(tmp_path: Path, cache_env: dict[str, str]) -> None:
    bandit_json = tmp_path / "bandit.json"
    subprocess.run(
        [sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-o", str(bandit_json), "-q"],
        cwd=NOXPANEL,
        check=False,
        capture_output=True,
    )
    theirs = Counter(
        (
            Path(r["filename"]).as_posix().removeprefix("./"),
            r["line_number"],
            r["test_id"],
            r["issue_severity"].lower(),
            r["issue_confidence"].lower(),
            r["issue_cwe"]["id"],
        )
        for r in json.loads(bandit_json.read_text())["results"]
    )
    run = run_roadmap(
        "scan", str(NOXPANEL), "-f", "json", "-q", "--disable", "typing", env=cache_env
    )
    ours = Counter(
        (f["path"], f["line"], f["tool_code"], f["severity"], f["confidence"], f["cwe"])
        for f in run.json()["findings"] + run.json()["suppressed"]
        if f["tool"] == "bandit"
    )
    assert ours == theirs
    assert sum(ours.values()) > 20
