"""Hostile and broken input: every scan completes, each bad file is listed in ``errors``
with a clear reason, every other finding is still reported, and nothing from the target
is ever executed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_roadmap, write_tree

GOOD = (
    "import subprocess\n\n\ndef ping(host):\n"
    "    return subprocess.call('ping ' + host, shell=True)\n"
)

BAD_FILES: dict[str, bytes] = {
    "py2.py": b'print "hello"\n',
    "newer_syntax.py": (
        b"type Alias = list[int]\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"
    ),
    "latin1_no_cookie.py": b"name = '\xe9t\xe9'\n",
    "wrong_cookie.py": b"# -*- coding: klingon -*-\nx = 1\n",
    "nul_bytes.py": b"x = 1\x00\n",
    "binary.py": bytes(range(256)) * 8,
    "deep_unary.py": b"x = " + b"-" * 200_000 + b"1\n",
    "long_chain.py": b"x = " + b"+".join([b"1"] * 50_000) + b"\n",
    "nested_parens.py": b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n",
}
FINE_FILES: dict[str, bytes] = {
    "bom.py": b"\xef\xbb\xbfassert True\n",
    "crlf.py": b"import os\r\nassert os\r\n",
    "mixed_endings.py": b"import os\nassert os\r\nvalue = 1\r",
    "empty.py": b"",
}
# Multi-megabyte generated code: listed in errors (over max_file_kb), never analyzed for minutes.
GENERATED = (
    b"DATA = {\n" + b"".join(b'    "key_%d": %d,\n' % (i, i) for i in range(150_000)) + b"}\n"
)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("hostile")
    write_tree(root, {"good.py": GOOD, "generated.py": GENERATED, **BAD_FILES, **FINE_FILES})
    os.symlink("/etc/passwd", root / "outside.py")
    os.symlink(root, root / "loop")
    cache = tmp_path_factory.mktemp("cache")
    run = run_roadmap("scan", str(root), "-f", "json", "-q", env={"XDG_CACHE_HOME": str(cache)})
    assert run.returncode == 0, run.stderr
    return dict(run.json())


def _errors_for(report: dict[str, object], path: str) -> dict[str, str]:
    return {e["analyzer"]: e["reason"] for e in report["errors"] if e["path"] == path}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", sorted(BAD_FILES))
def test_bad_file_is_listed_by_every_python_analyzer_with_a_reason(
    hostile_report: dict[str, object], path: str
) -> None:
    reasons = _errors_for(hostile_report, path)
    assert set(reasons) >= {"security", "typing", "dead-code", "complexity"}, reasons
    assert all(reason and len(reason) < 300 for reason in reasons.values())


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("py2.py", "Missing parentheses"),
        ("newer_syntax.py", "syntax error"),
        ("latin1_no_cookie.py", "cannot decode"),
        ("wrong_cookie.py", "unknown encoding"),
        ("nul_bytes.py", "NUL"),
        ("binary.py", "NUL"),
        ("deep_unary.py", "too deeply nested"),
        ("long_chain.py", "too deeply nested"),
        ("nested_parens.py", "too many nested parentheses"),
    ],
)
def test_reasons_say_what_is_wrong(
    hostile_report: dict[str, object], path: str, words: str
) -> None:
    assert words in _errors_for(hostile_report, path)["complexity"]


def test_findings_in_good_files_survive(hostile_report: dict[str, object]) -> None:
    found = {(f["path"], f["rule_id"]) for f in hostile_report["findings"]}  # type: ignore[attr-defined]
    assert ("good.py", "bandit.B602") in found
    assert {
        ("bom.py", "bandit.B101"),
        ("crlf.py", "bandit.B101"),
        ("mixed_endings.py", "bandit.B101"),
    } <= found


def test_generated_multi_megabyte_file_is_listed_not_analyzed(
    hostile_report: dict[str, object],
) -> None:
    assert len(GENERATED) > 3_000_000
    reasons = _errors_for(hostile_report, "generated.py")
    assert set(reasons) >= {"security", "typing", "dead-code", "complexity"}
    assert all("over the 2 MiB limit" in reason for reason in reasons.values())


@pytest.mark.parametrize("path", sorted(FINE_FILES))
def test_unusual_but_valid_files_are_not_errors(
    hostile_report: dict[str, object], path: str
) -> None:
    assert _errors_for(hostile_report, path) == {}


def test_symlinks_out_of_the_root_and_loops_are_not_followed(
    hostile_report: dict[str, object],
) -> None:
    paths = {f["path"] for f in hostile_report["findings"]} | {
        e["path"] for e in hostile_report["errors"]
    }  # type: ignore[attr-defined]
    assert "outside.py" not in paths
    assert not any(p.startswith("loop/") for p in paths)


def test_all_analyzers_completed(hostile_report: dict[str, object]) -> None:
    assert {a["name"]: a["status"] for a in hostile_report["analyzers"]} == {  # type: ignore[attr-defined]
        a["name"]: "ok"
        for a in hostile_report["analyzers"]  # type: ignore[attr-defined]
    }


def test_empty_repository(tmp_path: Path, cache_env: dict[str, str]) -> None:
    run = run_roadmap("scan", str(tmp_path), "-f", "json", "-q", env=cache_env)
    assert run.returncode == 0, run.stderr
    report = run.json()
    assert (report["findings"], report["errors"], report["target"]["files_scanned"]) == ([], [], 0)


def test_unreadable_file_is_an_error_not_a_crash(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(tmp_path / "repo", {"good.py": GOOD, "secret.py": "x = 1\n"})
    (root / "secret.py").chmod(0)
    # root reads any file; without the capability to override permissions, it cannot.
    drop_override = (
        [
            "setpriv",
            "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search",
        ]
        if os.geteuid() == 0
        else []
    )
    completed = subprocess.run(
        [*drop_override, sys.executable, "-m", "analyzer", "scan", str(root), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **cache_env},
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    reasons = {e["reason"] for e in report["errors"] if e["path"] == "secret.py"}
    assert reasons and all("ermission denied" in r for r in reasons), reasons
    assert ("good.py", "bandit.B602") in {(f["path"], f["rule_id"]) for f in report["findings"]}


def test_git_checkout_with_submodule_and_detached_head(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    def git(*args: str, cwd: Path) -> None:
        subprocess.run(
            [
                "git",
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "-c",
                "protocol.file.allow=always",
                *args,
            ],
            cwd=cwd,
            check=True,
            capture_output=True,
        )

    library = write_tree(tmp_path / "library", {"lib.py": "assert 1\n"})
    git("init", "-q", cwd=library)
    git("add", ".", cwd=library)
    git("commit", "-qm", "lib", cwd=library)
    app = write_tree(tmp_path / "app", {"app.py": GOOD})
    git("init", "-q", cwd=app)
    git("submodule", "add", "-q", str(library), "vendor/library", cwd=app)
    git("add", ".", cwd=app)
    git("commit", "-qm", "app", cwd=app)
    git("checkout", "-q", "--detach", "HEAD", cwd=app)

    run = run_roadmap("scan", str(app), "-f", "json", "-q", env=cache_env)
    assert run.returncode == 0, run.stderr
    report = run.json()
    assert report["target"]["git"]["commit"] and report["target"]["git"]["branch"] is None
    assert ("app.py", "bandit.B602") in {(f["path"], f["rule_id"]) for f in report["findings"]}
    assert report["errors"] == []


def test_file_names_that_look_like_terminal_markup_are_printed_as_text(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"d[/red]x.py": GOOD, "[bold]y.py": GOOD})
    run = run_roadmap("scan", str(root), env=cache_env)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "d[/red]x.py" in run.stdout and "[bold]y.py" in run.stdout
