"""Check renderers: exact output against golden files, SARIF schema, JUnit read back, escaping.

The result is built by hand here, not by the check, so these tests pin down the
renderers alone. ``ADVISOR_UPDATE_GOLDEN=1 pytest tests/test_check_formats.py``
rewrites the golden files ``tests/golden/check.*`` after an intended change; review the
diff.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.check import CheckResult, PolicyView, WorkloadVerdict
from advisor.decision_model import ClaimView, FiredRule, PackInfo
from advisor.formats import RenderOptions, names, render
from advisor.formats.check_formats import messages
from advisor.policy import WaiverView

from .conftest import assert_golden

SCHEMAS = Path(__file__).parent / "schemas"  # carried here, so the tests need nothing beside the checkout
ODD_NAME = "odd, name: 100% <&> done"


def waiver(**fields) -> WaiverView:
    base = {"workload": "legacy-erp", "option": None, "rule": None, "reason": "Vendor support ends in March.",
            "expires": "2025-03-31", "where": ".advisor.yaml:7"}
    return WaiverView(**{**base, **fields})


def hand_built() -> CheckResult:
    """One workload per verdict and finding, waivers used and expired, a broken file, odd characters."""
    rows = [
        WorkloadVerdict(path="services/api/workload.yaml", line=3, workload="api", verdict="pass", declared="docker",
                        recommendation="docker", loss=0, scores={"docker": 14, "vm": 0, "wasm": 0}),
        WorkloadVerdict(path="services/batch/workload.yaml", line=3, workload="batch", verdict="pass", declared="vm",
                        tied=["docker", "vm"], loss=0, scores={"docker": 2, "vm": 2, "wasm": 0}),
        WorkloadVerdict(path="services/cache/workload.yaml", line=4, workload="cache", verdict="warn",
                        finding="close", declared="vm", recommendation="docker", loss=2,
                        scores={"docker": 2, "vm": 0, "wasm": 0}, rules=["fast-start"]),
        WorkloadVerdict(path="services/plugins/workload.yaml", line=3, workload="plugins", verdict="fail",
                        finding="vetoed", declared="docker", recommendation="vm",
                        scores={"docker": 3, "vm": 16, "wasm": 0}, rules=["own-kernel", "untrusted-code"]),
        WorkloadVerdict(path="services/events/workload.yaml", line=3, workload="events", verdict="fail",
                        finding="mismatch", declared="vm", recommendation="docker", loss=9,
                        scores={"docker": 9, "vm": 0, "wasm": 0}, rules=["fast-start", "own-kernel"]),
        WorkloadVerdict(path="services/edge/edge.workload.yaml", line=2, workload="edge", verdict="fail",
                        finding="not_allowed", declared="wasm", recommendation="docker",
                        scores={"docker": 4, "vm": 0, "wasm": 5}),
        WorkloadVerdict(path="services/erp/workload.yaml", line=3, workload="legacy-erp", verdict="pass",
                        finding="mismatch", declared="vm", recommendation="docker", loss=5,
                        scores={"docker": 5, "vm": 0, "wasm": 0}, rules=["fast-start"],
                        waivers=[waiver(option="vm")]),
        WorkloadVerdict(path="services/old/workload.yaml", line=3, workload="old", verdict="fail",
                        finding="vetoed", declared="docker", recommendation="vm",
                        scores={"docker": 0, "vm": 6, "wasm": 0}, rules=["own-kernel"],
                        expired=[waiver(workload="old", rule="own-kernel", expires="2024-12-31",
                                        where=".advisor.yaml:11")]),
        WorkloadVerdict(path="services/todo/workload.yaml", line=1, workload="todo", verdict="unchecked",
                        recommendation="vm", scores={"docker": 0, "vm": 6, "wasm": 0}),
        WorkloadVerdict(path="services/x, y/workload.yaml", line=1, workload=ODD_NAME, verdict="fail",
                        finding="undeclared", recommendation="docker", scores={"docker": 2, "vm": 0, "wasm": 0}),
        WorkloadVerdict(path="services/broken/workload.yaml", line=4, verdict="error",
                        error="services/broken/workload.yaml:4: requirements.isolation: 'max' is not allowed; "
                              "choose one of standard, high, strict"),
    ]
    return CheckResult(
        pack=PackInfo(name="docker-vs-vm", version="1.0.0", title="Docker containers or virtual machines",
                      source={"title": "The source"}),
        policy=PolicyView(source=".advisor.yaml", margin=3, fail_on="mismatch", allowed=["docker", "vm"],
                          require_declared=True, patterns=["workload.yaml", "*.workload.yaml"]),
        counts={"pass": 3, "warn": 1, "fail": 5, "unchecked": 1, "error": 1},
        results=rows,
        rules=[
            FiredRule(rule="fast-start", dimension="startup", condition="startup is seconds", effects={"docker": 2},
                      because="New instances must start within seconds.", sources=["S3.docker"]),
            FiredRule(rule="own-kernel", dimension="architecture", condition="custom_kernel is true",
                      effects={"docker": "veto", "vm": 6}, because="A container shares the host's kernel.",
                      sources=["S1.docker", "S1.vm"]),
            FiredRule(rule="untrusted-code", dimension="isolation", condition="untrusted_code is true",
                      effects={"vm": 12}, because="Hostile code must not share a kernel.", sources=["S2.vm"]),
        ],
        claims=[
            ClaimView(id="S1.docker", section="1. Архитектура", quote="…", text="Containers share the kernel."),
            ClaimView(id="S1.vm", section="1. Архитектура", quote="…", text="A VM has its own OS."),
            ClaimView(id="S2.vm", section="2. Изоляция", quote="…", text="A VM isolates more strongly."),
            ClaimView(id="S3.docker", section="3. Запуск", quote="…", text="Containers start faster."),
        ],
        expired_waivers=[waiver(workload="old", rule="own-kernel", expires="2024-12-31", where=".advisor.yaml:11")],
    )


FILES = {"text": "check.txt", "json": "check.json", "junit": "check.junit.xml", "sarif": "check.sarif.json",
         "github": "check.github.txt", "html": "check.html"}


def test_every_format_has_a_golden_file():
    """The registry's check formats are exactly the six pinned down here."""
    assert names("check") == list(FILES)


