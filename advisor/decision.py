"""The decision: everything concluded from the rules that fired for one workload.

``build_decision`` turns the ids of the fired rules into a :class:`Decision` that holds
every conclusion a view shows: the scores and the ranking, the tie, the vetoes and the
requirements that triggered them, each option's pros and cons, what the recommendation
gives up, the points per dimension, and the wording (titles, help) the views need.
Renderers only shape it. ``decide`` asks the engine which rules fire, and again for
the what-ifs.
"""

from __future__ import annotations

import re
from typing import Any

from . import scoring
from .decision_model import (
    Counterfactual,
    Decision,
    Decisive,
    DimensionPoints,
    Fragility,
    OptionView,
    Pull,
    RankedOption,
    Reason,
    Tradeoff,
    VetoTrigger,
)
from .packviews import pack_views
from .records import replace
from .rulepack import RulePack
from .scoring import FRAGILE_MARGIN
from .stability import stability
from .workload import Workload


def for_workload(steps: tuple[dict[str, Any], ...], name: str) -> list[dict[str, Any]]:
    """Next steps with ``{workload}`` replaced by the name as Docker and a shell accept it."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    slug = slug if len(slug) > 1 else "workload"
    return [{k: v.replace("{workload}", slug) if isinstance(v, str) else v for k, v in s.items()} for s in steps]


def build_decision(
    workload: Workload, pack: RulePack, fired: list[str] | tuple[str, ...], lang: str = "en"
) -> Decision:
    """The decision for a workload given the ids of the rules that fired, worded in ``lang``."""
    fired = list(fired)
    stated = workload.requirements.stated()
    scores, vetoes = scoring.add_up(pack, fired)
    where = scoring.standing(pack, fired)
    views = pack_views(pack, lang)
    steps = views.options[where.recommendation].next_steps if where.recommendation else ()
    cited = {cid for r in fired for cid in pack.rule(r).sources}
    cited |= {s for step in steps for s in step.get("sources", [])}
    return Decision(
        workload=workload.name,
        description=workload.description,
        declared=workload.declared,
        pack=views.info,
        status=where.status,
        recommendation=where.recommendation,
        runner_up=where.runner_up,
        margin=where.margin,
        scores=scores,
        vetoes=vetoes,
        options=[
            OptionView(
                id=o.id,
                title=views.options[o.id].title,
                summary=views.options[o.id].summary,
                score=scores[o.id],
                vetoed=o.id in vetoes,
                next_steps=for_workload(views.options[o.id].next_steps, workload.name),
            )
            for o in pack.options.values()
        ],
        requirements=stated,
        unspecified=workload.requirements.unspecified(),
        fired=[views.fired[r] for r in fired],
        claims=[c for c in views.claims if c.id in cited],
        tied=where.tied,
        ranking=_ranking(pack, fired, scores, vetoes, views.options),
        tradeoffs=_tradeoffs(pack, fired, where.recommendation, vetoes),
        veto_triggers=[
            VetoTrigger(option=o, rule=r, requirements=scoring.triggers(pack.rule(r), stated))
            for o, rules in vetoes.items()
            for r in rules
        ],
        dimensions=_by_dimension(pack, fired, views.dimension_titles),
        fragile=_fragility(where),
        decisive=_decisive(pack, fired, where, scores, vetoes),
        fields=dict(views.fields),
        stability=stability(pack, fired),
    )


def _ranking(
    pack: RulePack, fired: list[str], scores: dict[str, int], vetoes: dict[str, list[str]], texts: dict[str, Any]
) -> list[RankedOption]:
    """Every option, best first: allowed options by score (equal scores share a rank), then the vetoed ones."""
    allowed = sorted((o for o in pack.options if o not in vetoes), key=lambda o: -scores[o])
    ordered = allowed + [o for o in pack.options if o in vetoes]
    return [
        RankedOption(
            option=o,
            title=texts[o].title,
            score=scores[o],
            rank=None if o in vetoes else 1 + sum(1 for other in allowed if scores[other] > scores[o]),
            vetoed_by=vetoes.get(o, []),
            pros=scoring.pros(pack, fired, o),
            cons=scoring.cons(pack, fired, o, vetoes),
        )
        for o in ordered
    ]


def _tradeoffs(pack: RulePack, fired: list[str], chosen: str | None, vetoes: dict[str, list[str]]) -> list[Tradeoff]:
    """What the recommendation gives up, the strongest pull first (equal ones in firing order)."""
    if chosen is None:
        return []
    found = []
    for order, rule_id in enumerate(fired):
        rule = pack.rule(rule_id)
        pulls = [
            Pull(option=o, points=scoring.points(rule.effects.get(o)), vetoed=o in vetoes)
            for o in pack.options
            if o != chosen and scoring.points(rule.effects.get(o)) > 0 and scoring.edge(rule, o, chosen) > 0
        ]
        own = rule.effects.get(chosen)
        if isinstance(own, int) and own < 0:
            pulls.append(Pull(option=chosen, points=own, vetoed=False))
        if pulls:
            found.append((-max(abs(p.points) for p in pulls), order, Tradeoff(rule=rule_id, pulls=pulls)))
    found.sort(key=lambda item: item[:2])
    return [t for _, _, t in found]


def _by_dimension(pack: RulePack, fired: list[str], titles: dict[str, str]) -> list[DimensionPoints]:
    """The fired rules and each option's points per dimension, in the pack's order of dimensions."""
    rows = []
    for dimension, title in titles.items():
        rules = [r for r in fired if pack.rule(r).dimension == dimension]
        if rules:
            scores, vetoes = scoring.add_up(pack, rules)
            rows.append(DimensionPoints(id=dimension, title=title, rules=rules, points=scores, vetoes=list(vetoes)))
    return rows


def _decisive(
    pack: RulePack, fired: list[str], where: scoring.Standing, scores: dict[str, int], vetoes: dict[str, list[str]]
) -> Decisive:
    """The fewest rules that explain the outcome (see :class:`Decisive`)."""
    chosen = where.recommendation
    if where.status == "all_vetoed" or (chosen and where.runner_up is None and vetoes):
        decisive = [r for rules in vetoes.values() for r in rules]
    elif chosen:
        decisive = [r for o, rules in vetoes.items() if scores[o] >= scores[chosen] for r in rules]
    else:
        return Decisive(kind="none", reasons=[])
    if decisive:
        return Decisive(kind="veto", reasons=[Reason(rule=r, points=0) for r in dict.fromkeys(decisive)])
    rival = where.runner_up
    ranked = scoring.favouring(pack, fired, chosen, rival) if rival else scoring.pros(pack, fired, chosen)
    worth = {
        r: scoring.edge(pack.rule(r), chosen, rival) if rival else scoring.points(pack.rule(r).effects.get(chosen))
        for r in ranked
    }
    top = sorted(ranked, key=lambda r: -worth[r])[:3]
    return Decisive(kind="points", reasons=[Reason(rule=r, points=worth[r]) for r in top])


def _fragility(where: scoring.Standing) -> Fragility | None:
    if where.status == "recommended" and where.margin is not None and where.margin <= FRAGILE_MARGIN:
        return Fragility(reason="close_margin", margin=where.margin)
    return None


def decide(
    workload: Workload, pack: RulePack, *, counterfactuals: bool = True, lang: str = "en"
) -> Decision:
    """Decide a workload with a pack: which rules fire (through the engine), and what follows.

    With ``counterfactuals``, also find the what-ifs (:mod:`advisor.whatif`): the smallest
    changes to the requirements that change the outcome, each decided again by the engine;
    the counterfactuals are those that state one unstated field.
    """
    from . import whatif
    from .engine import compiled

    engine = compiled(pack)
    fired = engine.fired(workload.requirements)
    decision = build_decision(workload, pack, fired, lang)
    if not counterfactuals:
        return decision
    found = whatif.find(engine, pack, workload.requirements, fired)
    unstated = [
        Counterfactual(field=c.field, value=c.value, recommendation=w.recommendation, status=w.status, tied=w.tied)
        for w in found
        for c in w.changes
        if len(w.changes) == 1 and c.was is None and c.value is not None
    ]
    return replace(decision, counterfactuals=unstated, what_ifs=found)
