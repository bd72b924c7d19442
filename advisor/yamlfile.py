"""Reading YAML or JSON documents safely, remembering the line of every key.

Every file advisor reads (workloads, rule packs, policies) comes through here, so
size limits, encoding checks, alias bombs and duplicate keys are handled once.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import AdvisorError, InputError
from .files import NotRegular, read_regular

MAX_BYTES = 1024 * 1024

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed document: its data, where it came from, and the line of each key."""

    data: Any
    source: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest known key along ``path`` (1-based), if any."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases (no alias bombs) and duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _Refused("YAML aliases (*name) are not allowed", event.start_mark.line + 1)
        return Composer.compose_node(self, parent, index)


    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:  # a date the calendar does not have, such as 2025-02-30
            raise _Refused(f"'{node.value}' is not a valid date ({exc})", node.start_mark.line + 1) from None


    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # Python refuses to read more than 4,300 decimal digits
            raise _Refused(f"'{cut(node.value)}' is too long a number", node.start_mark.line + 1) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_text(path: str | Path, error: type[AdvisorError] = InputError) -> tuple[str, str]:
    """Read a UTF-8 text file (``-`` is standard input) of at most 1 MiB.

    Only a regular file is read: a FIFO or a device is refused, never waited on.

    Returns ``(text, source name)``.
    """
    source = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            raw = read_regular(path, MAX_BYTES)
    except NotRegular as exc:
        raise error("is a folder, not a file" if exc.kind == "a folder" else str(exc), path=source) from None
    except FileNotFoundError:
        raise error("no such file", path=source) from None
    except PermissionError:
        raise error("permission denied", path=source) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", path=source) from None
    if len(raw) > MAX_BYTES:
        raise error(f"file is larger than {MAX_BYTES // 1024} KiB", path=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            path=source,
            line=line,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, source


def parse(text: str, source: str, error: type[AdvisorError] = InputError) -> Document:
    """Parse YAML (JSON is YAML too) into a :class:`Document` with key lines."""
    if "\x00" in text:
        raise error("contains NUL bytes; not a text file", path=source)
    if _CLoader is not None and _fast_path_safe(text):
        doc = _one_pass(text, source)
        if doc is not None:
            return doc
        try:
            return _compose(_CLoader(text), source, error)
        except (yaml.YAMLError, RecursionError, ValueError):
            pass  # libyaml words its errors its own way: the pure loader below reports them
    try:
        return _compose(_Loader(text), source, error)
    except _Refused as exc:
        raise error(exc.message, path=source, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise error(f"invalid YAML: {what}", path=source, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", path=source) from None
    except RecursionError:
        raise error("nested too deeply", path=source) from None
    except ValueError as exc:  # a value its type cannot hold, such as the date 2025-02-30
        raise error(f"invalid value: {exc}", path=source) from None


def _compose(loader: Any, source: str, error: type[AdvisorError]) -> Document:
    try:
        node = loader.get_single_node()
        if node is None:
            raise error("is empty", path=source)
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        _collect_lines(node, (), lines, source, error)
        data = loader.construct_document(node)
        if data is None:  # "---" or "~" alone: a document with nothing in it
            raise error("is empty", path=source)
    finally:
        loader.dispose()
    return Document(data=data, source=source, lines=lines)


# libyaml (PyYAML's C loader) parses about ten times faster, which matters when a check
# reads thousands of files. It is used only where it was not seen to differ from the pure
# loader (a randomised comparison in the tests keeps watch): no '*' (so no alias to
# refuse), no tab and no tag, a small file with little flow nesting (its composer recurses
# in C, unguarded), and no character the pure reader refuses. Any error it raises is left
# to the pure loader, so messages stay the same.
_CLoader = getattr(yaml, "CSafeLoader", None)
_FAST_MAX_CHARS = 64 * 1024
_FAST_MAX_FLOW = 256
_BLOCK_THEN_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _fast_path_safe(text: str) -> bool:
    return (
        "*" not in text
        and "\t" not in text  # libyaml accepts tabs where the pure scanner refuses them
        and "!" not in text  # and reads an empty tag ("key: !") differently
        and "`" not in text  # and lets a reserved indicator through in places
        and not _BLOCK_THEN_COMMENT.search(text)  # and a comment glued to "|" or ">"
        and len(text) <= _FAST_MAX_CHARS
        and text.count("[") + text.count("{") <= _FAST_MAX_FLOW
        and not yaml.reader.Reader.NON_PRINTABLE.search(text)
    )


# Most workload files hold only mappings, lists, strings, booleans and nulls. Those are read
# in one pass over libyaml's events that builds the data and the key lines together, as
# the composer and constructor would (same resolution of plain values, same containers).
# Anything else, and anything to refuse (a duplicate key, a key that is not a plain value,
# an empty or second document), returns None: the composing loaders then decide, so
# values and messages stay exactly theirs.
_CParser = getattr(getattr(yaml, "_yaml", None), "CParser", None)
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_WILDCARD = _IMPLICIT.get(None, [])
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_BOOLS = yaml.constructor.SafeConstructor.bool_values
_PLAIN_KEPT = 4096
_plain_cache: dict[str, Any] = {}
_OTHER = object()  # a plain value of another type (a number, a date, a merge key, ...)


def _plain(value: str) -> Any:
    """A plain scalar as the safe constructor reads it, or _OTHER."""
    found = _plain_cache.get(value, _plain_cache)
    if found is not _plain_cache:
        return found
    found = value
    for tag, regexp in _IMPLICIT.get(value[:1], []) + _WILDCARD:
        if regexp.match(value):
            found = _BOOLS[value.lower()] if tag == _BOOL else None if tag == _NULL else _OTHER
            break
    if len(_plain_cache) >= _PLAIN_KEPT:
        _plain_cache.clear()
    _plain_cache[value] = found
    return found


def _one_pass(text: str, source: str) -> Document | None:
    """The document read in one pass over libyaml's events, or None to leave it to the composers."""
    parser = _CParser(text)
    try:
        get = parser.get_event
        get()  # the stream's start
        return _walk_events(get, source) if type(get()) is DocumentStartEvent else None
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


def _walk_events(get: Any, source: str) -> Document | None:
    """The document from its events after its start (``get`` gives the next), or None."""
    lines: dict[Path_, int] = {}
    root: Any = _OTHER
    # Each open container: [container, its path, the raw keys seen (None in a list),
    # the pending key as written (None when none is pending), and as read].
    stack: list[list[Any]] = []
    while True:
        event = get()
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            if not stack:
                break
            continue
        if kind is not ScalarEvent and kind is not MappingStartEvent and kind is not SequenceStartEvent:
            return None  # an alias: the pure loader refuses it
        line = event.start_mark.line + 1
        if stack:
            frame = stack[-1]
            container, path, seen, raw = frame[0], frame[1], frame[2], frame[3]
            if seen is not None and raw is None:  # a key
                if kind is not ScalarEvent or event.value in seen:
                    return None
                key = _plain(event.value) if event.implicit[0] else event.value
                if key is _OTHER:
                    return None
                seen.add(event.value)
                frame[3], frame[4] = event.value, key
                lines[path + (event.value,)] = line
                continue
            path = path + ((raw,) if seen is not None else (len(container),))
            if seen is None:
                lines[path] = line
        else:
            path = ()
            lines[()] = line
        if kind is ScalarEvent:
            value = _plain(event.value) if event.implicit[0] else event.value
            if value is _OTHER or (type(value) is bool and event.value.lower() not in ("true", "false")):
                return None  # yes/no/on/off: the composers refuse them with their line
        else:
            value = {} if kind is MappingStartEvent else []
        if stack:
            frame = stack[-1]
            if frame[2] is None:
                container.append(value)
            else:
                container[frame[4]] = value
                frame[3] = None
        else:
            root = value
        if kind is not ScalarEvent:
            stack.append([value, path, set() if kind is MappingStartEvent else None, None, None])
        elif not stack:
            break
    if root is None or type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        return None  # an empty document, or a second one
    return Document(data=root, source=source, lines=lines)


def load(path: str | Path, error: type[AdvisorError] = InputError) -> Document:
    """Read and parse one file (``-`` is standard input)."""
    text, source = read_text(path, error)
    return parse(text, source, error)


def _collect_lines(node: Node, path: Path_, lines: dict[Path_, int], source: str, error: type[AdvisorError]) -> None:
    if isinstance(node, MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise error("a mapping key must be a plain value", path=source, line=key_node.start_mark.line + 1)
            key = key_node.value
            if key in seen:
                raise error(f"duplicate key '{cut(key)}'", path=source, line=key_node.start_mark.line + 1)
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _refuse_yaml11_bool(value_node, path + (key,), source, error)
            _collect_lines(value_node, path + (key,), lines, source, error)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _refuse_yaml11_bool(item, path + (index,), source, error)
            _collect_lines(item, path + (index,), lines, source, error)


def _refuse_yaml11_bool(node: Node, path: Path_, source: str, error: type[AdvisorError]) -> None:
    """Refuse yes/no/on/off as a value: YAML 1.1 (PyYAML) reads them as booleans, YAML 1.2
    (editors, JSON Schema tools) as text, so the same file would mean two things."""
    if node.tag == "tag:yaml.org,2002:bool" and not node.style and node.value.lower() not in ("true", "false"):
        raise error(
            f"'{node.value}' is a boolean to YAML 1.1 (advisor) but text to YAML 1.2 (editors); "
            "write true or false, or quote it",
            path=source,
            line=node.start_mark.line + 1,
            field=".".join(str(p) for p in path),
        )


def cut(text: str, limit: int = 60) -> str:
    """Text cut to about ``limit`` characters, for a message that echoes it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: Any) -> str:
    """A short name for the kind of a parsed value, for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):  # !!omap and !!pairs are lists of pairs
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, _dt.datetime):
        return "a date and time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, (bytes, bytearray)):
        return "binary data (!!binary)"
    if isinstance(value, (set, frozenset)):
        return "a set (!!set)"
    if isinstance(value, str):
        return "a string"
    return f"a value of type {type(value).__name__}"


def is_plain_scalar(value: Any) -> bool:
    """Whether YAML read an unquoted scalar as something other than text (a number, a
    boolean, a date), which quoting would keep as text."""
    return isinstance(value, (bool, int, float, _dt.date))
