"""The command line: exit codes, exact text, JSON shape, help and docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from advisor import formats
from advisor.cli import cli

from .conftest import EXAMPLES, ROOT

PAYMENTS = str(EXAMPLES / "payments-api.yaml")

TWO_OPTIONS = """\
pack: tiny
claims: {C1: {section: s, quote: q, text: t}}
options:
  a: {title: Option A, summary: first}
  b: {title: Option B, summary: second}
rules:
  - {id: fa, dimension: resources, when: {density: high}, effects: {a: 2}, because: fa, sources: [C1]}
  - {id: fb, dimension: resources, when: {density: high}, effects: {b: 2}, because: fb, sources: [C1]}
  - {id: va, dimension: isolation, when: {isolation: strict}, effects: {a: veto}, because: va, sources: [C1]}
  - {id: vb, dimension: isolation, when: {isolation: strict}, effects: {b: veto}, because: vb, sources: [C1]}
"""


def test_decide_prints_recommendation_scores_and_reasons(runner):
    """The text view names the recommendation, the margin, the scores and every fired rule."""
    result = runner.invoke(cli, ["decide", PAYMENTS, "--no-color"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "payments-api: Docker containers (docker), ahead of Virtual machines by 14 points"
    assert "  Docker containers      14" in lines
    assert "  Virtual machines        0" in lines
    for rule in ("microservices", "standard-isolation", "fast-start", "elastic-scaling", "medium-density"):
        assert any(f"  {rule}  [" in line for line in lines), rule
    assert "\x1b[" not in result.stdout


def test_decide_json_has_the_documented_fields(runner):
    """--format json carries schema_version, scores, margin, vetoes, fired rules and unspecified fields."""
    result = runner.invoke(cli, ["decide", str(EXAMPLES / "windows-build-agents.yaml"), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["workload"] == "windows-build-agents"
    assert data["recommendation"] == "vm"
    assert data["vetoes"] == {"docker": ["other-guest-os", "full-os"]}
    assert set(data["scores"]) == {"docker", "vm"}
    assert data["margin"] is None
    fired = {f["rule"]: f for f in data["fired"]}
    assert fired["other-guest-os"]["effects"] == {"docker": "veto", "vm": 6}
    assert fired["other-guest-os"]["sources"] == ["S1.docker", "S1.vm"]
    assert "isolation" in data["unspecified"] and "guest_os" not in data["unspecified"]


def test_decide_output_is_deterministic_across_processes_and_hash_seeds():
    """Two processes with different hash seeds print byte-identical, non-empty output in every format, exit 0."""
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        run = []
        for fmt in formats.names("decision"):
            proc = subprocess.run(
                [sys.executable, "-m", "advisor", "decide", PAYMENTS, "-f", fmt], capture_output=True, env=env
            )
            assert proc.returncode == 0 and proc.stderr == b"", (fmt, proc.stderr)
            assert len(proc.stdout) > 500, fmt
            run.append(proc.stdout)
        outputs.append(run)
    assert outputs[0] == outputs[1]


def test_a_tie_is_answered_honestly(runner, write):
    """Equal scores give exit 0, no recommendation and status 'tie' in the JSON."""
    pack = write("tiny.yaml", TWO_OPTIONS)
    workload = write("w.yaml", "name: w\nrequirements: {density: high}\n")
    result = runner.invoke(cli, ["decide", str(workload), "--rules", str(pack), "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["status"], data["recommendation"], data["margin"]) == ("tie", None, 0)
    text = runner.invoke(cli, ["decide", str(workload), "--rules", str(pack)]).stdout
    assert text.startswith("w: no recommendation: Option A and Option B tie on 2 points")


def test_every_option_vetoed_is_answered_honestly(runner, write):
    """When every option is vetoed the command still exits 0 and says so."""
    pack = write("tiny.yaml", TWO_OPTIONS)
    workload = write("w.yaml", "name: w\nrequirements: {isolation: strict}\n")
    data = json.loads(runner.invoke(cli, ["decide", str(workload), "--rules", str(pack), "-f", "json"]).stdout)
    assert (data["status"], data["recommendation"]) == ("all_vetoed", None)
    assert data["vetoes"] == {"a": ["va"], "b": ["vb"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nrequirements:\n  isolation: extreme\n", ":3: requirements.isolation: 'extreme' is not allowed"),
        ("name: x\nrequirements:\n  isolaton: high\n", ":3: requirements: unknown field 'isolaton'"),
        ("name: [\n", ":2: invalid YAML"),
        ("", ": is empty"),
    ],
)
def test_bad_workloads_exit_2_with_one_line(runner, write, text, message):
    """Invalid workload files exit 2 with one line on stderr and no traceback."""
    path = write("bad.yaml", text)
    result = runner.invoke(cli, ["decide", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"advisor: {path}{message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_missing_file_exits_2(runner, tmp_path):
    """A workload path that does not exist exits 2 naming it."""
    result = runner.invoke(cli, ["decide", str(tmp_path / "nope.yaml")])
    assert (result.exit_code, result.stderr) == (2, f"advisor: {tmp_path / 'nope.yaml'}: no such file\n")


def test_an_unknown_format_exits_2_listing_the_known_ones(runner):
    """--format with an unknown name is a usage error that lists the choices."""
    result = runner.invoke(cli, ["decide", PAYMENTS, "--format", "pdf"])
    assert result.exit_code == 2
    assert "'pdf' is not one of 'text', 'md', 'html', 'json'" in result.stderr


def test_output_is_written_atomically_and_failures_leave_nothing(runner, tmp_path):
    """--output writes the whole report; a failed run leaves no file behind."""
    out = tmp_path / "report.json"
    assert runner.invoke(cli, ["decide", PAYMENTS, "-f", "json", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["workload"] == "payments-api"
    bad = tmp_path / "bad.json"
    result = runner.invoke(cli, ["decide", str(tmp_path / "missing.yaml"), "-o", str(bad)])
    assert result.exit_code == 2 and not bad.exists()
    assert list(tmp_path.iterdir()) == [out]


def test_a_write_that_fails_midway_keeps_the_old_file_and_leaves_no_temporary(runner, tmp_path, monkeypatch):
    """If the rename into place fails, the previous report is intact and no temporary file is left."""
    import os

    out = tmp_path / "report.json"
    out.write_text("previous report\n")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = runner.invoke(cli, ["decide", PAYMENTS, "-f", "json", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"advisor: {out}: cannot write: No space left on device\n"
    assert out.read_text() == "previous report\n" and list(tmp_path.iterdir()) == [out]


def test_a_broken_rule_pack_exits_2_with_file_and_line(runner, write):
    """decide --rules with an invalid pack exits 2 naming file:line and the rule."""
    pack = write("p.yaml", TWO_OPTIONS.replace("density: high}, effects: {a: 2}", "densty: high}, effects: {a: 2}"))
    result = runner.invoke(cli, ["decide", PAYMENTS, "--rules", str(pack)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"advisor: {pack}:7: fa: unknown field 'densty' (did you mean 'density'?)")


def test_rules_list_json_gives_each_rule(runner, pack):
    """rules list --format json gives each rule's id, condition, effects, because and sources."""
    data = json.loads(runner.invoke(cli, ["rules", "list", "-f", "json"]).stdout)
    assert [r["id"] for r in data["rules"]] == [r.id for r in pack.rules]
    first = data["rules"][0]
    assert set(first) == {"id", "dimension", "condition", "effects", "because", "sources"}
    assert first["condition"] == {"guest_os": "different"}


