"""The precision benchmark's labelled samples are well-formed data: each names a pinned app,
a rule that exists, a verdict and a reason (bench/precision/labels/README.md)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from analyzer.rules import load_rulebook
from tests.conftest import REPO_ROOT

BENCH = REPO_ROOT / "bench" / "precision"


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("precision_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_label_names_a_pinned_app_and_a_known_rule() -> None:
    runner = load_runner()
    apps = {app.name for app in runner.load_apps(BENCH / "apps.toml")}
    samples = runner.load_samples(BENCH / "labels")
    rules = {rule.rule_id for rule in load_rulebook().all_rules()}
    assert samples
    for sample in samples:
        assert sample.app in apps, sample
        assert sample.rule in rules, sample
        assert sample.reason.strip(), sample
        assert sample.line >= 1, sample


def test_samples_are_not_labelled_twice() -> None:
    runner = load_runner()
    keys = [(s.rule, s.app, s.path, s.line) for s in runner.load_samples(BENCH / "labels")]
    assert len(keys) == len(set(keys))


def test_rows_count_still_reported_samples_and_unlabelled_findings() -> None:
    runner = load_runner()
    sample = runner.Sample(
        rule="frontend.safe-filter", app="a", path="t.html", line=3, verdict="true", reason="r"
    )
    other = runner.Sample(
        rule="frontend.safe-filter", app="a", path="t.html", line=9, verdict="false", reason="r"
    )
    findings = {"a": {("frontend.safe-filter", "t.html", 3), ("frontend.safe-filter", "u.html", 1)}}
    [row] = runner.rule_rows(findings, [sample, other], {"a"})
    assert (row.sampled, row.reported, row.verdicts["true"], row.unlabelled) == (2, 1, 1, 1)
    assert row.precision == 1.0