@pytest.mark.parametrize("fmt", list(FILES))
def test_each_format_matches_its_golden_file(fmt, monkeypatch):
    """Each format renders the hand-built result exactly as its golden file."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert_golden(FILES[fmt], render("check", fmt, hand_built(), RenderOptions()))


def test_messages_name_each_finding():
    """The sentence of each verdict says what was found, with the numbers and rules behind it."""
    lines = messages(hand_built().model_dump(mode="json"))
    assert lines[0] == "api: declares docker, as advised"
    assert lines[1] == "batch: declares vm, which ties for first with docker"
    assert "trails docker by 2 points, within the margin of 3 (rule fast-start)" in lines[2]
    assert "which rules own-kernel and untrusted-code veto; advisor recommends vm" in lines[3]
    assert "trails docker by 9 points, more than the margin of 3" in lines[4]
    assert "which the policy does not allow (allowed: docker and vm)" in lines[5]
    assert "option vm waived until 2025-03-31 (.advisor.yaml:7): Vendor support ends in March." in lines[6]
    assert "expired on 2024-12-31 and no longer applies" in lines[7]
    assert lines[8] == "todo: declares no platform, so it is not checked; advisor recommends vm"
    assert "declares no platform, and the policy requires one" in lines[9]
    assert lines[10].startswith("services/broken/workload.yaml:4: requirements.isolation:")


def test_text_colour_only_when_asked():
    """The text view is plain by default and coloured per verdict when asked."""
    plain = render("check", "text", hand_built(), RenderOptions())
    coloured = render("check", "text", hand_built(), RenderOptions(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[31mFAIL" in coloured and "\x1b[32mPASS" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


# Control characters other than tab and newline; a terminal would act on them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
EVIL = "evil\x1b]0;title\x07"


def with_control_characters() -> CheckResult:
    """The hand-built result with escape sequences in a name, a path, a reason and an error."""
    result = hand_built()
    rows = list(result.results)
    rows[2] = rows[2].model_copy(update={"workload": EVIL, "path": "services/\x1b[2Jcache/workload.yaml"})
    rows[6] = rows[6].model_copy(update={"waivers": [waiver(option="vm", reason="Ends\x9b31m soon.")]})
    rows[10] = rows[10].model_copy(update={"error": "services/broken/workload.yaml: \x1b[31mred"})
    lapsed = [waiver(workload="old\x9b1m", rule="own-kernel", expires="2024-12-31")]
    return result.model_copy(update={"results": rows, "expired_waivers": lapsed})


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_terminal_formats_show_control_characters_as_escapes(fmt):
    """What a terminal or CI log shows carries no control character from user text; each is shown as an escape."""
    text = render("check", fmt, with_control_characters(), RenderOptions())
    assert CONTROL.findall(text) == []
    for shown in ("evil\\x1b]0;title\\x07", "services/\\x1b[2Jcache/workload.yaml", "for old\\x9b1m (",
                  "services/broken/workload.yaml: \\x1b[31mred"):
        assert shown in text
    if fmt == "text":  # the GitHub commands leave out passing workloads, and with them this waiver's reason
        assert "Ends\\x9b31m soon." in text


def test_coloured_text_has_only_its_own_escapes():
    """With colour on, the only escape sequences in the text view are the colours it adds."""
    coloured = render("check", "text", with_control_characters(), RenderOptions(color=True))
    plain = render("check", "text", with_control_characters(), RenderOptions())
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_json_and_sarif_keep_names_exactly():
    """JSON and SARIF carry control characters escaped, none raw, and read back to the exact text."""
    result = with_control_characters()
    text = render("check", "json", result, RenderOptions())
    assert CONTROL.findall(text) == []
    data = json.loads(text)
    assert data["results"][2]["workload"] == EVIL
    assert data["expired_waivers"][0]["workload"] == "old\x9b1m"
    sarif = render("check", "sarif", result, RenderOptions())
    assert CONTROL.findall(sarif) == []
    assert json.loads(sarif)["runs"][0]["results"][0]["properties"]["workload"] == EVIL


def test_junit_writes_del_and_c1_controls_as_references():
    """JUnit carries DEL and C1 controls as character references, which read back to the exact text."""
    import xml.etree.ElementTree as ET

    result = hand_built()
    rows = list(result.results)
    rows[0] = rows[0].model_copy(update={"workload": "a\x9b31mb\x7f"})
    text = render("check", "junit", result.model_copy(update={"results": rows}), RenderOptions())
    assert CONTROL.findall(text) == []
    assert "a&#155;31mb&#127;" in text
    assert "a\x9b31mb\x7f" in [case.get("name") for case in ET.fromstring(text).iter("testcase")]


def test_json_has_schema_version_and_messages():
    """The JSON output carries schema_version, the counts and a message per workload."""
    data = json.loads(render("check", "json", hand_built(), RenderOptions()))
    assert data["schema_version"] == 1
    assert data["counts"] == {"pass": 3, "warn": 1, "fail": 5, "unchecked": 1, "error": 1}
    assert [r["verdict"] for r in data["results"]][:3] == ["pass", "pass", "warn"]
    assert all(r["message"] for r in data["results"])


# --- SARIF --------------------------------------------------------------------------------


def sarif_schema() -> dict:
    path = SCHEMAS / "sarif-schema-2.1.0.json"
    if not path.exists():
        pytest.skip(f"the SARIF schema is not at {path} (../shared/schemas beside the checkout)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_sarif_validates_against_the_schema():
    """The SARIF output is valid SARIF 2.1.0 by the OASIS JSON Schema."""
    import jsonschema

    schema = sarif_schema()
    log = json.loads(render("check", "sarif", hand_built(), RenderOptions()))
    validator = jsonschema.Draft7Validator(schema)
    assert [e.message for e in validator.iter_errors(log)] == []
    # The validator would notice a broken log: this one lacks the required version.
    assert list(validator.iter_errors({"runs": []}))


def test_sarif_has_one_result_per_failure_or_warning():
    """Each failing or warning workload is one result, at its file and line, under a rule described for scanning."""
    log = json.loads(render("check", "sarif", hand_built(), RenderOptions()))
    run = log["runs"][0]
    results = run["results"]
    assert [(r["level"], r["ruleId"]) for r in results] == [
        ("warning", "policy.close"),
        ("error", "own-kernel"),
        ("error", "policy.mismatch"),
        ("error", "policy.not-allowed"),
        ("error", "own-kernel"),
        ("error", "policy.undeclared"),
    ]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "own-kernel", "policy.close", "policy.mismatch", "policy.not-allowed", "policy.undeclared",
    ]
    assert [r["name"] for r in rules] == [
        "OwnKernel", "PolicyClose", "PolicyMismatch", "PolicyNotAllowed", "PolicyUndeclared",
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert rules[0]["help"]["text"].startswith("A container shares the host's kernel.")
    assert "S1.vm (1. Архитектура): A VM has its own OS." in rules[0]["help"]["text"]
    assert rules[0]["shortDescription"]["text"] == "The declared platform is vetoed when custom_kernel is true"
    assert [r["defaultConfiguration"]["level"] for r in rules] == ["error", "warning", "error", "error", "error"]
    assert all(r["help"]["text"] for r in rules) and not any("helpUri" in r for r in rules)
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "services/cache/workload.yaml", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 4},
    }
    assert "SRCROOT" in run["originalUriBaseIds"]
    odd = results[-1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert odd == "services/x%2C%20y/workload.yaml"
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert notification["message"]["text"].startswith("services/broken/workload.yaml:4:")


def test_sarif_short_descriptions_read_as_alert_titles():
    """A rule's short description is a sentence, not a scoring formula like 'docker veto, vm +6'."""
    log = json.loads(render("check", "sarif", hand_built(), RenderOptions()))
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        title = rule["shortDescription"]["text"]
        assert title.startswith("The ") and not re.search(r"[+-]\d|\bveto,", title), title


