"""`advisor check` on the command line: exit codes, policies, mixed batches, output, pre-commit."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor import cli as cli_module
from advisor.cli import cli

from .conftest import ROOT
from .test_policy import PACK, workload


@pytest.fixture
def fleet(tmp_path, write, monkeypatch):
    """A repository with the test pack and a folder of services; the current folder is its root."""
    (tmp_path / ".git").mkdir()
    write("pack.yaml", PACK)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def add(name: str, declared: str | None, **requirements) -> Path:
        return write(f"services/{name}/workload.yaml", workload(name, declared, **requirements))

    return add


def check(runner, *args):
    return runner.invoke(cli, ["check", *args, "--rules", "pack.yaml"])


def test_all_pass_exits_0(runner, fleet):
    """When every workload passes, the exit code is 0 and the text lists each one and a summary."""
    fleet("api", "docker", startup="seconds")
    fleet("erp", "vm", custom_kernel=True)
    result = check(runner, "services")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "PASS      services/api/workload.yaml:2: api: declares docker, as advised\n"
        "PASS      services/erp/workload.yaml:2: erp: declares vm, as advised\n"
        "\n"
        "2 files: 2 passed, 0 warned, 0 failed, 0 unchecked, 0 errors\n"
        "policy defaults: margin 3, fail on mismatch; rule pack test-pack 1\n"
    )


def test_a_failure_exits_1(runner, fleet):
    """One failing workload makes the exit code 1."""
    fleet("api", "docker", startup="seconds")
    fleet("kernel", "docker", custom_kernel=True)
    result = check(runner, "services")
    assert result.exit_code == 1
    expected = "FAIL      services/kernel/workload.yaml:2: kernel: declares docker, which rule own-kernel vetoes"
    assert expected in result.stdout


def test_warnings_fail_only_with_fail_on_warn(runner, fleet):
    """A warning alone exits 0; with --fail-on warn it fails the check."""
    fleet("cache", "vm", startup="seconds")
    assert check(runner, "services").exit_code == 0
    strict = check(runner, "services", "--fail-on", "warn")
    assert strict.exit_code == 1
    assert strict.stdout.startswith("FAIL      services/cache/workload.yaml:2: cache: declares vm, which trails docker")


def test_fail_on_veto_lets_mismatches_through(runner, fleet):
    """With --fail-on veto a mismatch is a warning and the exit code is 0."""
    fleet("events", "vm", startup="subsecond")
    assert check(runner, "services").exit_code == 1
    assert check(runner, "services", "--fail-on", "veto").exit_code == 0


def test_require_declared(runner, fleet):
    """An undeclared workload is unchecked (exit 0), and a failure with --require-declared (exit 1)."""
    fleet("todo", None, startup="seconds")
    relaxed = check(runner, "services")
    assert relaxed.exit_code == 0
    assert relaxed.stdout.startswith("UNCHECKED services/todo/workload.yaml:1: todo: declares no platform")
    assert check(runner, "services", "--require-declared").exit_code == 1


def test_mixed_batch_with_broken_files_exits_2(runner, fleet, write):
    """Broken files are reported one line each and the others are still checked; the run exits 2."""
    fleet("api", "docker", startup="seconds")
    fleet("kernel", "docker", custom_kernel=True)
    write("services/bad-yaml/workload.yaml", "name: [unclosed\n")
    write("services/bad-field/workload.yaml", "name: x\nrequirements:\n  isolation: max\n")
    write("services/bad-bytes/workload.yaml", b"name: \xff\n")
    write("services/bad-option/workload.yaml", "name: y\ndeclared: lxc\n")
    result = check(runner, "services", "gone.yaml")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[:8] == [
        "ERROR     gone.yaml: no such file or folder",
        "PASS      services/api/workload.yaml:2: api: declares docker, as advised",
        "ERROR     services/bad-bytes/workload.yaml:1: not UTF-8 text (byte 0xff at offset 6)",
        "ERROR     services/bad-field/workload.yaml:3: requirements.isolation: 'max' is not allowed; "
        "choose one of standard, high, strict",
        "ERROR     services/bad-option/workload.yaml:2: declared: 'lxc' is not an option; choose one of docker, vm",
        "ERROR     services/bad-yaml/workload.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'",
        "FAIL      services/kernel/workload.yaml:2: kernel: declares docker, which rule own-kernel vetoes; "
        "advisor recommends vm",
        "",
    ]
    assert lines[8] == "7 files: 1 passed, 0 warned, 1 failed, 0 unchecked, 5 errors"
    assert "Traceback" not in result.output


def test_invalid_policy_exits_2_with_file_and_line(runner, fleet, write):
    """An invalid policy stops the check before any file: exit 2, one line naming file and line."""
    fleet("api", "docker", startup="seconds")
    write(".advisor.yaml", "margin: 3\nwaivers:\n  - workload: api\n    option: docker\n")
    result = check(runner, "services")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "advisor: .advisor.yaml:3: waivers[0]: 'reason' is missing; every waiver needs one\n"


def test_policy_option_is_used(runner, fleet, write):
    """--policy names the policy file, found anywhere."""
    fleet("cache", "vm", startup="seconds")
    write("ci/strict.yaml", "margin: 0\n")
    assert check(runner, "services").exit_code == 0
    assert check(runner, "services", "--policy", "ci/strict.yaml").exit_code == 1


def test_policy_found_from_a_subfolder(runner, fleet, write, monkeypatch, tmp_path):
    """Run from a subfolder, the check uses the repository's .advisor.yaml above it."""
    fleet("cache", "vm", startup="seconds")
    write(".advisor.yaml", "fail_on: warn\n")
    monkeypatch.chdir(tmp_path / "services")
    result = runner.invoke(cli, ["check", ".", "--rules", "../pack.yaml"])
    assert result.exit_code == 1
    assert "policy ../.advisor.yaml: margin 3, fail on warn" in result.stdout


