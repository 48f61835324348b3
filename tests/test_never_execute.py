"""Nothing from the scanned repository is ever imported or executed.

The canary repository has a hook in every place a careless tool would run it: setup.py,
conftest.py, a package __init__, a mypy plugin named by its mypy.ini, setup.cfg and
pyproject.toml, a python_executable for mypy, sitecustomize, and modules named like our
own dependencies (so an import from the working directory would pick them up). Each hook
writes a marker file; after scanning, no marker may exist.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_roadmap, write_tree


def _hook(marker_dir: Path, name: str) -> str:
    return f"open({str(marker_dir / name)!r}, 'w').write('executed')\n"


def _canary(root: Path, markers: Path) -> Path:
    hooks = {
        "setup.py": _hook(markers, "setup.py"),
        "conftest.py": _hook(markers, "conftest.py"),
        "app/__init__.py": _hook(markers, "package-import"),
        "app/views.py": (
            "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
        ),
        "canary_plugin.py": _hook(markers, "mypy-plugin")
        + "def plugin(version):\n    return None\n",
        "sitecustomize.py": _hook(markers, "sitecustomize"),
        "usercustomize.py": _hook(markers, "usercustomize"),
        # Modules named like our dependencies: found first if the target were on sys.path.
        "mypy/__init__.py": _hook(markers, "fake-mypy"),
        "mypy/__main__.py": _hook(markers, "fake-mypy-main"),
        "bandit/__init__.py": _hook(markers, "fake-bandit"),
        "vulture.py": _hook(markers, "fake-vulture"),
        "radon/__init__.py": _hook(markers, "fake-radon"),
        "rich/__init__.py": _hook(markers, "fake-rich"),
        "libcst/__init__.py": _hook(markers, "fake-libcst"),
        "mypy.ini": "[mypy]\nplugins = canary_plugin\npython_executable = ./fake-python\n",
        "setup.cfg": (
            "[mypy]\nplugins = canary_plugin\n\n[tool:pytest]\naddopts = -p canary_plugin\n"
        ),
        "pyproject.toml": (
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "canary_plugin"\n'
            '[tool.mypy]\nplugins = ["canary_plugin"]\npython_executable = "./fake-python"\n'
            "[tool.bandit]\nskips = ['B602']\n"
        ),
        ".bandit": "[bandit]\nskips = B602,B404\n",
        "fake-python": f"#!/bin/sh\ntouch {markers / 'python-executable'}\n",
    }
    write_tree(root, hooks)
    fake = root / "fake-python"
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return root


def test_scanning_the_canary_runs_none_of_its_code(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    root = _canary(tmp_path / "canary", markers)

    # Both entry points, run from inside the target as a user in CI would.
    script = run_roadmap("scan", ".", "-f", "json", "-q", cwd=root, env=cache_env)
    module = subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", ".", "-f", "json", "-q"],
        cwd=root,
        env={**os.environ, **cache_env},
        capture_output=True,
        text=True,
        check=False,
    )

    assert sorted(p.name for p in markers.iterdir()) == []
    assert script.returncode == 0, script.stderr
    assert module.returncode == 0, module.stderr
    report = script.json()
    assert {a["name"]: a["status"] for a in report["analyzers"]}["typing"] == "ok"
    # The target's .bandit and [tool.bandit] skips are not honoured: B602 is still reported.
    assert ("app/views.py", "bandit.B602") in {
        (f["path"], f["rule_id"]) for f in report["findings"]
    }
