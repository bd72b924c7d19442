"""Superseding an Architecture Decision Record: its status changed in place, nothing else.

The old record is rewritten atomically, byte for byte as it was (line endings and a
leading byte order mark included) except for its status lines.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .files import write_atomic
from .yamlfile import read_text

_FRONT_STATUS = re.compile(r"status[ \t]*:", re.IGNORECASE)
_BULLET_STATUS = re.compile(r"([-*+][ \t]+status[ \t]*:[ \t]*)", re.IGNORECASE)
_STATUS_WORD = re.compile(r"[A-Za-z]+\.?")


@dataclass(frozen=True)
class Link:
    """Another record a new one points at (or is pointed at by)."""

    number: int
    file: str
    title: str

    @property
    def slug(self) -> str:
        """The file name without ``.md``."""
        return self.file[: -len(".md")] if self.file.endswith(".md") else self.file


def record_title(path: Path) -> str:
    """A record's title: its first ``# `` line (or its file name)."""
    for line in _read(path).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.name


def link_to(number: int, path: Path) -> Link:
    """A link to record ``number`` at ``path``, titled as adr-tools titles links: ``N. Title``
    (a MADR record's heading has no number, so it is put in front)."""
    title = record_title(path)
    if not title.startswith(f"{number}. "):
        title = f"{number}. {title}"
    return Link(number, path.name, title)


def check_supersedable(path: Path) -> None:
    """Raise the InputError :func:`supersede` would, without writing anything."""
    mark_superseded(_read(path), Link(0, "0000-check.md", "check"), str(path))


def supersede(path: Path, new: Link) -> None:
    """Mark the record at ``path`` superseded by ``new``, rewriting the file atomically."""
    text = mark_superseded(_read(path), new, str(path))
    with open(path, "rb") as fh:  # read_text drops a byte order mark; put it back
        bom = "\ufeff" if fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else ""
    write_atomic(path, bom + text)


def _read(path: Path) -> str:
    # read_text decodes the bytes as they are: "\r\n" stays "\r\n"
    return read_text(path, InputError)[0]


def mark_superseded(text: str, new: Link, path: str = "") -> str:
    """``text`` of a record with its status changed to superseded by ``new``; nothing else changes.

    MADR: the front matter's ``status:`` and the ``- Status:`` line before the first
    ``##`` heading. Nygard (adr-tools): the status word in the ``## Status`` section (a
    ``Superseded by`` line is added there when it has no status word).
    """
    lines = text.splitlines(keepends=True)
    link = f"[{new.slug}]({new.file})"
    changed = False
    body = 0
    if lines and lines[0].rstrip("\r\n") == "---":
        for i in range(1, len(lines)):
            content = lines[i].rstrip("\r\n")
            if content == "---":
                body = i + 1
                break
            if _FRONT_STATUS.match(content):
                lines[i] = f'status: "superseded by {link}"{_ending(lines[i])}'
                changed = True
    for i in range(body, len(lines)):
        if lines[i].startswith("## "):
            break
        match = _BULLET_STATUS.match(lines[i])
        if match:
            lines[i] = f"{match.group(1)}superseded by {link}{_ending(lines[i])}"
            changed = True
            break
    if not changed:
        changed = _supersede_status_section(lines, new)
    if not changed:
        raise InputError(
            "has no status to mark superseded (no front matter 'status:', '- Status:' line or '## Status' section)",
            path=path or None,
        )
    return "".join(lines)


def _supersede_status_section(lines: list[str], new: Link) -> bool:
    """Edit the Nygard ``## Status`` section in place; False when there is none."""
    start = next((i for i, line in enumerate(lines) if line.rstrip("\r\n").rstrip() == "## Status"), None)
    if start is None:
        return False
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    entry = f"Superseded by [{new.title}]({new.file})"
    ending = _ending(lines[start]) or "\n"
    for i in range(start + 1, end):
        if _STATUS_WORD.fullmatch(lines[i].strip()):
            lines[i] = entry + (_ending(lines[i]) or ending)
            return True
    last = max((i for i in range(start, end) if lines[i].strip()), default=start)
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += ending
    lines.insert(last + 1, ending + entry + ending)
    return True


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]