def test_pyproject_policy(runner, fleet, write):
    """Without .advisor.yaml, [tool.advisor] in pyproject.toml is the policy."""
    fleet("api", "docker", startup="seconds")
    write("pyproject.toml", "[tool.advisor]\nallowed = ['vm']\n")
    result = check(runner, "services")
    assert result.exit_code == 1
    assert "which the policy does not allow (allowed: vm)" in result.stdout


def test_waiver_expiry_follows_the_date(runner, fleet, write, monkeypatch):
    """A waiver applies through its expiry date; after it, the check fails and says the waiver expired."""
    fleet("events", "vm", startup="subsecond")
    write(
        ".advisor.yaml",
        "waivers:\n  - {workload: events, option: vm, reason: Moving in Q1., expires: 2025-01-31}\n",
    )
    before = check(runner, "services", "--date", "2025-01-31")
    assert before.exit_code == 0
    assert "option vm waived until 2025-01-31 (.advisor.yaml:2): Moving in Q1." in before.stdout
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1738368000")  # 2025-02-01
    after = check(runner, "services")
    assert after.exit_code == 1
    assert "expired on 2025-01-31 and no longer applies" in after.stdout
    assert "note: the waiver of option vm for events (.advisor.yaml:2) expired on 2025-01-31" in after.stdout


@pytest.fixture
def time_zone():
    """Set the process's time zone (TZ, then time.tzset); the one before is restored afterwards."""
    before = os.environ.get("TZ")

    def set_zone(zone: str, offset_hours: int) -> None:
        os.environ["TZ"] = zone
        time.tzset()
        assert time.localtime().tm_gmtoff == offset_hours * 3600  # the zone took effect

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_verdict_does_not_depend_on_the_time_zone(runner, fleet, write, time_zone):
    """Without --date or SOURCE_DATE_EPOCH, today is UTC's: waivers lapse at the same moment in every zone.

    At any hour, the local date in UTC+14 or in UTC-12 differs from the UTC date, so a
    check that used the local date would give a different verdict in one of them.
    """
    fleet("kept", "vm", startup="subsecond")
    fleet("lapsed", "vm", startup="subsecond")
    for _ in range(2):  # once more if the UTC date changed during the runs
        utc = dt.datetime.now(dt.UTC).date()
        write(
            ".advisor.yaml",
            f"waivers:\n  - {{workload: kept, option: vm, reason: Today., expires: {utc}}}\n"
            f"  - {{workload: lapsed, option: vm, reason: Yesterday., expires: {utc - dt.timedelta(days=1)}}}\n",
        )
        outputs = {}
        for zone, hours in (("UTC0", 0), ("EAST-14", 14), ("WEST+12", -12)):
            time_zone(zone, hours)
            result = check(runner, "services")
            outputs[zone] = (result.exit_code, result.stdout)
        if dt.datetime.now(dt.UTC).date() == utc:
            break
    assert outputs["EAST-14"] == outputs["UTC0"] == outputs["WEST+12"]
    code, text = outputs["UTC0"]
    assert code == 1
    assert text.startswith("PASS      services/kept/workload.yaml:2: kept: declares vm, which trails docker")
    assert "FAIL      services/lapsed/workload.yaml:2: lapsed: declares vm, which trails docker" in text


