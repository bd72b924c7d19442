"""How fired rules become a decision: scores, standing, ranking, pros and cons, trade-offs, vetoes, what-ifs."""

from __future__ import annotations

import pytest

from advisor.decision import build_decision, decide
from advisor.rulepack import load_pack
from advisor.scoring import cons, favouring, pros, stand, triggers
from advisor.workload import Requirements, Workload

from .conftest import ROOT

THREE = ROOT / "tests" / "packs" / "three-options.yaml"


@pytest.fixture(scope="module")
def three():
    """The three-option test pack (docker, vm, wasm)."""
    return load_pack(THREE)


def ledger(three, **requirements):
    return decide(Workload(name="w", requirements=Requirements(**requirements)), three)


def test_the_best_allowed_option_is_recommended_with_its_lead():
    """The highest score wins; the margin is its lead over the runner-up."""
    s = stand({"docker": 7, "vm": 3}, {})
    assert (s.status, s.recommendation, s.runner_up, s.margin) == ("recommended", "docker", "vm", 4)


def test_a_vetoed_option_cannot_win_whatever_its_score():
    """A veto rules an option out even when it scores highest; no margin is claimed."""
    s = stand({"docker": 20, "vm": 1}, {"docker": ["r"]})
    assert (s.status, s.recommendation, s.runner_up, s.margin) == ("recommended", "vm", None, None)


def test_equal_scores_are_an_honest_tie_naming_the_tied_options():
    """Options sharing the top score tie; the tie names them all and no one is the runner-up."""
    s = stand({"a": 5, "b": 1, "c": 5}, {})
    assert (s.status, s.best, s.recommendation, s.runner_up, s.margin) == ("tie", ("a", "c"), None, None, 0)


def test_every_option_vetoed_gives_no_recommendation():
    """When every option is vetoed there is nothing to recommend."""
    assert stand({"docker": 5, "vm": 5}, {"docker": ["a"], "vm": ["b"]}).status == "all_vetoed"


def test_the_margin_is_taken_against_the_runner_up_not_the_last_option():
    """With three allowed options the margin is the lead over the second best, whatever the order."""
    for scores in ({"a": 9, "b": 4, "c": 7}, {"a": 9, "b": 7, "c": 4}, {"b": 7, "a": 9, "c": 4}):
        s = stand(scores, {})
        assert (s.recommendation, s.runner_up, s.margin) == ("a", "b" if scores["b"] == 7 else "c", 2)


def test_the_margin_skips_vetoed_options_among_three():
    """A vetoed option is no runner-up: the margin is taken against the best allowed other option."""
    s = stand({"a": 9, "b": 12, "c": 4}, {"b": ["r"]})
    assert (s.recommendation, s.runner_up, s.margin) == ("a", "c", 5)


def test_a_policy_can_narrow_the_options_that_may_win():
    """Options outside ``allowed`` take no part: the best allowed one wins, against the best other allowed one."""
    s = stand({"a": 9, "b": 7, "c": 4}, {}, allowed=["b", "c"])
    assert (s.recommendation, s.runner_up, s.margin) == ("b", "c", 3)


def test_a_decision_carries_every_fired_rule_and_the_claims_it_cites(pack):
    """Fired rules keep their effects, reason and sources, and the cited claims come with quotes."""
    workload = Workload(name="w", requirements=Requirements(guest_os="different", density="high"))
    decision = build_decision(workload, pack, ["other-guest-os", "high-density"])
    assert decision.vetoes == {"docker": ["other-guest-os"]}
    assert decision.scores == {"docker": 4, "vm": 6}
    assert decision.recommendation == "vm" and decision.margin is None
    cited = {c.id for c in decision.claims}
    assert {"S1.docker", "S1.vm", "S5.docker", "S5.vm"} <= cited
    assert all(c.quote and c.text for c in decision.claims)


def test_a_workload_that_states_nothing_is_told_so(pack):
    """No stated requirement means no rule fires and no recommendation is made."""
    decision = build_decision(Workload(name="w"), pack, [])
    assert decision.status == "no_rules_fired" and decision.recommendation is None


def test_scores_are_the_sums_of_the_fired_rules_points(three):
    """Each option's score is the sum of the points the fired rules give it, vetoes giving none."""
    d = ledger(
        three, architecture="microservices", untrusted_code=False, startup="seconds", density="high", os_testing=True
    )
    assert [r.rule for r in d.fired] == ["microservices", "shared-kernel", "fast-start", "dense", "os-testing"]
    assert d.scores == {"docker": 3 + 2 + 4 - 1, "vm": 2 - 9 + 5, "wasm": 3}
    assert (d.recommendation, d.runner_up, d.margin) == ("docker", "vm", 10)


def test_the_ranking_puts_allowed_options_by_score_then_the_vetoed_ones(three):
    """Ranks count only allowed options (equal scores share one); a vetoed option has no rank but names its vetoes."""
    d = ledger(three, untrusted_code=False, startup="seconds")
    assert [(r.option, r.rank, r.score, r.vetoed_by) for r in d.ranking] == [
        ("docker", 1, 2, []),
        ("vm", 1, 2, []),
        ("wasm", None, 3, ["shared-kernel"]),
    ]
    assert d.status == "tie" and d.tied == ["docker", "vm"] and d.runner_up is None


