"""Renderers of a check result: the terminal summary and JSON; and what every format of a
check result shares.

Every format says the same sentence about a workload; the sentences live in the
``check_wording.j2`` template and are made once per result by :func:`messages`. The CI
tools' formats are in :mod:`.check_formats_ci`, the fleet page in :mod:`.check_formats_page`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.encoder import encode_basestring as _string
from typing import TYPE_CHECKING, Any

from ..errors import visible_path
from . import JSON_ESCAPED, RenderOptions, inert, register, register_stream, to_json

if TYPE_CHECKING:
    from ..check_result import CheckResult

_ESCAPED = re.compile(JSON_ESCAPED)


def _wording(lang: str = "en") -> Any:
    from .templating import environment

    return environment(lang=lang).get_template("check_wording.j2").module


def _line(text: Any) -> str:
    """Text on one line: a name or reason spread over lines must not break a line-per-item format."""
    return " ".join(str(text).split())


def messages(data: dict[str, Any], lang: str = "en") -> list[str]:
    """The line about each workload of a result (as plain data), in result order, in
    ``lang``: ``name: what was found``, or the error that kept the file from being checked."""
    wording = _wording(lang)
    policy = data["policy"]
    said: dict[str, str] = {}  # workloads with the same findings are described alike
    lines = []
    for r in data["results"]:
        if r["verdict"] == "error":
            lines.append(_line(r["error"]))
            continue
        key = _alike(r)
        sentence = said.get(key)
        if sentence is None:
            sentence = said[key] = _line(wording.sentence(r, policy))
        lines.append(f"{_line(r['workload'])}: {sentence}")
    return lines


def _alike(r: dict[str, Any]) -> str:
    """What a workload's sentence depends on: its verdict without the file, the name and
    the scores (the sentences of check_wording.j2 name findings, points lost and rules,
    never the scores), so workloads found alike are worded once."""
    return repr([v for k, v in r.items() if k not in ("path", "line", "workload", "scores")])


def _context(result: CheckResult, *, shown: bool = False) -> tuple[dict[str, Any], list[str], Any]:
    """The result as plain data, the line about each workload, and the wording macros.

    ``shown`` is for the formats a terminal or a CI log shows as they are (text, GitHub
    commands): there every control character of user text (names, paths, reasons) is
    shown as an escape, so none can act on the terminal. JSON, SARIF and JUnit keep the
    text as it is: their own escaping makes it harmless, and tools reading them must get
    the names exactly.
    """
    data = result.model_dump(mode="json")
    lines = messages(data, result.lang)  # from the raw text, so a line break in a name is joined, not escaped
    if shown:
        data, lines = inert(data), inert(lines)
        # A path is shown on one line whatever it holds: a line break in a folder name must
        # not start a line of its own (one a CI runner would read as a command).
        for item, verdict in zip(data["results"], result.results, strict=True):
            item["path"] = visible_path(verdict.path)
        if result.policy.source is not None:
            data["policy"]["source"] = visible_path(result.policy.source)
    return data, lines, _wording(result.lang)


@register("check", "text", "one line per workload and a summary")
def render_text(result: CheckResult, options: RenderOptions) -> str:
    from .templating import render_shipped

    data, lines, _ = _context(result, shown=True)
    # Failing workloads the baseline already held are labelled KNOWN: they do not fail the check.
    known = {(f["path"], f["workload"]) for f in data["baseline"]["known"]} if data.get("baseline") else set()
    context = {"result": data, "messages": lines, "known": known}
    return render_shipped("check.txt.j2", context, color=options.color, lang=result.lang)


_RESULTS_MARK = "\x00results\x00"


@register_stream("check", "json", "the verdicts as JSON (schema_version 1)")
def render_json(result: CheckResult, options: RenderOptions) -> Iterator[str]:
    """The result as ``to_json`` writes it, one workload at a time: the text of each
    judgement shared by many files is made once, then only each file's path, line, name
    and message are encoded."""
    top = result.model_dump(mode="json", exclude={"results"})
    top["results"] = [_RESULTS_MARK]
    # Without a baseline the result reads as it always has: no "baseline" key.
    top = {name: top[name] for name in type(result).model_fields if name in top and (name != "baseline" or top[name])}
    head, tail = to_json(top).split(to_json(_RESULTS_MARK)[:-1])
    if not len(result.results):
        yield head.rstrip(" \n") + "]" + tail.lstrip(" \n")[1:]
        return
    yield head.rstrip(" ")
    wording, policy = _wording(result.lang), top["policy"]
    shared: dict[int, tuple[str, str | None]] = {}  # the text of a judgement and its sentence
    said: dict[str, str] = {}
    separator = ""
    for path, line, name, verdict in result.entries():
        known = shared.get(id(verdict))
        if known is None:
            known = shared[id(verdict)] = _judgement_text(verdict, policy, wording, said)
        middle, sentence = known
        message = _line(verdict.error) if sentence is None else f"{_line(name)}: {sentence}"
        item = (
            f'{separator}    {{\n      "path": {_string(path)},\n'
            f'      "line": {"null" if line is None else line},\n'
            f'      "workload": {"null" if name is None else _string(name)},\n'
            f'{middle}\n      "message": {_string(message)}\n    }}'
        )
        separator = ",\n"
        yield _ESCAPED.sub(_json_escape, item)
    yield tail


def _judgement_text(verdict: Any, policy: dict[str, Any], wording: Any, said: dict[str, str]) -> tuple[str, str | None]:
    """The JSON lines of a verdict's shared fields (verdict to error), indented as in the
    result, and its sentence (None for an error, whose message is the error itself)."""
    data = verdict.model_dump(mode="json")
    lines = json.dumps(data, indent=2, ensure_ascii=False).split("\n")
    middle = "\n".join("    " + text for text in lines[4:-1]) + ","
    if data["verdict"] == "error":
        return middle, None
    key = _alike(data)
    if key not in said:
        said[key] = _line(wording.sentence(data, policy))
    return middle, said[key]


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"