def test_bad_source_date_epoch_is_refused_by_every_format(runner, fleet, monkeypatch):
    """A SOURCE_DATE_EPOCH that is not a Unix time is bad input (exit 2), even with --date, which JUnit does not use."""
    fleet("api", "docker", startup="seconds")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "last week")
    assert check(runner, "services").exit_code == 2
    result = check(runner, "services", "--date", "2025-01-01", "--format", "junit")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "advisor: SOURCE_DATE_EPOCH: 'last week' is not a Unix time\n"


def test_control_characters_do_not_reach_the_terminal(runner, fleet, write):
    """A workload name holding an escape sequence is printed with it shown, not acted on; JSON keeps it exactly."""
    text = 'name: "evil\\x1b]0;title\\x07"\ndeclared: vm\nrequirements: {startup: subsecond}\n'
    write("services/evil/workload.yaml", text)
    for fmt in ("text", "github"):
        result = check(runner, "services", "--format", fmt)
        assert result.exit_code == 1
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "evil\\x1b]0;title\\x07: declares vm" in result.stdout
    data = json.loads(check(runner, "services", "--format", "json").stdout)
    assert data["results"][0]["workload"] == "evil\x1b]0;title\x07"


def test_bad_date_is_a_usage_error(runner, fleet):
    """--date must be a date."""
    fleet("api", "docker")
    result = check(runner, "services", "--date", "tomorrow")
    assert result.exit_code == 2
    assert "'tomorrow' is not a date" in result.stderr


def test_output_file_holds_the_report(runner, fleet, tmp_path):
    """--output writes the report to a file (nothing on stdout) and keeps the exit code."""
    fleet("kernel", "docker", custom_kernel=True)
    result = check(runner, "services", "--format", "json", "--output", "report.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (data["schema_version"], data["counts"]["fail"]) == (1, 1)
    assert data["results"][0]["message"].startswith("kernel: declares docker, which rule own-kernel vetoes")


def test_unknown_format_is_a_usage_error(runner, fleet):
    """An unknown --format is refused (exit 2), listing the registered ones."""
    fleet("api", "docker")
    result = check(runner, "services", "--format", "xml")
    assert result.exit_code == 2
    assert "'text', 'json', 'junit', 'sarif', 'github'" in result.stderr


def test_no_paths_is_a_usage_error(runner):
    """PATH is required."""
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.stderr


def test_output_is_deterministic_and_sorted(runner, fleet):
    """The same files give byte-identical output in path order, whatever order they are named in."""
    for name, declared in (("c", "vm"), ("a", "docker"), ("b", "vm")):
        fleet(name, declared, startup="seconds")
    for fmt in ("text", "sarif", "junit"):
        first = check(runner, "services/c", "services/a", "services/b", "--format", fmt)
        second = check(runner, "services", "--format", fmt)
        assert first.stdout == second.stdout
    data = json.loads(check(runner, "services/c", "services", "--format", "json").stdout)
    paths = [r["path"] for r in data["results"]]
    assert paths == ["services/a/workload.yaml", "services/b/workload.yaml", "services/c/workload.yaml"]


def test_exit_code_is_the_command_return_value(fleet):
    """The command returns its exit code and AdvisorGroup.main hands it back (the one place codes are mapped)."""
    fleet("kernel", "docker", custom_kernel=True)
    code = cli.main(["check", "services", "--rules", "pack.yaml", "--output", "out.txt"], standalone_mode=False)
    assert code == 1


def test_progress_only_for_many_files_on_a_terminal(monkeypatch, capsys):
    """Progress goes to standard error only when it is a terminal and the check is long."""
    cli_module._check_progress(100, 300)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    cli_module._check_progress(100, 300)
    assert capsys.readouterr().err == ""
    cli_module._check_progress(100, 301)
    cli_module._check_progress(301, 301)
    assert capsys.readouterr().err == "\radvisor check: 100/301 files\radvisor check: 301/301 files\n"


def test_progress_is_reported_while_checking(runner, fleet, monkeypatch):
    """The check reports progress every 100 files and at the end."""
    for i in range(250):
        fleet(f"s{i:03d}", "docker")
    seen = []
    monkeypatch.setattr(cli_module, "_check_progress", lambda done, total: seen.append((done, total)))
    assert check(runner, "services").exit_code == 0
    assert seen == [(100, 250), (200, 250), (250, 250)]


def test_help_lists_formats_and_options(runner):
    """The command has help naming its formats and options."""
    result = runner.invoke(cli, ["check", "--help"])
    assert result.exit_code == 0
    for word in ("--policy", "--pattern", "--fail-on", "--require-declared", "--output", "junit", "sarif", "github"):
        assert word in result.stdout


def test_readme_documents_check():
    """The README's section shows the command, the policy keys, pre-commit, GitHub and GitLab."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## CI policy check: `advisor check`", 1)[1].split("\n## ", 1)[0]
    for needle in ("advisor check", "margin", "fail_on", "allowed", "waivers", "expires", "advisor-check",
                   "upload-sarif", "gitlab", "junit", "--fail-on"):
        assert needle.lower() in section.lower(), needle


# --- pre-commit ---------------------------------------------------------------------------


WHO = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, Path]:
    """A git repository of this checkout's hook, and a pre-commit home shared by the tests,
    so the hook's environment is built once."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed; pre-commit needs it")
    top = tmp_path_factory.mktemp("hook")
    repo = top / "advisor"
    repo.mkdir()
    for name in ("advisor", "rules", "reports"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    env = {**os.environ, **WHO}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "advisor"], cwd=repo, check=True, env=env)
    return repo, top / "pre-commit-home"


