"""The check's edges: language, policy fields, empty finds, missing paths, progress, order, waivers in play."""

from __future__ import annotations

import datetime as dt

import pytest

from advisor.check import check_files, run_check
from advisor.errors import AdvisorError, InputError
from advisor.policy import load_policy
from advisor.rulepack import load_rules

from .conftest import ROOT

THREE = str(ROOT / "tests" / "packs" / "three-options.yaml")
CLOSE = "name: close\ndeclared: wasm\nrequirements: {architecture: microservices, startup: seconds}\n"
DAY = "2025-01-01"


def _policy(tmp_path, body):
    path = tmp_path / "policy.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_lang_ru_words_the_result_and_its_rules_in_russian(tmp_path):
    """run_check(lang='ru') gives a Russian result whose rule wording differs from the English one."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    ru = run_check([str(tmp_path)], rules_path=None, cwd=tmp_path, today=DAY, lang="ru")
    en = run_check([str(tmp_path)], rules_path=None, cwd=tmp_path, today=DAY, lang="en")
    assert (ru.lang, en.lang) == ("ru", "en")
    assert ru.pack != en.pack or ru.rules != en.rules


def test_a_policy_allowing_an_unknown_option_is_refused(tmp_path):
    """A policy whose allowed list names an option the pack lacks is an error, not a silent pass."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    policy = _policy(tmp_path, "allowed: [docker, mainframe]\n")
    with pytest.raises(AdvisorError, match="mainframe"):
        run_check([str(tmp_path / "w.workload.yaml")], policy_path=str(policy), rules_path=THREE, cwd=tmp_path,
                  today=DAY)


def test_the_policy_view_names_its_source_and_allowed_options(tmp_path):
    """The result's policy view carries the policy file it came from and its allowed options."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    policy = _policy(tmp_path, "allowed: [docker, wasm]\n")
    result = run_check([str(tmp_path / "w.workload.yaml")], policy_path=str(policy), rules_path=THREE, cwd=tmp_path,
                       today=DAY)
    assert result.policy.allowed == ["docker", "wasm"]
    assert result.policy.source and "policy.yaml" in result.policy.source


def test_no_workload_files_names_every_path_and_pattern_on_the_path_field(tmp_path):
    """Finding nothing is an InputError on field PATH listing the paths and patterns, comma-separated."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(InputError) as caught:
        run_check([str(tmp_path / "a"), str(tmp_path / "b")], rules_path=THREE, cwd=tmp_path, today=DAY,
                  patterns=["*.x", "*.y"])
    assert caught.value.field == "PATH"
    assert f"{tmp_path / 'a'}, {tmp_path / 'b'}" in str(caught.value)
    assert "(patterns: *.x, *.y)" in str(caught.value)


def test_a_missing_path_is_an_error_verdict_beside_the_checked_files(tmp_path):
    """A path that does not exist gets an error verdict naming it; the readable file is still judged."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    missing = str(tmp_path / "gone")
    result = run_check([str(tmp_path / "w.workload.yaml"), missing], rules_path=THREE, cwd=tmp_path, today=DAY)
    errors = [v for v in result.results if v.verdict == "error"]
    assert [v.path for v in errors] == [missing]
    assert errors[0].error.startswith(f"{missing}: ")
    assert result.counts["warn"] == 1


def test_check_files_records_each_unreadable_path_with_its_problem(tmp_path):
    """check_files turns each (path, problem) of unreadable into an error verdict on that path."""
    pack = load_rules(THREE)
    policy = load_policy(_policy(tmp_path, "margin: 3\n"))
    result = check_files([], pack, policy, today=dt.date(2025, 1, 1), unreadable=[("x/y.yaml", "cannot read")])
    (verdict,) = result.results
    assert (verdict.path, verdict.verdict, verdict.error) == ("x/y.yaml", "error", "x/y.yaml: cannot read")


def test_progress_is_heard_every_hundred_files_and_at_the_end(tmp_path):
    """For 250 files the progress callback hears (100, 250), (200, 250) and (250, 250)."""
    for i in range(250):
        (tmp_path / f"w{i:03}.workload.yaml").write_text(CLOSE, encoding="utf-8")
    heard = []
    run_check([str(tmp_path)], rules_path=THREE, cwd=tmp_path, today=DAY,
              progress=lambda done, total: heard.append((done, total)))
    assert heard == [(100, 250), (200, 250), (250, 250)]


def test_results_are_in_path_order_whatever_the_order_given(tmp_path):
    """Files given out of order, with their declared lines in the other order, are reported by path."""
    (tmp_path / "a.workload.yaml").write_text("name: a\n\n\n" + CLOSE.replace("name: close\n", ""), encoding="utf-8")
    (tmp_path / "b.workload.yaml").write_text(CLOSE.replace("close", "b"), encoding="utf-8")
    pack = load_rules(THREE)
    policy = load_policy(_policy(tmp_path, "margin: 3\n"))
    files = [str(tmp_path / "b.workload.yaml"), str(tmp_path / "a.workload.yaml")]
    result = check_files(files, pack, policy, today=dt.date(2025, 1, 1))
    assert [v.workload for v in result.results] == ["a", "b"]


def test_a_path_both_unreadable_and_given_as_a_file_keeps_both_verdicts_in_the_order_given(tmp_path):
    """Results are ordered by path alone: a path with an unreadable entry and a file verdict keeps both, error first."""
    path = tmp_path / "w.workload.yaml"
    path.write_text(CLOSE, encoding="utf-8")
    pack = load_rules(THREE)
    policy = load_policy(_policy(tmp_path, "margin: 3\n"))
    result = check_files([str(path)], pack, policy, today=dt.date(2025, 1, 1), unreadable=[(str(path), "was busy")])
    assert [(v.path, v.verdict, v.line) for v in result.results] == [(str(path), "error", None), (str(path), "warn", 2)]


def test_a_declared_option_the_pack_lacks_is_an_error_verdict(tmp_path):
    """A workload declaring an option the pack does not offer gets an error verdict naming the choices."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE.replace("declared: wasm", "declared: mainframe"), encoding="utf-8")
    (verdict,) = run_check([str(tmp_path)], rules_path=THREE, cwd=tmp_path, today=DAY).results
    assert verdict.verdict == "error" and "not an option" in verdict.error


