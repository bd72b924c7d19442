"""What each part of a decision says: next-step wording, claims, ranking, trade-offs, decisive reasons, fragility."""

from __future__ import annotations

import pytest

from advisor.decision import build_decision, decide, for_workload
from advisor.rulepack import load_pack
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload

from .conftest import ROOT

THREE = ROOT / "tests" / "packs" / "three-options.yaml"

# Options a, b and c, and rules whose points are chosen so that strength, firing order and
# alphabetical order of the rule ids all differ. The conditions do not matter: the tests
# name the fired rules themselves.
ABC = "  a: {title: A, summary: First.}\n  b: {title: B, summary: Second.}\n  c: {title: C, summary: Third.}\n"
RULES = {
    "zeta": "{a: 5}",
    "alpha": "{a: 1}",
    "gamma": "{a: 3, b: 1}",
    "beta": "{a: 4}",
    "delta": "{b: 2}",
    "eta": "{b: -6}",
    "nudge": "{b: 1}",
    "tilt": "{a: 1, b: 3}",
    "even": "{a: 2, b: 2}",
    "nil": "{a: 0, b: -1}",
    "cost": "{a: -1}",
    "c-equal": "{c: 13}",
    "c-veto": "{c: veto}",
    "b-veto": "{b: veto}",
}


def _pack_text(options: str, rules: dict[str, str]) -> str:
    head = (
        'pack: parts\nversion: "1"\ntitle: Parts\ndimensions:\n  main: {title: Main, order: 1}\n'
        'claims:\n  C1: {section: "1", quote: "q", text: "t"}\n'
    )
    body = "".join(
        f"  - id: {rid}\n    dimension: main\n    when: {{os_testing: true}}\n    effects: {effects}\n"
        "    because: Because.\n    sources: [C1]\n"
        for rid, effects in rules.items()
    )
    return f"{head}options:\n{options}rules:\n{body}"


@pytest.fixture(scope="module")
def three():
    """The three-option test pack (docker, vm, wasm)."""
    return load_pack(THREE)


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """The a/b/c pack of RULES."""
    path = tmp_path_factory.mktemp("parts") / "parts.yaml"
    path.write_text(_pack_text(ABC, RULES), encoding="utf-8")
    return load_pack(path)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """A pack with one option, `only`, and rules worth 1, 3, -2 and 2 points to it."""
    rules = {"one": "{only: 1}", "three": "{only: 3}", "minus": "{only: -2}", "two": "{only: 2}"}
    path = tmp_path_factory.mktemp("single") / "single.yaml"
    path.write_text(_pack_text("  only: {title: Only, summary: Alone.}\n", rules), encoding="utf-8")
    return load_pack(path)


def decision(pack, fired, **workload):
    return build_decision(Workload(name="w", **workload), pack, fired)


# --- next steps for a workload -------------------------------------------------------------


def slug(name: str) -> str:
    return for_workload(({"command": "run {workload}"},), name)[0]["command"].removeprefix("run ")


def test_a_name_becomes_lower_case_words_joined_by_dashes():
    """Upper case is lowered and every run of other characters becomes one '-'."""
    assert slug("My Service_v2") == "my-service-v2"
    assert slug("API  //  Gateway 9") == "api-gateway-9"


def test_dashes_at_either_end_are_dropped():
    """Characters that would make a leading or trailing '-' leave none."""
    assert slug("--Billing!") == "billing"
    assert slug("  (ledger)  ") == "ledger"


def test_a_long_name_is_cut_to_63_characters_without_a_trailing_dash():
    """A slug is at most 63 characters, and a cut that ends on a '-' drops it."""
    assert slug("a" * 70) == "a" * 63
    assert slug("b" * 64) == "b" * 63
    assert slug("c" * 62 + " tail") == "c" * 62
    assert slug("(" + "d" * 63) == "d" * 63  # the leading '-' goes before the cut


def test_a_slug_of_one_character_or_none_is_workload():
    """A name that leaves one character or none becomes `workload`; two characters are kept."""
    assert slug("X") == "workload"
    assert slug("!!!") == "workload"
    assert slug("ab") == "ab"


