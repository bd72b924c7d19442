"""What-ifs: the smallest changes to the stated requirements that change the outcome.

A change sets one requirement field to another of its allowed values, or leaves a stated
field unstated (the advice then no longer rests on it). Every single change is tried;
only when none changes the outcome are pairs of changes tried, so each what-if is minimal.
The outcome is the status, the recommendation and the tied options.

Every what-if reported was decided again by the engine. The engine is not asked about a
change that provably leaves the outcome alone: it can only make the rules that read the
changed fields fire or stop firing, so when even the most those rules could give a rival
(and take from the recommendation) leaves the recommendation ahead, and none of them
can veto it, the outcome stands (see :class:`_Bound`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

from . import scoring
from .decision_model import Change, WhatIf
from .rulepack import RulePack
from .workload import REQUIREMENT_FIELDS, Requirements, allowed_values

# Each value a change may give a field; None leaves it unstated.
Move = tuple[str, Any]


_READERS: dict[str, dict[str, frozenset[str]]] = {}
_VALUES = {name: allowed_values(name) for name in REQUIREMENT_FIELDS}


def readers(pack: RulePack) -> dict[str, frozenset[str]]:
    """For each requirement field, the ids of the rules whose condition reads it (once per pack)."""
    found = _READERS.get(pack.digest)
    if found is None:
        sets: dict[str, set[str]] = {f: set() for f in REQUIREMENT_FIELDS}
        for rule in pack.rules:
            for name in rule.when.fields():
                sets.setdefault(name, set()).add(rule.id)
        found = _READERS[pack.digest] = {f: frozenset(ids) for f, ids in sets.items()}
    return found


def moves(stated: dict[str, Any]) -> list[Move]:
    """Every single change, in model order of the fields: each other value, and unstated for a stated field."""
    found: list[Move] = []
    for name in REQUIREMENT_FIELDS:
        current = stated.get(name)
        same = [v for v in _VALUES[name] if name in stated and v == current and type(v) is type(current)]
        found += [(name, v) for v in _VALUES[name] if v not in same]
        if name in stated:
            found.append((name, None))
    return found


class _Bound:
    """Whether changing some fields could change a recommendation, from the pack alone.

    Only the rules that read a changed field (the touched rules) can start or stop firing.
    Over a rival, the recommendation's lead afterwards is at least its lead now, plus what
    each touched rule that fired gives the rival over it (it may stop), less the most any
    touched rule could give the rival over it (it may start): ``slack`` holds that sum's
    terms per rule and rival.
    """

    def __init__(self, pack: RulePack, fired: Sequence[str], where: scoring.Standing) -> None:
        self.pack = pack
        self.fired = frozenset(fired)
        self.readers = readers(pack)
        self.chosen = chosen = where.recommendation
        self.scores, self.vetoes = scoring.add_up(pack, fired)
        # Only a recommendation is bounded; any other outcome is always asked about.
        self.exact = where.status != "recommended"
        self.known: dict[frozenset[str], bool] = {}
        if self.exact:
            return
        self.rivals = [o for o in pack.options if o != chosen]
        self.slack: dict[str, dict[str, int]] = {}
        self.vetoes_chosen = frozenset(r.id for r in pack.rules if r.effects.get(chosen) == "veto")

    def _slack(self, rule_id: str) -> dict[str, int]:
        found = self.slack.get(rule_id)
        if found is None:
            rule, fired = self.pack.rule(rule_id), rule_id in self.fired
            edges = {o: scoring.edge(rule, o, self.chosen) for o in self.rivals}
            found = self.slack[rule_id] = {o: (e if fired else 0) - max(e, 0) for o, e in edges.items()}
        return found

    def may_change(self, names: Iterable[str]) -> bool:
        """False only when changing these fields provably leaves the recommendation as it is."""
        if self.exact:
            return True
        key = frozenset(names)
        known = self.known.get(key)
        if known is None:
            known = self.known[key] = self._may_change(frozenset().union(*(self.readers.get(n, ()) for n in key)))
        return known

    def _may_change(self, touched: frozenset[str]) -> bool:
        chosen = self.chosen
        if self.fired <= touched or touched & self.vetoes_chosen:
            return True  # every fired rule could stop, or a rule could veto the recommendation
        for option in self.rivals:
            if any(r not in touched for r in self.vetoes.get(option, [])):
                continue  # a veto no change can lift
            lead = self.scores[chosen] - self.scores[option]
            lead += sum(self._slack(r)[option] for r in touched)
            if lead <= 0:
                return True
        return False


def find(engine: Any, pack: RulePack, requirements: Requirements, fired: Sequence[str]) -> list[WhatIf]:
    """Every single change that changes the outcome; when there is none, every pair that does.

    Smallest first: singles before pairs, then in model order of the fields and values.
    """
    stated = requirements.stated()
    where = scoring.standing(pack, fired)
    bound = _Bound(pack, fired, where)
    singles = moves(stated)
    found = _verified(engine, pack, stated, [(m,) for m in singles if bound.may_change([m[0]])], where)
    if found:
        return found
    by_field: dict[str, list[Move]] = {}
    for move in singles:
        by_field.setdefault(move[0], []).append(move)
    pairs = [
        (a, b)
        for f, g in combinations(by_field, 2)
        if bound.may_change([f, g])
        for a in by_field[f]
        for b in by_field[g]
    ]
    return _verified(engine, pack, stated, pairs, where)


def _verified(
    engine: Any, pack: RulePack, stated: dict[str, Any], candidates: list[tuple[Move, ...]], where: scoring.Standing
) -> list[WhatIf]:
    """The candidates whose requirements, decided again by the engine, give another outcome."""
    sets = [_apply(stated, moves_) for moves_ in candidates]
    before = where.outcome
    found = []
    for moves_, fired in zip(candidates, engine.fired_many(sets), strict=True):
        now = scoring.standing(pack, fired)
        if now.outcome != before:
            found.append(
                WhatIf(
                    changes=[Change(field=f, value=v, was=stated.get(f)) for f, v in moves_],
                    status=now.status,
                    recommendation=now.recommendation,
                    tied=now.tied,
                )
            )
    return found


def _apply(stated: dict[str, Any], changes: Iterable[Move]) -> dict[str, Any]:
    """The stated requirements with the changes made, in model order (as ``Requirements.stated`` gives them)."""
    changed = dict(stated)
    changed.update(changes)
    return {f: changed[f] for f in REQUIREMENT_FIELDS if changed.get(f) is not None}
