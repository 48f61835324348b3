"""What we import is declared, and the wrapped tools whose internals we use are bounded
and still look the way the adapters expect: a new major version of bandit or vulture that
changes them fails here, loudly, instead of losing findings quietly."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, version

import pytest

from tests.conftest import REPO_ROOT

_PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
_DEPENDENCIES = _PYPROJECT["project"]["dependencies"]


def _declared() -> dict[str, str]:
    """Distribution name (normalized) -> its version specifier."""
    found = {}
    for line in _DEPENDENCIES:
        match = re.match(r"^([A-Za-z0-9_.-]+)(.*)$", line)
        assert match, line
        found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def _imported_modules() -> set[str]:
    names: set[str] = set()
    for path in (REPO_ROOT / "analyzer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"analyzer"}


def test_every_module_we_import_is_a_declared_dependency() -> None:
    owners = packages_distributions()
    declared = _declared()
    missing = sorted(
        f"{module} ({', '.join(owners.get(module, ['?']))})"
        for module in _imported_modules()
        if not any(d.lower().replace("_", "-") in declared for d in owners.get(module, []))
    )
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


@pytest.mark.parametrize("tool", ["bandit", "vulture"])
def test_tools_whose_internals_we_use_are_within_their_declared_major_version(tool: str) -> None:
    bound = re.search(r"<\s*(\d+)", _declared()[tool])
    assert bound, f"{tool} needs an upper bound: we use its internals"
    installed = int(version(tool).split(".")[0])
    assert installed < int(bound.group(1)), (
        f"{tool} {version(tool)} is past the bound <{bound.group(1)}: check the adapter "
        "against its new internals before raising it"
    )


def test_bandit_manager_still_has_what_the_security_adapter_uses() -> None:
    from bandit.core import config, docs_utils, issue, manager

    members = dict(inspect.getmembers(manager.BanditManager))
    for name in ("discover_files", "run_tests", "get_issue_list"):
        assert callable(members.get(name)), f"bandit's BanditManager lost {name}()"
    bandit = manager.BanditManager(config.BanditConfig(), "file", quiet=True)
    for attribute in ("skipped", "metrics"):
        assert hasattr(bandit, attribute), f"bandit's BanditManager lost .{attribute}"
    assert hasattr(bandit.metrics, "data")
    parameters = inspect.signature(issue.Issue.__init__).parameters
    for name in ("severity", "cwe", "confidence", "text", "lineno", "test_id", "col_offset"):
        assert name in parameters, f"bandit's Issue lost {name}"
    assert callable(docs_utils.get_url)


def test_vulture_class_api_is_still_what_the_dead_code_adapter_uses() -> None:
    import vulture

    parameters = inspect.signature(vulture.Vulture.__init__).parameters
    for name in ("ignore_names", "ignore_decorators"):
        assert name in parameters, f"vulture.Vulture() lost its {name} parameter"
    # The adapter records vulture's parse problems by overriding its _log method.
    log = inspect.signature(vulture.Vulture._log).parameters
    assert "force" in log, "vulture.Vulture._log changed: see analyzer/analyzers/deadcode.py"
    scanner = vulture.Vulture()
    scanner.scan("def unused():\n    pass\n", filename="m.py")
    (item,) = scanner.get_unused_code(min_confidence=60)
    for attribute in ("typ", "message", "filename", "first_lineno", "last_lineno", "confidence",
                      "name", "size"):  # fmt: skip
        assert hasattr(item, attribute), f"vulture's Item lost .{attribute}"