def test_only_the_placeholder_in_string_values_is_replaced():
    """Each `{workload}` in a string value is replaced; other values and other text stay as they were."""
    steps = ({"text": "Name it {workload} ({workload}).", "sources": ["S6"], "n": 2, "other": "{WORKLOAD}"},)
    assert for_workload(steps, "Ledger") == [
        {"text": "Name it ledger (ledger).", "sources": ["S6"], "n": 2, "other": "{WORKLOAD}"}
    ]
    assert steps[0]["text"] == "Name it {workload} ({workload})."


def test_a_decision_words_each_options_next_steps_for_the_workload(tmp_path):
    """Every option's next steps in a decision name the workload's slug."""
    text = THREE.read_text(encoding="utf-8").replace("--name ledger ledger:2", "--name {workload} {workload}:2")
    path = tmp_path / "three.yaml"
    path.write_text(text, encoding="utf-8")
    d = build_decision(Workload(name="Order Book"), load_pack(path), ["shared-kernel"])
    assert d.recommendation == "vm"
    assert d.option("docker").next_steps[0]["command"] == "docker run -d --name order-book order-book:2"


# --- what a decision carries ---------------------------------------------------------------


def test_a_decision_carries_the_workloads_description_and_declared_option(three):
    """The workload's description and declared option are part of the decision."""
    d = decision(three, ["fast-start"], description="Order book.", declared="vm")
    assert (d.workload, d.description, d.declared) == ("w", "Order book.", "vm")


def test_each_option_says_whether_it_is_vetoed(three):
    """An option's view is vetoed exactly when a fired rule vetoes it."""
    d = decision(three, ["shared-kernel", "fast-start"])
    assert [(o.id, o.vetoed, o.score) for o in d.options] == [("docker", False, 2), ("vm", False, 2), ("wasm", True, 3)]


def test_the_claims_include_those_of_the_recommendations_next_steps(three):
    """Claims cited only by the recommendation's next steps are included; another option's steps add none."""
    docker = decision(three, ["microservices"])
    assert docker.recommendation == "docker"
    assert [c.id for c in docker.claims] == ["S6", "S7.docker"]
    vm = decision(three, ["shared-kernel"])
    assert vm.recommendation == "vm"
    assert [c.id for c in vm.claims] == ["S2.vm", "S5.vm"]
    tie = decision(three, ["shared-kernel", "fast-start"])
    assert tie.recommendation is None
    assert [c.id for c in tie.claims] == ["S2.vm", "S3.docker"]


def test_a_decision_in_russian_words_the_fields_in_russian(three):
    """build_decision and decide word the requirement fields in the language asked for."""
    assert build_decision(Workload(name="w"), three, ["fast-start"], "ru").fields["architecture"].title == "Архитектура"
    assert build_decision(Workload(name="w"), three, ["fast-start"]).fields["architecture"].title == "Architecture"
    ru = decide(Workload(name="w", requirements=Requirements(startup="seconds")), three, lang="ru")
    assert ru.fields["full_os"].title == "Нужна полноценная ОС"


def test_a_decision_carries_its_decisive_reasons_fields_and_stability(three):
    """build_decision fills in the decisive reasons, the field wording and the stability of the outcome."""
    d = decision(three, ["fast-start"])  # wasm 3, docker 2
    assert (d.decisive.kind, [(r.rule, r.points) for r in d.decisive.reasons]) == ("points", [("fast-start", 1)])
    assert set(d.fields) == set(REQUIREMENT_FIELDS)
    assert d.stability is not None and not d.stability.stable
    # fast-start at 75%: docker 1.5 and wasm 2.25 both round to 2.
    assert [(f.rule, f.change, f.status) for f in d.stability.flips] == [("fast-start", "-25%", "tie")]


def test_decide_keeps_every_what_if_and_draws_the_counterfactuals_from_them(three):
    """decide returns the what-ifs it found; the counterfactuals are those that state one unstated field."""
    d = decide(Workload(name="w", requirements=Requirements(untrusted_code=False)), three)
    assert d.what_ifs
    single = {(w.changes[0].field, w.changes[0].value) for w in d.what_ifs
              if len(w.changes) == 1 and w.changes[0].was is None and w.changes[0].value is not None}
    assert single == {(c.field, c.value) for c in d.counterfactuals}
    assert ("startup", "seconds") in single


