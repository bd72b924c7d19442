"""What fired rules mean for a pack's options: scores, vetoes, standing, pros and cons.

Pure functions over a pack and the ids of the rules that fired. Each question a view
asks of a decision ("which options tie", "which rules favour this option", "what does
the choice give up") has exactly one answer here; the decision, the check and every
renderer take it from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .packrecords import Rule, RulePack

Status = Literal["recommended", "tie", "all_vetoed", "no_rules_fired"]


def points(effect: int | str | None) -> int:
    """How many points an effect gives an option; a veto gives none (it rules the option out)."""
    return effect if isinstance(effect, int) else 0


def add_up(pack: RulePack, fired: Sequence[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """The score of each option and the rules that veto it, from the fired rules."""
    scores = dict.fromkeys(pack.options, 0)
    vetoes: dict[str, list[str]] = {}
    for rule_id in fired:
        for option, effect in pack.rule(rule_id).effects.items():
            if effect == "veto":
                vetoes.setdefault(option, []).append(rule_id)
            else:
                scores[option] += effect
    return scores, {o: vetoes[o] for o in pack.options if o in vetoes}

# A lead of this many points or fewer rests on a single small weight: the decision calls
# it fragile, and the pack analysis reports where it happens.
FRAGILE_MARGIN = 2


@dataclass(frozen=True)
class Standing:
    """Where the options stand: the status, the best options and the margin.

    ``best`` holds the allowed options with the top score (one when recommended, several
    on a tie); ``runner_up`` is the best allowed option after the recommendation, and
    ``margin`` the recommendation's lead over it (None when it has no allowed rival).
    """

    status: Status
    best: tuple[str, ...]
    recommendation: str | None
    runner_up: str | None
    margin: int | None

    @property
    def tied(self) -> list[str]:
        """The options tied for first (none unless the status is a tie)."""
        return list(self.best) if self.status == "tie" else []

    @property
    def outcome(self) -> tuple[Status, str | None, tuple[str, ...]]:
        """What a change must alter to change the advice: the status, the recommendation and the tied options."""
        return self.status, self.recommendation, tuple(self.tied)


def stand(
    scores: dict[str, int], vetoes: dict[str, list[str]], allowed: Iterable[str] | None = None
) -> Standing:
    """The standing of the options, in the order of ``scores``; ``allowed`` narrows who may win.

    Vetoed options cannot be recommended; options outside ``allowed`` are not
    considered at all (a policy that permits only some).
    """
    permitted = set(scores if allowed is None else allowed)
    candidates = [o for o in scores if o in permitted and o not in vetoes]
    if not candidates:
        return Standing("all_vetoed", (), None, None, None)
    ordered = sorted(candidates, key=lambda o: -scores[o])  # stable: pack order among equals
    top = scores[ordered[0]]
    best = tuple(o for o in ordered if scores[o] == top)
    if len(best) > 1:
        return Standing("tie", best, None, None, 0)
    runner_up = ordered[1] if len(ordered) > 1 else None
    margin = top - scores[runner_up] if runner_up else None
    return Standing("recommended", best, best[0], runner_up, margin)


def standing(pack: RulePack, fired: Sequence[str], allowed: Iterable[str] | None = None) -> Standing:
    """The standing of a pack's options once these rules fired (a pack with no fired rule says so)."""
    result = stand(*add_up(pack, fired), allowed)
    if not fired:
        return Standing("no_rules_fired", result.best, None, None, None)
    return result


def edge(rule: Rule, better: str, worse: str) -> int:
    """How many points more ``rule`` gives ``better`` than ``worse``."""
    return points(rule.effects.get(better)) - points(rule.effects.get(worse))


def favouring(pack: RulePack, fired: Sequence[str], better: str, worse: str) -> list[str]:
    """The fired rules that favour ``better`` over ``worse``, the strongest first (ties in firing order)."""
    gains = [(-edge(pack.rule(r), better, worse), i, r) for i, r in enumerate(fired)]
    return [r for gain, _, r in sorted(gains) if gain < 0]


def pros(pack: RulePack, fired: Sequence[str], option: str) -> list[str]:
    """The fired rules that add points to ``option``, in firing order."""
    return [r for r in fired if points(pack.rule(r).effects.get(option)) > 0]


def cons(pack: RulePack, fired: Sequence[str], option: str, vetoes: dict[str, list[str]]) -> list[str]:
    """The fired rules that speak against ``option``, in firing order.

    A rule speaks against an option when it vetoes it, takes points from it, or gives an
    allowed rival more points than it gives this option. Another option's veto is not a
    con: it rules that option out and says nothing about this one.
    """
    rivals = [o for o in pack.options if o != option and o not in vetoes]
    found = []
    for rule_id in fired:
        rule = pack.rule(rule_id)
        effect = rule.effects.get(option)
        if effect == "veto" or points(effect) < 0 or any(edge(rule, r, option) > 0 for r in rivals):
            found.append(rule_id)
    return found


def triggers(rule: Rule, stated: dict[str, Any]) -> dict[str, Any]:
    """The stated requirements that made ``rule``'s condition hold, in the order the rule reads them."""
    found: dict[str, Any] = {}
    _collect(rule.when.to_data(), stated, found)
    return found


def _collect(condition: Any, stated: dict[str, Any], found: dict[str, Any]) -> bool:
    """Whether a condition (in its written form) holds, adding the requirements it holds on to ``found``."""
    held: dict[str, Any] = {}
    for key, wanted in condition.items():
        if key in ("all", "any"):
            parts = [({}, child) for child in wanted]
            results = [_collect(child, stated, part) for part, child in parts]
            if not (all(results) if key == "all" else any(results)):
                return False
            for (part, _), ok in zip(parts, results, strict=True):
                if ok:
                    held.update(part)
            continue
        values = wanted if isinstance(wanted, list) else [wanted]
        if key not in stated or not any(stated[key] == v and type(stated[key]) is type(v) for v in values):
            return False
        held[key] = stated[key]
    found.update(held)
    return True
