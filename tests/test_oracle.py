"""Rule conditions, compiled and fired, agree with the pack's own `when` read without the compiler."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import engine
from advisor.decision import decide
from advisor.rulepack import load_pack
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values

from .conftest import ROOT
from .oracle import compiled_holds, targets, witnesses, written_fired, written_holds, written_rules

PACKS = {
    "docker-vs-vm": ROOT / "rules" / "docker-vs-vm.yaml",
    "isolation-ladder": ROOT / "rules" / "isolation-ladder.yaml",
    "three-options": ROOT / "tests" / "packs" / "three-options.yaml",
}


@pytest.fixture(params=sorted(PACKS))  # per test, so mutation testing sees each test parse its pack
def case(request):
    """A pack, its compiled form and its rules as written."""
    pack = load_pack(PACKS[request.param])
    return pack, engine.CompiledPack(pack), written_rules(PACKS[request.param])


def _workloads(rules):
    """Every witness of every rule, and each with one field changed to every other value or dropped."""
    seen: list[dict] = []
    for _, when in rules:
        for stated in witnesses(when):
            variants = [stated]
            for field, value in stated.items():
                variants += [{**stated, field: v} for v in allowed_values(field) if v != value]
                variants.append({k: v for k, v in stated.items() if k != field})
            seen += [v for v in variants if v not in seen]
    return seen


def _engine_fired(compiled, stated):
    compiled._cache.clear()  # durable-rules evaluates, not the cache
    return compiled.fired(Requirements(**stated))


def test_the_written_oracle_reads_the_condition_grammar():
    """Field tests, lists as 'one of', any/all and nesting mean what the pack format says; unstated never matches."""
    assert written_holds({"density": ["medium", "high"]}, {"density": "high"})
    assert not written_holds({"density": ["medium", "high"]}, {"density": "low"})
    assert not written_holds({"density": "high"}, {})
    assert written_holds({"any": [{"density": "high"}, {"gpu": True}]}, {"gpu": True})
    assert not written_holds({"all": [{"density": "high"}, {"gpu": True}]}, {"gpu": True})
    assert not written_holds({"density": "high", "gpu": True}, {"density": "high"})
    assert written_holds({"any": [{"all": [{"gpu": True}, {"density": "low"}]}, {"os_testing": True}]},
                         {"gpu": True, "density": "low"})
    assert not written_holds({"gpu": True}, {"gpu": 1})


def test_the_witnesses_go_through_every_branch_and_every_value(case):
    """Each rule's witnesses make it hold, together through every any/all branch and every listed value."""
    _, _, rules = case
    for rule_id, when in rules:
        seen: set = set()
        for stated in witnesses(when):
            assert written_holds(when, stated, seen), rule_id
        assert seen == targets(when), rule_id


def test_durable_rules_fires_what_the_written_conditions_say(case):
    """On every witness and its one-change near misses, durable-rules fires exactly the rules whose `when` holds."""
    _, compiled, rules = case
    for stated in _workloads(rules):
        assert _engine_fired(compiled, stated) == written_fired(rules, stated), stated


def test_the_compiled_conditions_agree_with_the_written_ones(case):
    """Condition.holds and the registered durable-rules dictionary agree with the written `when` on every workload."""
    pack, _, rules = case
    fact_tag = {"_fact": "workload"}
    for stated in _workloads(rules):
        for (rule_id, when), rule in zip(rules, pack.rules, strict=True):
            assert rule.id == rule_id
            expected = written_holds(when, stated)
            assert rule.when.holds(stated) == expected, (rule_id, stated)
            assert compiled_holds(rule.durable_condition(), {**fact_tag, **stated}) == expected, (rule_id, stated)


requirements = st.fixed_dictionaries({}, optional={f: st.sampled_from(allowed_values(f)) for f in REQUIREMENT_FIELDS})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stated=requirements)
def test_random_workloads_fire_the_rules_whose_written_condition_holds(case, stated):
    """For random workloads, durable-rules, Condition.holds and the written `when` name the same rules."""
    pack, compiled, rules = case
    expected = written_fired(rules, stated)
    assert _engine_fired(compiled, stated) == expected
    assert tuple(r.id for r in pack.rules if r.when.holds(stated)) == expected


def test_any_fires_through_each_of_its_branches(pack):
    """A rule with `any:` fires through its second and later branches, not only its first."""
    compiled = engine.CompiledPack(pack)
    rules = written_rules(PACKS["docker-vs-vm"])
    later = 0
    for rule_id, when in rules:
        if "any" not in when:
            continue
        for branch in when["any"][1:]:
            for stated in witnesses({**{k: v for k, v in when.items() if k != "any"}, **branch}):
                if not any(written_holds(b, stated) for b in when["any"][:1]):
                    later += 1
                    assert rule_id in _engine_fired(compiled, stated), (rule_id, stated)
    assert later > 0  # the default pack has such a rule


def test_the_margin_is_the_lead_over_the_runner_up_among_three():
    """With docker 5, wasm 3 and vm 0 the margin is 2 (over wasm, the runner-up), not 5 (over vm, the last)."""
    three = load_pack(PACKS["three-options"])
    workload = Workload(name="w", requirements=Requirements(architecture="microservices", startup="seconds"))
    decision = decide(workload, three)
    assert decision.scores == {"docker": 5, "vm": 0, "wasm": 3}
    assert (decision.recommendation, decision.margin) == ("docker", 2)
