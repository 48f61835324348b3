"""Precision of repo-roadmap's own rules, re-measured on pinned real applications.

    python bench/precision/run.py                         # download, scan, report
    python bench/precision/run.py --apps-dir /tmp/unz     # use trees already unpacked
    python bench/precision/run.py --held-out              # the held-out apps instead
    python bench/precision/run.py --scans DIR             # report on JSON exports in DIR
    python bench/precision/run.py --unlabelled frontend.safe-filter   # what to label next

The apps are listed in ``apps.toml`` (pinned by version); a reviewer's verdicts on sampled
findings are in ``labels/<rule>.toml`` (format: ``labels/README.md``). For each app the
script takes a tree (``--apps-dir/<app>`` when it exists, otherwise ``pip download --no-deps``
of the pinned wheel, unzipped into the work folder), scans it with the installed ``roadmap``
(JSON), and prints per rule: how many findings were sampled, how many of those are still
reported, how many of those are true, false or debatable, the precision (true over
still reported: a debatable finding is not counted as right), and how many findings the
rule reports now that nobody has labelled.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VERDICTS = ("true", "false", "debatable")
SAMPLE_KEYS = {"app", "path", "line", "verdict", "reason"}
# mypy's findings are not ours and it is the slowest analyzer; --analyzer-off adds more.
DEFAULT_OFF = ("typing",)


@dataclass(frozen=True, kw_only=True, slots=True)
class App:
    name: str
    requirement: str
    framework: str
    held_out: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Sample:
    rule: str
    app: str
    path: str
    line: int
    verdict: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleRow:
    rule: str
    sampled: int
    reported: int
    verdicts: Mapping[str, int]
    unlabelled: int

    @property
    def precision(self) -> float | None:
        return self.verdicts.get("true", 0) / self.reported if self.reported else None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apps = [a for a in load_apps(HERE / "apps.toml") if a.held_out == args.held_out]
    if args.app:
        apps = [a for a in apps if a.name in args.app]
    samples = load_samples(HERE / "labels")
    work = args.work or Path(tempfile.mkdtemp(prefix="roadmap-precision-"))
    reports = {app.name: _report_for(app, args, work) for app in apps}
    findings = {name: reported_findings(report) for name, report in reports.items()}
    if args.unlabelled:
        print_unlabelled(args.unlabelled, findings, samples)
        return 0
    rows = rule_rows(findings, samples, set(reports))
    print(f"apps: {', '.join(sorted(reports))}")
    print_table(rows)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps-dir", type=Path, help="unpacked apps, one folder per app name")
    parser.add_argument("--work", type=Path, help="downloads, trees and scans (default: temp)")
    parser.add_argument("--scans", type=Path, help="read APP.json exports here; scan nothing")
    parser.add_argument("--app", action="append", help="only this app (repeatable)")
    parser.add_argument("--held-out", action="store_true", help="the held-out apps only")
    parser.add_argument(
        "--analyzer-off",
        action="append",
        default=list(DEFAULT_OFF),
        help=f"passed as --disable to roadmap (default: {', '.join(DEFAULT_OFF)})",
    )
    parser.add_argument("--roadmap", default=_installed_roadmap(), help="the roadmap command")
    parser.add_argument("--unlabelled", metavar="RULE", help="list RULE's unlabelled findings")
    return parser


def _installed_roadmap() -> str:
    candidate = Path(sys.executable).parent / "roadmap"
    return str(candidate) if candidate.exists() else "roadmap"


def load_apps(path: Path) -> list[App]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        App(
            name=name,
            requirement=str(body["requirement"]),
            framework=str(body["framework"]),
            held_out=bool(body.get("held_out", False)),
        )
        for name, body in sorted(document["apps"].items())
    ]


def load_samples(directory: Path) -> list[Sample]:
    """Every labelled sample; a malformed one stops the run with the file and index."""
    samples = []
    for path in sorted(directory.glob("*.toml")):
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        for index, body in enumerate(document.get("sample", [])):
            where = f"{path.name} sample {index + 1}"
            unknown = set(body) - SAMPLE_KEYS
            if unknown or not set(body) >= SAMPLE_KEYS:
                raise SystemExit(f"{where}: keys must be {sorted(SAMPLE_KEYS)}")
            if body["verdict"] not in VERDICTS:
                raise SystemExit(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
            samples.append(
                Sample(
                    rule=path.stem,
                    app=str(body["app"]),
                    path=str(body["path"]),
                    line=int(body["line"]),
                    verdict=str(body["verdict"]),
                    reason=str(body["reason"]),
                )
            )
    return samples


def _report_for(app: App, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if args.scans is not None:
        return json.loads((args.scans / f"{app.name}.json").read_text(encoding="utf-8"))
    tree = _tree_for(app, args.apps_dir, work)
    output = work / "scans" / f"{app.name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [args.roadmap, "scan", str(tree), "-q", "-f", "json", "-o", str(output)]
    for name in args.analyzer_off:
        command += ["--disable", name]
    print(f"scanning {app.name} ...", file=sys.stderr)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    report: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return report


def _tree_for(app: App, apps_dir: Path | None, work: Path) -> Path:
    if apps_dir is not None and (apps_dir / app.name).is_dir():
        return apps_dir / app.name
    tree = work / "trees" / app.name
    if tree.is_dir():
        return tree
    wheels = work / "wheels" / app.name
    wheels.mkdir(parents=True, exist_ok=True)
    print(f"downloading {app.requirement} ...", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            app.requirement,
            "-d",
            str(wheels),
        ],
        check=True,
    )
    wheel = next(iter(sorted(wheels.glob("*.whl"))), None)
    if wheel is None:
        raise SystemExit(f"{app.requirement}: pip downloaded no wheel")
    partial = tree.with_name(f"{app.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(partial)
    partial.rename(tree)
    return tree


def reported_findings(report: Mapping[str, Any]) -> set[tuple[str, str, int]]:
    """(rule, path, line) of every finding the scan reports (not the suppressed ones)."""
    return {(f["rule_id"], f["path"], int(f["line"])) for f in report["findings"]}


def rule_rows(
    findings: Mapping[str, set[tuple[str, str, int]]],
    samples: Iterable[Sample],
    scanned: set[str],
) -> list[RuleRow]:
    by_rule: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        if sample.app in scanned:
            by_rule[sample.rule].append(sample)
    labelled = {(s.app, s.rule, s.path, s.line) for s in samples}
    rows = []
    for rule, rule_samples in sorted(by_rule.items()):
        still = [s for s in rule_samples if (rule, s.path, s.line) in findings[s.app]]
        current = [
            (app, rule, path, line)
            for app, found in findings.items()
            for r, path, line in found
            if r == rule
        ]
        rows.append(
            RuleRow(
                rule=rule,
                sampled=len(rule_samples),
                reported=len(still),
                verdicts=Counter(s.verdict for s in still),
                unlabelled=sum(1 for key in current if key not in labelled),
            )
        )
    return rows


def print_table(rows: Sequence[RuleRow]) -> None:
    header = (
        "rule",
        "sampled",
        "still reported",
        "true",
        "false",
        "debatable",
        "precision",
        "unlabelled",
    )
    lines = [
        (
            row.rule,
            str(row.sampled),
            str(row.reported),
            *(str(row.verdicts.get(v, 0)) for v in VERDICTS),
            "-" if row.precision is None else f"{row.precision:.0%}",
            str(row.unlabelled),
        )
        for row in rows
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for line in lines:
        print("| " + " | ".join(line) + " |")


def print_unlabelled(
    rule: str, findings: Mapping[str, set[tuple[str, str, int]]], samples: Iterable[Sample]
) -> None:
    labelled = {(s.app, s.path, s.line) for s in samples if s.rule == rule}
    for app, found in sorted(findings.items()):
        for r, path, line in sorted(found):
            if r == rule and (app, path, line) not in labelled:
                print(f"{app}\t{path}:{line}")


if __name__ == "__main__":
    raise SystemExit(main())