def test_rules_list_text_shows_conditions_in_words(runner):
    """The text listing shows each rule's condition, effects and sources."""
    out = runner.invoke(cli, ["rules", "list"]).stdout
    expected = "own-kernel  (Architecture)\n    when     custom_kernel is true or kernel is own-kernel\n"
    assert expected + "    effects  docker veto, vm +6\n" in out


def test_rules_lint_reports_every_problem_and_exits_2(runner, write):
    """rules lint prints each problem as file:line: rule: what, and exits 2."""
    pack = write("p.yaml", TWO_OPTIONS.replace("sources: [C1]}\n", "sources: [C11]}\n", 2))
    result = runner.invoke(cli, ["rules", "lint", str(pack)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{pack}:7: fa: unknown claim id 'C11' (did you mean 'C1'?)",
        f"{pack}:8: fb: unknown claim id 'C11' (did you mean 'C1'?)",
    ]
    assert result.stderr == "advisor: 2 problems found\n"


def test_rules_lint_passes_the_shipped_packs(runner):
    """rules lint with no path checks every shipped pack and exits 0."""
    from advisor.resources import shipped_packs

    result = runner.invoke(cli, ["rules", "lint"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(shipped_packs()) and all(": ok: " in line for line in lines)
    assert lines[0].endswith("docker-vs-vm.yaml: ok: 24 rules, 2 options")


def test_schema_prints_the_workload_schema(runner):
    """schema prints a JSON Schema that names the workload's fields."""
    data = json.loads(runner.invoke(cli, ["schema"]).stdout)
    assert data["properties"]["name"]["type"] == "string"
    assert "isolation" in data["$defs"]["Requirements"]["properties"]


def test_every_command_has_help_and_is_in_the_readme(runner):
    """Each command and subcommand has help text and is named in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def walk(group, prefix):
        for name, command in group.commands.items():
            path = [*prefix, name]
            yield path, command
            if hasattr(command, "commands"):
                yield from walk(command, path)

    for path, command in walk(cli, []):
        assert command.help, path
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.stdout
        assert f"advisor {' '.join(path)}" in readme, path


def _modules_after(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    """The modules that one advisor command run in a fresh process imports."""
    code = (
        f"import sys\nfrom advisor.cli import cli\ntry:\n    cli({args!r})\nexcept SystemExit:\n    pass\n"
        "import json\nprint(json.dumps(sorted(sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_help_imports_neither_durable_nor_jinja2_nor_pydantic():
    """advisor --help stays fast: it imports neither the rules engine, the template engine nor pydantic."""
    found = set(_modules_after(["--help"]))
    assert not found & {"durable_rules_engine", "durable", "jinja2", "pydantic", "pydantic.main"}


def test_decide_imports_the_decision_renderers_only():
    """decide starts without the renderers of checks, ADRs, analyses or rule lists, or the pack analysis."""
    found = _modules_after(["decide", PAYMENTS, "-f", "json"])
    assert "advisor.formats.decision_formats" in found
    assert not [m for m in found if m.endswith(("check_formats", "adr_formats", "analysis_formats", "rules_formats"))]
    assert "advisor.analysis_model" not in found


MODEL_MACHINERY = {"pydantic.main", "pydantic.fields", "advisor.workload_model", "advisor.rulepack_model"}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_decide_on_a_cached_pack_and_a_valid_file_builds_no_pydantic_model(fmt, tmp_path):
    """With its pack in the cache, decide reads, decides and renders a valid workload without pydantic's models."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "ADVISOR_NO_CACHE": ""}
    first = set(_modules_after(["decide", PAYMENTS, "-f", fmt], env))
    assert "advisor.rulepack_model" in first  # the pack was validated, then kept
    again = set(_modules_after(["decide", PAYMENTS, "-f", fmt], env))
    assert "advisor.decision" in again and not again & MODEL_MACHINERY


def test_a_workload_with_a_problem_is_judged_by_the_model(tmp_path):
    """A workload the plain check does not take goes to the pydantic model, which names the problem."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: svc\nrequirements:\n  isolation: extreme\n", encoding="utf-8")
    found = set(_modules_after(["decide", str(bad)]))
    assert "advisor.workload_model" in found


def test_check_lists_its_own_formats_when_asked(runner):
    """The check's --format choices are its six renderers, found when the choice is read, and a wrong one is refused."""
    assert "[text|json|junit|sarif|github|html]" in runner.invoke(cli, ["check", "--help"]).stdout
    result = runner.invoke(cli, ["check", str(EXAMPLES), "-f", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of 'text', 'json', 'junit', 'sarif', 'github', 'html'" in result.stderr


def test_formats_keep_their_order_whichever_module_is_imported_first():
    """The check's formats are listed in one order even when the fleet page's module is imported before the others."""
    code = "import advisor.formats.check_formats_page\nfrom advisor import formats\nprint(formats.names('check'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "['text', 'json', 'junit', 'sarif', 'github', 'html']"


def test_python_dash_m_runs_the_cli():
    """python -m advisor is the same command."""
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "decide", PAYMENTS, "-f", "json"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0 and json.loads(result.stdout)["recommendation"] == "docker"


def test_rules_lint_goes_on_past_an_unreadable_pack(runner, tmp_path):
    """A missing pack is reported and the other packs are still linted."""
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(cli, ["rules", "lint", str(missing), str(ROOT / "rules" / "docker-vs-vm.yaml")])
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == f"{missing}: no such file"
    assert result.stdout.splitlines()[1].endswith("docker-vs-vm.yaml: ok: 24 rules, 2 options")


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_on_standard_output_is_one_line_not_a_traceback():
    """When standard output cannot be written, advisor says so in one line and exits 2."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "advisor", "decide", PAYMENTS], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 2
    assert result.stderr == "advisor: cannot write the output: No space left on device\n"


def test_output_dash_is_standard_output(runner, tmp_path, monkeypatch):
    """--output - prints the report instead of writing a file named '-'."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["decide", PAYMENTS, "-f", "json", "-o", "-"])
    assert result.exit_code == 0 and json.loads(result.stdout)["workload"] == "payments-api"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["decide"], "advisor decide: Missing argument 'WORKLOAD'. (see 'advisor decide --help')\n"),
        (["nosuch"], "advisor: No such command 'nosuch'. (see 'advisor --help')\n"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(runner, args, expected):
    """A usage mistake gets one line naming the command and where to find help."""
    result = runner.invoke(cli, args)
    assert (result.exit_code, result.stderr) == (2, expected)


def test_a_folder_given_as_the_workload_is_one_line(runner, tmp_path):
    """A folder where a workload file belongs exits 2 with one line naming it."""
    result = runner.invoke(cli, ["decide", str(tmp_path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"'{tmp_path}' is a directory" in result.stderr


# --- internal errors and option conflicts ------------------------------------------


def crash(*args, **kwargs):
    raise RuntimeError("the decision\nbroke")


def test_an_internal_error_exits_70_in_one_line_without_a_traceback(runner, monkeypatch):
    """A bug is exit 70 (never 1, which a CI gate reads as a policy violation), one line asking for a report."""
    monkeypatch.setattr("advisor.decision.decide", crash)
    monkeypatch.delenv("ADVISOR_DEBUG", raising=False)
    result = runner.invoke(cli, ["decide", PAYMENTS])
    assert result.exit_code == 70
    assert result.stderr == "advisor: internal error: RuntimeError: the decision broke; please report it\n"


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback_of_an_internal_error(runner, monkeypatch, how):
    """--debug, or ADVISOR_DEBUG=1, prints the traceback before the one-line message; the exit code stays 70."""
    monkeypatch.setattr("advisor.decision.decide", crash)
    args = ["--debug", "decide", PAYMENTS] if how == "flag" else ["decide", PAYMENTS]
    if how == "env":
        monkeypatch.setenv("ADVISOR_DEBUG", "1")
    result = runner.invoke(cli, args)
    assert result.exit_code == 70
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "in crash" in result.stderr
    assert result.stderr.endswith("advisor: internal error: RuntimeError: the decision broke; please report it\n")


def test_an_internal_error_in_check_is_70_not_a_policy_failure(runner, monkeypatch):
    """`advisor check` hitting a bug exits 70, so a pipeline tells a crash from a failed policy."""
    monkeypatch.setattr("advisor.check.check_files", crash)
    assert runner.invoke(cli, ["check", PAYMENTS]).exit_code == 70


def test_a_template_with_an_explicit_format_is_refused(runner, tmp_path):
    """--template renders the report itself, so giving --format too is a usage error (exit 2), nothing printed."""
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ decision.workload }}\n", encoding="utf-8")
    result = runner.invoke(cli, ["decide", PAYMENTS, "--template", str(template), "--format", "html"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--template renders the report itself; leave out --format" in result.stderr
    alone = runner.invoke(cli, ["decide", PAYMENTS, "--template", str(template)])
    assert (alone.exit_code, alone.stdout) == (0, "payments-api\n")


# --- shipped packs by name ---------------------------------------------------------


def test_rules_takes_a_shipped_packs_name(runner):
    """--rules docker-vs-vm decides exactly as the default pack does."""
    named = runner.invoke(cli, ["decide", PAYMENTS, "--rules", "docker-vs-vm", "-f", "json"])
    default = runner.invoke(cli, ["decide", PAYMENTS, "-f", "json"])
    assert named.exit_code == default.exit_code == 0
    assert named.stdout == default.stdout


def test_a_path_wins_over_a_shipped_name(runner, tmp_path, monkeypatch):
    """A file called like a shipped pack, in the working folder, is the pack used."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docker-vs-vm").write_text((ROOT / "tests" / "packs" / "three-options.yaml").read_text())
    result = runner.invoke(cli, ["decide", PAYMENTS, "--rules", "docker-vs-vm", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pack"]["name"] == "three-options"


def test_an_unknown_pack_name_lists_the_shipped_ones(runner):
    """A bare name that is neither a file nor a shipped pack exits 2 naming the shipped packs."""
    result = runner.invoke(cli, ["decide", PAYMENTS, "--rules", "no-such-pack"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("advisor: --rules: no rule pack named 'no-such-pack'; the shipped packs are ")
    assert "docker-vs-vm" in result.stderr and result.stderr.count("\n") == 1


def test_rules_packs_lists_every_shipped_pack(runner):
    """`advisor rules packs` names each shipped pack with its version, title, options and rule count."""
    from advisor.resources import shipped_packs

    result = runner.invoke(cli, ["rules", "packs", "-f", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [p["pack"] for p in listed] == list(shipped_packs())
    first = listed[0]
    assert first["pack"] == "docker-vs-vm" and first["options"] == ["docker", "vm"] and first["rules"] > 20
    text = runner.invoke(cli, ["rules", "packs"]).stdout
    head = f"docker-vs-vm {first['version']}: {first['title']}\n    {first['rules']} rules over docker, vm\n"
    assert text.startswith(head)
