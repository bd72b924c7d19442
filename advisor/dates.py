"""The dates advisor works on: a date given by the user, else SOURCE_DATE_EPOCH, else today in UTC."""

from __future__ import annotations

import datetime as _dt
import os

from .errors import InputError


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
