"""What the scanned tree holds as data (its configuration, baseline path, coverage files,
symlinks, special files) cannot make us read or write outside it, hang, exhaust memory or
crash; and what the user writes to (devices, FIFOs, a full disk) is handled in one line."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from coverage import CoverageData

from analyzer.config import load_effective_config
from analyzer.discover.reader import UnsafeFile, read_inside
from tests.conftest import reaped, roadmap_executable, run_roadmap, write_tree

EVAL = "eval(input())\n"


def test_a_configured_baseline_must_stay_inside_the_tree(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    outside = tmp_path / "outside.json"
    for value in (str(outside), "../outside.json", "link/b.json"):
        root = write_tree(
            tmp_path / f"repo{len(value)}",
            {"app.py": EVAL, "pyproject.toml": f"[tool.roadmap]\nbaseline = {value!r}\n"},
        )
        os.symlink(tmp_path, root / "link")
        for command in (("baseline", "create"), ("scan",)):
            run = run_roadmap(*command, str(root), "-q", env=cache_env)
            assert run.returncode == 2, (value, run.stdout, run.stderr)
            assert "leads outside the scanned tree" in run.stderr
            assert len(run.stderr.strip().splitlines()) == 1
    assert not outside.exists() and not (tmp_path / "b.json").exists()


def test_update_baseline_keeps_entries_of_files_it_did_not_analyze(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL, "pkg/mod.py": EVAL, "pkg/two.py": EVAL})
    baseline = tmp_path / "baseline.json"
    created = run_roadmap("baseline", "create", str(root), "-o", str(baseline), "-q", env=cache_env)
    assert created.returncode == 0, created.stderr
    before = json.loads(baseline.read_text())["findings"]
    run = run_roadmap(
        "scan", str(root), "-q", "--baseline", str(baseline), "--update-baseline",
        "--exclude", "pkg/*", env=cache_env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(baseline.read_text())["findings"] == before
    (root / "pkg" / "two.py").unlink()  # a deleted file's findings are fixed
    run_roadmap(
        "scan", str(root), "-q", "--baseline", str(baseline), "--update-baseline", env=cache_env
    )
    after = json.loads(baseline.read_text())["findings"]
    assert {e["path"] for e in after} == {e["path"] for e in before} - {"pkg/two.py"}


def test_special_files_are_written_in_place_never_replaced(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    run = run_roadmap(
        "scan", str(root), "-q", "-o", f"json:{fifo}", "-o", "sarif:/dev/null", env=cache_env
    )
    reader.join(timeout=60)
    assert run.returncode == 0, run.stderr
    assert fifo.is_fifo() and Path("/dev/null").is_char_device()
    assert json.loads(received[0])["findings"]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("xml:a.xml", "unknown report format 'xml'"),
        ("sarfi:a.sarif", "unknown report format 'sarfi'"),
        ("json:", "needs a path after the colon"),
        ("", "needs a path"),
    ],
)
def test_bad_output_targets_are_usage_errors(
    tmp_path: Path, cache_env: dict[str, str], output: str, message: str
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    run = run_roadmap("scan", str(root), "-q", "-o", output, cwd=tmp_path, env=cache_env)
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_a_path_prefix_with_a_colon_is_a_path(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    run = run_roadmap(
        "scan", str(root), "-q", "-f", "json", "-o", "./x:y", cwd=tmp_path, env=cache_env
    )
    assert run.returncode == 0 and json.loads((tmp_path / "x:y").read_text())["findings"]


def test_a_full_disk_is_one_line_with_exit_2_and_leaves_other_reports_alone(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    old = tmp_path / "old.json"
    old.write_text("previous\n")
    run = run_roadmap(
        "scan", str(root), "-q", "-o", f"json:{old}", "-o", "sarif:/dev/full", env=cache_env
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("roadmap: error: cannot write /dev/full")
    assert len(run.stderr.strip().splitlines()) == 1
    assert old.read_text() == "previous\n"


def test_metadata_links_and_special_files_are_never_read(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    outside = write_tree(
        tmp_path / "outside",
        {
            "pyproject.toml": '[tool.roadmap]\nexclude = ["**"]\n[project]\nname = "stolen"\n',
            "coverage.xml": '<coverage line-rate="1.0"><sources/></coverage>',
            "secret.py": 'PASSWORD = "hunter2-outside"\n',
        },
    )
    root = write_tree(tmp_path / "repo", {"app.py": EVAL, "conf/settings.py": "DEBUG = True\n"})
    os.symlink(outside / "coverage.xml", root / "coverage.xml")
    os.mkfifo(root / "setup.cfg")
    os.symlink("/dev/zero", root / "coverage.json")
    os.symlink(outside / "pyproject.toml", root / "pyproject.toml")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    # After git indexed conf/settings.py, conf/ becomes a link to a folder outside.
    (root / "conf" / "settings.py").unlink()
    (root / "conf").rmdir()
    os.symlink(outside, root / "conf")
    (outside / "settings.py").write_text('PASSWORD = "hunter2-indexed"\n')
    refused = run_roadmap("scan", str(root), "-q", "-f", "json", env=cache_env, timeout=300)
    assert refused.returncode == 2 and "pyproject.toml: cannot read" in refused.stderr
    run = run_roadmap(
        "scan", str(root), "-q", "-f", "json", "--isolated", env=cache_env, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "hunter2" not in run.stdout
    report = run.json()
    assert report["target"]["name"] is None
    assert "app.py" in {f["path"] for f in report["findings"]}
    assert "testing.coverage_percent" not in report["metrics"]["project"]


def test_the_guarded_reader(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.txt": "s"})
    root = write_tree(tmp_path / "repo", {"a/b.txt": "inside", "big.txt": "x" * 100})
    os.symlink("b.txt", root / "a" / "alias.txt")
    os.symlink(root / "big.txt", root / "absolute-inside.txt")
    os.symlink("../a", root / "a" / "loop")
    os.symlink(outside, root / "out")
    os.symlink("../../outside/secret.txt", root / "a" / "rel-out.txt")
    # ".." after a link is resolved from the link's target, as the kernel does, not as text.
    # (the kernel reads outside/secret.txt; collapsing the text would read big.txt instead)
    (outside / "big.txt").write_text("outside")
    (outside / "sub").mkdir()
    os.symlink(outside / "sub", root / "inner")
    os.symlink(f"{root}/inner/../big.txt", root / "dotdot-after-link.txt")
    os.mkfifo(root / "fifo")
    assert read_inside(root, "a/alias.txt", limit=10) == b"inside"
    assert read_inside(root, "absolute-inside.txt", limit=100) == b"x" * 100
    assert read_inside(root, "a/loop/loop/b.txt", limit=10) == b"inside"
    for path, limit in (
        ("out/secret.txt", 10),
        ("a/rel-out.txt", 10),
        ("dotdot-after-link.txt", 10),
        ("../outside/secret.txt", 10),
        ("fifo", 10),
        ("a", 10),
        ("big.txt", 99),
        ("/etc/passwd", 10**6),
    ):
        with pytest.raises(OSError):
            read_inside(root, path, limit=limit)
    with pytest.raises(UnsafeFile, match="over the size limit"):
        read_inside(root, "big.txt", limit=99)


def coverage_with_views(path: Path) -> None:
    """A real coverage.py data file whose ``file`` table became a view that never ends:
    coverage.py's own reader would run its query forever."""
    data = CoverageData(basename=str(path))
    data.add_lines({"app.py": [1]})
    data.write()
    connection = sqlite3.connect(path)
    forever = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x AS id, "
        "'app.py' AS path FROM n"
    )
    connection.executescript(f"DROP TABLE file; CREATE VIEW file AS {forever};")
    connection.commit()
    connection.close()


