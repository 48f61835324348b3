"""What the scanned project says about itself in its packaging metadata, read as data.

Every file is read through the guarded reader: a ``pyproject.toml`` symlinked out of the
tree, a FIFO or ``/dev/zero`` is never read, and ``setup.py`` is never run.
"""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path
from typing import Any

from analyzer.discover.reader import glob_inside, read_inside

# Packaging metadata is a few kilobytes; a megabyte is generous and bounds a hostile one.
METADATA_LIMIT = 1024 * 1024


# What read_project_name reads, as globs at the root (an analyzer that uses the name keys
# its cache by these files' content).
PROJECT_NAME_FILES = ("pyproject.toml", "setup.cfg", "*.dist-info/METADATA")


def read_project_name(root: Path) -> str | None:
    """The name the project gives itself: pyproject.toml, setup.cfg, or a wheel's METADATA."""
    for reader in (_pyproject_name, _setup_cfg_name, _wheel_name):
        name = reader(root)
        if name:
            return name
    return None


def read_metadata_text(root: Path, relative: str) -> str | None:
    """A small text file of the project, or None when it is absent, unsafe or not UTF-8."""
    try:
        return read_inside(root, relative, limit=METADATA_LIMIT).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def load_pyproject(root: Path) -> dict[str, Any] | None:
    """``pyproject.toml`` as a document, or None when it is absent or unreadable as TOML."""
    text = read_metadata_text(root, "pyproject.toml")
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None


def _pyproject_name(root: Path) -> str | None:
    document = load_pyproject(root) or {}
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    for table in (document.get("project"), poetry):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            return str(table["name"])
    return None


def _setup_cfg_name(root: Path) -> str | None:
    text = read_metadata_text(root, "setup.cfg")
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except (configparser.Error, RecursionError):
        return None
    name = parser.get("metadata", "name", fallback=None)
    return name.strip() if name and "%" not in name else None


def _wheel_name(root: Path) -> str | None:
    """An unzipped wheel has exactly one ``*.dist-info/METADATA`` at its top."""
    candidates = glob_inside(root, "*.dist-info/METADATA")
    if len(candidates) != 1:
        return None
    text = read_metadata_text(root, candidates[0])
    for line in (text or "").splitlines()[:200]:
        if line.startswith("Name:"):
            return line.removeprefix("Name:").strip() or None
    return None
