"""The library's front door: load, decide and describe, as the commands do."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from pathlib import Path

from .errors import InputError
from .rulepack import RulePack, load_pack


def load_rules(path: str | Path | None = None, extra: Sequence[str | Path] = ()) -> RulePack:
    """The pack at ``path`` (the default pack when None), with ``extra`` packs merged in."""
    pack = load_pack(path)
    for other in extra:
        pack = pack.merged(load_pack(other, base=pack))
    return pack


def decide(workload_path: str | Path, pack: RulePack | None = None, *, counterfactuals: bool = True):
    """Load a workload file and decide it (with the default pack unless one is given)."""
    from .engine import evaluate
    from .workload import load_workload

    pack = pack or load_rules()
    workload = load_workload(workload_path, pack.options)
    return evaluate(workload, pack, counterfactuals=counterfactuals)


def report_date(explicit: str | None = None) -> str | None:
    """The date to print on a report: ``explicit`` (YYYY-MM-DD), else SOURCE_DATE_EPOCH, else none."""
    if explicit:
        try:
            return _dt.date.fromisoformat(explicit).isoformat()
        except ValueError:
            raise InputError(f"'{explicit}' is not a date (YYYY-MM-DD)", field="--date") from None
    moment = source_date_epoch()
    return moment.date().isoformat() if moment else None


def source_date_epoch() -> _dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, or None when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        value = int(epoch)
        if value < 0:
            raise ValueError
        return _dt.datetime.fromtimestamp(value, _dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"'{epoch}' is not a Unix time", field="SOURCE_DATE_EPOCH") from None


def today(explicit: str | None = None) -> _dt.date:
    """The date a command works on: ``explicit``, else SOURCE_DATE_EPOCH, else today in UTC.

    UTC, so the same run gives the same answer whatever the machine's time zone.
    """
    stated = report_date(explicit)
    return _dt.date.fromisoformat(stated) if stated else _dt.datetime.now(_dt.UTC).date()


def repository_root(cwd: Path | None = None) -> Path:
    """The root of the repository holding ``cwd`` (the folder with ``.git``), else ``cwd`` itself."""
    from .discovery import folders_upwards

    cwd = (cwd or Path.cwd()).resolve()
    top = folders_upwards(cwd)[-1]
    return top if (top / ".git").exists() else cwd


def source_document(pack: RulePack) -> Path:
    """The file of the pack's source document (``source.document``, relative to the pack's
    file and inside its folder), checked to exist."""
    named = pack.source.get("document") or ""
    if not named:
        raise InputError("the rule pack names no source document", path=str(pack.path), field="source.document")
    folder = Path(pack.path).resolve().parent
    path = (folder / named).resolve()
    if not path.is_relative_to(folder):
        raise InputError(f"'{named}' is outside the rule pack's folder", path=str(pack.path), field="source.document")
    if not path.is_file():
        raise InputError(f"'{named}': no such file beside the rule pack", path=str(pack.path), field="source.document")
    return path
