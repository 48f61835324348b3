"""Where vulture saw a definition: the classes and functions around it. Plain data, kept
apart from the recorder so the whitelists (and the per-file facts) need no vulture import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True, kw_only=True, slots=True)
class Frame:
    """A class or function enclosing a definition (or the definition itself)."""

    kind: Literal["class", "function"]
    name: str
    # Dotted names of the bases as written (``models.Model``); classes only.
    bases: tuple[str, ...]
    # As vulture spells them, ``@app.route``: what ``ignore_decorators`` patterns match.
    decorators: tuple[str, ...]
    # Parameter name -> dotted names of the calls in its default or annotation
    # (``user=Depends(current_user)`` -> ``("Depends",)``); functions only.
    parameter_calls: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    """Where one vulture item was defined. For a class or function item the last frame is
    the item itself."""

    frames: tuple[Frame, ...]
    is_parameter: bool


ItemKey = tuple[str, int, str, str]  # (file, first line, name, vulture type)


def item_key(item: Any) -> ItemKey:
    """The key of a vulture ``Item``."""
    return (item.filename.as_posix(), int(item.first_lineno), str(item.name), str(item.typ))