def test_sarif_mismatch_rule_id_does_not_follow_the_score_mix():
    """A mismatch keeps its ruleId (and fingerprint) when other rules come to make up the score."""
    result = hand_built()
    rows = list(result.results)
    before = json.loads(render("check", "sarif", result, RenderOptions()))["runs"][0]["results"][2]
    rows[4] = rows[4].model_copy(update={"rules": ["own-kernel", "fast-start"], "loss": 12})
    after = json.loads(render("check", "sarif", result.model_copy(update={"results": rows}), RenderOptions()))
    after = after["runs"][0]["results"][2]
    assert before["ruleId"] == after["ruleId"] == "policy.mismatch"
    assert before["partialFingerprints"] == after["partialFingerprints"]


def test_sarif_fingerprints_are_stable_and_distinct():
    """Each result has a partial fingerprint that ignores the line and differs between workload files."""
    result = hand_built()
    results = json.loads(render("check", "sarif", result, RenderOptions()))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["advisorFinding/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    rows = [r.model_copy(update={"line": (r.line or 0) + 5}) for r in result.results]
    moved = json.loads(render("check", "sarif", result.model_copy(update={"results": rows}), RenderOptions()))
    assert [r["partialFingerprints"]["advisorFinding/v1"] for r in moved["runs"][0]["results"]] == prints


def test_sarif_isolation_vetoes_carry_a_security_severity():
    """A veto by an isolation rule is tagged security with a security-severity; other rules are not."""
    result = hand_built()
    rows = list(result.results)
    rows[3] = rows[3].model_copy(update={"rules": ["untrusted-code"]})
    rules = [replace(r, effects={"docker": "veto"}) if r.rule == "untrusted-code" else r
             for r in result.rules]
    log = json.loads(render("check", "sarif", result.model_copy(update={"results": rows, "rules": rules}),
                            RenderOptions()))
    by_id = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert by_id["untrusted-code"]["properties"]["security-severity"] == "7.5"
    assert "security" in by_id["untrusted-code"]["properties"]["tags"]
    assert "security-severity" not in by_id["own-kernel"]["properties"]


@pytest.mark.parametrize(
    ("path", "cwd", "uri"),
    [
        ("workload.yaml", "/repo/services/api", {"uri": "services/api/workload.yaml", "uriBaseId": "SRCROOT"}),
        ("../edge/workload.yaml", "/repo/services/api", {"uri": "services/edge/workload.yaml", "uriBaseId": "SRCROOT"}),
        ("/repo/services/api/workload.yaml", "/tmp", {"uri": "services/api/workload.yaml", "uriBaseId": "SRCROOT"}),
        ("/elsewhere/workload.yaml", "/repo", {"uri": "file:///elsewhere/workload.yaml"}),
    ],
)
def test_sarif_uris_are_relative_to_the_repository_root(path, cwd, uri):
    """Wherever the check ran, a file in the repository is located from the root; only one outside it is absolute."""
    result = hand_built()
    rows = [r.model_copy(update={"path": path}) if r.workload == "cache" else r for r in result.results]
    log = json.loads(render("check", "sarif", result.model_copy(update={"results": rows}),
                            RenderOptions(root="/repo", cwd=cwd)))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == uri


def test_sarif_from_a_subfolder_of_a_repository(tmp_path, monkeypatch):
    """advisor check in a subfolder, given a relative or an absolute path, locates the file from the root."""
    from click.testing import CliRunner

    from advisor.cli import cli

    (tmp_path / ".git").mkdir()
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    (sub / "workload.yaml").write_text(
        "name: api\ndeclared: docker\nrequirements:\n  untrusted_code: true\n", encoding="utf-8"
    )
    monkeypatch.chdir(sub)
    for given in ("workload.yaml", str(sub / "workload.yaml")):
        out = CliRunner().invoke(cli, ["check", given, "--format", "sarif"])
        assert out.exit_code == 1, out.output
        location = json.loads(out.output)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "services/api/workload.yaml", "uriBaseId": "SRCROOT"}


