"""One spelling for each option across commands, with the old spellings kept; reading paths
from standard input; --quiet; shell completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import cli

from .conftest import ROOT
from .test_adr import make_project
from .test_adr import run as run_adr
from .test_check_cli import check, fleet  # noqa: F401  (the fixture)

WRITERS = [["decide"], ["check"], ["schema"], ["rules", "list"], ["rules", "show-source"], ["ask"], ["adr"]]


@pytest.mark.parametrize("command", WRITERS, ids=" ".join)
def test_every_command_that_writes_takes_output_and_o(runner, command):
    """Each command with output names it --output/-o; the old spellings do not show in the help."""
    help_text = runner.invoke(cli, [*command, "--help"]).stdout
    assert "-o, --output" in help_text
    assert "--out " not in help_text and "--stdout" not in help_text


def test_ask_out_still_works_and_says_it_is_deprecated(runner, tmp_path):
    """ask --out FILE, the old spelling, still saves there, with a note to use --output."""
    answers = "api\n" + "\n" * 40
    result = runner.invoke(cli, ["ask", "--out", str(tmp_path / "w.yaml")], input=answers)
    assert (tmp_path / "w.yaml").is_file(), result.output
    assert "advisor: --out is deprecated; use --output\n" in result.stderr


def test_ask_refuses_out_and_output_together(runner, tmp_path):
    """--out and --output at once is a usage error (exit 2), not a silent choice."""
    result = runner.invoke(cli, ["ask", "--out", "a.yaml", "--output", "b.yaml"], input="x\n")
    assert result.exit_code == 2
    assert "--out and --output say the same thing; give only --output" in result.stderr


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The adr tests' project folder."""
    return make_project(tmp_path, monkeypatch)


def test_adr_output_dash_prints_and_stdout_still_does(env, runner):
    """adr --output - prints the record and writes nothing; the old --stdout does the same, with a note."""
    new = run_adr(runner, "ledger.yaml", "--output", "-")
    old = run_adr(runner, "ledger.yaml", "--stdout")
    assert new.exit_code == old.exit_code == 0
    assert new.stdout == old.stdout and new.stdout.startswith("---\nstatus: proposed\n")
    assert old.stderr == "advisor: --stdout is deprecated; use --output -\n"
    assert not (env / "doc").exists()


def test_adr_output_file_writes_there_and_leaves_the_folder(env, runner):
    """adr --output FILE writes the record to FILE; the folder of records is left as it was."""
    assert run_adr(runner, "ledger.yaml", "--quiet").stdout == ""
    before = sorted(p.name for p in (env / "doc/adr").iterdir())
    result = run_adr(runner, "api.yaml", "-o", "draft.md", "--supersedes", "1")
    assert result.exit_code == 0 and result.stdout == ""
    assert (env / "draft.md").read_text(encoding="utf-8").startswith("---\nstatus: proposed\n")
    assert sorted(p.name for p in (env / "doc/adr").iterdir()) == before
    assert "superseded" not in (env / "doc/adr" / before[0]).read_text(encoding="utf-8")


def test_check_reads_paths_from_standard_input(runner, fleet):  # noqa: F811
    """check - reads paths one a line (blank lines skipped), as from git ls-files, beside paths given."""
    fleet("api", "docker", startup="seconds")
    fleet("erp", "vm", custom_kernel=True)
    fleet("batch", "vm", startup="seconds")
    stdin = "services/api/workload.yaml\n\nservices/erp/workload.yaml\n"
    result = runner.invoke(cli, ["check", "-", "services/batch", "--rules", "pack.yaml"], input=stdin)
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].split()[-1] for line in lines[:3]] == [
        "services/api/workload.yaml", "services/batch/workload.yaml", "services/erp/workload.yaml",
    ]
    assert "3 files:" in result.stdout


def test_check_dash_with_nothing_on_standard_input_is_a_usage_error(runner, fleet):  # noqa: F811
    """check - with an empty standard input exits 2, rather than passing having checked nothing."""
    result = runner.invoke(cli, ["check", "-", "--rules", "pack.yaml"], input="")
    assert result.exit_code == 2
    assert "'-' was given, but standard input holds no paths" in result.stderr


def test_check_quiet_prints_nothing_and_keeps_the_exit_code(runner, fleet, tmp_path):  # noqa: F811
    """check --quiet prints nothing, exits as without it, and still writes --output."""
    fleet("api", "vm", startup="subsecond")
    result = check(runner, "services", "--quiet")
    assert (result.exit_code, result.stdout) == (1, "")
    result = check(runner, "services", "-q", "--format", "json", "-o", "out.json")
    assert result.exit_code == 1 and result.stdout == "" and (tmp_path / "out.json").is_file()


def test_shell_completion_completes_commands_and_options(tmp_path):
    """The README's completion setup works: bash_source prints a script; completing 'ch' gives check."""
    advisor = shutil.which("advisor", path=str(Path(sys.executable).parent))
    if advisor is None:
        pytest.skip("the advisor script is not installed in this environment")
    env = {**os.environ, "_ADVISOR_COMPLETE": "bash_source"}
    script = subprocess.run([advisor], env=env, capture_output=True, text=True, timeout=60)
    assert script.returncode == 0 and "_advisor_completion" in script.stdout
    env = {**os.environ, "_ADVISOR_COMPLETE": "bash_complete", "COMP_WORDS": "advisor ch", "COMP_CWORD": "1"}
    done = subprocess.run([advisor], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["plain,check"]
    env |= {"COMP_WORDS": "advisor check --fa", "COMP_CWORD": "2"}
    done = subprocess.run([advisor], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["plain,--fail-on"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_ADVISOR_COMPLETE=bash_source advisor)"' in readme

