"""The CI check's library: policies, verdicts, margins, allowed options, waivers, discovery."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from advisor.check import check_files, run_check
from advisor.discovery import find_workloads, matches
from advisor.errors import InputError, PolicyError
from advisor.policy import Policy, find_policy, load_policy
from advisor.rulepack import load_pack

TODAY = dt.date(2025, 6, 1)

# A small pack whose points are known here, so the verdicts below do not move when the
# shipped pack is tuned.
PACK = """\
pack: test-pack
version: "1"
title: Test pack
claims:
  C1: {section: "1", quote: "Цитата.", text: "A claim."}
options:
  docker: {title: Docker containers, summary: Containers.}
  vm: {title: Virtual machines, summary: VMs.}
rules:
  - {id: fast-start, dimension: startup, when: {startup: seconds}, effects: {docker: 2},
     because: Starts fast., sources: [C1]}
  - {id: instant-start, dimension: startup, when: {startup: subsecond}, effects: {docker: 5},
     because: Starts instantly., sources: [C1]}
  - {id: own-kernel, dimension: architecture, when: {custom_kernel: true}, effects: {docker: veto, vm: 6},
     because: Needs its own kernel., sources: [C1]}
  - {id: os-testing, dimension: use_case, when: {os_testing: true}, effects: {vm: veto},
     because: Test-only veto of VMs., sources: [C1]}
  - {id: high-isolation, dimension: isolation, when: {isolation: high}, effects: {vm: 2},
     because: Isolates better., sources: [C1]}
