"""The one exception hierarchy of advisor; each error carries its exit code."""

from __future__ import annotations

import re

# Control characters (a line break and a tab excepted) and lone surrogates: these last are
# what Python makes of bytes that are not UTF-8 in a file name, and no output can encode them.
# Compiled on first use (a class of surrogates costs a start-up a quarter of a millisecond
# each), and only for text that is not printable: printable text has neither.
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
_PATH_CONTROL = r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]"


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Text with control characters shown as escapes (\\x1b), so none reaches a terminal,
    and lone surrogates too (\\udc80 as the byte \\x80 it stands for), so it can be printed."""
    return text if text.isprintable() else re.sub(_CONTROL, _escape, text)


def visible_path(path: str) -> str:
    """A path as shown in messages and line-per-item output: like :func:`visible`, and line
    breaks and tabs escaped as well, since a path is never spread over lines."""
    return path if path.isprintable() else re.sub(_PATH_CONTROL, _escape, path)


class AdvisorError(Exception):
    """A problem advisor reports to its user in one line, then exits."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            shown = visible_path(self.path)
            where = shown if self.line is None else f"{shown}:{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return visible(f"{where}{field}{self.message}").replace("\n", " ")


class InputError(AdvisorError):
    """A workload file (or other user input) that cannot be read or is invalid."""


class RulePackError(AdvisorError):
    """A rule pack that cannot be read, is invalid, or cannot be compiled."""


class TemplateError(AdvisorError):
    """A report template that is missing, broken or tries to escape its sandbox."""


class PolicyError(AdvisorError):
    """A policy file that cannot be read or is invalid."""


class OutputError(AdvisorError):
    """An output file or folder that cannot be written."""


class EngineError(AdvisorError):
    """The rules engine refused or failed an evaluation."""
