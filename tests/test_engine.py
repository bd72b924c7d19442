"""The engine: durable-rules fires exactly the rules whose conditions hold."""

from __future__ import annotations

import json

import durable_rules_engine
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import engine
from advisor.decision import decide
from advisor.errors import RulePackError
from advisor.packrecords import MAX_RULES
from advisor.rulepack import load_pack
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values

from .conftest import EXAMPLES
from .oracle import fired as oracle_fired

EXAMPLE = EXAMPLES / "payments-api.yaml"

requirements_strategy = st.fixed_dictionaries(
    {},
    optional={field: st.sampled_from(allowed_values(field)) for field in REQUIREMENT_FIELDS},
)


def test_each_rule_fires_exactly_when_its_condition_holds(pack):
    """For every rule, a workload made to satisfy it fires it, and the same workload with one value changed does not."""
    compiled = engine.compiled(pack)
    for rule in pack.rules:
        stated = _satisfying(rule.when)
        assert rule.id in compiled.fired(Requirements(**stated)), rule.id
        assert oracle_fired(pack, stated) == compiled.fired(Requirements(**stated))
        for field, value in stated.items():
            others = [v for v in allowed_values(field) if v != value]
            broken = {**stated, field: others[0]}
            assert rule.when.holds(broken) == (rule.id in compiled.fired(Requirements(**broken))), (rule.id, field)
        assert rule.id not in compiled.fired(Requirements())


def _satisfying(cond) -> dict:
    if cond.op == "is":
        return {cond.field: cond.values[0]}
    if cond.op == "any":
        return _satisfying(cond.children[0])
    merged: dict = {}
    for child in cond.children:
        merged.update(_satisfying(child))
    return merged


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stated=requirements_strategy)
def test_durable_rules_agrees_with_the_plain_python_oracle(pack, stated):
    """For random workloads, the rules durable-rules fires are exactly those the oracle says hold."""
    compiled = engine.compiled(pack)
    compiled._cache.clear()  # make durable-rules evaluate, not the cache
    assert compiled.fired(Requirements(**stated)) == oracle_fired(pack, stated)


def test_the_engine_really_goes_through_durable_rules(pack, monkeypatch):
    """Evaluation calls durable-rules' assert_fact; the result does not come from Python alone."""
    calls = []
    real = durable_rules_engine.assert_fact
    monkeypatch.setattr(engine._dre, "assert_fact", lambda h, f: calls.append(f) or real(h, f))
    compiled = engine.CompiledPack(pack)
    try:
        assert "microservices" in compiled.fired(Requirements(architecture="microservices"))
    finally:
        compiled.close()
    assert len(calls) == 1 and json.loads(calls[0])["_fact"] == "workload"


def test_identical_requirement_sets_are_evaluated_once(pack, monkeypatch):
    """A repeated requirement set is answered from the cache without asserting a fact again."""
    compiled = engine.CompiledPack(pack)
    calls = []
    real = durable_rules_engine.assert_fact
    monkeypatch.setattr(engine._dre, "assert_fact", lambda h, f: calls.append(f) or real(h, f))
    try:
        first = compiled.fired(Requirements(density="high"))
        second = compiled.fired(Requirements(density="high"))
    finally:
        compiled.close()
    assert first == second and len(calls) == 1


def test_no_session_state_is_left_behind(pack):
    """After thousands of evaluations no fact stays asserted (no growth toward durable's 1,024 sessions)."""
    compiled = engine.CompiledPack(pack)
    try:
        for i in range(2000):
            compiled._cache.clear()
            compiled.fired(Requirements(density=("low", "medium", "high")[i % 3]))
        for handle in compiled._handles:
            assert durable_rules_engine.get_facts(handle, "0") == "[]"
    finally:
        compiled.close()


def test_large_packs_are_split_so_more_than_64_rules_can_fire(write):
    """A pack with 150 rules that all match one workload evaluates (durable-rules alone fails past 64)."""
    rules = "".join(
        f"  - {{id: r{i}, dimension: resources, when: {{density: high}}, effects: {{a: 1}},"
        " because: x, sources: [c]}\n"
        for i in range(150)
    )
    path = write(
        "big.yaml",
        f"pack: big\nclaims: {{c: {{section: s, quote: q, text: t}}}}\n"
        f"options: {{a: {{title: A, summary: a}}}}\nrules:\n{rules}",
    )
    big = load_pack(path)
    decision = decide(Workload(name="w", requirements=Requirements(density="high")), big)
    assert decision.scores == {"a": 150} and len(decision.fired) == 150