"""


@pytest.fixture(scope="module")
def test_pack(tmp_path_factory):
    """The small pack above, loaded once."""
    path = tmp_path_factory.mktemp("pack") / "test-pack.yaml"
    path.write_text(PACK, encoding="utf-8")
    return load_pack(path)


def workload(name: str, declared: str | None, **requirements) -> str:
    """A workload file's text."""
    lines = [f"name: {name}"]
    if declared:
        lines.append(f"declared: {declared}")
    lines.append("requirements:" if requirements else "requirements: {}")
    lines += [f"  {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in requirements.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def verdict(write, test_pack):
    """Check one workload against a policy and return its verdict."""

    def _verdict(declared, policy=None, name="svc", today=TODAY, **requirements):
        path = write(f"{name}/workload.yaml", workload(name, declared, **requirements))
        result = check_files([str(path)], test_pack, policy or Policy(), today=today)
        return result.results[0]

    return _verdict


# --- verdicts and margins ---------------------------------------------------------------


def test_declared_recommendation_passes(verdict):
    """A workload that declares the best option passes, with no finding."""
    v = verdict("docker", startup="seconds")
    assert (v.verdict, v.finding, v.recommendation, v.loss) == ("pass", None, "docker", 0)


def test_small_loss_within_margin_warns(verdict):
    """Trailing by no more than the margin (2 <= 3) is a warning naming the rules behind it."""
    v = verdict("vm", startup="seconds")
    assert (v.verdict, v.finding, v.loss, v.rules) == ("warn", "close", 2, ["fast-start"])


def test_loss_beyond_margin_fails(verdict):
    """Trailing by more than the margin (5 > 3) fails as a mismatch."""
    v = verdict("vm", startup="subsecond")
    assert (v.verdict, v.finding, v.loss) == ("fail", "mismatch", 5)


@pytest.mark.parametrize(("margin", "expected"), [(0, "fail"), (1, "fail"), (2, "warn"), (5, "warn")])
def test_margin_boundary(verdict, margin, expected):
    """A loss equal to the margin warns; one point more fails; margin 0 fails every loss."""
    assert verdict("vm", Policy(margin=margin), startup="seconds").verdict == expected


def test_vetoed_declaration_fails(verdict):
    """A declared option that a rule vetoes fails, naming the vetoing rule."""
    v = verdict("docker", custom_kernel=True)
    assert (v.verdict, v.finding, v.rules, v.recommendation) == ("fail", "vetoed", ["own-kernel"], "vm")


def test_tie_passes_and_names_the_tie(verdict):
    """Declaring one of options tied for first passes; the result lists the tie, with no single recommendation."""
    v = verdict("vm", startup="seconds", isolation="high")
    assert (v.verdict, v.finding, v.recommendation, v.tied) == ("pass", None, None, ["docker", "vm"])


def test_all_vetoed_fails(verdict):
    """When every option is vetoed the declared one is too, so the workload fails."""
    v = verdict("vm", custom_kernel=True, os_testing=True)
    assert (v.verdict, v.finding, v.rules, v.recommendation, v.tied) == ("fail", "vetoed", ["os-testing"], None, [])


def test_no_declaration_is_unchecked(verdict):
    """A workload without `declared` is unchecked, but still gets the advice."""
    v = verdict(None, startup="subsecond")
    assert (v.verdict, v.finding, v.recommendation) == ("unchecked", None, "docker")


def test_require_declared_fails_undeclared(verdict):
    """With require_declared, a workload without `declared` fails."""
    v = verdict(None, Policy(require_declared=True), startup="subsecond")
    assert (v.verdict, v.finding) == ("fail", "undeclared")


# --- what fails the build ---------------------------------------------------------------


def test_fail_on_veto_turns_mismatches_into_warnings(verdict):
    """With fail_on veto a mismatch only warns, while a veto still fails."""
    policy = Policy(fail_on="veto")
    assert verdict("vm", policy, startup="subsecond").verdict == "warn"
    assert verdict("docker", policy, name="k", custom_kernel=True).verdict == "fail"


def test_fail_on_warn_fails_small_losses(verdict):
    """With fail_on warn a loss within the margin fails too."""
    v = verdict("vm", Policy(fail_on="warn"), startup="seconds")
    assert (v.verdict, v.finding) == ("fail", "close")


# --- allowed options --------------------------------------------------------------------


def test_option_not_allowed_fails(verdict):
    """A declared option the policy does not allow fails, even when the rules favour it."""
    v = verdict("docker", Policy(allowed=("vm",)), startup="subsecond")
    assert (v.verdict, v.finding) == ("fail", "not_allowed")


def test_best_allowed_option_is_the_yardstick(verdict):
    """A forbidden option is not the recommendation: the best allowed one is, so declaring it passes."""
    v = verdict("vm", Policy(allowed=("vm",)), startup="subsecond")
    assert (v.verdict, v.recommendation, v.loss) == ("pass", "vm", 0)


# --- waivers ----------------------------------------------------------------------------


def waiver_policy(tmp_path: Path, body: str, **extra) -> Policy:
    path = tmp_path / ".advisor.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_policy(path).model_copy(update=extra)


def test_option_waiver_turns_failure_into_pass(verdict, tmp_path):
    """A valid waiver of the declared option makes a failing workload pass and says which waiver."""
    policy = waiver_policy(
        tmp_path,
        """\
        waivers:
          - workload: svc
            option: vm
            reason: Migrating next quarter.
            expires: 2025-12-31
        """,
    )
    v = verdict("vm", policy, startup="subsecond")
    assert (v.verdict, v.finding) == ("pass", "mismatch")
    assert [(w.option, w.reason, w.expires) for w in v.waivers] == [("vm", "Migrating next quarter.", "2025-12-31")]
    assert v.waivers[0].where.endswith(".advisor.yaml:2")


def test_rule_waiver_removes_the_rule_effects(verdict, tmp_path):
    """Waiving a rule drops its points: without instant-start's +5 there is nothing to lose."""
    policy = waiver_policy(tmp_path, "waivers: [{workload: svc, rule: instant-start, reason: Measured it.}]")
    v = verdict("vm", policy, startup="subsecond")
    assert (v.verdict, v.loss, v.scores) == ("pass", 0, {"docker": 0, "vm": 0})


def test_waiving_a_veto_keeps_the_other_points(verdict, tmp_path):
    """Waiving only a veto rule lifts the veto and its points, and the declared option is judged on the rest."""
    policy = waiver_policy(tmp_path, "waivers: [{workload: svc, rule: own-kernel, reason: gVisor.}]")
    v = verdict("docker", policy, custom_kernel=True, isolation="high")
    assert (v.verdict, v.finding, v.loss, v.rules) == ("warn", "close", 2, ["high-isolation"])


def test_expired_waiver_no_longer_applies(verdict, tmp_path):
    """After its expiry day a waiver is ignored, and the result says it expired."""
    policy = waiver_policy(
        tmp_path, "waivers: [{workload: svc, option: vm, reason: Until the migration., expires: 2025-05-31}]"
    )
    v = verdict("vm", policy, startup="subsecond")
    assert (v.verdict, v.waivers) == ("fail", [])
    assert [w.expires for w in v.expired] == ["2025-05-31"]


def test_waiver_holds_through_its_expiry_day(verdict, tmp_path):
    """A waiver expiring today still applies today."""
    policy = waiver_policy(tmp_path, "waivers: [{workload: svc, option: vm, reason: Today., expires: 2025-06-01}]")
    assert verdict("vm", policy, startup="subsecond").verdict == "pass"


def test_waiver_for_another_workload_does_not_apply(verdict, tmp_path):
    """A waiver names its workload; others are not covered, while a glob covers every match."""
    policy = waiver_policy(
        tmp_path,
        """\
        waivers:
          - {workload: other, option: vm, reason: Not this one.}
          - {workload: "team-*", option: vm, reason: The whole team.}
        """,
    )
    assert verdict("vm", policy, startup="subsecond").verdict == "fail"
    matched = verdict("vm", policy, name="team-a", startup="subsecond")
    assert (matched.verdict, matched.waivers[0].workload) == ("pass", "team-*")


def test_expired_waivers_are_listed_for_the_run(write, test_pack, tmp_path):
    """Every expired waiver of the policy is reported once for the whole run, used or not."""
    policy = waiver_policy(tmp_path, "waivers: [{workload: gone, option: vm, reason: Old., expires: 2020-01-01}]")
    path = write("a/workload.yaml", workload("a", "docker"))
    result = check_files([str(path)], test_pack, policy, today=TODAY)
    assert [(w.workload, w.expires) for w in result.expired_waivers] == [("gone", "2020-01-01")]


# --- the policy file ----------------------------------------------------------------------


def test_policy_file_is_read(tmp_path):
    """Every key of a policy file is read, with pack paths taken relative to the policy file."""
    (tmp_path / "extra.yaml").write_text("x: 1\n", encoding="utf-8")
    policy = waiver_policy(
        tmp_path,
        """\
        margin: 5
        fail_on: warn
        allowed: [vm]
        require_declared: true
        patterns: ["*.svc.yaml"]
        packs: [extra.yaml]
        """,
    )
    assert (policy.margin, policy.fail_on, policy.allowed, policy.require_declared, policy.patterns) == (
        5, "warn", ("vm",), True, ("*.svc.yaml",),
    )
    assert policy.packs == ((tmp_path / "extra.yaml").as_posix(),)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("margin: 3\nfail_on: never\n", 2, "fail_on: must be one of veto, mismatch, warn, got a string 'never'"),
        ("fail_on: 3\n", 1, "fail_on: must be one of veto, mismatch, warn, got a number '3'"),
        ("margn: 3\n", 1, "unknown key 'margn' (did you mean 'margin'?)"),
        ("margin: -1\n", 1, "margin: must be a whole number of points, 0 or more, got a number '-1'"),
        ("margin: true\n", 1, "got true/false 'True'"),
        ('margin: "x"\n', 1, "margin: must be a whole number of points, 0 or more, got a string 'x'"),
        ("require_declared: yes please\n", 1, "require_declared: expected true or false, got a string 'yes please'"),
        ("waivers:\n  - workload: a\n    option: vm\n", 2, "waivers[0]: 'reason' is missing; every waiver needs one"),
        ("waivers:\n  - {workload: a, option: vm, reason: '  '}\n", 2, "'reason' must be a non-empty string"),
        ("waivers:\n  - workload: a\n    reason: r\n", 2, "names either an 'option' or a 'rule'"),
        ("waivers:\n  - workload: a\n    rule: x\n    option: vm\n    reason: r\n", 2, "either an 'option' or"),
        ("waivers:\n  - workload: a\n    option: vm\n    reason: r\n    expires: soon\n", 5,
         "waivers[0].expires: expected a date (YYYY-MM-DD), got a string 'soon'"),
        ("waivers:\n  - workload: a\n    option: vm\n    reason: r\n    until: 2025-01-01\n", 5, "unknown key 'until'"),
        ("packs: [missing.yaml]\n", 1, "no such rule pack"),
        ("allowed: []\n", 1, "allowed: must be a non-empty list"),
        ("- margin\n", 1, "a policy must be a mapping"),
    ],
)
def test_invalid_policy_names_file_and_line(tmp_path, body, line, message):
    """Each kind of invalid policy is a PolicyError naming the file, the line and what is wrong."""
    path = tmp_path / ".advisor.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("allowed: [vm, dokcer]\n", 1, "allowed[1]: unknown option 'dokcer' (did you mean 'docker'?)"),
        ("waivers:\n  - workload: a\n    rule: own-kernal\n    reason: r\n", 3, "unknown rule 'own-kernal' (did"),
        ("waivers:\n  - workload: a\n    option: vms\n    reason: r\n", 3, "unknown option 'vms'"),
    ],
)
def test_policy_names_must_exist_in_the_pack(tmp_path, test_pack, body, line, message):
    """Options and rules a policy names are checked against the rule pack, with their line."""
    path = tmp_path / ".advisor.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path).check_against(test_pack)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_policy_found_walking_up(tmp_path):
    """`.advisor.yaml` in a folder above the current one applies."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".advisor.yaml").write_text("margin: 7\n", encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    policy = find_policy(deep)
    assert (policy.margin, policy.source) == (7, "../../.advisor.yaml")


def test_policy_search_stops_at_the_repository_root(tmp_path):
    """A policy above the repository root (the folder with .git) is not picked up: defaults apply."""
    (tmp_path / ".advisor.yaml").write_text("margin: 7\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_policy(repo) == Policy()


def test_pyproject_table_is_the_fallback(tmp_path):
    """Without .advisor.yaml, [tool.advisor] of pyproject.toml is the policy, waivers included."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "x"

            [tool.advisor]
            margin = 1
            allowed = ["vm"]

            [[tool.advisor.waivers]]
            workload = "legacy"
            option = "docker"
            reason = "Vendor support."
            expires = 2026-01-31
            """
        ),
        encoding="utf-8",
    )
    policy = find_policy(tmp_path)
    assert (policy.margin, policy.allowed, policy.source) == (1, ("vm",), "pyproject.toml")
    assert policy.waivers[0].expires == dt.date(2026, 1, 31)
    assert policy.waivers[0].where == "pyproject.toml:8"


def test_advisor_yaml_wins_over_pyproject(tmp_path):
    """When both exist, .advisor.yaml is the policy."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.advisor]\nmargin = 1\n", encoding="utf-8")
    (tmp_path / ".advisor.yaml").write_text("margin: 2\n", encoding="utf-8")
    assert find_policy(tmp_path).margin == 2