def test_coverage_data_whose_tables_are_views_is_refused(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    coverage_with_views(root / ".coverage")
    run = run_roadmap("scan", str(root), "-q", "-f", "json", "--timeout", "120", env=cache_env)
    assert run.returncode == 0, run.stderr
    errors = {e["path"]: e["reason"] for e in run.json()["errors"]}
    assert "'file' is a view, not a table" in errors[".coverage"]


def test_the_trees_configuration_cannot_claim_more_workers_than_cores() -> None:
    effective = load_effective_config({"jobs": 60}, "pyproject.toml", {})
    assert effective.scan.jobs == (os.cpu_count() or 1)
    from_flag = load_effective_config({"jobs": 60}, "pyproject.toml", {"jobs": 64})
    assert from_flag.scan.jobs == 64


def test_a_module_that_shadows_the_standard_library_keeps_typing_alive(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"types.py": "X = 1\n", "typing/__init__.py": "", "app.py": "count: int = 'one'\n"},
    )
    run = run_roadmap("scan", str(root), "-q", "-f", "json", env=cache_env)
    report = run.json()
    assert {a["name"]: a["status"] for a in report["analyzers"]}["typing"] == "ok"
    assert "mypy.assignment" in {f["rule_id"] for f in report["findings"]}
    shadowing = {e["path"] for e in report["errors"] if "shadows" in e["reason"]}
    assert shadowing == {"types.py", "typing/__init__.py"}


