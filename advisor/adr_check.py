"""What an ADR says about `advisor check`: the command that confirms the record, and what
that command does today, found by running the check itself on the workload file."""

from __future__ import annotations

import shlex
from pathlib import Path

from .errors import AdvisorError
from .files import display_path
from .record import CheckForecast


def for_record(
    workload_path: str, shown: str | None, rules_path: str | None, start: Path
) -> tuple[str | None, CheckForecast | None]:
    """The check command and its forecast for a record of ``workload_path`` (shown as ``shown``;
    None for standard input, which no check can read again)."""
    if shown is None:
        return None, None
    return check_command(shown, rules_path, start), forecast(workload_path, rules_path, start)


def check_command(shown_workload: str, rules_path: str | None, start: Path) -> str:
    """The `advisor check` command line for the record: the workload file and the ``--rules``
    it was decided with, each quoted for a POSIX shell."""
    words = ["advisor", "check"]
    if rules_path:
        rules = rules_path
        if Path(start, rules_path).is_file():
            rules = display_path(rules_path, start)
        words += ["--rules", rules]
    words.append(shown_workload)
    return " ".join(shlex.quote(w) for w in words)


def forecast(workload_path: str, rules_path: str | None, start: Path) -> CheckForecast | None:
    """What `advisor check` says of the workload file when run in ``start`` with these rules
    (None when the check cannot judge it: its policy or the file is in error)."""
    from .check import run_check

    try:
        result = run_check([workload_path], rules_path=rules_path, cwd=start)
    except AdvisorError:
        return None
    if len(result.results) != 1 or result.results[0].verdict == "error":
        return None
    verdict = result.results[0]
    return CheckForecast(
        verdict.verdict, verdict.finding, verdict.declared, verdict.loss, result.policy.margin, result.exit_code
    )