def test_pyproject_without_table_means_defaults(tmp_path):
    """A pyproject.toml without [tool.advisor] is passed over."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'advisor-like'\n", encoding="utf-8")
    assert find_policy(tmp_path) == Policy()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[tool.advisor]\nmargin = \n", 2, "invalid TOML"),
        ("[tool.advisor]\nfail_on = 'mismatch'\nmargin = -2\n", 3, "margin: must be a whole number"),
        ("[tool.advisor]\n\n[[tool.advisor.waivers]]\nworkload = 'a'\noption = 'vm'\n", 3, "'reason' is missing"),
    ],
)
def test_invalid_pyproject_policy_names_the_line(tmp_path, text, line, message):
    """Errors in [tool.advisor] name pyproject.toml and the line."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        find_policy(tmp_path)
    assert str(caught.value).startswith(f"pyproject.toml:{line}: ")
    assert message in str(caught.value)


def test_policy_packs_are_merged(tmp_path, write, test_pack):
    """A policy's extra rule pack adds rules that then decide."""
    write(
        "policy/extra.yaml",
        """\
pack: extra
claims: {X1: {section: "x", quote: "q", text: "t"}}
rules:
  - {id: budget, dimension: resources, when: {resource_budget: tight}, effects: {docker: 9}, because: B., sources: [X1]}
""",
    )
    write("policy/.advisor.yaml", "packs: [extra.yaml]\n")
    write("svc/workload.yaml", workload("svc", "vm", resource_budget="tight"))
    result = run_check(
        [str(tmp_path / "svc")],
        policy_path=str(tmp_path / "policy/.advisor.yaml"),
        rules_path=test_pack.path,
        today=TODAY,
        cwd=tmp_path,
    )
    (v,) = result.results
    assert (v.verdict, v.finding, v.rules) == ("fail", "mismatch", ["budget"])


