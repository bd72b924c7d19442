"""Renderers of a check result for CI tools: JUnit XML, SARIF 2.1.0 and GitHub Actions
workflow commands. Each says the sentence :func:`.check_formats.messages` makes.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import visible
from . import DEL_C1, RenderOptions, register, to_json

if TYPE_CHECKING:
    from ..check_result import CheckResult
from .check_formats import _context, _line

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Every finding but a veto is reported under one of the policy's own rules.
POLICY_RULES = {
    "not_allowed": "policy.not-allowed",
    "undeclared": "policy.undeclared",
    "mismatch": "policy.mismatch",
    "close": "policy.close",
}
SRCROOT = "SRCROOT"  # SARIF's conventional name for the root of the sources
# GitHub code scanning's scale (0-10): 7.0 and above is "high".
SECURITY_SEVERITY = "7.5"
# Characters XML 1.0 cannot carry, even escaped; and the backslash that JUnit's own escape
# of them begins with.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\\\\")


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
    stamp = options.timestamp
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
            suite,
            "testcase",
            {"name": _xml(r["workload"] or r["path"]), "classname": _xml(_classname(r["path"])),
             "file": _xml(r["path"]), "time": "0"},
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
            # CI servers have no warned state: a warning is the test case's own output, which
            # GitLab and Jenkins show with the case, and it fails only when fail_on says so.
            ET.SubElement(case, "system-out").text = _xml(f"warning: {message}\n")
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
    """Text XML 1.0 can carry that reads back exactly: a character it cannot carry is written as
    its escape (``\\x1b``, ``\\ud800``), so a backslash is written twice (``\\\\``)."""
    return _NOT_XML.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    char = match.group(0)
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _classname(path: str) -> str:
    """The workload file's folder as a dotted class name (``services/api/workload.yaml`` gives
    ``services.api``): Jenkins groups test cases by the dots of their class name, so the
    folder's own dots become ``_``; a file in the current folder is under ``advisor``."""
    folder = posixpath.dirname(path).strip("/")
    parts = [part.replace(".", "_") for part in folder.split("/") if part not in ("", ".")]
    return ".".join(parts) or "advisor"


@register("check", "sarif", "SARIF 2.1.0: one result per failing or warning workload")
def render_sarif(result: CheckResult, options: RenderOptions) -> str:
    data, lines, wording = _context(result)
    # A claim is cited in its own words in Russian (the source's language), by its English
    # paraphrase in English.
    claims = {c["id"]: dict(c, said=f"«{c['quote']}»" if result.lang == "ru" else c["text"]) for c in data["claims"]}
    pack_rules = {r["rule"]: r for r in data["rules"]}
    rule_ids: list[str] = []
    results = []
    notifications = []
    for r, message in zip(data["results"], lines, strict=True):
        location = _location(r, options)
        if r["verdict"] == "error":
            notifications.append({"level": "error", "message": {"text": message}, "locations": [location]})
            continue
        if r["verdict"] not in ("fail", "warn") or not r["finding"]:
            continue
        rule_id = _rule_id(r)
        if rule_id not in rule_ids:
            rule_ids.append(rule_id)
        shown = ("workload", "finding", "declared", "recommendation", "loss")
        properties = {k: r[k] for k in shown if r[k] is not None}
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        results.append(
            {
                "ruleId": rule_id,
                "level": "error" if r["verdict"] == "fail" else "warning",
                "message": {"text": message},
                "locations": [location],
                "partialFingerprints": {"advisorFinding/v1": _fingerprint(uri, r["workload"], rule_id)},
                "properties": {**properties, "rules": r["rules"]},
            }
        )
    rule_ids.sort()
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    for item in results:
        item["ruleIndex"] = index[item["ruleId"]]
    rules = [_sarif_rule(rule_id, pack_rules.get(rule_id), claims, wording) for rule_id in rule_ids]
    invocation: dict[str, Any] = {"executionSuccessful": not data["counts"]["error"]}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    # No informationUri or helpUri: advisor has no public home page to point to, and each
    # rule carries its help inline instead.
    driver = {"name": "advisor", "version": __version__, "semanticVersion": __version__, "rules": rules}
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the repository checked."}}},
        "invocations": [invocation],
        "results": results,
        "properties": {"pack": data["pack"], "policy": data["policy"], "counts": data["counts"]},
    }
    return to_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})


def _rule_id(r: dict[str, Any]) -> str:
    """The SARIF rule of a finding: a veto is reported under the vetoing rule, every other
    finding under the policy's own rule, so the id (and the alert it names) does not change
    when the mix of rules behind a score does."""
    if r["finding"] == "vetoed" and r["rules"]:
        return min(r["rules"])
    return POLICY_RULES[r["finding"]]


def _fingerprint(uri: str, workload: str | None, rule_id: str) -> str:
    """The same finding on the same workload file keeps its fingerprint across runs and line moves."""
    import hashlib

    return hashlib.sha256("\0".join((uri, workload or "", rule_id)).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _location(r: dict[str, Any], options: RenderOptions) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(r["path"], options)}
    if r["line"]:
        physical["region"] = {"startLine": r["line"]}
    return {"physicalLocation": physical}


def _artifact(path: str, options: RenderOptions) -> dict[str, str]:
    """A path as a URI relative to the repository root, whatever folder the check ran in;
    only a file outside the repository keeps an absolute ``file:`` URI."""
    full = path
    if options.root and options.cwd:
        full = posixpath.normpath(posixpath.join(options.cwd, path))
        path = posixpath.relpath(full, options.root)
    if path.startswith("/") or path == ".." or path.startswith("../"):
        return {"uri": "file://" + _quote(full)}
    return {"uri": _quote(path), "uriBaseId": SRCROOT}


def _quote(path: str) -> str:
    """A path as a URI path; a file name that is not UTF-8 is quoted byte for byte (%FF)."""
    return urllib.parse.quote(path, errors="surrogateescape")


def _sarif_rule(rule_id: str, rule: dict[str, Any] | None, claims: dict[str, Any], wording: Any) -> dict[str, Any]:
    name = "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)
    if rule is None:  # one of the policy's own findings
        title, text = _line(wording.rule_title(rule_id)), _line(wording.rule_help(rule_id))
        return {
            "id": rule_id,
            "name": name,
            "shortDescription": {"text": title},
            "fullDescription": {"text": text},
            "help": {"text": text},
            "defaultConfiguration": {"level": "warning" if rule_id == POLICY_RULES["close"] else "error"},
            "properties": {"tags": ["policy"]},
        }
    sources = [claims[c] for c in rule["sources"] if c in claims]
    help_text = rule["because"] + "".join(f"\n\n{c['id']} ({c['section']}): {c['said']}" for c in sources)
    help_md = rule["because"] + f"\n\n{wording.sources_heading()}\n" + "".join(
        f"\n- **{c['id']}** ({c['section']}): {c['said']}" for c in sources
    )
    properties: dict[str, Any] = {"tags": [rule["dimension"]], "sources": rule["sources"]}
    if rule["dimension"] == "isolation":  # a platform that breaks isolation is a security finding
        properties = {**properties, "tags": [rule["dimension"], "security"], "security-severity": SECURITY_SEVERITY}
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": _line(wording.veto_title(rule))},
        "fullDescription": {"text": rule["because"]},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": "error"},
        "properties": properties,
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