def _validate(log: Path, *rule_kinds: str) -> str:
    """The multitool's validation log of ``log`` (errors and warnings only), as text."""
    import os
    import subprocess

    tool = os.environ.get("ADVISOR_SARIF_MULTITOOL")
    if not tool or not Path(tool).exists():
        pytest.skip("the SARIF multitool is not installed (npm @microsoft/sarif-multitool; ADVISOR_SARIF_MULTITOOL)")
    report = log.with_suffix(".validation.sarif")
    kinds = ["--rule-kind", ";".join(rule_kinds)] if rule_kinds else []
    done = subprocess.run(
        [tool, "validate", str(log), "--output", str(report), "--log", "ForceOverwrite", "--level", "Error;Warning",
         *kinds],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return report.read_text(encoding="utf-8-sig")


def test_sarif_multitool_validates_with_only_the_missing_home_page_warning(tmp_path):
    """Microsoft's SARIF multitool validates the log, GitHub's rules included: no error, and no warning but
    SARIF2005 (advisor names no informationUri, having no public home page to point to)."""
    log = tmp_path / "check.sarif"
    log.write_text(render("check", "sarif", hand_built(), RenderOptions(root="/repo", cwd="/repo")), encoding="utf-8")
    found = [r.get("ruleId") for run in json.loads(_validate(log, "Sarif", "Ghas"))["runs"] for r in run["results"]]
    assert found == ["SARIF2005"]
    # It would notice: a rule with no short description draws another warning.
    data = json.loads(log.read_text(encoding="utf-8"))
    del data["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]
    log.write_text(json.dumps(data), encoding="utf-8")
    assert len([r for run in json.loads(_validate(log, "Sarif", "Ghas"))["runs"] for r in run["results"]]) > 1


# --- JUnit --------------------------------------------------------------------------------


def test_junit_reads_back(tmp_path):
    """A JUnit parser reads one test case per workload, with failures, errors and skips where they belong."""
    from junitparser import Error, Failure, JUnitXml, Skipped

    path = tmp_path / "check.xml"
    path.write_text(render("check", "junit", hand_built(), RenderOptions()), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    (suite,) = list(xml)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (11, 5, 1, 1)
    kinds = {case.name: [type(r) for r in case.result] for case in suite}
    assert kinds["api"] == [] and kinds["cache"] == [] and kinds["legacy-erp"] == []
    assert kinds["plugins"] == [Failure] and kinds[ODD_NAME] == [Failure]
    assert kinds["todo"] == [Skipped]
    assert kinds["services/broken/workload.yaml"] == [Error]
    failure = next(r for c in suite if c.name == "events" for r in c.result)
    assert isinstance(failure, Failure) and failure.type == "mismatch"
    assert "fast-start: New instances must start within seconds." in failure.text


def test_junit_against_the_ant_schema(monkeypatch):
    """Against the Ant JUnit schema, with SOURCE_DATE_EPOCH set, the only gaps are the hostname left out and
    what GitLab and Jenkins read beyond it: a case's file and its own output."""
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is needed to validate against an XSD")
    xsd = SCHEMAS / "junit-ant.xsd"
    if not xsd.exists():
        pytest.skip(f"the JUnit schema is not at {xsd} (../shared/schemas beside the checkout)")
    text = render("check", "junit", hand_built(), RenderOptions(timestamp="2024-05-01T00:00:00"))
    assert 'timestamp="2024-05-01T00:00:00"' in text
    schema = xmlschema.XMLSchema(str(xsd))
    problems = [str(e.reason) for e in schema.iter_errors(text)]
    assert problems and all(re.search("hostname|'file'|system-out", p) for p in problems), problems


def test_junit_timestamp_comes_from_source_date_epoch(monkeypatch, tmp_path):
    """advisor check stamps the JUnit suite with SOURCE_DATE_EPOCH's time, and leaves the stamp out without it."""
    from click.testing import CliRunner

    from advisor.cli import cli

    (tmp_path / "workload.yaml").write_text("name: api\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")
    stamped = CliRunner().invoke(cli, ["check", str(tmp_path), "-f", "junit"])
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    unstamped = CliRunner().invoke(cli, ["check", str(tmp_path), "-f", "junit"])
    assert stamped.exit_code == unstamped.exit_code == 0, stamped.output
    assert 'timestamp="2024-05-01T00:00:00"' in stamped.output
    assert "timestamp=" not in unstamped.output and "<testsuite " in unstamped.output


def test_junit_refuses_a_bad_source_date_epoch(monkeypatch, tmp_path):
    """A SOURCE_DATE_EPOCH that is not a Unix time is bad input (exit 2), not a silently missing timestamp."""
    from click.testing import CliRunner

    from advisor.cli import cli

    (tmp_path / "workload.yaml").write_text("name: api\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "-f", "junit"])
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH: 'yesterday' is not a Unix time" in result.output


def _junit_unescape(text: str) -> str:
    """The reading the README documents for JUnit text: \\xNN and \\uNNNN are characters, \\\\ a backslash."""
    return re.sub(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})",
                  lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)), text)


