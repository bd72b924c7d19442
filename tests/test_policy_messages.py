"""What a bad policy file is told, line by line, and how a waiver is reported."""

from __future__ import annotations

import pytest

from advisor.errors import PolicyError
from advisor.policy import load_policy


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("allowed: []\n", "p.yaml:1: allowed: must be a non-empty list, got an empty list"),
        ("allowed: docker\n", "p.yaml:1: allowed: must be a non-empty list, got a string"),
        ("patterns: ['', x]\n", "p.yaml:1: patterns[0]: must be a non-empty string, got a string"),
        ("patterns: [7]\n", "p.yaml:1: patterns[0]: must be a non-empty string, got a number"),
        ("allowed: [3]\n", "p.yaml:1: allowed[0]: expected a string, got a number"),
        ("margin:\n", "p.yaml:1: margin: must be a whole number of points, 0 or more, got nothing"),
        ("require_declared: ~\n", "p.yaml:1: require_declared: expected true or false, got nothing"),
        ("- a\n", "p.yaml:1: a policy must be a mapping, got a list"),
        ("margin: [1\n", "p.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_a_bad_policy_is_one_located_line_saying_what_is_wrong(tmp_path, monkeypatch, body, message):
    """Each kind of bad value is a PolicyError 'file:line: field: what', naming what was found."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy("p.yaml")
    assert str(info.value) == message


def test_a_waiver_is_reported_with_its_workload_rule_reason_and_place(tmp_path, monkeypatch):
    """A waiver's view carries the workload pattern, the rule, the reason and where the policy states it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(
        "waivers:\n  - {workload: 'pay*', rule: dense, reason: measured, expires: 2030-01-01}\n", encoding="utf-8"
    )
    (waiver,) = load_policy("p.yaml").waivers
    view = waiver.view()
    assert (view.workload, view.option, view.rule, view.reason, view.expires) == (
        "pay*", None, "dense", "measured", "2030-01-01",
    )
    assert view.where.startswith("p.yaml:2")
    assert waiver.applies_to("payments") and waiver.applies_to("pay*") and not waiver.applies_to("api")