# --- ranking ---------------------------------------------------------------------------------


def test_the_ranking_orders_allowed_options_by_score_not_by_name(three):
    """The best-scored option comes first even when its id sorts last; ranks count the better options."""
    d = decision(three, ["fast-start"])  # wasm 3, docker 2, vm 0
    assert [(r.option, r.rank, r.score) for r in d.ranking] == [("wasm", 1, 3), ("docker", 2, 2), ("vm", 3, 0)]


def test_each_ranked_option_has_its_own_pros_and_cons(three):
    """A ranked option lists the rules that add to it and the rules that speak against it."""
    d = decision(three, ["microservices", "shared-kernel", "fast-start", "dense", "os-testing"])
    assert [(r.option, r.pros, r.cons) for r in d.ranking] == [
        ("docker", ["microservices", "fast-start", "dense"], ["shared-kernel", "os-testing"]),
        ("vm", ["shared-kernel", "os-testing"], ["microservices", "fast-start", "dense"]),
        ("wasm", ["fast-start"], ["microservices", "shared-kernel", "dense", "os-testing"]),
    ]


# --- trade-offs ------------------------------------------------------------------------------


def tradeoffs(d):
    return [(t.rule, [(p.option, p.points, p.vetoed) for p in t.pulls]) for t in d.tradeoffs]


def test_a_rival_pulled_by_a_single_point_is_a_trade_off(parts):
    """A rule giving a rival one point, and the recommendation none, is a trade-off."""
    d = decision(parts, ["zeta", "nudge"])
    assert d.recommendation == "a"
    assert tradeoffs(d) == [("nudge", [("b", 1, False)])]


def test_a_rule_giving_a_rival_as_much_as_the_choice_is_no_trade_off(parts):
    """Equal points for the recommendation and a rival give nothing up."""
    d = decision(parts, ["zeta", "even"])
    assert d.recommendation == "a"
    assert tradeoffs(d) == []


def test_a_pull_counts_the_rivals_own_points_not_its_edge(parts):
    """A rival's pull is the points the rule gives it, not its lead over the recommendation."""
    d = decision(parts, ["zeta", "tilt"])  # a 6, b 3
    assert d.recommendation == "a"
    assert tradeoffs(d) == [("tilt", [("b", 3, False)])]


def test_zero_points_for_the_choice_are_no_trade_off(parts):
    """A rule that gives the recommendation 0 points takes nothing from it."""
    d = decision(parts, ["zeta", "nil"])
    assert d.recommendation == "a"
    assert tradeoffs(d) == []


def test_points_taken_from_the_choice_pull_it_and_it_is_not_vetoed(parts):
    """A rule taking a point from the recommendation pulls it with -1, as an option still allowed."""
    d = decision(parts, ["zeta", "cost", "nudge"])
    assert tradeoffs(d) == [("cost", [("a", -1, False)]), ("nudge", [("b", 1, False)])]


# --- decisive reasons ------------------------------------------------------------------------


def decisive(d):
    return d.decisive.kind, [(r.rule, r.points) for r in d.decisive.reasons]


def test_when_every_option_is_vetoed_the_vetoes_decide_each_rule_once(three):
    """With every option vetoed, the decisive reasons are the vetoing rules in option order, each once, worth 0."""
    d = decision(three, ["own-kernel", "bare-metal-speed"])
    assert d.status == "all_vetoed"
    assert decisive(d) == ("veto", [("own-kernel", 0), ("bare-metal-speed", 0)])


def test_when_vetoes_leave_one_option_every_veto_decides(parts):
    """An option left alone by vetoes wins because of every veto, even of options that scored less."""
    d = decision(parts, ["zeta", "c-veto", "b-veto"])
    assert (d.recommendation, d.runner_up) == ("a", None)
    assert decisive(d) == ("veto", [("b-veto", 0), ("c-veto", 0)])


