"""How contributions add up into scores, vetoes, a recommendation and a margin."""

from __future__ import annotations

from advisor.decision import build_decision, rank
from advisor.workload import Requirements, Workload


def test_the_best_allowed_option_is_recommended_with_its_lead():
    """The highest score wins; the margin is its lead over the runner-up."""
    assert rank({"docker": 7, "vm": 3}, {}) == ("recommended", "docker", "vm", 4)


def test_a_vetoed_option_cannot_win_whatever_its_score():
    """A veto rules an option out even when it scores highest; no margin is claimed."""
    assert rank({"docker": 20, "vm": 1}, {"docker": ["r"]}) == ("recommended", "vm", None, None)


def test_equal_scores_are_an_honest_tie():
    """Two allowed options with equal scores give no recommendation."""
    assert rank({"docker": 5, "vm": 5}, {}) == ("tie", None, "vm", 0)


def test_every_option_vetoed_gives_no_recommendation():
    """When every option is vetoed there is nothing to recommend."""
    assert rank({"docker": 5, "vm": 5}, {"docker": ["a"], "vm": ["b"]}) == ("all_vetoed", None, None, None)


def test_the_margin_skips_vetoed_options_among_three():
    """With three options, the margin is taken against the best allowed other option."""
    assert rank({"a": 9, "b": 12, "c": 4}, {"b": ["r"]}) == ("recommended", "a", "c", 5)


def test_a_decision_carries_every_fired_rule_and_the_claims_it_cites(pack):
    """Fired rules keep their effects, reason and sources, and the cited claims come with quotes."""
    workload = Workload(name="w", requirements=Requirements(guest_os="different", density="high"))
    decision = build_decision(workload, pack, ["other-guest-os", "high-density"])
    assert decision.vetoes == {"docker": ["other-guest-os"]}
    assert decision.scores == {"docker": 4, "vm": 6}
    assert decision.recommendation == "vm" and decision.margin is None
    cited = {c.id for c in decision.claims}
    assert {"S1.docker", "S1.vm", "S5.docker", "S5.vm", "S6"} <= cited
    assert all(c.quote and c.text for c in decision.claims)


def test_a_workload_that_states_nothing_is_told_so(pack):
    """No stated requirement means no rule fires and no recommendation is made."""
    decision = build_decision(Workload(name="w"), pack, [])
    assert decision.status == "no_rules_fired" and decision.recommendation is None
