"""The GitHub action (action.yml): its shell steps run as a runner would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

WORKLOAD = "name: {name}\ndeclared: {declared}\nrequirements:\n  untrusted_code: {untrusted}\n"


def steps() -> dict[str, dict]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return {step.get("id") or step.get("name") or step["uses"]: step for step in action["runs"]["steps"]}


def run_step(
    step: dict, workspace: Path, runner: dict[str, Path], inputs: dict[str, str]
) -> subprocess.CompletedProcess:
    """One `run:` step in bash as GitHub's runner starts it, with the runner's files and the step's variables."""
    env = {**os.environ, **{k: str(v) for k, v in runner.items()}, **inputs}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def runner(tmp_path) -> dict[str, Path]:
    """The files and folders a runner gives each step."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    files = {name: tmp_path / name.lower() for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV")}
    for path in files.values():
        path.touch()
    return {"RUNNER_TEMP": temp, "GITHUB_ACTION_PATH": ROOT, **files}


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A repository with one workload that passes and one that fails, in two folders."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for folder, name, declared, untrusted in (
        ("api", "api", "docker", "false"),
        ("plugins", "plugins", "docker", "true"),
    ):
        (root / "svc" / folder).mkdir(parents=True)
        (root / "svc" / folder / "workload.yaml").write_text(
            WORKLOAD.format(name=name, declared=declared, untrusted=untrusted), encoding="utf-8"
        )
    return root


def inputs(paths: str) -> dict[str, str]:
    step_env = steps()["check"]["env"]
    values = {"ADVISOR_PATHS": paths, "ADVISOR_SARIF": "advisor.sarif"}
    return {name: values.get(name, "") for name in step_env}


def python_counting_runs(tmp_path: Path) -> tuple[Path, Path]:
    """A Python for the action that records each run of advisor check, then runs the real one."""
    log = tmp_path / "advisor-runs.log"
    shim = tmp_path / "python"
    shim.write_text(
        f'#!/bin/sh\ncase "$*" in *"-m advisor check"*) echo "$*" >> "{log}";; esac\nexec "{sys.executable}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    return shim, log


def test_action_checks_every_line_of_paths_once(tmp_path, runner, workspace):
    """Multi-line paths are all checked, in one run whose JSON gives the SARIF, the annotations and the summary."""
    python, log = python_counting_runs(tmp_path)
    done = run_step(steps()["check"], workspace, {**runner, "ADVISOR_PYTHON": python}, inputs("svc/api\nsvc/plugins\n"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert len(log.read_text().splitlines()) == 1
    assert (
        "::error file=svc/plugins/workload.yaml,line=2,title=advisor check%3A fail::plugins: declares docker"
        in done.stdout
    )
    assert done.stdout.endswith("2 files: 1 passed, 0 warned, 1 failed, 0 unchecked, 0 errors\n")
    sarif = json.loads((workspace / "advisor.sarif").read_text(encoding="utf-8"))
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "svc/plugins/workload.yaml"
    assert runner["GITHUB_OUTPUT"].read_text().splitlines() == ["sarif-file=advisor.sarif", "exit-code=1"]
    summary = runner["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
    assert summary.startswith("### advisor check\n\n```text\nPASS      svc/api/workload.yaml:2: api: declares docker")
    assert "FAIL      svc/plugins/workload.yaml:2: plugins:" in summary


def test_action_reports_no_sarif_when_the_check_cannot_start(tmp_path, runner, workspace):
    """A broken policy exits 2 with its message, and the action names no SARIF file to upload."""
    (workspace / ".advisor.yaml").write_text("margin: lots\n", encoding="utf-8")
    python, _ = python_counting_runs(tmp_path)
    done = run_step(steps()["check"], workspace, {**runner, "ADVISOR_PYTHON": python}, inputs("."))
    assert done.returncode == 2
    assert ".advisor.yaml:1: margin" in done.stderr
    assert runner["GITHUB_OUTPUT"].read_text().splitlines() == ["exit-code=2"]
    assert not (workspace / "advisor.sarif").exists()


def test_action_installs_into_its_own_environment(tmp_path, runner, workspace, pytestconfig):
    """The install step makes a virtual environment of its own, with a pip cache, and hands its Python on."""
    env_file = runner["GITHUB_ENV"]
    install = steps()["Install advisor"]
    cache = pytestconfig.cache.mkdir("advisor-action-pip")  # kept between runs, as actions/cache keeps it
    done = run_step(
        install,
        workspace,
        runner,
        {"PIP_CACHE_DIR": str(cache), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    python = Path(env_file.read_text().strip().removeprefix("ADVISOR_PYTHON="))
    assert python == runner["RUNNER_TEMP"] / "advisor-venv" / "bin" / "python" and python.exists()
    assert any(cache.iterdir())
    ran = subprocess.run([str(python), "-I", "-m", "advisor", "--version"], capture_output=True, text=True)
    assert ran.stdout.startswith("advisor, version")
