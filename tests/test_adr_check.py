"""The record's `advisor check` command, run as printed, does what the record says it does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import cli

from .conftest import ROOT
from .test_adr import make_project

THREE = ROOT / "tests" / "packs" / "three-options.yaml"
ADVISOR = Path(sys.executable).parent / "advisor"


def _command(record: str) -> str:
    """The check command in the record's shell block (MADR) or inline code (Nygard)."""
    found = re.search(r"```sh\n(advisor check .*)\n```", record) or re.search(r"`(advisor check [^`]*)` keeps", record)
    assert found, record
    return found.group(1)


def _predicted(record: str) -> tuple[str, int]:
    """The verdict and exit code the record's sentence announces."""
    found = re.search(r"the check (fails|only warns|passes) \(exit (\d)\)", record)
    assert found, record
    return {"fails": "fail", "only warns": "warn", "passes": "pass"}[found.group(1)], int(found.group(2))


def _run_in_shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command run by a POSIX shell, as a user pastes it, with this environment's advisor first on PATH."""
    env = {**os.environ, "PATH": f"{ADVISOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _verdict(stdout: str) -> str:
    return re.search(r"\b(FAIL|WARN|PASS)\b", stdout).group(1).lower()


@pytest.mark.skipif(not ADVISOR.exists(), reason="the advisor script is not installed next to this Python")
@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_a_two_point_loss_is_announced_as_a_warning_and_the_check_only_warns(tmp_path, monkeypatch, runner, fmt):
    """ledger declares docker, 2 behind vm, within the default margin of 3: the record says the check
    only warns with exit 0, and the printed command, run in a shell, does exactly that."""
    env = make_project(tmp_path, monkeypatch)
    result = runner.invoke(cli, ["adr", "ledger.yaml", "--rules", "pack.yaml", "--template", fmt, "--output", "-"])
    assert result.exit_code == 0, result.output
    command = _command(result.output)
    assert command == "advisor check --rules pack.yaml ledger.yaml"
    assert _predicted(result.output) == ("warn", 0)
    done = _run_in_shell(command, env)
    assert (done.returncode, _verdict(done.stdout)) == (0, "warn"), done.stdout + done.stderr


@pytest.mark.skipif(not ADVISOR.exists(), reason="the advisor script is not installed next to this Python")
def test_a_stricter_policy_changes_what_the_record_announces(tmp_path, monkeypatch, runner):
    """With a policy margin of 1 in the project, the same 2-point loss is announced as a failure, and fails."""
    env = make_project(tmp_path, monkeypatch)
    (env / ".advisor.yaml").write_text("margin: 1\n", encoding="utf-8")
    result = runner.invoke(cli, ["adr", "ledger.yaml", "--rules", "pack.yaml", "--output", "-"])
    assert _predicted(result.output) == ("fail", 1)
    done = _run_in_shell(_command(result.output), env)
    assert (done.returncode, _verdict(done.stdout)) == (1, "fail"), done.stdout + done.stderr


@pytest.mark.skipif(not ADVISOR.exists(), reason="the advisor script is not installed next to this Python")
def test_paths_with_spaces_and_quotes_are_quoted_in_the_printed_command(tmp_path, monkeypatch, runner):
    """A pack and a workload whose names hold spaces, a quote and a dollar sign are shell-quoted: the
    printed command runs the check on those very files, which fails (exit 1) as the record says."""
    env = make_project(tmp_path, monkeypatch)
    folder = env / "it's $HOME"
    (folder / "tests" / "packs").mkdir(parents=True)
    shutil.copy(THREE, folder / "tests" / "packs" / "three options.yaml")
    (folder / "my ledger.yaml").write_text(
        "name: ledger\ndeclared: vm\nrequirements: {architecture: microservices, startup: seconds}\n", encoding="utf-8"
    )
    monkeypatch.chdir(folder)
    result = runner.invoke(
        cli, ["adr", "my ledger.yaml", "--rules", "tests/packs/three options.yaml", "--output", "-"]
    )
    assert result.exit_code == 0, result.output
    command = _command(result.output)
    assert command == "advisor check --rules 'tests/packs/three options.yaml' 'my ledger.yaml'"
    assert _predicted(result.output) == ("fail", 1)
    done = _run_in_shell(command, folder)
    assert (done.returncode, _verdict(done.stdout)) == (1, "fail"), done.stdout + done.stderr
    assert "ledger" in done.stdout
