"""Build the golden progress outputs: the fixture's golden report is the plan, and two edited
copies of the fixture are the reports a week and two weeks later.

A week later (2025-01-13): the template pull request is merged (``|safe`` dropped, a CSRF
token added), MD5 is replaced and the pairing PIN uses ``secrets``. Two weeks later
(2025-01-20): traceroute no longer runs through a shell, ``evaluate_alerts`` moved to its own
module (still complex: it counts as open, not fixed), an admin endpoint gained an ``eval``
(new debt) and the PIN went back to ``random`` (a fixed finding that came back).

Regenerate with ``python -m tests.regen_golden`` (only on purpose, after reading the diff).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from analyzer.config import ScanConfig
from analyzer.progress.compare import compare_progress
from analyzer.progress.export import build_progress
from analyzer.progress.markdown import render_progress_markdown
from analyzer.progress.read import snapshot_of
from analyzer.progress.snapshot import Snapshot
from analyzer.render.json_report import build_report
from analyzer.report import Report, with_roadmap
from analyzer.rules import load_rulebook
from analyzer.scan import run_scan
from tests.golden_roadmap import FIXTURE, GOLDEN_DIR, masked

PROGRESS_MARKDOWN = GOLDEN_DIR / "noxpanel.progress.md"
PROGRESS_JSON = GOLDEN_DIR / "noxpanel.progress.json"
WEEK_LATER = date(2025, 1, 13)
TWO_WEEKS_LATER = date(2025, 1, 20)
_METRICS = "noxpanel/services/metrics.py"
_SECURITY = "noxpanel/core/security.py"


def build_progress_outputs(work: Path, plan_json: str) -> tuple[str, str]:
    """(Markdown, JSON) of ``roadmap progress`` over the plan and the two edited copies."""
    plan = snapshot_of(json.loads(plan_json), "noxpanel.report.json")
    tree = work / "noxpanel"
    shutil.copytree(FIXTURE, tree)
    _week_one(tree)
    middle = _scan(tree, work / "cache", WEEK_LATER, "roadmap-2025-01-13.json")
    _week_two(tree)
    now = _scan(tree, work / "cache", TWO_WEEKS_LATER, "fixtures/noxpanel")
    progress = compare_progress(
        reports=[plan, middle], now=now, today=TWO_WEEKS_LATER, grades=load_rulebook().grades()
    )
    data = build_progress(progress)
    data["tool"]["version"] = "0.0"
    return render_progress_markdown(progress), json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _scan(tree: Path, cache: Path, day: date, source: str) -> Snapshot:
    config = ScanConfig(jobs=1, cache_dir=cache, use_cache=False)
    result = masked(run_scan(tree, config))
    report = with_roadmap(Report(result=result, root_label="fixtures/noxpanel", generated_on=day))
    document = build_report(report)
    document["tool"]["version"] = "0.0"
    return snapshot_of(document, source)


def _week_one(tree: Path) -> None:
    _edit(
        tree, "noxpanel/templates/errors/404.html", "{{ request.path|safe }}", "{{ request.path }}"
    )
    _edit(
        tree,
        "noxpanel/templates/login.html",
        "{# expect: frontend.form-missing-csrf #}",
        '\n  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">',
    )
    _edit(tree, _SECURITY, "hashlib.md5(password.encode())", "hashlib.sha256(password.encode())")
    _edit(tree, _SECURITY, "random.choice(string.digits)", "secrets.choice(string.digits)")


def _week_two(tree: Path) -> None:
    _edit(tree, _SECURITY, "secrets.choice(string.digits)", "random.choice(string.digits)")
    _edit(
        tree,
        "noxpanel/services/scanner.py",
        'subprocess.check_output(f"traceroute -m {max_hops} -w 1 {host}", shell=True, text=True)',
        'subprocess.check_output(["traceroute", "-m", str(max_hops), "-w", "1", host], text=True)',
    )
    _move_evaluate_alerts(tree)
    _edit(
        tree,
        "noxpanel/web/admin.py",
        "\n\n@",
        '\n\ndef preview_rule(expression: str) -> object:\n    """Evaluate an alert rule."""\n'
        "    return eval(expression)\n\n\n@",
        count=1,
    )


def _move_evaluate_alerts(tree: Path) -> None:
    source = (tree / _METRICS).read_text(encoding="utf-8")
    start = source.index("def evaluate_alerts(")
    end = source.index("    return alerts\n", start) + len("    return alerts\n")
    function = source[start:end]
    (tree / _METRICS).write_text(source[:start] + source[end:], encoding="utf-8")
    (tree / "noxpanel/services/alerts.py").write_text(
        '"""Alert rules over metric samples."""\n\nfrom __future__ import annotations\n\n'
        "from noxpanel.services.metrics import DEFAULT_THRESHOLDS, logger\n\n\n" + function,
        encoding="utf-8",
    )
    for caller, indent in (("noxpanel/cli.py", "    "), ("noxpanel/api/routers/metrics.py", "")):
        _edit(
            tree,
            caller,
            "from noxpanel.services.metrics import MetricsCollector, evaluate_alerts",
            f"from noxpanel.services.alerts import evaluate_alerts\n{indent}"
            "from noxpanel.services.metrics import MetricsCollector",
        )


def _edit(tree: Path, path: str, old: str, new: str, count: int = -1) -> None:
    file = tree / path
    text = file.read_text(encoding="utf-8")
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, count), encoding="utf-8")


def golden_inputs() -> str:
    """The plan: the fixture's golden report (its own test pins it to a fresh scan)."""
    return (GOLDEN_DIR / "noxpanel.report.json").read_text(encoding="utf-8")
