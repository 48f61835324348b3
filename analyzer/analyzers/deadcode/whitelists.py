"""Why an unused item is not dead code: vulture's own ignore settings, or a framework
whitelist from ``rules/vulture.toml``.

Each whitelist describes, as data, definitions a framework calls or reads by convention
(Alembic's ``upgrade``, a Django model's fields, a DRF serializer's ``validate_*``). It
applies only when the project uses the framework (imports it, or declares it as a
dependency). Every criterion a whitelist gives must hold; the globs are fnmatch patterns,
matched as vulture matches its own settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from typing import Any

from analyzer.analyzers.deadcode.context import Context, Frame
from analyzer.discover import matches_any

MAX_BASE_DEPTH = 8


class WhitelistError(ValueError):
    """A whitelist in the settings cannot be used."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Whitelist:
    key: str
    version: int
    title: str
    # The project uses the framework: it imports one of these top-level modules, or
    # declares one of them (a distribution name) as a dependency.
    uses: tuple[str, ...]
    enabled: bool = True
    # Criteria on the item; an empty one is not checked.
    files: tuple[str, ...] = ()
    file_imports: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    # The item (a class or function) has one of these decorators, as vulture spells them.
    decorators: tuple[str, ...] = ()
    # The item is a class deriving (through the project's classes too) from one of these.
    bases: tuple[str, ...] = ()
    # The item sits in the body of a class (or of a class nested in it, like a Meta)
    # deriving from one of these.
    class_bases: tuple[str, ...] = ()
    # The class whose body holds the item is named like this (``Meta``, ``Config``).
    class_names: tuple[str, ...] = ()
    # The item is a parameter of a function with one of these decorators.
    function_decorators: tuple[str, ...] = ()
    # The item is a parameter of a function named like this (``pytest_*`` hooks).
    function_names: tuple[str, ...] = ()
    # The item is a parameter whose default or annotation calls one of these.
    parameter_calls: tuple[str, ...] = ()
    # True: the item is a function parameter; False: it is not.
    parameter: bool | None = None
    # True: defined at module level.
    module_level: bool | None = None
    # True: a dotted-path string in the project names the item (``"app.auth.Backend"``).
    named_in_strings: bool | None = None


_LISTS = tuple(f.name for f in fields(Whitelist) if f.type == "tuple[str, ...]")
_FLAGS = ("enabled", "parameter", "module_level", "named_in_strings")
# ``valid``/``invalid``: samples kept next to the whitelist; tests run them, the parser skips them.
_KNOWN = {*_LISTS, *_FLAGS, "version", "title", "valid", "invalid"}


def parse_whitelists(table: Mapping[str, Any]) -> tuple[Whitelist, ...]:
    """Validate ``[settings.whitelists]``; an unknown key or a bad value raises."""
    result = []
    for key, body in sorted(table.items()):
        if not isinstance(body, Mapping):
            raise WhitelistError(f"whitelists.{key} must be a table")
        unknown = sorted(set(body) - _KNOWN)
        if unknown:
            raise WhitelistError(f"whitelists.{key}: unknown key(s) {', '.join(unknown)}")
        values: dict[str, Any] = {name: _strings(key, name, body.get(name, [])) for name in _LISTS}
        for name in _FLAGS:
            flag = body.get(name)
            if flag is not None and not isinstance(flag, bool):
                raise WhitelistError(f"whitelists.{key}.{name} must be true or false")
            if flag is not None:
                values[name] = flag
        version, title = body.get("version"), body.get("title")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise WhitelistError(f"whitelists.{key}.version must be a whole number of at least 1")
        if not isinstance(title, str) or not title:
            raise WhitelistError(f"whitelists.{key}.title must be a non-empty string")
        result.append(Whitelist(key=key, version=version, title=title, **values))
    return tuple(result)


