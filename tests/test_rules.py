"""rules/*.toml: loadable, exhaustive for the installed bandit, and strict about mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.rules import RuleError, load_rulebook, load_tool_file


def test_every_installed_bandit_test_id_is_mapped() -> None:
    from bandit.core import extension_loader

    manager = extension_loader.MANAGER
    installed = {plugin.plugin._test_id for plugin in manager.plugins} | set(
        manager.blacklist_by_id
    )
    mapped = set(load_rulebook().tools["bandit"].rules)
    assert installed - mapped == set(), "add these bandit test ids to rules/bandit.toml"


def test_every_mypy_error_code_is_mapped() -> None:
    from mypy import errorcodes

    mapped = set(load_rulebook().tools["mypy"].rules)
    assert set(errorcodes.error_codes) - mapped == set()


def test_vulture_item_types_are_mapped() -> None:
    mapped = set(load_rulebook().tools["vulture"].rules)
    vulture_types = {"import", "variable", "function", "method", "class", "attribute", "property"}
    assert {f"unused-{t}" for t in vulture_types} | {"unreachable-code"} <= mapped


def test_unknown_code_falls_back_instead_of_vanishing() -> None:
    rule = load_rulebook().lookup("bandit", "B999")
    assert rule.rule_id == "bandit.B999"
    assert rule.category == "security"
    assert not rule.known


def test_unknown_tool_gets_a_generic_rule() -> None:
    rule = load_rulebook().lookup("some-plugin", "X1")
    assert rule.rule_id == "some-plugin.X1"
    assert rule.category == "other"


def test_every_rule_has_title_help_and_effort() -> None:
    for rule in load_rulebook().all_rules():
        assert rule.title, rule.rule_id
        assert rule.help, rule.rule_id
        assert rule.effort.base > 0, rule.rule_id


def test_effort_uses_base_plus_per_unit() -> None:
    rule = load_rulebook().lookup("radon", "CC-D")
    assert rule.effort.minutes(units=12) == rule.effort.base + 12 * rule.effort.per_unit


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool]\nname = "x"\ncategory = "y"\ncolour = "red"\n', "unknown key tool.colour"),
        (
            '[tool]\nname = "x"\ncategory = "y"\n[rules.A]\ntitle = "t"\nseverity = "huge"\n',
            "severity must be one of",
        ),
        ('[tool]\ncategory = "y"\n', "tool.name must be a non-empty string"),
        (
            '[tool]\nname = "x"\ncategory = "y"\n[rules.A]\ntitle = "t"\neffort = { base = -1 }\n',
            "rules.A.effort.base must be a number of at least 0",
        ),
        ("[tool\n", "Expected"),
        (
            '[tool]\nname = "x"\ncategory = "y"\n[rules.A]\ntitle = "t"\ngrade_of = 3\n',
            "rules.A.grade_of must be a non-empty string",
        ),
    ],
)
def test_bad_rule_files_are_load_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(text)
    with pytest.raises(RuleError, match=message):
        load_tool_file(path)


def test_radon_ranks_grade_one_measurement() -> None:
    # roadmap progress reads a function gone from rank E to F as worse, not as fixed.
    rules = load_rulebook().tools["radon"].rules
    assert {rule.grade_of for rule in rules.values()} == {"cyclomatic complexity"}
    assert load_rulebook().lookup("bandit", "B101").grade_of is None
    assert load_rulebook().grades()["radon.CC-F"] == "cyclomatic complexity"


def test_duplicate_tool_across_files_is_an_error(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.toml").write_text('[tool]\nname = "dup"\ncategory = "c"\n')
    with pytest.raises(RuleError, match="already defined"):
        load_rulebook(extra_dirs=[tmp_path])


def test_user_rules_override_bundled_ones(tmp_path: Path) -> None:
    (tmp_path / "bandit.toml").write_text(
        '[tool]\nname = "bandit"\ncategory = "security"\n'
        '[rules.B101]\ntitle = "Assert in production code"\n'
        'help = "Ours."\nseverity = "info"\n'
    )
    book = load_rulebook(extra_dirs=[tmp_path])
    assert book.lookup("bandit", "B101").title == "Assert in production code"
    assert book.lookup("bandit", "B602").known


def test_a_settings_override_merges_table_by_table(tmp_path: Path) -> None:
    (tmp_path / "vulture.toml").write_text(
        '[tool]\nname = "vulture"\ncategory = "dead-code"\n'
        "[settings.whitelists.django-settings]\nenabled = false\n"
        '[settings]\nignore_names = ["legacy_*"]\n'
    )
    settings = load_rulebook(extra_dirs=[tmp_path]).settings_for("vulture")
    whitelists = settings["whitelists"]
    assert whitelists["django-settings"]["enabled"] is False
    assert whitelists["django-settings"]["uses"] == ["django"]
    assert "alembic-migrations" in whitelists
    assert settings["ignore_names"] == ["legacy_*"]
    assert "@*.route" in settings["ignore_decorators"]
