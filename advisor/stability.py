"""Stability: whether a recommendation survives a change to the weight of any one rule.

Each fired rule's points are changed, one rule at a time, in four ways: every point effect
of the rule one point stronger (+1) or weaker (-1, towards zero), and scaled to 125% or 75%
(±25%), rounded half away from zero, so a quarter of one or two points rounds to nothing
or to one point (the ±1 changes cover the smallest weights). Vetoes and points of zero
stay as written: a veto has no weight, and zero points say the rule gives that option
nothing. Rules that did not fire cannot change the scores, whatever their weight.

Pure arithmetic over the fired rules' effects: no rule is evaluated again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from . import scoring
from .decision_model import Stability, WeightChange, WeightFlip
from .rulepack import RulePack


def _half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def _sign(n: int) -> int:
    return 1 if n > 0 else -1


CHANGES: dict[WeightChange, Callable[[int], int]] = {
    "+1": lambda n: n + _sign(n),
    "-1": lambda n: n - _sign(n),
    "+25%": lambda n: _half_away(n * 1.25),
    "-25%": lambda n: _half_away(n * 0.75),
}


def stability(pack: RulePack, fired: Sequence[str]) -> Stability | None:
    """Which single rule-weight changes would change the recommendation (None when nothing is recommended)."""
    scores, vetoes = scoring.add_up(pack, fired)
    where = scoring.stand(scores, vetoes)
    if not fired or where.status != "recommended":
        return None
    flips = []
    for rule_id in fired:
        weights = {o: e for o, e in pack.rule(rule_id).effects.items() if isinstance(e, int) and e != 0}
        for change, apply in CHANGES.items():
            changed = dict(scores)
            for option, n in weights.items():
                changed[option] += apply(n) - n
            now = scoring.stand(changed, vetoes)
            if (now.status, now.recommendation) != (where.status, where.recommendation):
                flips.append(
                    WeightFlip(
                        rule=rule_id,
                        change=change,
                        status=now.status,
                        recommendation=now.recommendation,
                        tied=now.tied,
                    )
                )
    return Stability(stable=not flips, flips=flips)