def test_a_close_call_names_only_the_rules_favouring_the_best_over_the_declared(tmp_path):
    """Declaring wasm where docker wins 5 to 3: microservices is named, fast-start (wasm 3 > docker 2) is not."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    (verdict,) = run_check([str(tmp_path)], rules_path=THREE, cwd=tmp_path, today=DAY).results
    assert (verdict.finding, verdict.rules) == ("close", ["microservices"])


@pytest.mark.parametrize(("days", "expiring"), [(-1, False), (0, True), (30, True), (31, False)])
def test_a_waiver_is_expiring_from_today_to_thirty_days_on(tmp_path, days, expiring):
    """A waiver lapsing today or within 30 days is listed as expiring; yesterday's or in 31 days' is not."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    expires = (dt.date(2025, 1, 1) + dt.timedelta(days=days)).isoformat()
    policy = _policy(tmp_path, f"waivers: [{{workload: close, option: wasm, reason: Why., expires: {expires}}}]\n")
    result = run_check([str(tmp_path / "w.workload.yaml")], policy_path=str(policy), rules_path=THREE, cwd=tmp_path,
                       today=DAY)
    assert bool(result.expiring_waivers) is expiring


def test_an_option_waiver_of_a_workload_that_passes_anyway_is_not_listed_as_used(tmp_path):
    """Declaring the best option with a waiver for it: the verdict passes and lists no waiver."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE.replace("declared: wasm", "declared: docker"), encoding="utf-8")
    policy = _policy(tmp_path, "waivers: [{workload: close, option: docker, reason: Why.}]\n")
    (verdict,) = run_check([str(tmp_path / "w.workload.yaml")], policy_path=str(policy), rules_path=THREE, cwd=tmp_path,
                           today=DAY).results
    assert (verdict.verdict, verdict.waivers) == ("pass", [])


def test_an_expired_waiver_of_another_option_is_not_reported_on_the_workload(tmp_path):
    """An expired waiver for vm says nothing about a workload that declares wasm."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    policy = _policy(tmp_path, "waivers: [{workload: close, option: vm, reason: Why., expires: 2024-01-01}]\n")
    (verdict,) = run_check([str(tmp_path / "w.workload.yaml")], policy_path=str(policy), rules_path=THREE, cwd=tmp_path,
                           today=DAY).results
    assert verdict.expired == []


def test_progress_for_a_single_file_is_heard_as_one_of_one(tmp_path):
    """Checking one file reports progress (1, 1) once."""
    (tmp_path / "w.workload.yaml").write_text(CLOSE, encoding="utf-8")
    heard = []
    run_check([str(tmp_path)], rules_path=THREE, cwd=tmp_path, today=DAY,
              progress=lambda done, total: heard.append((done, total)))
    assert heard == [(1, 1)]


def test_an_undeclared_workload_lists_its_rule_waiver_once(tmp_path):
    """Under require_declared, an undeclared workload fails and names its rule waiver a single time."""
    (tmp_path / "w.workload.yaml").write_text("name: open\nrequirements: {architecture: microservices}\n",
                                              encoding="utf-8")
    policy = _policy(tmp_path, "require_declared: true\n"
                     "waivers: [{workload: open, rule: microservices, reason: Why.}]\n")
    (verdict,) = run_check([str(tmp_path)], policy_path=str(policy), rules_path=THREE, cwd=tmp_path,
                           today=DAY).results
    assert verdict.verdict == "fail"
    assert [w.rule for w in verdict.waivers] == ["microservices"]
