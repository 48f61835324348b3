"""The endpoint inventory against the routes declared in real applications' source.

    python bench/inventory/run.py                      # download the pinned wheels
    python bench/inventory/run.py --trees /tmp/unz     # use wheels already unpacked there
    python bench/inventory/run.py --app flaskbb --list # also print every route found

For each app of ``declared.toml`` (pinned in ``../precision/apps.toml``) it runs the api
analyzer in this process over the unpacked wheel, counts the distinct routes of the
inventory (a route: one URL bound to one handler function or view class, as in
``declared.toml``), and prints declared, found, the difference, and how many routes hold
an invented segment (``{?}``) or a placeholder named after code the analyzer did not
resolve (``{app.config['PREFIX']}``). Needs network access to PyPI unless ``--trees`` is
given. Done means every app within 10% of its declared routes and no invented segment.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analyzers.api import ApiAnalyzer
from analyzer.discover import discover_files
from analyzer.model import AnalysisOutput, Endpoint
from analyzer.plugins import AnalysisRequest, analyze_whole

HERE = Path(__file__).resolve().parent
APPS = HERE.parent / "precision" / "apps.toml"
DECLARED = HERE / "declared.toml"
TOLERANCE = 0.10
# Handler names that are methods of a view class (the route belongs to the class).
METHOD_NAMES = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "list", "create", "retrieve",
     "update", "partial_update", "destroy"}
)  # fmt: skip
# A placeholder naming an expression (``{app.config['PREFIX']}``), not a path parameter.
PLACEHOLDER = re.compile(r"\{[^}]*[.(\['\"][^}]*\}")


@dataclass(frozen=True)
class Row:
    app: str
    framework: str
    declared: int
    found: int
    invented: int
    unresolved: int

    @property
    def within(self) -> bool:
        return abs(self.found - self.declared) <= TOLERANCE * self.declared


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app", action="append", help="default: every app of declared.toml")
    parser.add_argument("--trees", type=Path, help="folder holding unpacked wheels, one per app")
    parser.add_argument("--work", type=Path, help="download and unpack here (default: temp dir)")
    parser.add_argument("--list", action="store_true", help="print every route found")
    args = parser.parse_args(argv)
    pins = tomllib.loads(APPS.read_text(encoding="utf-8"))["apps"]
    declared = tomllib.loads(DECLARED.read_text(encoding="utf-8"))["apps"]
    work = args.work or Path(tempfile.mkdtemp(prefix="roadmap-inventory-"))
    rows = []
    for app in args.app or sorted(declared):
        tree = args.trees / app if args.trees else unpack(pins[app]["requirement"], work, app)
        routes = inventory(tree)
        if args.list:
            for route, owner in sorted(routes):
                print(f"{app}\t{route}\t{owner}")
        rows.append(measure(app, declared[app], routes))
    print_table(rows)
    return 0 if all(r.within and not r.invented for r in rows) else 1


def unpack(requirement: str, work: Path, app: str) -> Path:
    wheels = work / "wheels" / app
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            requirement,
            "-d",
            str(wheels),
        ],
        check=True,
    )
    tree = work / "trees" / app
    with zipfile.ZipFile(next(wheels.glob("*.whl"))) as wheel:
        wheel.extractall(tree)
    return tree


def inventory(tree: Path) -> set[tuple[str, str]]:
    files = tuple(f for f in discover_files(tree, include=(), exclude=()) if f.path.endswith(".py"))
    output = analyze_whole(ApiAnalyzer(), AnalysisRequest(root=str(tree), files=files))
    if not isinstance(output, AnalysisOutput):
        raise SystemExit(f"{tree}: the api analyzer failed: {output.reason}")
    return distinct_routes(output.endpoints)


def distinct_routes(endpoints: Iterable[Endpoint]) -> set[tuple[str, str]]:
    """(route, owner): a class's methods on one URL are one route, as in declared.toml."""
    routes = set()
    for endpoint in endpoints:
        head, _, last = endpoint.handler.rpartition(".")
        is_method = last in METHOD_NAMES and head.rsplit(".", 1)[-1][:1].isupper()
        routes.add((endpoint.route, head if is_method else endpoint.handler))
    return routes


def measure(app: str, declared: dict[str, object], routes: set[tuple[str, str]]) -> Row:
    return Row(
        app=app,
        framework=str(declared["framework"]),
        declared=int(str(declared["declared"])),
        found=len(routes),
        invented=sum("{?}" in route for route, _ in routes),
        unresolved=sum(bool(PLACEHOLDER.search(route)) for route, _ in routes),
    )


def print_table(rows: Sequence[Row]) -> None:
    print(
        "| app | framework | declared | found | difference | invented segments "
        "| placeholders naming an expression |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        difference = (r.found - r.declared) / r.declared if r.declared else 0.0
        print(
            f"| {r.app} | {r.framework} | {r.declared} | {r.found} | {difference:+.0%} "
            f"| {r.invented} | {r.unresolved} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
