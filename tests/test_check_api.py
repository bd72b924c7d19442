"""run_check's options override the policy: patterns, fail_on, require_declared; unreadable files and progress."""

from __future__ import annotations

import pytest

from advisor.check import run_check
from advisor.errors import InputError

from .conftest import ROOT

THREE = str(ROOT / "tests" / "packs" / "three-options.yaml")
# docker 5, wasm 3, vm 0: declaring wasm trails by 2 (a warning under the default margin of 3).
CLOSE = "name: close\ndeclared: wasm\nrequirements: {architecture: microservices, startup: seconds}\n"
UNDECLARED = "name: open\nrequirements: {architecture: microservices}\n"


@pytest.fixture
def fleet(tmp_path):
    """A folder with a close call, an undeclared workload and a file under another name."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "workload.yaml").write_text(CLOSE, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "workload.yaml").write_text(UNDECLARED, encoding="utf-8")
    (tmp_path / "c.advisor.yaml").write_text(CLOSE.replace("close", "other"), encoding="utf-8")
    return tmp_path


def _verdicts(result):
    return {v.workload: v.verdict for v in result.results}


def test_by_default_a_close_call_warns_and_an_undeclared_workload_is_unchecked(fleet):
    """With the default policy: the 2-point loss warns (exit 0), the undeclared file is unchecked."""
    result = run_check([str(fleet / "a"), str(fleet / "b")], rules_path=THREE, cwd=fleet, today="2025-01-01")
    assert _verdicts(result) == {"close": "warn", "open": "unchecked"}
    assert result.exit_code == 0
    assert (result.policy.fail_on, result.policy.require_declared) == ("mismatch", False)


def test_fail_on_warn_and_require_declared_override_the_policy(fleet):
    """fail_on='warn' fails the close call and require_declared fails the undeclared file: exit 1."""
    result = run_check([str(fleet / "a"), str(fleet / "b")], rules_path=THREE, cwd=fleet, today="2025-01-01",
                       fail_on="warn", require_declared=True)
    assert _verdicts(result) == {"close": "fail", "open": "fail"}
    assert result.exit_code == 1
    assert (result.policy.fail_on, result.policy.require_declared) == ("warn", True)


def test_patterns_choose_the_files_found_in_folders(fleet):
    """With patterns ['*.advisor.yaml'] only that file is found; no match at all is an InputError naming them."""
    result = run_check([str(fleet)], rules_path=THREE, cwd=fleet, today="2025-01-01", patterns=["*.advisor.yaml"])
    assert _verdicts(result) == {"other": "warn"}
    assert result.policy.patterns == ["*.advisor.yaml"]
    with pytest.raises(InputError, match=r"no workload files in .* \(patterns: \*\.none\)"):
        run_check([str(fleet)], rules_path=THREE, cwd=fleet, today="2025-01-01", patterns=["*.none"])


def test_progress_is_reported_once_for_a_small_fleet(fleet):
    """The progress callback hears (done, total) when the last file is checked."""
    heard = []
    run_check([str(fleet / "a"), str(fleet / "b")], rules_path=THREE, cwd=fleet, today="2025-01-01",
              progress=lambda done, total: heard.append((done, total)))
    assert heard == [(2, 2)]


def test_a_file_that_is_not_a_workload_is_an_error_verdict_and_the_rest_are_checked(fleet):
    """An invalid file gets an error verdict with its line; the others are judged; the exit code is 2."""
    (fleet / "a" / "workload.yaml").write_text("name: bad\nrequirements: {density: huge}\n", encoding="utf-8")
    result = run_check([str(fleet / "a"), str(fleet / "b")], rules_path=THREE, cwd=fleet, today="2025-01-01")
    errors = [v for v in result.results if v.verdict == "error"]
    assert len(errors) == 1 and errors[0].line == 2 and "density" in errors[0].error
    assert result.counts["error"] == 1 and result.counts["unchecked"] == 1
    assert result.exit_code == 2


def test_a_one_point_loss_is_a_warning_naming_the_rule_behind_it(tmp_path):
    """Declaring docker where fast-start gives wasm 3 and docker 2: a close call (loss 1), warned, naming fast-start."""
    (tmp_path / "w.yaml").write_text("name: w\ndeclared: docker\nrequirements: {startup: seconds}\n", encoding="utf-8")
    (verdict,) = run_check([str(tmp_path / "w.yaml")], rules_path=THREE, cwd=tmp_path, today="2025-01-01").results
    assert (verdict.verdict, verdict.finding, verdict.loss, verdict.rules) == ("warn", "close", 1, ["fast-start"])
