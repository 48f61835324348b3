"""Benchmark repo-roadmap against prospector on pinned real code from PyPI.

    python bench/run.py                  # all corpora, 3 repetitions
    python bench/run.py --corpus django --repeat 5

For each corpus (a wheel, unzipped to a temporary folder) it measures, side by side on
this machine: our cold scan (cache emptied), our warm scan (nothing changed), our scan
after one file changed, and ``prospector -t bandit -t vulture -t mypy -t mccabe``
(installed into its own virtualenv here, never a dependency of ours). It prints medians,
ratios, and the peak memory of each run's whole process tree (sampled from /proc).
Linux only (it reads /proc). Needs network access to PyPI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

# Pinned corpora: (name, requirement, file edited for the one-file-changed run).
CORPORA: dict[str, tuple[str, str]] = {
    "requests": ("requests==2.32.3", "requests/utils.py"),
    "rich": ("rich==13.9.4", "rich/text.py"),
    "django": ("Django==5.2.19", "django/utils/text.py"),
}
PROSPECTOR = "prospector==1.20.0"
# prospector gets the same versions of the tools we both wrap, read from our environment.
SHARED_TOOLS = ("bandit", "vulture", "mypy")
PROSPECTOR_TOOLS = ("-t", "bandit", "-t", "vulture", "-t", "mypy", "-t", "mccabe")
TARGETS = {"cold_vs_prospector": 0.35, "warm_s": 1.0, "changed_vs_cold": 0.20, "peak_mb": 1024}


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: all")
    parser.add_argument(
        "--repeat", type=int, default=3, help="repetitions of each measurement (default 3)"
    )
    parser.add_argument(
        "--work", type=Path, help="keep downloads and venvs here (default: a temp dir)"
    )
    parser.add_argument("--jobs", type=int, help="passed to roadmap --jobs")
    parser.add_argument(
        "--roadmap",
        help="a roadmap executable to measure instead of this checkout (another install, "
        "for a before/after: /path/to/venv/bin/roadmap)",
    )
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(describe_machine())
    ours = [args.roadmap] if args.roadmap else [sys.executable, "-m", "analyzer"]
    if not args.roadmap:
        compile_ours()
    prospector = install_prospector(work / "prospector-venv")
    rows = []
    for name in args.corpus or list(CORPORA):
        requirement, edited = CORPORA[name]
        tree = unpack(download(requirement, work / "wheels"), work / "trees" / name)
        rows.append(
            bench_corpus(name, tree, edited, prospector, work, args.repeat, args.jobs, ours)
        )
        print_table(rows)
    print_targets(rows)
    return 0


def describe_machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if "MemTotal" in line
    )
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {int(memory) // 1024} MB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def compile_ours() -> None:
    """Byte-compile our package first, as installing a wheel does: from a source checkout
    under ``PYTHONDONTWRITEBYTECODE`` every run would otherwise compile all our modules
    again (about 0.3 s), which no installed copy pays. prospector's virtualenv is compiled
    by pip."""
    import analyzer

    package = Path(analyzer.__file__).parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def install_prospector(venv: Path) -> Path:
    executable = venv / "bin" / "prospector"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        tools = [f"{name}=={version(name)}" for name in SHARED_TOOLS]
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", PROSPECTOR, *tools], check=True)
    return executable


def download(requirement: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    name = requirement.split("==")[0].lower()
    found = [
        w
        for w in directory.glob("*.whl")
        if w.name.lower().startswith(name.replace("-", "_") + "-")
    ]
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(directory),
                requirement,
            ],
            check=True,
        )
        found = [
            w
            for w in directory.glob("*.whl")
            if w.name.lower().startswith(name.replace("-", "_") + "-")
        ]
    return found[0]


def unpack(wheel: Path, tree: Path) -> Path:
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tree)
    return tree


def count_python(tree: Path) -> tuple[int, int]:
    files = list(tree.rglob("*.py"))
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def bench_corpus(
    name: str,
    tree: Path,
    edited: str,
    prospector: Path,
    work: Path,
    repeat: int,
    jobs: int | None,
    roadmap: list[str],
) -> dict[str, object]:
    files, lines = count_python(tree)
    cache = work / "cache" / name
    ours = [
        *roadmap,
        "scan",
        str(tree),
        "-q",
        "-f",
        "json",
        "-o",
        str(work / f"{name}.json"),
    ]
    ours += ["--jobs", str(jobs)] if jobs else []
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    cold, warm, changed, theirs = [], [], [], []
    breakdown: list[dict[str, float]] = []
    for round_number in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(measure(ours, env=env))
        breakdown.append(analyzer_seconds(work / f"{name}.json"))
        # Kept to compare the findings of two installs (--roadmap) by fingerprint.
        shutil.copy(work / f"{name}.json", work / f"{name}-cold.json")
        warm.append(measure(ours, env=env))
        with (tree / edited).open("a", encoding="utf-8") as handle:
            handle.write(f"\n# benchmark edit {round_number}\n")
        changed.append(measure(ours, env=env))
        theirs.append(
            measure(
                [
                    str(prospector),
                    *PROSPECTOR_TOOLS,
                    "-o",
                    f"json:{work / (name + '-prospector.json')}",
                    ".",
                ],
                cwd=tree,
            )
        )
        print(f"  {name} round {round_number + 1}/{repeat} done", flush=True)
    row: dict[str, object] = {"corpus": name, "files": files, "lines": lines}
    for label, runs in (
        ("prospector", theirs),
        ("cold", cold),
        ("warm", warm),
        ("changed", changed),
    ):
        row[label] = statistics.median(m.seconds for m in runs)
        row[f"{label}_mb"] = max(m.peak_mb for m in runs)
    row["breakdown"] = {
        k: statistics.median(b.get(k, 0.0) for b in breakdown) for k in breakdown[0]
    }
    return row


def analyzer_seconds(report: Path) -> dict[str, float]:
    """CPU seconds each of our analyzers spent on a cold scan, from the JSON report."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return {run["name"]: float(run["duration_s"]) for run in data["analyzers"]}


