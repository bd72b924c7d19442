"""Renderers of a check result: a terminal summary, JSON, JUnit XML, SARIF 2.1.0 and
GitHub Actions workflow commands.

Every format says the same sentence about a workload; the sentences live in the
``check_wording.j2`` template and are made once per result by :func:`messages`.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import visible, visible_path
from . import DEL_C1, RenderOptions, inert, register, to_json

if TYPE_CHECKING:
    from ..check import CheckResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
POLICY_RULES = {"not_allowed": "policy.not-allowed", "undeclared": "policy.undeclared"}
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _wording() -> Any:
    from .templating import environment

    return environment().get_template("check_wording.j2").module


def _line(text: Any) -> str:
    """Text on one line: a name or reason spread over lines must not break a line-per-item format."""
    return " ".join(str(text).split())


def messages(data: dict[str, Any]) -> list[str]:
    """The line about each workload of a result (as plain data), in result order:
    ``name: what was found``, or the error that kept the file from being checked."""
    wording = _wording()
    policy = data["policy"]
    said: dict[str, str] = {}  # workloads with the same findings are described alike
    lines = []
    for r in data["results"]:
        if r["verdict"] == "error":
            lines.append(_line(r["error"]))
            continue
        key = repr([v for k, v in r.items() if k not in ("path", "line", "workload")])
        sentence = said.get(key)
        if sentence is None:
            sentence = said[key] = _line(wording.sentence(r, policy))
        lines.append(f"{_line(r['workload'])}: {sentence}")
    return lines


def _context(result: CheckResult, *, shown: bool = False) -> tuple[dict[str, Any], list[str], Any]:
    """The result as plain data, the line about each workload, and the wording macros.

    ``shown`` is for the formats a terminal or a CI log shows as they are (text, GitHub
    commands): there every control character of user text (names, paths, reasons) is
    shown as an escape, so none can act on the terminal. JSON, SARIF and JUnit keep the
    text as it is: their own escaping makes it harmless, and tools reading them must get
    the names exactly.
    """
    data = result.model_dump(mode="json")
    lines = messages(data)  # from the raw text, so a line break in a name is joined, not escaped
    if shown:
        data, lines = inert(data), inert(lines)
        # A path is shown on one line whatever it holds: a line break in a folder name must
        # not start a line of its own (one a CI runner would read as a command).
        for item, verdict in zip(data["results"], result.results, strict=True):
            item["path"] = visible_path(verdict.path)
        if result.policy.source is not None:
            data["policy"]["source"] = visible_path(result.policy.source)
    return data, lines, _wording()


@register("check", "text", "one line per workload and a summary")
def render_text(result: CheckResult, options: RenderOptions) -> str:
    from .templating import render_shipped

    data, lines, _ = _context(result, shown=True)
    return render_shipped("check.txt.j2", {"result": data, "messages": lines}, color=options.color)


@register("check", "json", "the verdicts as JSON (schema_version 1)")
def render_json(result: CheckResult, options: RenderOptions) -> str:
    data, lines, _ = _context(result)
    for item, message in zip(data["results"], lines, strict=True):
        item["message"] = message
    return to_json(data)


@register("check", "junit", "JUnit XML: one test case per workload, for CI servers")
def render_junit(result: CheckResult, options: RenderOptions) -> str:
    import xml.etree.ElementTree as ET

    data, lines, wording = _context(result)
    counts = data["counts"]
    failures, errors, skipped = counts["fail"], counts["error"], counts["unchecked"]
    totals = {"tests": str(len(data["results"])), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites")  # bare, as in Ant's schema: CI servers read the suite's counts
    suite_attrs = {"name": "advisor check", "package": "advisor", "id": "0", **totals, "skipped": str(skipped)}
    suite_attrs["time"] = "0"
    stamp = _timestamp()
    if stamp:
        suite_attrs["timestamp"] = stamp
    suite = ET.SubElement(root, "testsuite", suite_attrs)
    properties = ET.SubElement(suite, "properties")
    policy, pack = data["policy"], data["pack"]
    for name, value in (
        ("policy", policy["source"] or "defaults"),
        ("margin", str(policy["margin"])),
        ("fail_on", policy["fail_on"]),
        ("pack", f"{pack['name']} {pack['version']}"),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _xml(value)})
    because = {r["rule"]: r["because"] for r in data["rules"]}
    notes = []
    for r, message in zip(data["results"], lines, strict=True):
        case = ET.SubElement(
            suite, "testcase", {"name": _xml(r["workload"] or r["path"]), "classname": _xml(r["path"]), "time": "0"}
        )
        if r["verdict"] == "fail":
            detail = [message] + [f"{rule}: {because[rule]}" for rule in r["rules"] if rule in because]
            element = ET.SubElement(case, "failure", {"message": _xml(message), "type": r["finding"]})
            element.text = _xml("\n".join(detail))
        elif r["verdict"] == "error":
            element = ET.SubElement(case, "error", {"message": _xml(message), "type": "invalid"})
            element.text = _xml(message)
        elif r["verdict"] == "unchecked":
            ET.SubElement(case, "skipped", {"message": _xml(message)})
        elif r["verdict"] == "warn":
            notes.append(f"warning: {r['path']}: {message}")
    notes += [_line(f"note: {wording.expired(w)}") for w in data["expired_waivers"]]
    notes.append(_line(wording.summary(counts)))
    ET.SubElement(suite, "system-out").text = _xml("\n".join(notes) + "\n")
    ET.SubElement(suite, "system-err")
    ET.indent(root)
    # DEL and C1 controls XML may carry, but a terminal would act on: written as references.
    text = DEL_C1.sub(lambda m: f"&#{ord(m.group(0))};", ET.tostring(root, encoding="unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _timestamp() -> str | None:
    """SOURCE_DATE_EPOCH as an ISO time, when set: the JUnit timestamp is otherwise left out."""
    from ..api import source_date_epoch

    moment = source_date_epoch()
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None


@register("check", "sarif", "SARIF 2.1.0: one result per failing or warning workload")
def render_sarif(result: CheckResult, options: RenderOptions) -> str:
    data, lines, wording = _context(result)
    claims = {c["id"]: c for c in data["claims"]}
    rule_ids: list[str] = []
    results = []
    notifications = []
    for r, message in zip(data["results"], lines, strict=True):
        location = _location(r)
        if r["verdict"] == "error":
            notifications.append({"level": "error", "message": {"text": message}, "locations": [location]})
            continue
        if r["verdict"] not in ("fail", "warn") or not r["finding"]:
            continue
        rule_id = POLICY_RULES.get(r["finding"]) or r["rules"][0]
        if rule_id not in rule_ids:
            rule_ids.append(rule_id)
        shown = ("workload", "finding", "declared", "recommendation", "loss")
        properties = {k: r[k] for k in shown if r[k] is not None}
        results.append(
            {
                "ruleId": rule_id,
                "level": "error" if r["verdict"] == "fail" else "warning",
                "message": {"text": message},
                "locations": [location],
                "properties": {**properties, "rules": r["rules"]},
            }
        )
    rule_ids.sort()
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    for item in results:
        item["ruleIndex"] = index[item["ruleId"]]
    pack_rules = {r["rule"]: r for r in data["rules"]}
    rules = [_sarif_rule(rule_id, pack_rules.get(rule_id), claims, wording) for rule_id in rule_ids]
    invocation: dict[str, Any] = {"executionSuccessful": not data["counts"]["error"]}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {"driver": {"name": "advisor", "version": __version__, "semanticVersion": __version__, "rules": rules}},
        "invocations": [invocation],
        "results": results,
        "properties": {"pack": data["pack"], "policy": data["policy"], "counts": data["counts"]},
    }
    return to_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})


def _location(r: dict[str, Any]) -> dict[str, Any]:
    path = r["path"]
    # A file name that is not UTF-8 is quoted byte for byte (%FF), as URIs carry such names.
    quoted = urllib.parse.quote(path, errors="surrogateescape")
    uri = "file://" + quoted if path.startswith("/") else quoted
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if r["line"]:
        physical["region"] = {"startLine": r["line"]}
    return {"physicalLocation": physical}


def _sarif_rule(rule_id: str, rule: dict[str, Any] | None, claims: dict[str, Any], wording: Any) -> dict[str, Any]:
    if rule is None:  # one of the policy's own findings
        title, text = _line(wording.rule_title(rule_id)), _line(wording.rule_help(rule_id))
        return {
            "id": rule_id,
            "shortDescription": {"text": title},
            "fullDescription": {"text": text},
            "help": {"text": text},
            "properties": {"tags": ["policy"]},
        }
    effects = ", ".join(f"{o} {'veto' if e == 'veto' else f'{e:+d}'}" for o, e in rule["effects"].items())
    sources = [claims[c] for c in rule["sources"] if c in claims]
    help_text = rule["because"] + "".join(f"\n\n{c['id']} ({c['section']}): {c['text']}" for c in sources)
    help_md = rule["because"] + "\n\nSources:\n" + "".join(
        f"\n- **{c['id']}** ({c['section']}): {c['text']}" for c in sources
    )
    return {
        "id": rule_id,
        "shortDescription": {"text": f"When {rule['condition']}: {effects}"},
        "fullDescription": {"text": rule["because"]},
        "help": {"text": help_text, "markdown": help_md},
        "properties": {"tags": [rule["dimension"]], "sources": rule["sources"]},
    }


_COMMAND = {"fail": "error", "error": "error", "warn": "warning", "unchecked": "notice"}


@register("check", "github", "GitHub Actions workflow commands (annotations)")
def render_github(result: CheckResult, options: RenderOptions) -> str:
    data, lines, wording = _context(result, shown=True)
    out = []
    for r, verdict, message in zip(data["results"], result.results, lines, strict=True):
        command = _COMMAND.get(r["verdict"])
        if command is None:
            continue
        # The runner decodes %0A back to a line break, so the annotation names the very file.
        props = {"file": visible(verdict.path)}
        if r["line"]:
            props["line"] = str(r["line"])
        props["title"] = f"advisor check: {r['verdict']}"
        out.append(_command(command, props, message))
    for w in data["expired_waivers"]:
        out.append(_command("warning", {"title": "advisor check: expired waiver"}, _line(wording.expired(w))))
    out.append(_line(wording.summary(data["counts"])))
    return "\n".join(out) + "\n"


def _command(command: str, properties: dict[str, str], message: str) -> str:
    """One workflow command, ``::command key=value,...::message``, escaped as the runner expects."""
    shown = ",".join(f"{k}={_escape_property(v)}" for k, v in properties.items())
    return f"::{command} {shown}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