def test_a_veto_of_an_option_scoring_as_much_as_the_choice_decides(parts):
    """A vetoed option that scored at least the recommendation's points makes its veto the reason."""
    fired = ["alpha", "gamma", "beta", "zeta", "c-equal", "c-veto"]  # a 13, b 1, c 13
    d = decision(parts, fired)
    assert (d.recommendation, d.runner_up, d.scores["c"]) == ("a", "b", 13)
    assert decisive(d) == ("veto", [("c-veto", 0)])
    above = decision(parts, [*fired, "cost"])  # a 12
    assert decisive(above) == ("veto", [("c-veto", 0)])


def test_a_veto_of_an_option_scoring_less_does_not_decide(parts):
    """A vetoed option that would have lost anyway is no reason: the points over the runner-up are."""
    d = decision(parts, ["zeta", "c-veto", "nudge"])  # a 5, b 1, c vetoed
    assert (d.recommendation, d.runner_up) == ("a", "b")
    assert decisive(d) == ("points", [("zeta", 5)])


def test_the_decisive_points_are_the_three_rules_adding_most_to_the_lead(parts):
    """The reasons are the three rules with the largest lead over the runner-up, largest first."""
    d = decision(parts, ["alpha", "beta", "gamma", "zeta", "delta"])  # a 13, b 3
    assert (d.recommendation, d.runner_up) == ("a", "b")
    assert decisive(d) == ("points", [("zeta", 5), ("beta", 4), ("gamma", 2)])


def test_a_rule_taking_points_from_the_runner_up_is_decisive(parts):
    """A rule that only takes points from the runner-up adds to the lead and can be decisive."""
    d = decision(parts, ["alpha", "eta", "beta", "c-veto"])  # a 5, b -6, c vetoed
    assert (d.recommendation, d.runner_up) == ("a", "b")
    assert decisive(d) == ("points", [("eta", 6), ("beta", 4), ("alpha", 1)])


def test_a_decisive_rule_is_worth_its_lead_over_the_runner_up(three):
    """A rule's worth is what it gives the recommendation minus what it gives the runner-up."""
    d = decision(three, ["microservices", "shared-kernel", "dense"])  # docker 7, vm -7, wasm vetoed
    assert (d.recommendation, d.runner_up) == ("docker", "vm")
    assert decisive(d) == ("points", [("dense", 13), ("microservices", 3)])


def test_without_a_runner_up_the_decisive_points_are_the_choices_own(single):
    """With no rival, the reasons are the rules adding most to the recommendation, largest first."""
    d = decision(single, ["one", "three", "minus", "two"])
    assert (d.recommendation, d.runner_up, d.vetoes) == ("only", None, {})
    assert decisive(d) == ("points", [("three", 3), ("two", 2), ("one", 1)])


def test_a_tie_has_no_decisive_reason(three):
    """A tie is explained by no rule."""
    assert decisive(decision(three, ["shared-kernel", "fast-start"])) == ("none", [])


# --- fragility -------------------------------------------------------------------------------


def test_a_lead_of_exactly_two_points_is_fragile_and_three_is_not(three, parts):
    """FRAGILE_MARGIN is inclusive: a two-point lead is fragile, a three-point lead is not."""
    two = decision(three, ["shared-kernel"])  # vm 2, docker 0
    assert two.margin == 2 and two.fragile is not None and two.fragile.margin == 2
    three_points = decision(parts, ["beta", "nudge"])  # a 4, b 1
    assert three_points.margin == 3 and three_points.fragile is None


def test_changing_a_decision_changes_neither_the_pack_nor_the_next_decision():
    """Emptying a decision's effects and field wording leaves the pack and the next decision's scores and wording."""
    from advisor.decision import decide
    from advisor.rulepack import load_rules
    from advisor.workload import workload_from_data

    pack = load_rules()
    workload = workload_from_data({"name": "w", "requirements": {"isolation": "high", "startup": "seconds"}})
    first = decide(workload, pack)
    again = decide(workload, pack)
    for rule in first.fired:
        rule.effects.clear()
    first.fields.clear()
    third = decide(workload, pack)
    assert (third.scores, third.fields) == (again.scores, again.fields) and third.fields
    assert all(pack.rule(r.rule).effects for r in third.fired) and third.fired
