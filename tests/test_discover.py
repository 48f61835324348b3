"""File discovery: git-aware, skips environments and caches, never leaves the root."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from analyzer.discover import discover_files, matches_any
from analyzer.discover.reader import TreeReader, glob_inside, read_inside
from tests.conftest import write_tree


def _paths(root: Path, **kwargs: tuple[str, ...]) -> list[str]:
    return [f.path for f in discover_files(root, **kwargs)]


def test_walk_skips_virtualenvs_caches_and_build_outputs(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/main.py": "",
            ".venv/lib/x.py": "",
            "env2/pyvenv.cfg": "",
            "env2/lib/y.py": "",
            "node_modules/z/index.js": "",
            "build/lib/app.py": "",
            "app/__pycache__/main.cpython-311.pyc": "",
            "pkg.egg-info/PKG-INFO": "",
        },
    )
    assert _paths(root) == ["app/main.py"]


def test_git_checkout_uses_tracked_and_unignored_files(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {".gitignore": "generated/\n", "a.py": "", "generated/b.py": "", "new.py": ""}
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "a.py", ".gitignore"], check=True)
    assert _paths(root) == [".gitignore", "a.py", "new.py"]


def test_symlinks_outside_the_root_and_loops_are_not_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.py": ""})
    root = write_tree(tmp_path / "repo", {"a.py": ""})
    os.symlink(outside / "secret.py", root / "leak.py")
    os.symlink(outside, root / "leakdir")
    os.symlink(root, root / "loop")
    os.symlink(root / "a.py", root / "alias.py")
    assert _paths(root) == ["a.py", "alias.py"]


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"src/a.py": "", "src/b.py": "", "tests/test_a.py": "", "docs/x.md": ""}
    )
    assert _paths(root, include=("*.py",), exclude=("tests/**",)) == ["src/a.py", "src/b.py"]
    assert _paths(root, exclude=("b.py", "docs/**")) == ["src/a.py", "tests/test_a.py"]


def test_glob_matching_rules() -> None:
    assert matches_any("pkg/mod.py", ["*.py"])
    assert matches_any("tests/unit/test_x.py", ["tests/**"])
    assert not matches_any("src/tests.py", ["tests/**"])


def test_project_name_comes_from_packaging_metadata_as_data(tmp_path: Path) -> None:
    from analyzer.discover import read_project_name

    assert (
        read_project_name(
            write_tree(tmp_path / "a", {"pyproject.toml": '[project]\nname = "acme"\n'})
        )
        == "acme"
    )
    poetry = write_tree(tmp_path / "b", {"pyproject.toml": '[tool.poetry]\nname = "poems"\n'})
    assert read_project_name(poetry) == "poems"
    cfg = write_tree(
        tmp_path / "c",
        {"setup.cfg": "[metadata]\nname = legacy-app\n", "setup.py": "raise SystemExit"},
    )
    assert read_project_name(cfg) == "legacy-app"
    wheel = write_tree(
        tmp_path / "d", {"shop-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: shop\n"}
    )
    assert read_project_name(wheel) == "shop"
    assert read_project_name(write_tree(tmp_path / "e", {"broken/pyproject.toml": "[x"})) is None


def test_one_definition_of_a_test_file() -> None:
    from analyzer.discover import TEST_FILE_PATTERNS, is_test_file
    from analyzer.rules import load_rulebook

    bundled = load_rulebook().settings_for("testing")["test_patterns"]
    assert tuple(bundled) == TEST_FILE_PATTERNS
    assert is_test_file("pkg/tests/unit/test_api.py")
    assert is_test_file("conftest.py")
    assert not is_test_file("pkg/testing_utils.py")


def test_the_tree_reader_agrees_with_the_one_path_route_across_links_and_many_folders(
    tmp_path: Path,
) -> None:
    """Folders are opened through their parent's descriptor; a link among them still takes
    the component walk, followed inside the tree and refused outside it, and past the
    reader's limit of open folders the answers stay the same."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 1\n")
    for index in range(80):
        deep = root / f"pkg{index}" / "sub" / "deeper"
        deep.mkdir(parents=True)
        (deep / "m.py").write_text(f"X = {index}\n")
    os.symlink(root / "pkg3" / "sub", root / "inner")
    os.symlink(outside, root / "outer")
    paths = [f"pkg{i}/sub/deeper/m.py" for i in range(80)]
    paths += ["inner/deeper/m.py", "outer/secret.py", "pkg1/../pkg2/sub/deeper/m.py"]
    with TreeReader(root) as reader:
        for path in [*paths, *reversed(paths)]:
            assert _answer(lambda p: reader.read(p, limit=100), path) == _answer(
                lambda p: read_inside(root, p, limit=100), path
            ), path
    assert _answer(lambda p: read_inside(root, p, limit=100), "inner/deeper/m.py") == b"X = 3\n"
    assert _answer(lambda p: read_inside(root, p, limit=100), "outer/secret.py") == "refused"


def _answer(read: Callable[[str], bytes], path: str) -> bytes | str:
    try:
        return read(path)
    except OSError:
        return "refused"


def test_root_globs_never_list_a_linked_folder_outside_the_tree(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (outside / "evil.dist-info").mkdir(parents=True)
    (outside / "evil.dist-info" / "METADATA").write_text("Name: evil\n")
    (root / "pkg-1.0.dist-info").mkdir(parents=True)
    (root / "pkg-1.0.dist-info" / "METADATA").write_text("Name: pkg\n")
    os.symlink(outside / "evil.dist-info", root / "linked.dist-info")
    (root / "coverage.xml").write_text("<coverage/>")
    assert glob_inside(root, "*.dist-info/METADATA") == ["pkg-1.0.dist-info/METADATA"]
    assert glob_inside(root, "coverage.xml") == ["coverage.xml"]
    assert glob_inside(root, "missing.json") == []