def measure(
    command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measurement:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = _sample_peak(process.pid, lambda: process.poll() is not None)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return Measurement(seconds=seconds, peak_mb=peak / 1024)


def _sample_peak(pid: int, finished: Callable[[], bool]) -> float:
    """The largest total RSS (KB) of ``pid`` and all its descendants, sampled every 20 ms."""
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(pid))
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    while not finished():
        time.sleep(0.02)
    stop.set()
    thread.join()
    return peak


def _tree_rss_kb(root: int) -> float:
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            status = (proc / "status").read_text()
        except (OSError, IndexError):
            continue
        parents[int(proc.name)] = int(stat[1])
        rss[int(proc.name)] = next(
            (float(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
            0.0,
        )
    total, frontier = 0.0, {root}
    while frontier:
        total += sum(rss.get(p, 0.0) for p in frontier)
        frontier = {child for child, parent in parents.items() if parent in frontier}
    return total


def print_table(rows: list[dict[str, object]]) -> None:
    print()
    columns = (
        "corpus",
        ".py files",
        "lines",
        "prospector",
        "ours cold",
        "cold / prospector",
        "ours warm",
        "one file changed",
        "changed / cold",
        "peak MB prospector",
        "peak MB ours (cold)",
    )
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        p, c, w, ch = (float(row[k]) for k in ("prospector", "cold", "warm", "changed"))  # type: ignore[arg-type]
        print(
            f"| {row['corpus']} | {row['files']} | {row['lines']:,} | {p:.1f} s | {c:.1f} s "
            f"| {c / p:.2f}x | {w:.2f} s | {ch:.2f} s | {ch / c:.0%} "
            f"| {row['prospector_mb']:.0f} | {row['cold_mb']:.0f} |"
        )
    for row in rows:
        parts = sorted(row["breakdown"].items(), key=lambda kv: -kv[1])  # type: ignore[attr-defined]
        print(
            f"{row['corpus']}: analyzer seconds in a cold scan: "
            + ", ".join(f"{k} {v:.1f}" for k, v in parts)
        )
    print(flush=True)


def print_targets(rows: list[dict[str, object]]) -> None:
    row = next((r for r in rows if r["corpus"] == "django"), None)
    if row is None:
        return
    p, c, w, ch = (float(row[k]) for k in ("prospector", "cold", "warm", "changed"))  # type: ignore[arg-type]
    peak = max(float(row[k]) for k in ("cold_mb", "warm_mb", "changed_mb"))  # type: ignore[arg-type]
    checks = [
        (
            f"cold <= {TARGETS['cold_vs_prospector']}x prospector",
            c / p <= TARGETS["cold_vs_prospector"],
            f"{c / p:.2f}x",
        ),
        (f"warm <= {TARGETS['warm_s']} s", w <= TARGETS["warm_s"], f"{w:.2f} s"),
        (
            f"one file changed <= {TARGETS['changed_vs_cold']:.0%} of cold",
            ch / c <= TARGETS["changed_vs_cold"],
            f"{ch / c:.0%}",
        ),
        (f"peak memory < {TARGETS['peak_mb']} MB", peak < TARGETS["peak_mb"], f"{peak:.0f} MB"),
    ]
    print("Targets on Django:")
    for label, met, value in checks:
        print(f"  {'met    ' if met else 'MISSED '} {label}: {value}")


if __name__ == "__main__":
    sys.exit(main())