# --- finding workload files ---------------------------------------------------------------


def test_folders_are_searched_by_pattern(tmp_path, write):
    """Folders yield files matching the default pattern, sorted, skipping hidden folders."""
    for name in ("b/workload.yaml", "a/workload.yml", "a/api.workload.yaml", "a/other.yaml", ".hidden/workload.yaml"):
        write(name, "x")
    files, problems = find_workloads([str(tmp_path)])
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "a/api.workload.yaml", "a/workload.yml", "b/workload.yaml",
    ]
    assert problems == []


def test_named_files_are_taken_whatever_their_name(tmp_path, write, monkeypatch):
    """A file named on the command line is checked even if no pattern matches, and only once."""
    write("svc/custom.yaml", "x")
    write("svc/workload.yaml", "x")
    monkeypatch.chdir(tmp_path)
    files, problems = find_workloads(["svc/custom.yaml", "svc", "./svc/workload.yaml", "gone"])
    assert files == ["svc/custom.yaml", "svc/workload.yaml"]
    assert problems == [("gone", "no such file or folder")]


def test_patterns_with_a_slash_match_the_path():
    """A pattern holding '/' matches the path below the searched folder, others the file name."""
    assert matches("deploy/prod.yaml", ["deploy/*.yaml"])
    assert not matches("other/prod.yaml", ["deploy/*.yaml"])
    assert matches("deep/dir/service.workload.yaml", ["*.workload.yaml"])


