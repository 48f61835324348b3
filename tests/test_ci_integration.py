"""The CI integrations as a user meets them: the composite GitHub Action (its steps' commands
run here, as the runner would run them), the pre-commit hook under real pre-commit with
``--all-files``, and the README's ``pip install git+…`` line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO_ROOT, roadmap_executable, write_tree

_HIGH = """\
import subprocess


def run(command):
    return subprocess.call(command, shell=True)
"""


def _expand(value: str, inputs: dict[str, str]) -> str:
    """GitHub's ``${{ inputs.x }}`` and ``${{ github.action_path }}`` for the values used."""

    def replace(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression == "github.action_path":
            return str(REPO_ROOT)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        raise AssertionError(f"unexpected expression {expression}")

    return re.sub(r"\$\{\{(.*?)\}\}", replace, value)


def _run_step(step: dict[str, Any], inputs: dict[str, str], env: dict[str, str], cwd: Path) -> Any:
    step_env = {k: _expand(str(v), inputs) for k, v in (step.get("env") or {}).items()}
    assert "${{" not in step["run"], "inputs must reach scripts through env, not the script text"
    # How the runner runs a `shell: bash` step.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env={**env, **step_env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_the_github_action_installs_annotates_gates_and_writes_sarif(tmp_path: Path) -> None:
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"args", "fail-on", "baseline", "sarif-file"} <= set(action["inputs"])
    workspace = write_tree(
        tmp_path / "workspace",
        {"app.py": _HIGH, "README.md": "# Demo\n", "pkg/view.py": "def f(x):\n    return x\n"},
    )
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update({"args": '--select "security,documentation"', "sarif-file": "out.sarif"})
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    output_file = tmp_path / "github_output"
    env = {
        **os.environ,
        # setup-python's job: a Python 3.11+ as `python` on PATH.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output_file),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    steps = [s for s in action["runs"]["steps"] if "run" in s]
    assert [s.get("uses") for s in action["runs"]["steps"] if "uses" in s] == [
        "actions/setup-python@v5"
    ]
    install, scan = steps
    installed = _run_step(install, inputs, env, workspace)
    assert installed.returncode == 0, installed.stderr
    assert "roadmap" in installed.stdout
    scanned = _run_step(scan, inputs, env, workspace)
    assert scanned.returncode == 1, scanned.stderr  # a high finding fails the step
    shell = r"^::error file=app\.py,line=5,col=12,.*title=bandit\.B602"
    assert re.search(shell, scanned.stdout, re.M), scanned.stdout
    # The project-level finding (no changelog) is annotated on a real file, the README.
    changelog = r"^::\w+ file=README\.md,line=1,col=1,.*documentation\.missing-changelog"
    assert re.search(changelog, scanned.stdout, re.M), scanned.stdout
    assert "sarif-file=out.sarif" in output_file.read_text(encoding="utf-8")
    sarif = json.loads((workspace / "out.sarif").read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris and all((workspace / uri).is_file() for uri in uris)


def test_the_pre_commit_hook_fails_all_files_on_a_high_finding(tmp_path: Path) -> None:
    """The shipped hook definition under real pre-commit (as a local hook, so pre-commit does
    not build an environment from the network): --all-files must not pass vacuously."""
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["pass_filenames"] is True
    assert {"python", "dockerfile", "yaml", "html", "jinja"} <= set(hook["types_or"])
    local = {
        **hook,
        "language": "system",
        "entry": hook["entry"].replace("roadmap", roadmap_executable(), 1),
    }
    repo = write_tree(tmp_path / "repo", {"app.py": _HIGH, "clean.py": "VALUE = 1\n"})
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run([*git, *command], cwd=repo, env=env, check=True)
    pre_commit = Path(sys.executable).parent / "pre-commit"

    def run_all() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pre_commit), "run", "--all-files"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip

    failed = run_all()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "app.py:5 bandit.B602" in failed.stdout
    (repo / "app.py").write_text("VALUE = 2\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", "fix"], cwd=repo, env=env, check=True)
    passed = run_all()
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_readme_install_line_from_git_builds_the_package(tmp_path: Path) -> None:
    """``pip install "git+URL@REV"`` builds this repository's committed tree into a wheel
    that carries its rules and templates (dependencies come from the index as for any
    install; the action test installs them for real)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install "git+https://' in readme
    assert "rev: v0.1.0" not in readme
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    url = f"git+{REPO_ROOT.as_uri()}"
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", url],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    probe = (
        "import importlib.metadata as m, importlib.util as u, pathlib; "
        "p = pathlib.Path(u.find_spec('analyzer').origin).parent; "
        "print(m.version('repo-roadmap'), (p / '_bundled/rules/bandit.toml').is_file())"
    )
    shown = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", probe],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.split() == [_version(), "True"]


def _version() -> str:
    text = (REPO_ROOT / "analyzer" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'__version__ = "([^"]+)"', text)
    assert found
    return found.group(1)
