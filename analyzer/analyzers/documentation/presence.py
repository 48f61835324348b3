"""Which kinds of project documentation exist, and where: by file name, by a heading in a
project document, or by a link from one to an external guide or documentation site.

Only documents count: Markdown, reStructuredText, AsciiDoc and text files, extensionless
ones (``README``, ``CHANGES``) and an unpacked wheel's ``METADATA`` (its description is the
project's README) — never code (``deploy.py``, ``history.py``), nor AI-agent prompts and
instructions (``AGENTS.md``, ``prompts/*.txt``), nor vendored or translation files.
Headings and links are read from project documents only: the README, files at the root,
and ``docs/`` or ``doc/``; a sub-package's notes are not the project's guides.

Findings about missing documents have no file to point at; they are reported on the scan
root, path ``"."``, line 1 (the convention for every project-level finding).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from analyzer.discover import matches_any

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'#*+:.])\1{2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]\n]{0,200})\]\((?P<url>https?://[^)\s]+)\)")
_RST_LINK = re.compile(r"`(?P<text>[^`<\n]{0,200})<(?P<url>https?://[^>\s]+)>`_")
_HTML_LINK = re.compile(
    r"<a\s[^>]*href=[\"'](?P<url>https?://[^\"']+)[\"'][^>]*>(?P<text>[^<]{0,200})</a>",
    re.IGNORECASE,
)
_RST_TARGET = re.compile(r"^\.\.\s+_(?P<text>[^:\n]{1,200}):\s*(?P<url>https?://\S+)", re.MULTILINE)
_PROJECT_URL = re.compile(
    r"^Project-URL:\s*(?P<text>[^,\n]{1,100}),\s*(?P<url>https?://\S+)", re.MULTILINE
)
_BARE_URL = re.compile(r"(?<![(<\"'=])\bhttps?://[^\s)>\"'\]]+")
# Words in a link's text that say it leads to documentation.
_DOCS_WORDS = ("doc", "guide", "manual", "handbook", "wiki", "read the")
DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc")
CODE_SUFFIXES = (
    ".py",
    ".pyw",
    ".pyi",
    ".js",
    ".mjs",
    ".ts",
    ".tsx",
    ".jsx",
    ".css",
    ".scss",
    ".sh",
    ".go",
    ".rb",
    ".php",
    ".java",
    ".c",
    ".h",
    ".cpp",
    ".rs",
)
_WHEEL_METADATA = re.compile(r"^[^/]+\.dist-info/METADATA$")


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentKind:
    """One kind of document: its rule code, measure name and how it is recognised."""

    key: str
    code: str
    title: str
    file_patterns: tuple[str, ...]
    heading_words: tuple[str, ...]
    # Words that, in a link's text or address, make it a link to this kind of guide.
    link_words: tuple[str, ...] = ()
    # A link to a documentation site (``docs_sites``) counts as this kind of guide.
    docs_site: bool = False
    # Only a file at the root (or a wheel's METADATA) counts: the project's README.
    root_only: bool = False
    # Code that generates this document when the application runs (``FastAPI(`` serves
    # its OpenAPI reference): a Python file containing one of these counts.
    generated_by: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentScope:
    """From ``rules/documentation.toml``: files that are not documentation even though
    they look like it, and what a documentation site's address looks like."""

    ignored: tuple[str, ...]
    docs_sites: tuple[str, ...]
    # The project's name, letters and digits only ("" when unknown).
    project: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentText:
    """What was read from one project document."""

    headings: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Located:
    """Where a kind of document was found: a file, and the external address it links to."""

    path: str
    url: str | None = None


def parse_kinds(table: Mapping[str, Mapping[str, object]]) -> tuple[DocumentKind, ...]:
    kinds = []
    for key, row in sorted(table.items()):
        kinds.append(
            DocumentKind(
                key=key,
                code=str(row["code"]),
                title=str(row["title"]),
                file_patterns=_strings(row.get("files")),
                heading_words=tuple(w.lower() for w in _strings(row.get("headings"))),
                link_words=tuple(w.lower() for w in _strings(row.get("links"))),
                docs_site=row.get("docs_site") is True,
                root_only=row.get("root_only") is True,
                generated_by=_strings(row.get("generated_by")),
            )
        )
    return tuple(kinds)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def is_document(path: str, scope: DocumentScope) -> bool:
    """Not code, not hidden, not ignored: a file whose name may say what document it is."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith(".") or matches_any(path, scope.ignored):
        return False
    return not name.lower().endswith(CODE_SUFFIXES)


def is_readable_document(path: str) -> bool:
    """A document whose headings and links are read: prose, or a wheel's METADATA."""
    name = path.rsplit("/", 1)[-1]
    return (
        name.lower().endswith(DOCUMENT_SUFFIXES)
        or ("." not in name and name.isupper())
        or bool(_WHEEL_METADATA.match(path))
    )


