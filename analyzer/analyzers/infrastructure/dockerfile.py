"""A hand-written Dockerfile reader: logical instructions with their lines, and stages.

It follows the Dockerfile reference: the ``# escape=`` parser directive, line
continuations (comment lines inside a continuation are dropped), heredocs
(``RUN <<EOF ... EOF``) and ``FROM image [AS name]`` stages. It never rejects a file: an
unknown instruction is kept as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"^#\s*(\w+)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"(?<!<)<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Instruction:
    keyword: str
    arguments: str
    line: int
    end_line: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Stage:
    index: int
    image: str
    name: str | None
    line: int
    instructions: tuple[Instruction, ...]

    @property
    def last_line(self) -> int:
        return self.instructions[-1].line if self.instructions else self.line


@dataclass(frozen=True, kw_only=True, slots=True)
class Dockerfile:
    global_args: tuple[Instruction, ...]
    stages: tuple[Stage, ...]


def parse_dockerfile(text: str) -> Dockerfile:
    instructions = read_instructions(text)
    global_args: list[Instruction] = []
    stages: list[Stage] = []
    current: list[Instruction] = []
    header: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if header is not None:
                stages.append(_stage(len(stages), header, current))
            header, current = instruction, []
        elif header is None:
            if instruction.keyword == "ARG":
                global_args.append(instruction)
        else:
            current.append(instruction)
    if header is not None:
        stages.append(_stage(len(stages), header, current))
    return Dockerfile(global_args=tuple(global_args), stages=tuple(stages))


def _stage(index: int, header: Instruction, body: list[Instruction]) -> Stage:
    words = [w for w in header.arguments.split() if not w.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return Stage(index=index, image=image, name=name, line=header.line, instructions=tuple(body))


def read_instructions(text: str) -> list[Instruction]:
    lines = text.splitlines()
    escape = _escape_character(lines)
    instructions: list[Instruction] = []
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start = index
        parts, index = _join_continuation(lines, index, escape)
        logical = " ".join(parts)
        keyword, _, arguments = logical.partition(" ")
        heredoc_body = ""
        if keyword.upper() in _HEREDOC_INSTRUCTIONS:
            heredoc_body, index = _read_heredocs(lines, index, arguments)
        instructions.append(
            Instruction(
                keyword=keyword.upper(),
                arguments=(arguments.strip() + heredoc_body).strip(),
                line=start + 1,
                end_line=index,
            )
        )
    return instructions


def _escape_character(lines: list[str]) -> str:
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            return match.group(2)
    return "\\"


def _join_continuation(lines: list[str], index: int, escape: str) -> tuple[list[str], int]:
    """The pieces of one logical line starting at ``index``, and the index after it."""
    parts: list[str] = []
    while index < len(lines):
        line = lines[index].rstrip()
        index += 1
        if parts and line.lstrip().startswith("#"):
            continue
        if line.endswith(escape):
            parts.append(line[:-1].strip())
            continue
        parts.append(line.strip())
        break
    return [p for p in parts if p], index


def _read_heredocs(lines: list[str], index: int, arguments: str) -> tuple[str, int]:
    """Consume the bodies of heredocs opened on the instruction line; return them joined."""
    body: list[str] = []
    for match in _HEREDOC.finditer(arguments):
        strip_tabs, delimiter = match.group(1) == "-", match.group(3)
        while index < len(lines):
            line = lines[index]
            index += 1
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
            body.append(line)
    return ("\n" + "\n".join(body)) if body else "", index