def test_no_workload_files_is_an_input_error(tmp_path):
    """Pointing the check at a folder without workload files is an error, not a silent pass."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no workload files in"):
        run_check([str(tmp_path / "empty")], cwd=tmp_path)


def test_policy_option_reads_pyproject(tmp_path):
    """--policy pyproject.toml reads its [tool.advisor]; a pyproject without one is an error."""
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.advisor]\nmargin = 4\n", encoding="utf-8")
    assert load_policy(path).margin == 4
    path.write_text("[project]\nname = 'advisor-like'\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"pyproject.toml: has no \[tool.advisor\] table"):
        load_policy(path)


def test_waiver_names_a_workload_literally_too(verdict, tmp_path):
    """A workload name holding glob characters is matched as written."""
    policy = waiver_policy(tmp_path, "waivers: [{workload: 'svc[1]', option: vm, reason: Literal name.}]")
    assert verdict("vm", policy, name="svc[1]", startup="subsecond").verdict == "pass"


def test_unreadable_policy_is_named_as_found(tmp_path):
    """A policy file that cannot be read is named by the path shown for it elsewhere, relative to the folder."""
    (tmp_path / ".git").mkdir()
    deep = tmp_path / "svc"
    deep.mkdir()
    (tmp_path / ".advisor.yaml").write_bytes(b"margin: \xff\n")
    with pytest.raises(PolicyError) as caught:
        find_policy(deep)
    assert str(caught.value) == "../.advisor.yaml:1: not UTF-8 text (byte 0xff at offset 8)"
    (tmp_path / ".advisor.yaml").unlink()
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.advisor]\nmargin = \xff\n")
    with pytest.raises(PolicyError) as caught:
        find_policy(deep)
    assert str(caught.value) == "../pyproject.toml:2: not UTF-8 text (byte 0xff at offset 24)"


# --- the result -----------------------------------------------------------------------------


def test_exit_code_of_a_result(write, test_pack):
    """The result's exit code: 0 when all pass, 1 when one fails, 2 when a file could not be checked."""
    ok = write("ok/workload.yaml", workload("ok", "docker", startup="seconds"))
    bad = write("bad/workload.yaml", workload("bad", "docker", custom_kernel=True))
    broken = write("broken/workload.yaml", "name: [\n")
    codes = [check_files([str(p) for p in files], test_pack, Policy(), today=TODAY).exit_code
             for files in ([ok], [ok, bad], [ok, bad, broken])]
    assert codes == [0, 1, 2]


def test_rules_claims_and_pack_are_the_decisions(write, test_pack):
    """The rules, claims and pack a result reports are those of the decisions behind it, in pack order."""
    from advisor import api

    paths = [write("k/workload.yaml", workload("k", "docker", custom_kernel=True, startup="subsecond")),
             write("s/workload.yaml", workload("s", "vm", startup="seconds"))]
    result = check_files([str(p) for p in paths], test_pack, Policy(margin=0), today=TODAY)
    decisions = [api.decide(p, test_pack, counterfactuals=False) for p in paths]
    fired = {f.rule: f for d in decisions for f in d.fired}
    assert [r.rule for r in result.rules] == ["fast-start", "own-kernel"]
    assert result.rules == [fired["fast-start"], fired["own-kernel"]]
    assert result.claims == decisions[0].claims
    assert result.pack == decisions[0].pack


