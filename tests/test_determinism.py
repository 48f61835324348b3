"""Same tree, same output: twice in a row, and whatever order the file system lists files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import NOXPANEL, run_roadmap


def _stable_parts(stdout: str) -> dict[str, object]:
    report = json.loads(stdout)
    return {key: report[key] for key in ("findings", "metrics", "errors", "suppressed")}


def test_two_scans_and_a_copy_in_another_order_agree(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    first = run_roadmap("scan", str(NOXPANEL), "-f", "json", "-q", env=cache_env)
    second = run_roadmap("scan", str(NOXPANEL), "-f", "json", "-q", "--jobs", "1", env=cache_env)
    # A copy created in reverse order gets a different directory order on most file systems.
    copy = tmp_path / "noxpanel"
    for source in sorted(NOXPANEL.rglob("*"), reverse=True):
        target = copy / source.relative_to(NOXPANEL)
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    third = run_roadmap("scan", str(copy), "-f", "json", "-q", env=cache_env)
    assert first.returncode == second.returncode == third.returncode == 0
    assert (
        _stable_parts(first.stdout) == _stable_parts(second.stdout) == _stable_parts(third.stdout)
    )