def test_packs_over_the_rule_limit_are_refused(write):
    """A pack with more rules than the engine can hold side by side is an error at load time."""
    rules = "".join(
        f"  - {{id: r{i}, dimension: resources, when: {{density: high}}, effects: {{a: 1}},"
        " because: x, sources: [c]}\n"
        for i in range(MAX_RULES + 1)
    )
    path = write(
        "huge.yaml",
        f"pack: huge\nclaims: {{c: {{section: s, quote: q, text: t}}}}\n"
        f"options: {{a: {{title: A, summary: a}}}}\nrules:\n{rules}",
    )
    with pytest.raises(RulePackError, match="at most 500 rules"):
        load_pack(path)


def test_counterfactuals_name_unstated_fields_that_flip_the_advice(pack):
    """A docker-leaning workload learns that a different guest OS would make it a VM."""
    workload = Workload(name="w", requirements=Requirements(architecture="microservices", scaling="elastic"))
    decision = decide(workload, pack)
    flips = {(c.field, c.value): c.recommendation for c in decision.counterfactuals}
    assert flips[("guest_os", "different")] == "vm"
    for c in decision.counterfactuals:  # each is what deciding with that value gives
        changed = Requirements(**{**workload.requirements.stated(), c.field: c.value})
        again = decide(Workload(name="w", requirements=changed), pack, counterfactuals=False)
        assert (again.recommendation, again.status) == (c.recommendation, c.status)
        assert again.recommendation != decision.recommendation


def test_concurrent_threads_get_the_same_answers_as_one(pack):
    """Evaluations from several threads at once agree with sequential ones (the engine serialises them)."""
    from concurrent.futures import ThreadPoolExecutor

    sets = [Requirements(density=d, startup=s) for d in allowed_values("density") for s in allowed_values("startup")]
    compiled = engine.CompiledPack(pack)
    try:
        expected = [oracle_fired(pack, r.stated()) for r in sets]

        def run(_):
            compiled._cache.clear()
            return [compiled.fired(r) for r in sets]

        with ThreadPoolExecutor(4) as pool:
            for result in pool.map(run, range(40)):
                assert result == expected
    finally:
        compiled.close()


def test_reloading_a_pack_reuses_its_compiled_rules():
    """Loading the same pack again and again compiles it once; the library does not leak rulesets."""
    from advisor import api

    for _ in range(30):
        api.decide(EXAMPLE, api.load_rules())
    same = [c for c in engine._compiled.values() if c.pack.digest == load_pack().digest]
    assert len(same) == 1 and len(engine._compiled) <= engine._COMPILED_KEPT


def test_a_fact_durable_rules_refuses_is_an_engine_error_not_a_wrong_answer(pack, monkeypatch):
    """If durable-rules does not take the fact (already asserted, or unhandled), evaluation fails loudly."""
    from advisor.errors import EngineError

    compiled = engine.CompiledPack(pack)
    try:
        monkeypatch.setattr(engine._dre, "assert_fact", lambda handle, fact: (2, 0))
        with pytest.raises(EngineError, match=r"refused the workload fact \(code 2\)"):
            compiled.fired(Requirements(density="high"))
    finally:
        monkeypatch.undo()
        compiled.close()


def test_a_ruleset_durable_rules_rejects_is_an_engine_error(pack, monkeypatch):
    """A pack durable-rules cannot register fails with an EngineError naming the pack, not a traceback."""
    from advisor.errors import EngineError

    def reject(name, definition):
        raise Exception("Could not create ruleset, error code: 102")

    monkeypatch.setattr(engine._dre, "create_ruleset", reject)
    with pytest.raises(EngineError, match="durable-rules refused the pack: Could not create ruleset") as info:
        engine.CompiledPack(pack)
    assert info.value.path == pack.path


def test_fired_many_answers_a_set_already_evaluated_from_the_cache(pack, monkeypatch):
    """fired_many does not assert a fact again for a requirement set fired() has just evaluated."""
    compiled = engine.CompiledPack(pack)
    calls = []
    real = durable_rules_engine.assert_fact
    monkeypatch.setattr(engine._dre, "assert_fact", lambda h, f: calls.append(f) or real(h, f))
    try:
        requirements = Requirements(density="high")
        first = compiled.fired(requirements)
        (again,) = compiled.fired_many([requirements.stated()])
    finally:
        compiled.close()
    assert again == first and len(calls) == 1


def test_closing_a_compiled_pack_twice_is_harmless(pack):
    """close() may be called again after the rulesets are gone, without an error."""
    compiled = engine.CompiledPack(pack)
    compiled.close()
    compiled.close()


def test_a_pack_is_compiled_once_per_process(pack):
    """compiled() hands back the same compiled pack for the same rules, registering them once."""
    assert engine.compiled(pack) is engine.compiled(pack)