def test_a_waived_veto_rule_counts_no_points_in_the_verdict(pack):
    """A veto gives an option no points: the check's scores are the decision's, rule for rule."""
    from advisor import scoring

    assert [scoring.points(e) for e in (3, -2, 0, "veto")] == [3, -2, 0, 0]
    fired = ["untrusted-code", "microservices"]
    scores, vetoes = scoring.add_up(pack, fired)
    assert scores == {"docker": 3, "vm": 8} and vetoes == {"docker": ["untrusted-code"]}


def test_today_is_a_date_or_text(tmp_path, write, test_pack):
    """run_check takes today as a date or as YYYY-MM-DD, and refuses anything else as bad input."""
    write("svc/workload.yaml", workload("svc", "vm", startup="subsecond"))
    policy = waiver_policy(tmp_path, "waivers: [{workload: svc, option: vm, reason: R., expires: 2025-05-31}]")
    policy_path = policy.source
    kwargs = {"policy_path": policy_path, "rules_path": test_pack.path, "cwd": tmp_path}
    assert run_check([str(tmp_path / "svc")], today="2025-05-31", **kwargs).exit_code == 0
    assert run_check([str(tmp_path / "svc")], today=dt.date(2025, 6, 1), **kwargs).exit_code == 1
    with pytest.raises(InputError, match="'31/05/2025' is not a date"):
        run_check([str(tmp_path / "svc")], today="31/05/2025", **kwargs)


HUGE = "0x" + "f" * 4000  # an integer whose decimal form Python refuses to print
CUT = "0x" + "f" * 57 + "…"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (".advisor.yaml", f"margin: {HUGE}\n",
         f":1: margin: must be at most 100000 points (no two scores differ by more), got a number '{CUT}'"),
        (".advisor.yaml", f"margin: -{HUGE}\n",
         ":1: margin: must be a whole number of points, 0 or more, got a number '-" + "0x" + "f" * 56 + "…'"),
        ("pyproject.toml", f"[tool.advisor]\nmargin = {HUGE}\n",
         f":2: margin: must be at most 100000 points (no two scores differ by more), got a number '{CUT}'"),
        (".advisor.yaml", f"waivers:\n  - {{workload: a, option: vm, reason: r, expires: {HUGE}}}\n",
         f":2: waivers[0].expires: expected a date (YYYY-MM-DD), got a number '{CUT}'"),
        (".advisor.yaml", "fail_on: " + "x" * 100_000 + "\n",
         ":1: fail_on: must be one of veto, mismatch, warn, got a string '" + "x" * 59 + "…'"),
    ],
)
def test_huge_numbers_and_long_values_in_a_policy_are_one_line(tmp_path, name, body, message):
    """A policy value too long to print (an integer of thousands of digits, a long string) gives one short line."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}{message}"


def test_a_policy_built_in_python_is_checked_against_the_pack_too(test_pack):
    """A policy built in Python is checked against the pack like one read from a file."""
    with pytest.raises(PolicyError, match=r"^allowed\[0\]: unknown option 'kvm' \(did you mean 'vm'\?\)$"):
        Policy(allowed=("kvm",)).check_against(test_pack)


def test_overridden_settings_keep_the_policy_file(tmp_path):
    """Settings overridden on the command line keep the policy's file and waivers."""
    policy = waiver_policy(tmp_path, "margin: 2\nwaivers: [{workload: a, option: vm, reason: R.}]\n", fail_on="warn")
    assert (policy.fail_on, policy.margin, policy.source, policy.waivers[0].where) == (
        "warn", 2, str(tmp_path / ".advisor.yaml"), f"{tmp_path / '.advisor.yaml'}:2",
    )


def test_a_key_yaml_reads_as_a_number_is_an_unknown_key(tmp_path):
    """A policy key such as `1:` is named as written, as an unknown key on its line."""
    path = tmp_path / ".advisor.yaml"
    path.write_text("margin: 2\n1: x\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}:2: unknown key '1'"