def _strings(key: str, name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise WhitelistError(f"whitelists.{key}.{name} must be a list of strings")
    return tuple(value)


def active_whitelists(
    whitelists: Iterable[Whitelist], used: frozenset[str]
) -> tuple[Whitelist, ...]:
    """The enabled whitelists of frameworks the project uses (normalized names); one with
    no ``uses`` describes Python itself and always applies."""
    return tuple(
        w
        for w in whitelists
        if w.enabled and (not w.uses or any(normalize(u) in used for u in w.uses))
    )


def normalize(name: str) -> str:
    """Distribution and module names compared alike: ``Flask-SQLAlchemy`` = ``flask_sqlalchemy``."""
    return name.strip().lower().replace("-", "_").replace(".", "_")


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    """What a whitelist is matched against: one vulture item and where it was defined."""

    path: str
    name: str
    typ: str
    context: Context
    file_imports: frozenset[str]
    # A dotted-path string in the project names it.
    named_in_string: bool = False


class BaseIndex:
    """Every base a class has, following classes defined in the project by name."""

    def __init__(self, written: Mapping[str, Iterable[str]]) -> None:
        self._written = {name: tuple(sorted(bases)) for name, bases in written.items()}
        self._memo: dict[tuple[str, ...], tuple[str, ...]] = {}

    def expand(self, bases: tuple[str, ...]) -> tuple[str, ...]:
        cached = self._memo.get(bases)
        if cached is not None:
            return cached
        found = list(dict.fromkeys(bases))
        pending = list(found)
        for _ in range(MAX_BASE_DEPTH):
            following = []
            for base in pending:
                for parent in self._written.get(base.rsplit(".", 1)[-1], ()):
                    if parent not in found:
                        found.append(parent)
                        following.append(parent)
            pending = following
        self._memo[bases] = tuple(found)
        return self._memo[bases]


def _any_match(names: Iterable[str], patterns: tuple[str, ...]) -> bool:
    """A dotted name matches a pattern as written or by its last part (``models.Model``
    matches ``Model`` and ``models.Model``)."""
    return any(
        fnmatchcase(name, p) or fnmatchcase(name.rsplit(".", 1)[-1], p)
        for name in names
        for p in patterns
    )


def matches(whitelist: Whitelist, item: Item, bases: BaseIndex) -> bool:
    """Every criterion the whitelist gives holds for the item (cheapest checked first)."""
    frames = item.context.frames
    own = frames[-1] if frames and item.typ in _DEFINITION_TYPES else None
    around = frames[:-1] if own is not None else frames
    if not _flags_hold(whitelist, item, around):
        return False
    if whitelist.types and item.typ not in whitelist.types:
        return False
    if whitelist.names and not any(fnmatchcase(item.name, p) for p in whitelist.names):
        return False
    if whitelist.files and not matches_any(item.path, whitelist.files):
        return False
    if whitelist.file_imports and not _imports_any(item.file_imports, whitelist.file_imports):
        return False
    if whitelist.decorators and not (
        own is not None
        and any(fnmatchcase(d, p) for d in own.decorators for p in whitelist.decorators)
    ):
        return False
    if whitelist.bases and not (
        own is not None
        and own.kind == "class"
        and _any_match(bases.expand(own.bases), whitelist.bases)
    ):
        return False
    return _enclosing_hold(whitelist, item, around, bases)


def _flags_hold(whitelist: Whitelist, item: Item, around: tuple[Frame, ...]) -> bool:
    if whitelist.parameter is not None and item.context.is_parameter != whitelist.parameter:
        return False
    if (
        whitelist.named_in_strings is not None
        and item.named_in_string != whitelist.named_in_strings
    ):
        return False
    return whitelist.module_level is None or (not around) == whitelist.module_level


def _enclosing_hold(
    whitelist: Whitelist, item: Item, around: tuple[Frame, ...], bases: BaseIndex
) -> bool:
    """The criteria about the classes and the function around the item."""
    body = _class_body(around)
    if whitelist.class_names and not any(
        fnmatchcase(f.name, p) for f in body[-1:] for p in whitelist.class_names
    ):
        return False
    if whitelist.class_bases and not _any_match(
        (b for f in body for b in bases.expand(f.bases)), whitelist.class_bases
    ):
        return False
    owner = _parameter_owner(item, around)
    if whitelist.function_decorators and not any(
        fnmatchcase(d, p) for d in owner.decorators for p in whitelist.function_decorators
    ):
        return False
    if whitelist.function_names and not any(
        fnmatchcase(owner.name, p) for p in whitelist.function_names
    ):
        return False
    calls = dict(owner.parameter_calls).get(item.name, ())
    return not whitelist.parameter_calls or _any_match(calls, whitelist.parameter_calls)


_DEFINITION_TYPES = frozenset({"class", "function", "method", "property"})


def _class_body(around: tuple[Frame, ...]) -> tuple[Frame, ...]:
    """The classes whose bodies directly hold the item, outermost first: the innermost
    run of class frames, stopping at the first function."""
    run: list[Frame] = []
    for frame in reversed(around):
        if frame.kind != "class":
            break
        run.append(frame)
    return tuple(reversed(run))


def _imports_any(imported: frozenset[str], modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(f"{m}.") for name in imported for m in modules)


_NO_FUNCTION = Frame(kind="function", name="", bases=(), decorators=())


def _parameter_owner(item: Item, around: tuple[Frame, ...]) -> Frame:
    """The function the item is a parameter of (a blank frame when it is not one)."""
    if not item.context.is_parameter or not around or around[-1].kind != "function":
        return _NO_FUNCTION
    return around[-1]


class Classifier:
    """Decides, for one project, why an unused item is not dead code (or that it is)."""

    def __init__(
        self,
        *,
        whitelists: tuple[Whitelist, ...],
        ignore_decorators: tuple[str, ...],
        ignore_names: tuple[str, ...],
        bases: BaseIndex,
    ) -> None:
        self._whitelists = whitelists
        self._ignore_decorators = ignore_decorators
        self._ignore_names = ignore_names
        self._bases = bases

    def reason(self, item: Item) -> str | None:
        """What sets the item aside, in words naming the setting or whitelist; None when
        nothing does. A parameter goes with the function it belongs to."""
        own = self._own_reason(item)
        if own is not None or not item.context.is_parameter:
            return own
        owner = _owner_of(item)
        owner_reason = None if owner is None else self._own_reason(owner)
        if owner is None or owner_reason is None:
            return None
        return f"{owner_reason}: a parameter of {owner.name}"

    def _own_reason(self, item: Item) -> str | None:
        reason = ignored_by_settings(item, self._ignore_decorators, self._ignore_names)
        if reason is not None:
            return reason
        whitelist = next((w for w in self._whitelists if matches(w, item, self._bases)), None)
        return None if whitelist is None else describe(whitelist)


def _owner_of(item: Item) -> Item | None:
    """The function a parameter belongs to, as vulture would type it."""
    frames = item.context.frames
    if not frames or frames[-1].kind != "function":
        return None
    owner = frames[-1]
    in_class = len(frames) > 1 and frames[-2].kind == "class"
    typ = "property" if "@property" in owner.decorators else "method" if in_class else "function"
    return Item(
        path=item.path,
        name=owner.name,
        typ=typ,
        context=Context(frames=frames, is_parameter=False),
        file_imports=item.file_imports,
    )


def ignored_by_settings(
    item: Item, ignore_decorators: tuple[str, ...], ignore_names: tuple[str, ...]
) -> str | None:
    """Why vulture's own ``ignore_decorators`` / ``ignore_names`` would have left the item
    out, in the words of those settings; None when they would not."""
    frames = item.context.frames
    if item.typ in _DEFINITION_TYPES and frames:
        for decorator in frames[-1].decorators:
            pattern = next((p for p in ignore_decorators if fnmatchcase(decorator, p)), None)
            if pattern is not None:
                return f"ignore_decorators {pattern} ({decorator})"
    pattern = next((p for p in ignore_names if fnmatchcase(item.name, p)), None)
    return None if pattern is None else f"ignore_names {pattern}"


def describe(whitelist: Whitelist) -> str:
    return f"whitelist {whitelist.key} v{whitelist.version} ({whitelist.title})"
