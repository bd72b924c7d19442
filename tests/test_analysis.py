"""advisor rules analyze: the exact walk of the requirement space agrees with durable-rules."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import replace
from math import prod

import pytest

from advisor.analysis import SMALL, analyze
from advisor.analysis_space import Space
from advisor.cli import cli
from advisor.decision import build_decision
from advisor.engine import compiled
from advisor.rulepack import RulePack, load_pack
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values

from .conftest import ROOT

SMALL_PACK = ROOT / "tests" / "packs" / "analyze-small.yaml"


def _outcome(pack: RulePack, stated: dict) -> tuple:
    """The outcome durable-rules and the decision give a requirement set, as the analysis words it."""
    requirements = Requirements(**stated)
    decision = build_decision(Workload(name="w", requirements=requirements), pack, compiled(pack).fired(requirements))
    if decision.status == "recommended":
        return ("recommended", decision.recommendation, decision.margin)
    if decision.status == "tie":
        return ("tie", tuple(o for o in pack.options if o in decision.tied))
    return (decision.status,)


def _without(pack: RulePack, rule_id: str) -> RulePack:
    return replace(pack, rules=tuple(r for r in pack.rules if r.id != rule_id))


class _Brute:
    """Every requirement set over the fields the small pack reads, each through durable-rules;
    the fields it does not read are filled in differently for each set, and count as a factor."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        space = Space(pack)
        self.read, self.unread = space.read, space.unread
        rest = [f for f in REQUIREMENT_FIELDS if f not in self.read]
        self.sets = []
        for i, combo in enumerate(itertools.product(*[[None, *allowed_values(f)] for f in self.read])):
            stated = {f: v for f, v in zip(self.read, combo, strict=True) if v is not None}
            filler = {}
            for j, f in enumerate(rest):
                choice = (i * 7 + j * 3) % (len(allowed_values(f)) + 1)
                if choice:
                    filler[f] = allowed_values(f)[choice - 1]
            self.sets.append((stated, filler))
        self.outcomes = [_outcome(pack, {**s, **filler}) for s, filler in self.sets]
        self.fired = [compiled(pack).fired(Requirements(**s, **f)) for s, f in self.sets]


@pytest.fixture(scope="module")
def brute() -> _Brute:
    """The small pack brute-forced through durable-rules."""
    return _Brute(load_pack(SMALL_PACK))


@pytest.fixture(scope="module")
def analysis():
    """The analysis of the small pack."""
    return analyze(load_pack(SMALL_PACK))


def test_the_space_has_every_field_unstated_or_each_value(analysis):
    """The space's size is the product over every requirement field of its values plus one (unstated)."""
    assert analysis.fields == len(REQUIREMENT_FIELDS)
    assert analysis.space == prod(len(allowed_values(f)) + 1 for f in REQUIREMENT_FIELDS)
    assert sum(o.count for o in analysis.outcomes) == analysis.space


def test_outcome_counts_match_durable_rules(brute, analysis):
    """Each outcome occurs exactly as often as brute force through durable-rules finds."""
    counts: dict = {}
    for outcome in brute.outcomes:
        label = outcome[1] if outcome[0] == "recommended" else outcome[0]
        options = (outcome[1],) if outcome[0] == "recommended" else outcome[1] if outcome[0] == "tie" else ()
        counts[(label, tuple(options))] = counts.get((label, tuple(options)), 0) + brute.unread
    assert {(o.outcome, tuple(o.options)): o.count for o in analysis.outcomes} == counts


def test_dead_together_and_never_decisive_rules_match_durable_rules(brute, analysis):
    """Dead rules, rules always firing together and never-decisive rules are those brute force finds."""
    ids = [r.id for r in brute.pack.rules]
    assert analysis.dead == [r for r in ids if not any(r in f for f in brute.fired)]
    patterns: dict = {}
    for r in ids:
        pattern = tuple(r in f for f in brute.fired)
        if any(pattern):
            patterns.setdefault(pattern, []).append(r)
    assert analysis.together == [g for g in patterns.values() if len(g) > 1]
    never = []
    for r in ids:
        smaller = _without(brute.pack, r)
        changed = any(
            _outcome(smaller, {**s, **f})[:2] != o[:2] for (s, f), o in zip(brute.sets, brute.outcomes, strict=True)
        )
        if not changed:
            never.append(r)
    assert analysis.never_decisive == never and analysis.dead and analysis.together


