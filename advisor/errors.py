"""The one exception hierarchy of advisor; each error carries its exit code."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text with control characters shown as escapes (\\x1b), so none reaches a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


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
            where = self.path if self.line is None else f"{self.path}:{self.line}"
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
