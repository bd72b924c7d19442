"""The record model: what an ADR template is given besides the decision's own report context.

It lives apart from :mod:`advisor.adr` (which numbers, writes and supersedes records)
so that the renderers can import it without importing the writer.
"""

from __future__ import annotations

from dataclasses import dataclass

from .adr_supersede import Link
from .decision_model import Decision


@dataclass(frozen=True)
class CheckForecast:
    """The check's verdict on the recorded workload file, under the policy found where the record is made."""

    verdict: str
    finding: str | None
    declared: str | None
    loss: int | None
    margin: int
    exit_code: int


@dataclass(frozen=True)
class Draft:
    """An ADR about to be rendered: its decision, number, title, status, date and file name."""

    decision: Decision
    number: int
    title: str
    status: str
    date: str
    file: str
    workload_path: str | None
    supersedes: Link | None = None
    # The `advisor check` command line for the record and what that check says today.
    check_command: str | None = None
    check: CheckForecast | None = None
