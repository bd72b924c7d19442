"""A baseline for ``advisor check``: an earlier ``--format json`` result, against which only
new or worse findings fail.

A finding is a failing workload. It is known when the baseline holds the same workload
(matched by its name and its file's path together, never by the path alone) failing with
the same recommendation; it is new when the workload passed then, was not there, or is now
advised otherwise. Known findings are reported, not failed; a baseline finding that no
longer fails is reported as fixed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from .errors import InputError
from .files import NotRegular, read_regular

# A baseline of a large fleet is far larger than a workload file; still refuse the absurd.
MAX_BYTES = 512 * 1024 * 1024
_VERDICTS = ("pass", "warn", "fail", "unchecked", "error")


class FindingRef(BaseModel):
    """One workload of a baseline comparison: its name and file."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    workload: str | None
    path: str


class BaselineView(BaseModel):
    """How a check compares with its baseline: the failing workloads that are new (or
    worse), those already failing in the baseline, and the baseline's failures now gone."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    source: str
    new: list[FindingRef]
    known: list[FindingRef]
    fixed: list[FindingRef]


@dataclass(frozen=True)
class _Entry:
    verdict: str
    advice: tuple[str | None, tuple[str, ...]]  # the recommendation, and the tie when there is none


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline: each workload's verdict and advice, by (name, path)."""

    source: str
    entries: dict[tuple[str | None, str], _Entry]


def load_baseline(path: str | Path) -> Baseline:
    """Read an earlier ``advisor check --format json`` output; anything else is an InputError naming the file."""
    source = str(path)
    try:
        raw = read_regular(path, MAX_BYTES)  # never blocks on a FIFO, never reads a device
    except FileNotFoundError:
        raise InputError("no such baseline file", path=source) from None
    except NotRegular as exc:
        message = "is a folder, not a baseline file" if exc.kind == "a folder" else str(exc)
        raise InputError(message, path=source) from None
    except OSError as exc:
        raise InputError(f"cannot read the baseline: {exc.strerror or exc}", path=source) from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"baseline is larger than {MAX_BYTES // (1024 * 1024)} MiB", path=source)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not a baseline: not UTF-8 text", path=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not a baseline: invalid JSON ({exc.msg})", path=source, line=exc.lineno) from None
    except RecursionError:
        raise InputError("not a baseline: nested too deeply", path=source) from None
    except ValueError:  # past the JSON syntax: a number of more digits than Python converts
        raise InputError("not a baseline: a number too long to read", path=source) from None
    return Baseline(source=source, entries=_entries(data, source))


def _entries(data: Any, source: str) -> dict[tuple[str | None, str], _Entry]:
    def refuse(what: str) -> InputError:
        return InputError(f"not a baseline written by 'advisor check --format json': {what}", path=source)

    if not isinstance(data, dict) or "results" not in data:
        raise refuse("no 'results'")
    if data.get("schema_version") != 1:
        raise refuse(f"schema_version is {data.get('schema_version')!r}, expected 1")
    results = data["results"]
    if not isinstance(results, list):
        raise refuse("'results' is not a list")
    entries = {}
    for i, item in enumerate(results):
        if not isinstance(item, dict):
            raise refuse(f"results[{i}] is not a mapping")
        path, name, verdict = item.get("path"), item.get("workload"), item.get("verdict")
        recommendation, tied = item.get("recommendation"), item.get("tied", [])
        if not isinstance(path, str):
            raise refuse(f"results[{i}].path is not a string")
        if name is not None and not isinstance(name, str):
            raise refuse(f"results[{i}].workload is not a string")
        if verdict not in _VERDICTS:
            raise refuse(f"results[{i}].verdict is not one of {', '.join(_VERDICTS)}")
        if recommendation is not None and not isinstance(recommendation, str):
            raise refuse(f"results[{i}].recommendation is not a string")
        if not isinstance(tied, list) or not all(isinstance(t, str) for t in tied):
            raise refuse(f"results[{i}].tied is not a list of strings")
        entries[(name, path)] = _Entry(verdict, (recommendation, tuple(tied)))
    return entries


def compare(
    baseline: Baseline, results: Iterable[tuple[str, str | None, str, str | None, list[str]]]
) -> BaselineView:
    """Compare ``(path, workload, verdict, recommendation, tied)`` of each current result with the baseline."""
    new, known = [], []
    failing, unreadable = set(), set()
    for path, name, verdict, recommendation, tied in results:
        if verdict == "error":
            unreadable.add(path)  # not fixed, only not known now
        if verdict != "fail":
            continue
        key = (name, path)
        failing.add(key)
        before = baseline.entries.get(key)
        same = before is not None and before.verdict == "fail" and before.advice == (recommendation, tuple(tied))
        (known if same else new).append(FindingRef(workload=name, path=path))
    fixed = [
        FindingRef(workload=name, path=path)
        for (name, path), entry in sorted(baseline.entries.items(), key=lambda item: (item[0][1], item[0][0] or ""))
        if entry.verdict == "fail" and (name, path) not in failing and path not in unreadable
    ]
    return BaselineView(source=baseline.source, new=new, known=known, fixed=fixed)
