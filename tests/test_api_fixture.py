"""The api analyzer on fixtures/noxpanel: every endpoint, every ``# expect: api.*`` marker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.analyzers.api import ApiAnalyzer
from analyzer.discover import discover_files
from analyzer.model import AnalysisOutput
from analyzer.plugins import AnalysisRequest, analyze_whole

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "noxpanel"
EXPECT = re.compile(r"#\s*expect:\s*(?P<ids>[\w.\-, ]+)")

# Written by hand from the route declarations in the fixture (method, full path, handler).
ENDPOINTS = {
    ("GET", "/healthz", "healthz"),
    ("GET", "/api/v1/devices/", "list_devices"),
    ("GET", "/api/v1/devices/summary", "device_summary"),
    ("GET", "/api/v1/devices/{device_id}", "read_device"),
    ("POST", "/api/v1/devices/", "create_device"),
    ("DELETE", "/api/v1/devices/{device_id}", "delete_device"),
    ("POST", "/api/v1/devices/{device_id}/wake", "wake_device"),
    ("GET", "/api/v1/devices/{device_id}/vendor", "device_vendor"),
    ("GET", "/api/v1/metrics/local", "local_metrics"),
    ("GET", "/api/v1/metrics/{device_id}", "device_metrics"),
    ("POST", "/api/v1/metrics/{device_id}", "ingest_metrics"),
    ("GET", "/api/v1/system/version", "version"),
    ("POST", "/api/v1/system/scan", "start_scan"),
    ("GET", "/api/v1/system/traceroute", "trace"),
    ("POST", "/api/v1/system/notify/test", "send_test_notification"),
    ("GET", "/admin/", "dashboard"),
    ("POST", "/admin/backup", "trigger_backup"),
    ("GET", "/admin/system", "system_info"),
    ("POST", "/admin/settings/reset", "reset_settings"),
    ("GET,POST", "/login", "login"),
    ("GET", "/logout", "logout"),
    ("GET", "/devices/", "list_devices"),
    ("GET", "/devices/<int:device_id>", "device_detail"),
    ("POST", "/devices/<int:device_id>/delete", "delete_device"),
    ("POST", "/devices/scan", "start_scan"),
    ("GET", "/devices/<int:device_id>/notes", "get"),
    ("POST", "/devices/<int:device_id>/notes", "post"),
}


@pytest.fixture(scope="module")
def output() -> AnalysisOutput:
    files = tuple(
        f for f in discover_files(FIXTURE, include=(), exclude=()) if f.path.endswith(".py")
    )
    result = analyze_whole(ApiAnalyzer(), AnalysisRequest(root=str(FIXTURE), files=files))
    assert isinstance(result, AnalysisOutput)
    return result


def expected_markers() -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(FIXTURE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            for rule_id in match.group("ids").split(",") if match else ():
                if rule_id.strip().startswith("api."):
                    found.add((path.relative_to(FIXTURE).as_posix(), number, rule_id.strip()))
    return found


def test_every_endpoint_is_found(output: AnalysisOutput) -> None:
    found = {(",".join(e.methods), e.route, e.handler.rsplit(".", 1)[-1]) for e in output.endpoints}
    assert found == ENDPOINTS


def test_every_marker_is_found_and_nothing_else(output: AnalysisOutput) -> None:
    found = {(f.path, f.line, f"api.{f.tool_code}") for f in output.findings}
    assert found == expected_markers()
    assert output.errors == ()


def test_authentication_is_seen_through_routers_and_dependencies(output: AnalysisOutput) -> None:
    by_route = {(e.route, e.methods): e for e in output.endpoints}
    # Router-level dependencies=[Depends(get_current_user)], resolved across modules.
    assert by_route[("/api/v1/metrics/{device_id}", ("POST",))].authenticated
    # MethodView.decorators = [login_required]
    assert by_route[("/devices/<int:device_id>/notes", ("POST",))].authenticated
    assert not by_route[("/admin/settings/reset", ("POST",))].authenticated


def test_measures_feed_the_metrics(output: AnalysisOutput) -> None:
    totals: dict[str, float] = {}
    for measure in output.measures:
        totals[measure.name] = totals.get(measure.name, 0) + measure.value
    assert totals == {
        "api.endpoints": 27,
        "api.documented_endpoints": 23,
        "api.unauthenticated_writes": 3,
        "api.blocking_calls_in_async": 2,
        "api.n_plus_one_queries": 2,
    }


def test_routes_declared_in_tests_are_not_the_applications_api(tmp_path: Path) -> None:
    from analyzer.analyzers.api import ApiAnalyzer
    from tests.conftest import analyze_tree

    app = (
        "from flask import Flask\napp = Flask(__name__)\n\n"
        "@app.post('/items')\ndef create():\n    return ''\n"
    )
    output = analyze_tree(
        ApiAnalyzer(), tmp_path, {"shop/app.py": app, "tests/test_app.py": app, "conftest.py": app}
    )
    assert [(e.path, e.route) for e in output.endpoints] == [("shop/app.py", "/items")]
    assert {f.path for f in output.findings} == {"shop/app.py"}