def test_tie_and_close_regions_match_durable_rules(brute, analysis):
    """Each tie and close-margin region has brute force's count and its least requirement sets."""
    regions: dict = {}
    for (stated, _), outcome in zip(brute.sets, brute.outcomes, strict=True):
        close = outcome[0] == "recommended" and outcome[2] is not None and outcome[2] <= 2
        if outcome[0] == "tie" or close:
            regions.setdefault(outcome, []).append(stated)
    listed = analysis.ties + analysis.close
    assert len(listed) == len(regions)
    for region in listed:
        tie = region.outcome == "tie"
        key = ("tie", tuple(region.options)) if tie else ("recommended", region.options[0], region.margin)
        members = regions[key]
        assert region.count == len(members) * brute.unread
        least = []
        for s in sorted((m for m in members if len(m) <= SMALL), key=lambda m: (len(m), _codes(m))):
            if not any(k.items() <= s.items() for k in least):
                least.append(s)
        assert region.minimal == least[: analysis.top]


def _codes(stated: dict) -> tuple:
    return tuple(sorted(REQUIREMENT_FIELDS.index(f) * 64 + allowed_values(f).index(v) for f, v in stated.items()))


def test_monotonicity_violations_match_durable_rules(brute, analysis):
    """The violations counted are brute force's: a set recommending A, plus one requirement that
    alone recommends A, no longer recommends A."""
    alone = {}
    for f in brute.read:
        for v in allowed_values(f):
            o = _outcome(brute.pack, {f: v})
            if o[0] == "recommended":
                alone[(f, v)] = o[1]
    outcome_of = {tuple(sorted(s.items())): o for (s, _), o in zip(brute.sets, brute.outcomes, strict=True)}
    total = 0
    for (stated, _), before in zip(brute.sets, brute.outcomes, strict=True):
        for (f, v), option in alone.items():
            if f in stated or before[0] != "recommended" or before[1] != option:
                continue
            after = outcome_of[tuple(sorted({**stated, f: v}.items()))]
            if after[0] != "recommended" or after[1] != option:
                total += brute.unread
    assert analysis.violations == total > 0
    for v in analysis.violation_examples:
        before = _outcome(brute.pack, v.requirements)
        after = _outcome(brute.pack, {**v.requirements, **v.added})
        assert before[:2] == ("recommended", v.favours) and after[:2] != ("recommended", v.favours)


@pytest.mark.parametrize("name", ["docker-vs-vm", "isolation-ladder"])
def test_shipped_packs_agree_with_durable_rules_on_a_random_sample(name):
    """On 3,000 random requirement sets over every field, the analysis's Python evaluation gives
    the outcome durable-rules and the decision give."""
    pack = load_pack(ROOT / "rules" / f"{name}.yaml")
    space = Space(pack)
    rng = random.Random(20261202)
    for _ in range(3000):
        stated = {}
        for f in REQUIREMENT_FIELDS:
            choice = rng.randrange(len(allowed_values(f)) + 1)
            if choice:
                stated[f] = allowed_values(f)[choice - 1]
        assert space.fired(stated) == list(compiled(pack).fired(Requirements(**stated)))
        assert space.outcome(stated) == _outcome(pack, stated)


def test_the_default_pack_analysis_in_json(runner):
    """The default pack's analysis names its never-decisive rule and finds no monotonicity violation."""
    result = runner.invoke(cli, ["rules", "analyze", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["never_decisive"] == ["os-testing"] and data["violations"] == 0 and not data["partial"]


def test_max_seconds_marks_the_result_partial(runner):
    """A run out of time says it is partial and which parts it left out."""
    result = runner.invoke(cli, ["rules", "analyze", "isolation-ladder", "--format", "json", "--max-seconds", "0.001"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["partial"] and data["unfinished"] == ["never_decisive", "monotonicity"]


def test_readme_quotes_the_default_packs_real_analysis(runner):
    """The README's quoted findings of the default pack are what advisor rules analyze prints."""
    result = runner.invoke(cli, ["rules", "analyze"])
    assert result.exit_code == 0
    assert result.output.rstrip("\n") in (ROOT / "README.md").read_text(encoding="utf-8")
