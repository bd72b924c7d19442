"""Engine parts: how a pack is split into rulesets, the bounded caches of answers and of
compiled packs, and the pack named in an engine error."""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict

import durable_rules_engine
import pytest

from advisor import engine
from advisor.conditions import MAX_WAYS
from advisor.errors import EngineError
from advisor.rulepack import load_pack
from advisor.workload import Requirements

from .oracle import fired as oracle_fired

# Each matches in 2 * 2 * 4 = 16 ways: four of them make exactly MAX_WAYS.
SIXTEEN = (
    "{architecture: [monolith, microservices], full_os: [true, false],"
    " deploy_frequency: [rare, weekly, daily, continuous]}"
)
ONE = "{density: high}"


def _pack(write, name: str, conditions: list[str]):
    """A pack of one rule per condition, each adding a point to option a."""
    rules = "".join(
        f"  - {{id: r{i}, dimension: resources, when: {when}, effects: {{a: 1}}, because: x, sources: [c]}}\n"
        for i, when in enumerate(conditions)
    )
    return load_pack(write(f"{name}.yaml", f"pack: {name}\nclaims: {{c: {{section: s, quote: q, text: t}}}}\n"
                                         f"options: {{a: {{title: A, summary: a}}}}\nrules:\n{rules}"))


def _ways(chunk) -> int:
    return sum(rule.when.ways() for rule in chunk)


def _assert_fullest_split(chunks, rules) -> None:
    """The chunks are the rules in order, each within both limits and as long as the limits allow."""
    assert tuple(rule for chunk in chunks for rule in chunk) == rules
    for chunk, following in itertools.pairwise(chunks):
        assert chunk and len(chunk) <= engine.CHUNK and _ways(chunk) <= MAX_WAYS
        assert len(chunk) == engine.CHUNK or _ways(chunk) + following[0].when.ways() > MAX_WAYS
    assert len(chunks[-1]) <= engine.CHUNK and _ways(chunks[-1]) <= MAX_WAYS


@pytest.mark.parametrize(
    ("conditions", "sizes"),
    [
        ([SIXTEEN] * 4, [4]),  # exactly MAX_WAYS ways: one ruleset
        ([SIXTEEN] * 8, [4, 4]),  # a second ruleset of exactly MAX_WAYS ways
        ([ONE] * 150, [60, 60, 30]),  # CHUNK rules at most, in every ruleset
        ([ONE] * 62 + [SIXTEEN] * 5, [60, 2 + 3, 2]),
    ],
)
def test_rules_are_split_into_the_fewest_rulesets_the_limits_allow(write, conditions, sizes):
    """Each ruleset takes rules in order until CHUNK rules or MAX_WAYS ways (inclusive) would be exceeded."""
    pack = _pack(write, "split", conditions)
    chunks = engine._chunks(pack.rules)
    _assert_fullest_split(chunks, pack.rules)
    assert [len(chunk) for chunk in chunks] == sizes


def test_a_ruleset_of_exactly_max_ways_ways_is_registered_and_fires_every_rule(write):
    """durable-rules takes a ruleset matching in MAX_WAYS ways, and each of its rules fires once."""
    pack = _pack(write, "full", [SIXTEEN] * 4)
    compiled = engine.CompiledPack(pack)
    try:
        assert len(compiled._handles) == 1
        stated = {"architecture": "monolith", "full_os": True, "deploy_frequency": "daily"}
        assert compiled.fired(Requirements(**stated)) == ("r0", "r1", "r2", "r3") == oracle_fired(pack, stated)
    finally:
        compiled.close()


def _evaluated(monkeypatch) -> list:
    """The density of each workload fact asserted from now on, once per ruleset."""
    calls: list = []
    real = durable_rules_engine.assert_fact
    monkeypatch.setattr(engine._dre, "assert_fact", lambda h, f: calls.append(json.loads(f)["density"]) or real(h, f))
    return calls


SETS = {name: Requirements(density=name) for name in ("low", "medium", "high")}


def _ask(compiled, how: str, sets: list) -> list:
    if how == "fired":
        return [compiled.fired(s) for s in sets]
    return compiled.fired_many([s.stated() for s in sets])


@pytest.mark.parametrize(
    ("how", "order", "evaluated"),
    [
        # medium is evaluated again: it was dropped when high came, low having been used since
        ("fired", ["low", "medium", "low", "high", "high", "low", "medium"], ["low", "medium", "high", "medium"]),
        # low is evaluated again: it was dropped when high came; high and medium stayed
        ("fired_many", ["low", "medium", "high", "medium", "high", "low"], ["low", "medium", "high", "low"]),
    ],
)
def test_the_answer_cache_keeps_the_most_recently_used_sets(pack, monkeypatch, how, order, evaluated):
    """With room for two sets, fired and fired_many drop the least recently used; the others are answered unasked."""
    monkeypatch.setattr(engine, "CACHE_SIZE", 2)
    compiled = engine.CompiledPack(pack)
    calls = _evaluated(monkeypatch)
    try:
        answers = _ask(compiled, how, [SETS[name] for name in order])
        assert len(compiled._cache) == 2
        per_set = len(compiled._handles)
    finally:
        compiled.close()
    assert answers == [oracle_fired(pack, SETS[name].stated()) for name in order]
    assert calls == [name for name in evaluated for _ in range(per_set)]


def test_compiled_packs_kept_are_the_most_recently_used_and_the_dropped_one_is_closed(write, monkeypatch):
    """With room for two compiled packs, a third drops the one used least recently and unregisters its rules."""
    monkeypatch.setattr(engine, "_compiled", OrderedDict())
    monkeypatch.setattr(engine, "_COMPILED_KEPT", 2)
    first, second, third = (_pack(write, name, [ONE, f"{{startup: {startup}}}"])
                            for name, startup in (("p1", "minutes"), ("p2", "seconds"), ("p3", "subsecond")))
    made = []
    try:
        a = engine.compiled(first)
        b = engine.compiled(second)
        made += [a, b]
        assert engine.compiled(first) is a  # now the most recent
        made.append(engine.compiled(third))
        assert b._handles == [] and a._handles
        assert engine.compiled(first) is a
        again = engine.compiled(second)
        made.append(again)
        assert again is not b and again.fired(Requirements(startup="seconds")) == ("r1",)
    finally:
        for entry in made:
            entry.close()


@pytest.mark.parametrize("code", [1, 2])
def test_a_refused_fact_is_an_engine_error_naming_the_pack(pack, monkeypatch, code):
    """When durable-rules does not take the workload fact, the error carries the pack's file."""
    compiled = engine.CompiledPack(pack)
    try:
        monkeypatch.setattr(engine._dre, "assert_fact", lambda handle, fact: (code, 0))
        with pytest.raises(EngineError) as info:
            compiled.fired(Requirements(density="high"))
    finally:
        monkeypatch.undo()
        compiled.close()
    assert info.value.path == pack.path
    assert str(info.value) == f"{pack.path}: durable-rules refused the workload fact (code {code})"
