"""Analyzer faults: a hung, crashing or killed analyzer fails alone, with its reason; the
others' results are kept; Ctrl-C stops every worker and writes no report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from analyzer.config import ScanConfig
from analyzer.model import AnalyzerRun, ScanResult
from analyzer.plugins import discover_analyzers
from analyzer.scan import run_scan
from tests.conftest import REPO_ROOT, reaped
from tests.fault_analyzers import (
    CrashingAnalyzer,
    ExitingAnalyzer,
    HangingAnalyzer,
    RecordingAnalyzer,
    analyzed_paths,
    loaded,
)

# Generous waits for processes to come and go on a loaded two-core machine; nothing here
# asserts how fast anything is.
_PATIENCE_S = 180.0
# The hung analyzer's time limit: long enough for the other analyzer's worker to start and
# finish under load, short enough to keep the test quick.
_HANG_LIMIT_S = 15.0


def _tree(root: Path, count: int = 12) -> Path:
    root.mkdir()
    for index in range(count):
        (root / f"mod{index:02}.py").write_text(
            f"# module {index}\nVALUE = {index}\n", encoding="utf-8"
        )
    return root


def _run(result: ScanResult, name: str) -> AnalyzerRun:
    return next(run for run in result.analyzers if run.name == name)


def _config(tmp_path: Path, **changes: object) -> ScanConfig:
    return ScanConfig(jobs=2, cache_dir=tmp_path / "cache", use_cache=False, **changes)  # type: ignore[arg-type]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_until(condition: object, timeout: float = _PATIENCE_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_hung_analyzer_times_out_and_its_child_processes_are_killed(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    marker = tmp_path / "hang.pid"
    analyzers = loaded(
        RecordingAnalyzer(name="recorder", log_dir=str(tmp_path)),
        HangingAnalyzer(marker=str(marker)),
    )
    result = run_scan(root, _config(tmp_path, timeout_s=_HANG_LIMIT_S), loaded=analyzers)
    hang = _run(result, "hang")
    assert hang.status == "failed"
    assert hang.error == f"timed out after {_HANG_LIMIT_S:g}s"
    assert _run(result, "recorder").status == "ok"
    assert len([f for f in result.findings if f.tool == "recorder"]) == 12
    child = int(marker.read_text())
    assert _wait_until(lambda: not _alive(child)), "the hung analyzer's child process survived"


def test_a_crashing_analyzer_fails_alone_with_its_reason(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    analyzers = loaded(
        RecordingAnalyzer(name="recorder", log_dir=str(tmp_path)), CrashingAnalyzer()
    )
    result = run_scan(root, _config(tmp_path), loaded=analyzers)
    crash = _run(result, "crash")
    assert crash.status == "failed"
    assert crash.error is not None
    assert crash.error.startswith("crashed: RuntimeError: the tool blew up at fault_analyzers.py:")
    assert len(result.findings) == 12


def test_a_worker_that_exits_fails_its_analyzer_and_the_rest_are_kept(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    analyzers = loaded(RecordingAnalyzer(name="recorder", log_dir=str(tmp_path)), ExitingAnalyzer())
    result = run_scan(root, _config(tmp_path), loaded=analyzers)
    assert _run(result, "exit").error == "worker process exited unexpectedly (exit code 7)"
    assert _run(result, "recorder").status == "ok"
    assert len(result.findings) == 12


def test_a_killed_worker_is_isolated_to_the_file_that_killed_it(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo", count=40)
    (root / "poison.py").write_text("# poison\n", encoding="utf-8")
    killer = RecordingAnalyzer(name="killer", log_dir=str(tmp_path), poison="poison.py")
    bystander = RecordingAnalyzer(name="bystander", log_dir=str(tmp_path))
    result = run_scan(root, _config(tmp_path), loaded=loaded(killer, bystander))
    run = _run(result, "killer")
    assert run.status == "failed"
    assert (
        run.error
        == "worker process was killed by SIGKILL (out of memory?) while analyzing poison.py"
    )
    # Every other file was still analyzed by the killer, and all of them by the bystander.
    assert sorted(f.path for f in result.findings if f.tool == "recorder") == sorted(
        [f"mod{i:02}.py" for i in range(40)] + [f"mod{i:02}.py" for i in range(40)] + ["poison.py"]
    )
    assert "poison.py" not in analyzed_paths(tmp_path, "killer")


_PLUGIN = """
import os
from tests.fault_analyzers import HangingAnalyzer

hang = HangingAnalyzer(marker=os.environ["ROADMAP_TEST_HANG_MARKER"])
"""


def _install_hanging_plugin(directory: Path) -> None:
    """An entry point on PYTHONPATH, found exactly as an installed plugin would be."""
    (directory / "roadmap_hang_plugin.py").write_text(_PLUGIN, encoding="utf-8")
    info = directory / "roadmap_hang_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: roadmap-hang-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[repo_roadmap.analyzers]\nhang = roadmap_hang_plugin:hang\n", encoding="utf-8"
    )


def _processes_with(token: str) -> list[int]:
    """Processes whose environment carries ``token``: the CLI and everything it started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if token.encode() in environ and _alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def _start_hung_scan(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """The CLI scanning with a hanging plugin; returns once the plugin is running."""
    root = _tree(tmp_path / "repo")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    _install_hanging_plugin(plugins)
    marker, report = tmp_path / "hang.pid", tmp_path / "report.json"
    token = uuid.uuid4().hex
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(plugins), str(REPO_ROOT)]),
        "ROADMAP_TEST_HANG_MARKER": str(marker),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "ROADMAP_TEST_TOKEN": token,
    }
    others = [item.name for item in discover_analyzers()]
    command = [
        sys.executable,
        "-m",
        "analyzer",
        "scan",
        str(root),
        "-q",
        "-f",
        "json",
        "-o",
        str(report),
    ]
    command += [arg for name in others for arg in ("--disable", name)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not _wait_until(marker.exists):
        with reaped(process):
            raise AssertionError("the hanging analyzer never started")
    return process, token, report


def test_a_killed_scan_takes_its_workers_and_their_tools_down(tmp_path: Path) -> None:
    process, token, report = _start_hung_scan(tmp_path)
    with reaped(process):
        process.kill()
        process.communicate(timeout=_PATIENCE_S)
    assert not report.exists()
    assert _wait_until(lambda: not _processes_with(token)), (
        f"stray processes: {_processes_with(token)}"
    )


def test_ctrl_c_stops_every_worker_and_writes_no_report(tmp_path: Path) -> None:
    process, token, report = _start_hung_scan(tmp_path)
    with reaped(process):
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=_PATIENCE_S)
    assert process.returncode == 130, stderr.decode()
    assert b"interrupted" in stderr
    assert not report.exists()
    assert not list(tmp_path.glob(".report.json*")), "a temporary report file was left behind"
    assert _wait_until(lambda: not _processes_with(token)), (
        f"stray processes: {_processes_with(token)}"
    )