def test_pros_are_the_rules_that_add_to_an_option(three):
    """An option's pros are exactly the fired rules that give it points."""
    fired = ["microservices", "shared-kernel", "fast-start", "dense", "os-testing"]
    assert pros(three, fired, "docker") == ["microservices", "fast-start", "dense"]
    assert pros(three, fired, "vm") == ["shared-kernel", "os-testing"]


def test_another_options_veto_is_not_a_con(three):
    """A veto of wasm is a con of wasm; it is a con of docker only because the same rule gives vm points."""
    vetoes = {"wasm": ["shared-kernel"]}
    fired = ["microservices", "shared-kernel", "fast-start", "dense", "os-testing"]
    assert cons(three, fired, "wasm", vetoes) == ["microservices", "shared-kernel", "dense", "os-testing"]
    assert cons(three, fired, "docker", vetoes) == ["shared-kernel", "os-testing"]
    # fast-start gives wasm more than docker, but wasm is ruled out: no con of docker.
    assert "fast-start" not in cons(three, fired, "docker", vetoes)


def test_a_rule_that_favours_the_choice_is_no_trade_off(three):
    """Choosing vm gives up fast-start's points for docker and wasm, but not os-testing, which favours vm itself."""
    d = ledger(three, untrusted_code=False, startup="seconds", os_testing=True)
    assert d.recommendation == "vm"
    assert [(t.rule, [(p.option, p.points, p.vetoed) for p in t.pulls]) for t in d.tradeoffs] == [
        ("fast-start", [("docker", 2, False), ("wasm", 3, True)])
    ]


def test_tradeoffs_come_strongest_first_and_include_points_taken_from_the_choice(three):
    """A rule that takes points from the choice is a trade-off too; the strongest pull comes first."""
    d = ledger(
        three, architecture="microservices", untrusted_code=False, startup="seconds", density="high", os_testing=True
    )
    assert [(t.rule, [(p.option, p.points) for p in t.pulls]) for t in d.tradeoffs] == [
        ("os-testing", [("vm", 5), ("docker", -1)]),
        ("fast-start", [("wasm", 3)]),
        ("shared-kernel", [("vm", 2)]),
    ]


def test_a_veto_names_the_stated_requirements_that_triggered_it(three):
    """Each veto carries the field and value that made its rule apply, only the branch of an `any` that held."""
    d = ledger(three, custom_kernel=True, performance="critical", startup="seconds")
    assert [(t.option, t.rule, t.requirements) for t in d.veto_triggers] == [
        ("docker", "own-kernel", {"custom_kernel": True}),
        ("vm", "bare-metal-speed", {"performance": "critical"}),
        ("wasm", "own-kernel", {"custom_kernel": True}),
    ]
    assert d.status == "all_vetoed"


def test_triggers_name_only_the_branch_of_an_any_that_held(tmp_path):
    """Of `any: [custom_kernel: true, guest_os: different]`, only the stated branch that held is a trigger."""
    text = THREE.read_text(encoding="utf-8").replace(
        "    when: {custom_kernel: true}\n",
        "    when:\n      os_testing: true\n      any:\n        - custom_kernel: true\n        - guest_os: different\n",
    )
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    rule = load_pack(path).rule("own-kernel")
    stated = {"os_testing": True, "guest_os": "different", "custom_kernel": False}
    assert triggers(rule, stated) == {"os_testing": True, "guest_os": "different"}
    assert triggers(rule, {**stated, "custom_kernel": True}) == {
        "os_testing": True,
        "custom_kernel": True,
        "guest_os": "different",
    }


def test_counterfactuals_name_the_outcome_and_the_options_that_would_tie(three):
    """A what-if names the option it would give, or the options that would tie, as the engine decides them."""
    d = ledger(three, untrusted_code=False)  # vm 2, docker 0, wasm vetoed
    by_field = {(c.field, c.value): (c.status, c.recommendation, c.tied) for c in d.counterfactuals}
    assert by_field[("startup", "seconds")] == ("tie", None, ["docker", "vm"])
    assert by_field[("architecture", "microservices")] == ("recommended", "docker", [])
    assert ("os_testing", True) not in by_field  # vm still wins
    for (field, value), (status, recommendation, tied) in by_field.items():
        again = ledger(three, untrusted_code=False, **{field: value})
        assert (again.status, again.recommendation, again.tied) == (status, recommendation, tied)


def test_a_close_lead_is_flagged_fragile(three):
    """A recommendation that leads by 2 points or fewer says so; a clear lead does not."""
    close = ledger(three, architecture="microservices", untrusted_code=False)  # docker 3, vm 2
    assert close.recommendation == "docker" and close.margin == 1
    assert close.fragile is not None and close.fragile.margin == 1
    clear = ledger(three, architecture="microservices", startup="seconds", density="high")
    assert clear.margin > 2 and clear.fragile is None


def test_points_per_dimension_add_up_to_the_scores(three):
    """The per-dimension points of each option sum to its score, in the pack's dimension order."""
    d = ledger(
        three, architecture="microservices", untrusted_code=False, startup="seconds", density="high", os_testing=True
    )
    for option, score in d.scores.items():
        assert sum(row.points[option] for row in d.dimensions) == score
    assert [row.id for row in d.dimensions] == ["architecture", "isolation", "startup", "resources", "use_case"]


def test_favouring_lists_the_rules_that_favour_one_option_over_another_strongest_first(three):
    """favouring(better, worse) gives the rules by how much more they give ``better``."""
    fired = ["microservices", "shared-kernel", "fast-start", "dense", "os-testing"]
    assert favouring(three, fired, "docker", "vm") == ["dense", "microservices", "fast-start"]