def test_junit_escapes_markup_and_control_characters():
    """Markup is escaped and characters XML cannot carry are written as escapes that read back to the exact name."""
    import xml.etree.ElementTree as ET

    result = hand_built()
    rows = list(result.results)
    tricky = ["a\x01b <c>", "red \x1b[31mtext", "back\\x1b slash", "lone \ud800 surrogate", "C:\\temp"]
    for i, name in enumerate(tricky):
        rows[i] = rows[i].model_copy(update={"workload": name})
    text = render("check", "junit", result.model_copy(update={"results": rows}), RenderOptions())
    assert "\ufffd" not in text
    names_seen = [case.get("name") for case in ET.fromstring(text).iter("testcase")]
    assert names_seen[0] == "a\\x01b <c>" and ODD_NAME in names_seen
    assert [_junit_unescape(n) for n in names_seen[:5]] == tricky


def test_xunit_viewer_renders_the_report(tmp_path):
    """xunit-viewer turns the report into its HTML page, an escape character in a name included."""
    import os
    import subprocess

    tool = os.environ.get("ADVISOR_XUNIT_VIEWER")
    if not tool or not Path(tool).exists():
        pytest.skip("xunit-viewer is not installed (npm xunit-viewer; ADVISOR_XUNIT_VIEWER)")
    result = hand_built()
    rows = [result.results[0].model_copy(update={"workload": "red \x1b[31mtext"}), *result.results[1:]]
    report = tmp_path / "check.xml"
    report.write_text(render("check", "junit", result.model_copy(update={"results": rows}), RenderOptions()),
                      encoding="utf-8")
    page = tmp_path / "check.html"
    done = subprocess.run([tool, "-r", str(report), "-o", str(page)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert page.stat().st_size > 0  # the page packs its data: that it is written is what can be checked


def test_junit_warning_is_shown_with_its_test_case(tmp_path):
    """A warned workload passes, with the warning as its own output, which GitLab and Jenkins show with the case."""
    from junitparser import JUnitXml

    path = tmp_path / "check.xml"
    path.write_text(render("check", "junit", hand_built(), RenderOptions()), encoding="utf-8")
    (suite,) = list(JUnitXml.fromfile(str(path)))
    cache = next(c for c in suite if c.name == "cache")
    assert cache.is_passed and cache.system_out.startswith("warning: cache: declares vm, which trails docker")
    assert next(c for c in suite if c.name == "api").system_out is None


def test_junit_file_and_classname():
    """Each case names its file (GitLab links it) and a class from its folder, free of dots of file names."""
    import xml.etree.ElementTree as ET

    result = hand_built()
    rows = list(result.results)
    rows[0] = rows[0].model_copy(update={"path": "workload.yaml"})
    rows[1] = rows[1].model_copy(update={"path": "svc/api.v2/batch.workload.yaml"})
    text = render("check", "junit", result.model_copy(update={"results": rows}), RenderOptions())
    cases = list(ET.fromstring(text).iter("testcase"))
    assert [(c.get("file"), c.get("classname")) for c in cases[:4]] == [
        ("workload.yaml", "advisor"),
        ("svc/api.v2/batch.workload.yaml", "svc.api_v2"),
        ("services/cache/workload.yaml", "services.cache"),
        ("services/plugins/workload.yaml", "services.plugins"),
    ]


# --- GitHub workflow commands ---------------------------------------------------------------


def test_github_commands_escape_properties_and_data():
    """Properties escape %, CR, LF, ':' and ','; the message escapes %, CR and LF."""
    out = render("check", "github", hand_built(), RenderOptions()).splitlines()
    odd = next(line for line in out if "policy requires one" in line)
    assert odd.startswith("::error file=services/x%2C y/workload.yaml,line=1,title=advisor check%3A fail::")
    assert "odd, name: 100%25 <&> done: declares no platform" in odd
    result = hand_built()
    rows = list(result.results)
    rows[2] = rows[2].model_copy(update={"workload": "two\r\nlines"})
    cache = render("check", "github", result.model_copy(update={"results": rows}), RenderOptions()).splitlines()[0]
    assert cache.startswith("::warning file=services/cache/workload.yaml,line=4,")
    # A workload name over two lines is joined: one annotation, one line.
    assert "::two lines: declares vm" in cache


def test_github_kinds_per_verdict():
    """Failures and errors are errors, warnings warnings, unchecked notices; passes say nothing."""
    out = render("check", "github", hand_built(), RenderOptions()).splitlines()
    kinds = [line.split(" ", 1)[0] for line in out if line.startswith("::")]
    assert kinds.count("::error") == 6 and kinds.count("::warning") == 2 and kinds.count("::notice") == 1
    assert out[-1] == "11 files: 3 passed, 1 warned, 5 failed, 1 unchecked, 1 error"
