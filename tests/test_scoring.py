"""Scoring's answers for fired rules: standing, favouring rules, pros, cons and what triggered a rule."""

from __future__ import annotations

import pytest

from advisor.rulepack import load_pack
from advisor.scoring import cons, favouring, pros, standing, triggers

from .conftest import ROOT


@pytest.fixture(scope="module")
def three():
    """The three-option test pack: docker, vm, wasm."""
    return load_pack(ROOT / "tests" / "packs" / "three-options.yaml")


def test_a_recommendation_names_itself_as_the_best(three):
    """microservices + fast-start: docker is best and alone in `best`, wasm the runner-up 2 behind."""
    s = standing(three, ["microservices", "fast-start"])
    assert (s.status, s.best, s.recommendation) == ("recommended", ("docker",), "docker")
    assert (s.runner_up, s.margin) == ("wasm", 2)


def test_when_every_option_is_vetoed_none_is_best(three):
    """own-kernel vetoes docker and wasm, bare-metal-speed vm: nothing is best or recommended."""
    s = standing(three, ["own-kernel", "bare-metal-speed"])
    assert (s.status, s.best, s.recommendation, s.margin) == ("all_vetoed", (), None, None)


def test_no_fired_rule_leaves_every_option_tied_as_best(three):
    """With no rule fired the status says so, and every option (all at 0) stands as best."""
    s = standing(three, [])
    assert (s.status, s.best, s.recommendation, s.margin) == ("no_rules_fired", ("docker", "vm", "wasm"), None, None)


def test_a_policy_narrowing_the_options_changes_who_wins(three):
    """Allowing only vm and wasm, fast-start makes wasm the recommendation over vm by 3."""
    s = standing(three, ["microservices", "fast-start"], allowed=["vm", "wasm"])
    assert (s.recommendation, s.runner_up, s.margin) == ("wasm", "vm", 3)


def test_favouring_lists_only_rules_that_give_the_better_option_more(three):
    """Rules favouring docker over vm: dense (+13) before microservices (+3) and fast-start (+2);
    os-testing (vm +5) and a rule that does not tell them apart are left out."""
    fired = ["microservices", "os-testing", "fast-start", "dense"]
    assert favouring(three, fired, "docker", "vm") == ["dense", "microservices", "fast-start"]
    assert favouring(three, ["microservices"], "docker", "wasm") == ["microservices"]
    assert favouring(three, ["fast-start"], "docker", "wasm") == []  # gives wasm more
    assert favouring(three, ["microservices"], "vm", "wasm") == []  # gives neither anything


def test_a_one_point_rule_is_a_pro(pack):
    """continuous-delivery gives docker a single point: it is one of docker's pros, none of vm's."""
    assert pros(pack, ["continuous-delivery"], "docker") == ["continuous-delivery"]
    assert pros(pack, ["continuous-delivery"], "vm") == []


def test_the_cons_of_an_option(three):
    """A veto of the option, points taken from it, or more points to an allowed rival are cons;
    another option's veto, or points to a vetoed rival, are not."""
    assert cons(three, ["own-kernel"], "docker", {"docker": ["own-kernel"]}) == ["own-kernel"]
    assert cons(three, ["os-testing"], "docker", {}) == ["os-testing"]  # docker -1, vm +5
    assert cons(three, ["dense"], "vm", {}) == ["dense"]
    assert cons(three, ["bare-metal-speed"], "docker", {"vm": ["bare-metal-speed"]}) == []
    assert cons(three, ["fast-start"], "docker", {}) == ["fast-start"]  # wasm gets 3 to docker's 2
    assert cons(three, ["fast-start"], "docker", {"wasm": ["shared-kernel"]}) == []
    assert cons(three, ["microservices"], "docker", {}) == []


def test_triggers_name_the_requirements_that_held_in_the_branch_that_held(pack):
    """For os-testing, the stated os_testing and the `any` branch that held are the triggers; a stated
    requirement of a branch that did not hold, or one the rule does not read, is not."""
    rule = pack.rule("os-testing")
    stated = {"os_testing": True, "guest_os": "different", "custom_kernel": False, "density": "high"}
    assert triggers(rule, stated) == {"os_testing": True, "guest_os": "different"}
    both = {**stated, "full_os": True}
    assert triggers(rule, both) == {"os_testing": True, "guest_os": "different", "full_os": True}
    assert triggers(rule, {"guest_os": "different"}) == {}
    assert list(triggers(pack.rule("heavy-and-dense"), {"density": "high", "performance": "critical"})) == [
        "performance",
        "density",
    ]


def test_a_veto_alone_is_a_con_of_the_vetoed_option(three):
    """bare-metal-speed only vetoes vm (no rival gains points from it): it is still vm's con."""
    assert cons(three, ["bare-metal-speed"], "vm", {"vm": ["bare-metal-speed"]}) == ["bare-metal-speed"]


def test_points_taken_are_a_con_even_with_no_rival_left(three):
    """os-testing takes a point from docker: a con of docker even when vm and wasm are both vetoed."""
    vetoes = {"vm": ["bare-metal-speed"], "wasm": ["shared-kernel"]}
    assert cons(three, ["os-testing"], "docker", vetoes) == ["os-testing"]


def test_a_rule_that_does_not_hold_has_no_triggers(pack):
    """os-testing with os_testing stated but no branch of its `any` holding triggered nothing."""
    assert triggers(pack.rule("os-testing"), {"os_testing": True, "custom_kernel": False}) == {}
