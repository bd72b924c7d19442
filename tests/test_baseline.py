"""`advisor check --baseline`: only new or worse findings fail; `--write-baseline` writes one."""

from __future__ import annotations

import json

import pytest

from .test_check_cli import check, fleet  # noqa: F401  (fleet is a fixture)
from .test_policy import PACK, workload


@pytest.fixture
def base(runner, fleet):  # noqa: F811
    """A fleet with one passing and one failing workload, and its baseline written to base.json."""
    fleet("api", "docker", startup="seconds")
    fleet("kernel", "docker", custom_kernel=True)
    result = check(runner, "services", "--write-baseline", "base.json")
    assert result.exit_code == 1
    return fleet


def test_write_baseline_writes_the_json_result(runner, base, tmp_path):
    """--write-baseline writes what --format json prints, and leaves no temporary file behind."""
    printed = check(runner, "services", "--format", "json").stdout
    assert (tmp_path / "base.json").read_text(encoding="utf-8") == printed
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "base.json", "pack.yaml", "services"]


def test_known_findings_do_not_fail(runner, base):
    """Against its own baseline the same fleet passes; the failure is labelled KNOWN and counted."""
    result = check(runner, "services", "--baseline", "base.json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("KNOWN     services/kernel/workload.yaml:2: kernel: declares docker, which rule")
    assert lines[-1] == "baseline base.json: 0 new or worse, 1 known, 0 fixed"


def test_a_new_failure_fails(runner, base):
    """A failing workload the baseline does not hold fails the check; the known one stays known."""
    base("events", "vm", startup="subsecond")
    result = check(runner, "services", "--baseline", "base.json")
    assert result.exit_code == 1
    assert "FAIL      services/events/workload.yaml:2: events: declares vm, which trails docker" in result.stdout
    assert "KNOWN     services/kernel/workload.yaml:2" in result.stdout
    assert result.stdout.splitlines()[-1] == "baseline base.json: 1 new or worse, 1 known, 0 fixed"


def test_a_fixed_finding_is_reported(runner, base):
    """A workload that failed in the baseline and passes now is reported as fixed; the check passes."""
    base("kernel", "vm", custom_kernel=True)
    result = check(runner, "services", "--baseline", "base.json", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["baseline"] == {
        "source": "base.json", "new": [], "known": [],
        "fixed": [{"workload": "kernel", "path": "services/kernel/workload.yaml"}],
    }


def test_a_workload_that_passed_and_now_fails_is_worse(runner, base):
    """A workload that passed in the baseline and fails now fails the check."""
    base("api", "vm", startup="subsecond")
    result = check(runner, "services", "--baseline", "base.json", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["baseline"]["new"] == [{"workload": "api", "path": "services/api/workload.yaml"}]


def test_a_changed_recommendation_is_new(runner, base, write):
    """A workload still failing but now advised otherwise (a new pack version) is new, not known."""
    newer = PACK.replace("vm: {title: Virtual machines, summary: VMs.}",
                         "vm: {title: Virtual machines, summary: VMs.}\n  kata: {title: Kata, summary: Light VMs.}")
    write("pack2.yaml", newer.replace("effects: {docker: veto, vm: 6}", "effects: {docker: veto, vm: 6, kata: 8}"))
    from advisor.cli import cli

    result = runner.invoke(cli, ["check", "services", "--rules", "pack2.yaml", "--baseline", "base.json"])
    assert result.exit_code == 1
    assert "FAIL      services/kernel/workload.yaml:2: kernel: declares docker, which rule own-kernel vetoes; " \
           "advisor recommends kata" in result.stdout
    assert result.stdout.splitlines()[-1] == "baseline base.json: 1 new or worse, 0 known, 0 fixed"


def test_a_renamed_file_is_not_matched_by_name_alone(runner, base, tmp_path):
    """Moving a failing workload to another file makes it new (and the old file's finding fixed)."""
    (tmp_path / "services/kernel").rename(tmp_path / "services/kernel-moved")
    result = check(runner, "services", "--baseline", "base.json", "--format", "json")
    assert result.exit_code == 1
    view = json.loads(result.stdout)["baseline"]
    assert view["new"] == [{"workload": "kernel", "path": "services/kernel-moved/workload.yaml"}]
    assert view["fixed"] == [{"workload": "kernel", "path": "services/kernel/workload.yaml"}]


def test_the_same_file_with_another_workload_name_is_new(runner, base, write):
    """A finding is matched by name and path together: another workload in the same file is new."""
    write("services/kernel/workload.yaml", workload("kernel-renamed", "docker", custom_kernel=True))
    result = check(runner, "services", "--baseline", "base.json")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "baseline base.json: 1 new or worse, 0 known, 1 fixed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "base.json:1: not a baseline: invalid JSON (Expecting property name enclosed in double quotes)"),
        ('{"a": 1}', "base.json: not a baseline written by 'advisor check --format json': no 'results'"),
        ('{"schema_version": 2, "results": []}',
         "base.json: not a baseline written by 'advisor check --format json': schema_version is 2, expected 1"),
        ('{"schema_version": 1, "results": [{"path": 3, "verdict": "fail"}]}',
         "base.json: not a baseline written by 'advisor check --format json': results[0].path is not a string"),
        ("\xff", "base.json: not a baseline: not UTF-8 text"),
    ],
)
def test_an_invalid_baseline_exits_2_naming_the_file(runner, fleet, tmp_path, text, message):  # noqa: F811
    """A baseline that is not a check's JSON stops the check: exit 2, one line naming the file."""
    fleet("api", "docker", startup="seconds")
    (tmp_path / "base.json").write_bytes(text.encode("latin-1") if text == "\xff" else text.encode())
    result = check(runner, "services", "--baseline", "base.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"advisor: {message}\n"


def test_a_missing_baseline_exits_2(runner, fleet):  # noqa: F811
    """A baseline file that does not exist is named in one line, exit 2."""
    fleet("api", "docker", startup="seconds")
    result = check(runner, "services", "--baseline", "gone.json")
    assert (result.exit_code, result.stderr) == (2, "advisor: gone.json: no such baseline file\n")


def test_a_baseline_that_is_a_fifo_is_refused_at_once(tmp_path, monkeypatch):
    """A FIFO given as --baseline is refused in one line (exit 2) instead of waiting for a writer."""
    import os

    from click.testing import CliRunner

    from advisor.cli import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "workload.yaml").write_text("name: w\ndeclared: docker\nrequirements: {architecture: microservices}\n")
    os.mkfifo(tmp_path / "base.json")
    result = CliRunner().invoke(cli, ["check", ".", "--baseline", "base.json"])
    assert result.exit_code == 2
    assert result.stderr == "advisor: base.json: is a FIFO, not a regular file\n"