def _try_repo(hook_repo, tmp_path, files: dict[str, str], *changed: str) -> subprocess.CompletedProcess:
    """pre-commit's try-repo of this checkout's hook in a new repository holding ``files``."""
    repo, home = hook_repo
    project = tmp_path / "project"
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    env = {**os.environ, **WHO, "PRE_COMMIT_HOME": str(home)}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "advisor-check", "--files", *changed],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )


def test_pre_commit_try_repo(hook_repo, tmp_path):
    """pre-commit installs advisor from the repository and its hook fails a workload the policy forbids."""
    files = {"svc/api/workload.yaml": "name: api\ndeclared: docker\n", "notes.yaml": "not: a workload\n",
             ".advisor.yaml": "allowed: [vm]\n"}
    run = _try_repo(hook_repo, tmp_path, files, "svc/api/workload.yaml", "notes.yaml")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "- hook id: advisor-check" in run.stdout
    assert "FAIL      svc/api/workload.yaml:2: api: declares docker, which the policy does not allow" in run.stdout
    assert "1 file: 0 passed" in run.stdout  # notes.yaml is not a workload file


def test_pre_commit_hook_honours_the_policy_patterns(hook_repo, tmp_path):
    """The hook finds workload files with the policy's patterns, so it fails what advisor check . fails."""
    files = {"svc/api.workload.yml": "name: api\ndeclared: docker\n",
             ".advisor.yaml": "allowed: [vm]\npatterns: ['*.workload.yml']\n"}
    run = _try_repo(hook_repo, tmp_path, files, "svc/api.workload.yml")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAIL      svc/api.workload.yml:2: api: declares docker, which the policy does not allow" in run.stdout


def test_pattern_option_replaces_the_default(runner, fleet, write):
    """--pattern sets which files folders are searched for, replacing the default pattern."""
    fleet("api", "docker", startup="seconds")
    write("services/extra/api.svc.yaml", workload("svc", "vm", startup="subsecond"))
    result = check(runner, "services", "--pattern", "*.svc.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("FAIL      services/extra/api.svc.yaml:2: svc: declares vm")
    assert "1 file:" in result.stdout


def test_a_number_too_long_to_print_is_one_error_among_the_files(runner, fleet, write):
    """A workload with an integer of thousands of digits is an error line; the other files are still checked."""
    fleet("api", "docker", startup="seconds")
    write("services/huge/workload.yaml", "name: huge\nrequirements:\n  isolation: 0x" + "f" * 4000 + "\n")
    result = check(runner, "services")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[:2] == [
        "PASS      services/api/workload.yaml:2: api: declares docker, as advised",
        "ERROR     services/huge/workload.yaml:3: requirements.isolation: '0x" + "f" * 57 + "…' is not allowed;"
        " choose one of standard, high, strict",
    ]