def test_a_corrupted_mypy_cache_is_rebuilt(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": "count: int = 'one'\n"})
    assert run_roadmap("scan", str(root), "-q", env=cache_env).returncode == 0
    incremental = Path(cache_env["XDG_CACHE_HOME"], "repo-roadmap", "mypy")
    for cached in incremental.rglob("*.json"):
        cached.write_text("{not json")
    (root / "app.py").write_text("count: int = 'two'\n")
    run = run_roadmap("scan", str(root), "-q", "-f", "json", env=cache_env)
    assert {a["name"]: a["status"] for a in run.json()["analyzers"]}["typing"] == "ok"


@pytest.mark.parametrize(
    "pyproject",
    [
        "[tool.roadmap]\nx = " + "[" * 5000 + "]" * 5000 + "\n",
        "tool = 5\n",
        "[tool]\nroadmap = 7\n",
        "[tool.roadmap]\njobs = " + "9" * 5000 + "\n",
        "[tool.roadmap]\nbaseline = '/dev/zero'\n",
        "[tool.roadmap.plan]\nhours_per_week = nan\n",
        b"[tool.roadmap]\nexclude = ['\xff']\n",
    ],
)
def test_a_hostile_pyproject_is_one_line_with_exit_2(
    tmp_path: Path, cache_env: dict[str, str], pyproject: str | bytes
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL, "pyproject.toml": pyproject})
    run = run_roadmap("scan", str(root), "-q", env=cache_env, timeout=300)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("roadmap: error:") and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "baseline",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1, "findings": [{"fingerprint": "f", "rule_id": "bandit.B307", '
        '"path": "\\ud800.py", "line": 1}]}',
    ],
)
def test_a_hostile_baseline_never_raises_a_traceback(
    tmp_path: Path, cache_env: dict[str, str], baseline: str
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    path = tmp_path / "baseline.json"
    path.write_text(baseline)
    run = run_roadmap(
        "scan", str(root), "-q", "--baseline", str(path), "--update-baseline", env=cache_env
    )
    assert run.returncode in (0, 2) and "Traceback" not in run.stderr, run.stderr
    path.read_bytes().decode("utf-8")


def test_isolated_and_config_ignore_a_pull_requests_gate_bypass(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    bypass = (
        '[tool.roadmap]\nexclude = ["**"]\ntimeout = 1e-9\n'
        "[tool.roadmap.analyzers]\nsecurity = false\n"
    )
    root = write_tree(tmp_path / "repo", {"app.py": EVAL, "pyproject.toml": bypass})
    trusted = write_tree(tmp_path / "ci", {"roadmap.toml": 'fail_on = "medium"\n'}) / "roadmap.toml"
    bypassed = run_roadmap("scan", str(root), "--fail-on", "medium", env=cache_env)
    assert "configuration: " in bypassed.stderr and "exclude" in bypassed.stderr
    isolated = run_roadmap("scan", str(root), "--fail-on", "medium", "--isolated", env=cache_env)
    assert isolated.returncode == 1, isolated.stderr
    assert "configuration: none (--isolated)" in isolated.stderr
    configured = run_roadmap("scan", str(root), "--config", str(trusted), env=cache_env)
    assert configured.returncode == 1, configured.stderr
    assert f"configuration: {trusted} [tool.roadmap]: fail_on" in configured.stderr


def test_changed_since_empty_is_a_usage_error(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    run = run_roadmap("scan", str(root), "-q", "--changed-since", "", env=cache_env)
    assert run.returncode == 2 and "is not a revision" in run.stderr


def test_sigterm_with_no_cache_leaves_no_scratch_directories(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / "repo", {f"pkg/m{i}.py": EVAL + "x: int = 'a'\n" * 50 for i in range(60)}
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen(
        [roadmap_executable(), "scan", str(root), "-q", "--no-cache"],
        env={**os.environ, **cache_env, "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with reaped(process):
        deadline = time.monotonic() + 180
        while not list(scratch.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=180)
    assert process.returncode == 143, stderr
    assert list(scratch.iterdir()) == []


def test_main_process_stages_stop_at_the_time_limit() -> None:
    from analyzer.deadline import StageTimeout, time_limit

    started = time.monotonic()
    with (
        pytest.raises(StageTimeout, match=r"spinning took longer than the 0\.2 s time limit"),
        time_limit(0.2, "spinning"),
    ):
        while True:
            pass
    assert time.monotonic() - started < 30
    with time_limit(5, "quick"):
        pass
    assert sys.getrecursionlimit() > 0  # the alarm is off: nothing fires later


def test_reports_and_baselines_never_follow_a_symlink_in_the_tree(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    """A pull request can commit ``roadmap.json -> ~/.bashrc``: the README's CI command
    writes reports into the checkout, so links there are replaced, never followed."""
    victim, other = tmp_path / "victim", tmp_path / "other"
    victim.write_text("victim\n")
    other.mkdir()
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    os.symlink(victim, root / "roadmap.json")
    os.symlink(victim, root / ".roadmap-baseline.json")
    os.symlink(other, root / "outdir")
    run = run_roadmap("scan", ".", "-q", "-o", "json:roadmap.json", cwd=root, env=cache_env)
    assert run.returncode == 0, run.stderr
    created = run_roadmap("baseline", "create", "-q", ".", cwd=root, env=cache_env)
    assert created.returncode == 0, created.stderr
    assert victim.read_text() == "victim\n"
    assert not (root / "roadmap.json").is_symlink() and json.loads(
        (root / "roadmap.json").read_text()
    )
    refused = run_roadmap("scan", ".", "-q", "-o", "json:outdir/r.json", cwd=root, env=cache_env)
    assert refused.returncode == 2 and "symlink out of the scanned tree" in refused.stderr
    assert list(other.iterdir()) == []


def test_worker_warnings_never_reach_the_log(tmp_path: Path, cache_env: dict[str, str]) -> None:
    """Parsing code with an invalid escape warns (a SyntaxWarning from Python 3.12) and names
    the file: a file name holding a workflow command would forge a CI annotation."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "x\n::error title=PWNED::forged\n.py").write_text('x = "\\d"\n')
    env = {**cache_env, "PYTHONWARNINGS": "always"}
    run = run_roadmap("scan", str(root), "-q", "--fail-on", "low", env=env)
    assert not [line for line in run.stderr.splitlines() if line.strip().startswith("::")]
    assert "Warning" not in run.stderr, run.stderr


def test_a_lone_surrogate_in_a_string_literal_is_reported_not_fatal(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": 'password = "\\ud800"\n'})
    out = tmp_path / "out"
    out.mkdir()
    formats = ("json", "sarif", "gitlab", "markdown")
    run = run_roadmap(
        "scan", str(root), "--fail-on", "low", *(f"-o{f}:{out / f}" for f in formats),
        env=cache_env,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "\\ud800" in run.stderr  # the gate line shows it, escaped
    for fmt in formats:
        (out / fmt).read_bytes().decode("utf-8")
    assert "bandit.B105" in {
        f["rule_id"] for f in json.loads((out / "json").read_text())["findings"]
    }


def test_tracked_code_in_folders_named_like_environments_is_scanned(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / "repo", {"app/env/evil.py": EVAL, "build/x.py": EVAL, "node_modules/y.py": EVAL}
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    run = run_roadmap("scan", str(root), "-q", "-f", "json", "--isolated", env=cache_env)
    flagged = {f["path"] for f in run.json()["findings"] if f["rule_id"] == "bandit.B307"}
    assert flagged == {"app/env/evil.py", "build/x.py", "node_modules/y.py"}


def test_coverage_data_with_computed_columns_is_refused(tmp_path: Path) -> None:
    from analyzer.analyzers.testing.coverage_data import CoverageError, read_coverage_sqlite

    path = tmp_path / "coverage.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE file (id integer, path text);"
        "CREATE TABLE arc (file_id integer, context_id integer, fromno integer, tono integer);"
        "CREATE TABLE line_bits (file_id integer, x integer, numbits blob GENERATED ALWAYS AS "
        "(CAST(replace(hex(zeroblob(8000000)), '0', 'F') AS BLOB)) VIRTUAL);"
        "INSERT INTO file VALUES (1, 'app.py'); INSERT INTO line_bits (file_id, x) VALUES (1, 1);"
    )
    connection.commit()
    connection.close()
    with pytest.raises(CoverageError, match="computed columns"):
        read_coverage_sqlite(path.read_bytes(), "coverage.db", lambda _: None)


def test_a_fifo_as_a_git_ignore_file_holds_discovery_only_until_the_time_limit(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(tmp_path / "repo", {"app.py": EVAL})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".git" / "info" / "exclude").unlink()
    os.mkfifo(root / ".git" / "info" / "exclude")
    run = run_roadmap("scan", str(root), "-q", "-f", "json", "--timeout", "5", env=cache_env)
    assert run.returncode == 0, run.stderr
    assert "app.py" in {f["path"] for f in run.json()["findings"]}


def test_a_file_mypy_crashes_on_loses_only_its_own_typing_findings(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "a.py": "count: int = 'one'\n",
            "b.py": "x = " + " and ".join(["a"] * 20_000) + "\n",
            "c.py": "name: str = 1\n",
        },
    )
    run = run_roadmap(
        "scan", str(root), "-q", "-f", "json", "--disable", "api", "--disable", "dead-code",
        env=cache_env,
    )  # fmt: skip
    report = run.json()
    assert {a["name"]: a["status"] for a in report["analyzers"]}["typing"] == "ok"
    typing = {(f["path"], f["rule_id"]) for f in report["findings"] if f["tool"] == "mypy"}
    assert typing == {("a.py", "mypy.assignment"), ("c.py", "mypy.assignment")}
    crashed = [e for e in report["errors"] if e["analyzer"] == "typing"]
    assert [e["path"] for e in crashed] == ["b.py"] and "mypy crashed" in crashed[0]["reason"]


def test_a_dot_git_file_naming_another_repository_is_not_followed(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    other = write_tree(tmp_path / "other", {"x.py": ""})
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    root = write_tree(tmp_path / "repo", {"app.py": EVAL, ".git": f"gitdir: {other / '.git'}\n"})
    from analyzer.discover.git import find_repository

    assert find_repository(root) is None
    run = run_roadmap("scan", str(root), "-q", "-f", "json", env=cache_env)
    assert run.json()["target"]["git"] == {"commit": None, "branch": None}


def test_a_huge_timeout_is_a_configuration_error(tmp_path: Path, cache_env: dict[str, str]) -> None:
    root = write_tree(
        tmp_path / "repo", {"app.py": EVAL, "pyproject.toml": "[tool.roadmap]\ntimeout = 1e12\n"}
    )
    run = run_roadmap("scan", str(root), "-q", env=cache_env)
    assert run.returncode == 2 and "timeout must be at most" in run.stderr, run.stderr


def test_quiet_still_says_which_configuration_steered_the_scan(
    tmp_path: Path, cache_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"app.py": EVAL, "pyproject.toml": '[tool.roadmap]\nexclude = ["x/**"]\n'},
    )
    for command in (("scan",), ("baseline", "create", "-o", str(tmp_path / "b.json"))):
        run = run_roadmap(*command, str(root), "-q", env=cache_env)
        assert "[tool.roadmap]: exclude" in run.stderr, run.stderr


def test_git_runs_with_every_transport_off() -> None:
    from analyzer.discover.git import git_command

    command = " ".join(git_command(["ls-files"]))
    for transport in ("ext", "file", "ssh", "git", "http", "https"):
        assert f"protocol.{transport}.allow=never" in command
