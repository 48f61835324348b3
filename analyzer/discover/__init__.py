"""Discovery: which files of the scanned tree to analyze, and the guarded ways to reach it.

- ``files``: the files to scan (git-aware walk, globs, test-file patterns);
- ``git``: the one hardened way to run git on the tree;
- ``reader``: the one door through which a file of the tree is read;
- ``project``: the project's own metadata (its name, its pyproject.toml), read as data.
"""

from analyzer.discover.files import (
    SKIPPED_DIRS,
    TEST_FILE_GLOBS,
    TEST_FILE_PATTERNS,
    GitInfo,
    compile_globs,
    compile_patterns,
    discover_files,
    is_test_file,
    matches_any,
    matches_globs,
    read_git_info,
)
from analyzer.discover.project import read_project_name

__all__ = [
    "SKIPPED_DIRS",
    "TEST_FILE_GLOBS",
    "TEST_FILE_PATTERNS",
    "GitInfo",
    "compile_globs",
    "compile_patterns",
    "discover_files",
    "is_test_file",
    "matches_any",
    "matches_globs",
    "read_git_info",
    "read_project_name",
]