def generator_markers(kinds: Sequence[DocumentKind]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(marker for kind in kinds for marker in kind.generated_by))


def generated_by(kind: DocumentKind, generated: Mapping[str, tuple[str, ...]]) -> Located | None:
    """The first Python file holding code that generates this kind of document."""
    for path in sorted(generated):
        if any(marker in kind.generated_by for marker in generated[path]):
            return Located(path=path)
    return None


def project_folder(paths: Sequence[str]) -> str:
    """Where the project's own files start: the scan root, or its only folder when the root
    holds nothing else but packaging metadata (an unpacked wheel whose project sits in one
    folder, as ``pgadmin4/`` does). ``""`` for the root, else ``"folder/"``."""
    if any("/" not in path for path in paths):
        return ""
    folders = {path.split("/", 1)[0] for path in paths}
    own = {f for f in folders if not f.endswith((".dist-info", ".data", ".egg-info"))}
    return f"{own.pop()}/" if len(own) == 1 else ""


def is_project_document(path: str, folder: str = "") -> bool:
    """The README, a file at the project's root, or one under its ``docs/`` / ``doc/``."""
    if _WHEEL_METADATA.match(path):
        return True
    if not path.startswith(folder):
        return False
    inner = path[len(folder) :]
    return "/" not in inner or inner.startswith(("docs/", "doc/"))


def read_document(text: str) -> DocumentText:
    return DocumentText(headings=tuple(headings(text)), links=tuple(links(text)))


def headings(text: str) -> list[str]:
    """Markdown ATX headings and reStructuredText underlined titles outside code fences,
    lower-cased."""
    lines = text.splitlines()
    found = []
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        match = _MARKDOWN_HEADING.match(line)
        if match:
            found.append(match.group("title").lower())
        elif index > 0 and _is_rst_underline(line, lines[index - 1]):
            found.append(lines[index - 1].strip().lower())
    return found


def links(text: str) -> list[tuple[str, str]]:
    """(text, address) of every external link: Markdown, reST, HTML or a bare URL."""
    found = [
        (m.group("text").strip(), m.group("url"))
        for pattern in (_MARKDOWN_LINK, _RST_LINK, _HTML_LINK, _RST_TARGET, _PROJECT_URL)
        for m in pattern.finditer(text)
    ]
    # A bare address has no text of its own to say what it leads to.
    found.extend(("", m.group(0)) for m in _BARE_URL.finditer(text))
    return found


def _is_rst_underline(line: str, title: str) -> bool:
    return (
        bool(_RST_UNDERLINE.match(line))
        and bool(title.strip())
        and len(line.rstrip()) >= len(title.rstrip())
    )


def locate(
    kind: DocumentKind,
    documents: Sequence[str],
    texts: Mapping[str, DocumentText],
    scope: DocumentScope,
    folder: str = "",
) -> Located | None:
    """The first document that is (by name), holds (by heading) or links to this kind of
    document; ``documents`` are the scanned documents, ``texts`` the project documents read
    (``scope.project`` names the project, to tell its own links from other projects')."""
    for path in documents:
        if kind.root_only and not is_project_document(path, folder):
            continue
        if matches_any(path.lower(), kind.file_patterns) or (
            kind.root_only and _WHEEL_METADATA.match(path) and texts.get(path, _EMPTY).headings
        ):
            return Located(path=path)
    for path in sorted(texts):
        if any(word in h for h in texts[path].headings for word in kind.heading_words):
            return Located(path=path)
    for matcher in (_links_to_guide, _links_to_docs_site):
        for path in sorted(texts):
            for text, url in texts[path].links:
                if matcher(kind, text, url, scope):
                    return Located(path=path, url=url)
    return None


_EMPTY = DocumentText(headings=(), links=())


def _links_to_guide(kind: DocumentKind, text: str, url: str, scope: DocumentScope) -> bool:
    """The link's text names the guide, or its address does and is the project's own."""
    if any(word in text.lower() for word in kind.link_words):
        return True
    return _is_own(url, scope) and any(word in url.lower() for word in kind.link_words)


def _links_to_docs_site(kind: DocumentKind, text: str, url: str, scope: DocumentScope) -> bool:
    """A documentation site the text calls documentation, or the project's own."""
    if not kind.docs_site:
        return False
    address = url.lower().split("://", 1)[-1]
    if not any(fnmatchcase(address, p) for p in scope.docs_sites):
        return False
    return any(word in text.lower() for word in _DOCS_WORDS) or _is_own(url, scope)


def _is_own(url: str, scope: DocumentScope) -> bool:
    """The address names the project (``flaskbb.readthedocs.io`` for FlaskBB)."""
    return bool(scope.project) and scope.project in _letters(url)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def project_key(name: str | None) -> str:
    """A project's name as addresses spell it: ``changedetection.io`` -> ``changedetectionio``."""
    return _letters(name or "")
