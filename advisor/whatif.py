"""What-ifs: the smallest changes to the stated requirements that change the outcome.

A change sets one requirement field to another of its allowed values, or leaves a stated
field unstated (the advice then no longer rests on it). Every single change is tried;
only when none changes the outcome are pairs of changes tried, so each what-if is minimal.
The outcome is the status, the recommendation and the tied options.

Every what-if reported was decided again by the engine. The engine is not asked about a
change that provably leaves the outcome alone: it can only make the rules that read the
changed fields fire or stop firing, so when even the most those rules could give a rival
(and take from the recommendation) leaves the recommendation ahead, and none of them
can veto it, the outcome stands (see :func:`_may_change`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

from . import scoring
from .conditions import Condition
from .decision_model import Change, WhatIf
from .rulepack import RulePack
from .workload import REQUIREMENT_FIELDS, Requirements, allowed_values

# Each value a change may give a field; None leaves it unstated.
Move = tuple[str, Any]


def _fields(condition: Condition, found: set[str]) -> set[str]:
    if condition.op == "is":
        found.add(condition.field or "")
    for child in condition.children:
        _fields(child, found)
    return found


def readers(pack: RulePack) -> dict[str, set[str]]:
    """For each requirement field, the ids of the rules whose condition reads it."""
    found: dict[str, set[str]] = {f: set() for f in REQUIREMENT_FIELDS}
    for rule in pack.rules:
        for name in _fields(rule.when, set()):
            found.setdefault(name, set()).add(rule.id)
    return found


def moves(stated: dict[str, Any]) -> list[Move]:
    """Every single change, in model order of the fields: each other value, and unstated for a stated field."""
    found: list[Move] = []
    for name in REQUIREMENT_FIELDS:
        current = stated.get(name)
        same = [v for v in allowed_values(name) if name in stated and v == current and type(v) is type(current)]
        found += [(name, v) for v in allowed_values(name) if v not in same]
        if name in stated:
            found.append((name, None))
    return found


def outcome_of(where: scoring.Standing) -> tuple:
    """What a what-if must change: the status, the recommendation and the tied options."""
    return where.status, where.recommendation, where.best if where.status == "tie" else ()


class _Bound:
    """Whether changing some fields could change a recommendation, from the pack alone."""

    def __init__(self, pack: RulePack, fired: Sequence[str], where: scoring.Standing) -> None:
        self.pack = pack
        self.fired = set(fired)
        self.readers = readers(pack)
        self.chosen = where.recommendation
        self.scores, self.vetoes = scoring.add_up(pack, fired)
        # Only a recommendation is bounded; any other outcome is always asked about.
        self.exact = where.status != "recommended"

    def may_change(self, names: Iterable[str]) -> bool:
        """False only when changing these fields provably leaves the recommendation as it is."""
        if self.exact:
            return True
        chosen = self.chosen
        touched = set().union(*(self.readers.get(n, set()) for n in names))
        if self.fired <= touched:
            return True  # every fired rule could stop: no rule might fire at all
        rules = [self.pack.rule(r) for r in touched]
        if any(r.effects.get(chosen) == "veto" for r in rules):
            return True
        for option in self.pack.options:
            if option == chosen or any(r not in touched for r in self.vetoes.get(option, [])):
                continue  # a veto no change can lift
            lead = self.scores[chosen] - self.scores[option]
            for rule in rules:
                gain = scoring.edge(rule, option, chosen)
                lead += gain if rule.id in self.fired else 0
                lead -= max(gain, 0)
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
    pairs = [
        (a, b) for a, b in combinations(singles, 2) if a[0] != b[0] and bound.may_change([a[0], b[0]])
    ]
    return _verified(engine, pack, stated, pairs, where)


def _verified(
    engine: Any, pack: RulePack, stated: dict[str, Any], candidates: list[tuple[Move, ...]], where: scoring.Standing
) -> list[WhatIf]:
    """The candidates whose requirements, decided again by the engine, give another outcome."""
    sets = [_apply(stated, moves_) for moves_ in candidates]
    before = outcome_of(where)
    found = []
    for moves_, fired in zip(candidates, engine.fired_many(sets), strict=True):
        now = scoring.standing(pack, fired)
        if outcome_of(now) != before:
            found.append(
                WhatIf(
                    changes=[Change(field=f, value=v, was=stated.get(f)) for f, v in moves_],
                    status=now.status,
                    recommendation=now.recommendation,
                    tied=list(now.best) if now.status == "tie" else [],
                )
            )
    return found


def _apply(stated: dict[str, Any], changes: Iterable[Move]) -> Requirements:
    changed = dict(stated)
    for name, value in changes:
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return Requirements.model_validate(changed)
