"""Scale benchmark: one machine's scan against 4 shards and a merge, at 250k, 500k and 1M lines.

    python bench/scale/measure.py --work /tmp/roadmap-scale            # all three sizes
    python bench/scale/measure.py --work /tmp/roadmap-scale --size 1M --unpacked /tmp/unz

The tree is built from pinned wheels from PyPI (``PACKAGES``), each unzipped into its own
folder; a size takes the packages in order until it holds that many lines. For each size it
runs, cold (``--no-cache``, ``--no-history``, so no run profits from another's cache):

- the unsharded scan: ``roadmap scan TREE -q -o json:whole.json``;
- shards 1/4 .. 4/4 one after another (each one's wall time is what one CI job takes);
- ``roadmap merge shard-*.json --root TREE -o json:merged.json``;

and records each run's wall time and the peak memory of its whole process tree (the sum of
the RSS of the process and every descendant: workers and mypy included, sampled every
20 ms, as ``bench/run.py`` does). It then checks the merge equals the unsharded scan:
the same finding fingerprints (reported and suppressed), errors, metrics and
recommendations. Results go to ``results.jsonl`` next to this file and a Markdown table to
stdout. Linux only (it reads /proc). ``--unpacked DIR`` reuses wheels already unzipped as
``DIR/NAME`` (the same pinned versions) instead of downloading them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from run import count_python, describe_machine, download, measure, unpack

# (folder name, pinned requirement), in the order a size takes them.
PACKAGES: tuple[tuple[str, str], ...] = (
    ("django", "Django==5.2.9"),
    ("label-studio", "label-studio==1.23.2"),
    ("opal-server", "opal-server==0.9.9"),
    ("pgadmin4", "pgadmin4==9.18"),
    ("wger", "wger==2.1"),
    ("pretix", "pretix==2026.8.0"),
    ("open-webui", "open-webui==0.12.4"),
    ("changedetection.io", "changedetection.io==0.60.10"),
    ("networkx", "networkx==3.4.2"),
    ("khoj", "khoj==1.42.10"),
    ("flaskbb", "flaskbb==2.0.2"),
    ("django-helpdesk", "django-helpdesk==2.6.1"),
)
SIZES = {"250k": 250_000, "500k": 500_000, "1M": 1_000_000}
SHARDS = 4
ROADMAP = (sys.executable, "-m", "analyzer")
COLD = ("-q", "--no-cache", "--no-history")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, required=True, help="where trees and reports go")
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="default: all")
    parser.add_argument("--unpacked", type=Path, help="wheels already unzipped as DIR/NAME")
    parser.add_argument("--jobs", type=int, help="--jobs for every run (default: CPU count)")
    args = parser.parse_args()
    print(describe_machine(), file=sys.stderr)
    sources = gather(args.work, args.unpacked)
    rows = []
    for size in args.size or list(SIZES):
        tree = build_tree(args.work / f"tree-{size}", sources, SIZES[size])
        row = bench_size(size, tree, args.work / f"out-{size}", args.jobs)
        rows.append(row)
        with (Path(__file__).parent / "results.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(row) + "\n")
        print(json.dumps(row), file=sys.stderr)
    print_table(rows)
    return 0 if all(row["identical"] for row in rows) else 1


def gather(work: Path, unpacked: Path | None) -> dict[str, Path]:
    """Each package unzipped: from ``unpacked`` when it is there, else downloaded."""
    sources = {}
    for name, requirement in PACKAGES:
        if unpacked is not None and (unpacked / name).is_dir():
            sources[name] = unpacked / name
            continue
        target = work / "unpacked" / name
        if not target.is_dir():
            unpack(download(requirement, work / "wheels"), target)
        sources[name] = target
    return sources


def build_tree(tree: Path, sources: dict[str, Path], lines: int) -> Path:
    """Packages in order, each in its own folder, until the tree holds ``lines`` lines."""
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    total = 0
    for name, _ in PACKAGES:
        if total >= lines:
            break
        shutil.copytree(sources[name], tree / name, symlinks=True)
        total += count_python(tree / name)[1]
    return tree


def bench_size(size: str, tree: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(out / "cache"), "SOURCE_DATE_EPOCH": "1736121600"}
    flags = [*COLD, *(["--jobs", str(jobs)] if jobs else [])]
    files, lines = count_python(tree)
    whole = measure(
        [*ROADMAP, "scan", str(tree), *flags, "-o", f"json:{out / 'whole.json'}"], env=env
    )
    shards = []
    for k in range(1, SHARDS + 1):
        part = ["--shard", f"{k}/{SHARDS}", "-o", f"json:{out / f'shard-{k}.json'}"]
        shards.append(measure([*ROADMAP, "scan", str(tree), *flags, *part], env=env))
    merge = measure(
        [*ROADMAP, "merge", *(str(out / f"shard-{k}.json") for k in range(1, SHARDS + 1)),
         "--root", str(tree), *flags, "-o", f"json:{out / 'merged.json'}"],
        env=env,
    )  # fmt: skip
    whole_report = _load(out / "whole.json")
    differences = compare(whole_report, _load(out / "merged.json"))
    return {
        "size": size,
        "files": files,
        "lines": lines,
        "packages": sorted(p.name for p in tree.iterdir()),
        "findings": len(whole_report["findings"]),
        "whole_s": round(whole.seconds, 1),
        "whole_peak_mb": round(whole.peak_mb),
        "shard_s": [round(m.seconds, 1) for m in shards],
        "shard_peak_mb": [round(m.peak_mb) for m in shards],
        "shard_files": [
            _load(out / f"shard-{k}.json")["target"]["files_scanned"] for k in range(1, SHARDS + 1)
        ],
        "merge_s": round(merge.seconds, 1),
        "merge_peak_mb": round(merge.peak_mb),
        "identical": not differences,
        "differences": differences,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": os.getloadavg()[0],
    }


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def compare(whole: dict[str, Any], merged: dict[str, Any]) -> list[str]:
    """What differs between the two reports, section by section (timings left out)."""
    differences = []
    for section in ("findings", "suppressed"):
        if _prints(whole[section]) != _prints(merged[section]):
            differences.append(f"{section} fingerprints")
        if whole[section] != merged[section]:
            differences.append(section)
    for section in ("errors", "metrics", "recommendations", "endpoints", "hotspots"):
        if whole[section] != merged[section]:
            differences.append(section)
    if whole["roadmap"] != merged["roadmap"]:
        differences.append("roadmap")
    return differences


def _prints(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(f["fingerprint"] for f in findings)


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        "| size | files | lines | unsharded | shards 1-4 (each) | slowest shard | "
        "merge | peak MB unsharded | peak MB shards | peak MB merge | merged == unsharded |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---|---:|---|")
    for row in rows:
        print(
            f"| {row['size']} | {row['files']:,} | {row['lines']:,} | {row['whole_s']} s | "
            f"{' / '.join(str(s) for s in row['shard_s'])} s | {max(row['shard_s'])} s | "
            f"{row['merge_s']} s | {row['whole_peak_mb']} | "
            f"{' / '.join(str(m) for m in row['shard_peak_mb'])} | {row['merge_peak_mb']} | "
            f"{'yes' if row['identical'] else 'no: ' + ', '.join(row['differences'])} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
