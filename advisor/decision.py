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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from . import scoring
from .packviews import pack_views
from .rulepack import RulePack
from .scoring import Status
from .workload import Requirements, Workload, allowed_values

SCHEMA_VERSION = 1
# A lead of this many points or fewer rests on a single small weight: the decision says so.
FRAGILE_MARGIN = 2

Effect = int | Literal["veto"]
Value = str | bool


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FiredRule(_Model):
    """A rule whose condition held, with what it did and why."""

    rule: str
    dimension: str
    condition: str
    effects: dict[str, Effect]
    because: str
    sources: list[str]


class OptionView(_Model):
    """An option of the pack as the decision reports it."""

    id: str
    title: str
    summary: str
    score: int
    vetoed: bool
    next_steps: list[dict[str, Any]]


class RankedOption(_Model):
    """An option's place: its rank among the allowed options (None when vetoed), and the rules for and against it."""

    option: str
    title: str
    score: int
    rank: int | None
    vetoed_by: list[str]
    pros: list[str]
    cons: list[str]


class Pull(_Model):
    """What one rule gives an option: its points, and whether that option is ruled out anyway."""

    option: str
    points: int
    vetoed: bool


class Tradeoff(_Model):
    """A reason the recommendation gives up: a rule that favours other options over it.

    Each pull names an option the rule gives more than it gives the recommendation, with
    that option's own points from the rule; a rule that takes points from the
    recommendation itself pulls it with negative points.
    """

    rule: str
    pulls: list[Pull]


class VetoTrigger(_Model):
    """A veto and the stated requirements that made its rule apply."""

    option: str
    rule: str
    requirements: dict[str, Value]


class DimensionPoints(_Model):
    """The rules that fired in one dimension of the source, and the points each option got there."""

    id: str
    title: str
    rules: list[str]
    points: dict[str, int]
    vetoes: list[str]


class FieldInfo(_Model):
    """A requirement field as the views name it: title, help, dimension, and what each value means."""

    title: str
    help: str
    dimension: str
    dimension_title: str
    choices: dict[str, str]


class Fragility(_Model):
    """Why the recommendation is fragile: it leads by at most ``FRAGILE_MARGIN`` points."""

    reason: Literal["close_margin"]
    margin: int


class Reason(_Model):
    """A decisive rule and what it is worth: points it gives the recommendation over the runner-up (0 for a veto)."""

    rule: str
    points: int


class Decisive(_Model):
    """Why the outcome is what it is, in the fewest rules.

    ``veto``: vetoes removed options that would otherwise have scored at least as much as
    the recommendation (or every option); ``points``: the rules that add most to the
    recommendation's lead over the runner-up (at most three); ``none``: a tie, or no rule fired.
    """

    kind: Literal["veto", "points", "none"]
    reasons: list[Reason]


class DocumentView(_Model):
    """A source document as a report cites it."""

    id: str
    title: str
    publisher: str | None = None
    year: int | None = None
    url: str | None = None


class ClaimView(_Model):
    """A claim of a source document cited by a fired rule or a next step of the recommendation."""

    id: str
    section: str
    quote: str
    text: str
    document: DocumentView | None = None


class PackInfo(_Model):
    """Which rule pack decided."""

    name: str
    version: str
    title: str
    source: dict[str, str]


class Counterfactual(_Model):
    """An unstated requirement whose value would change the outcome, and the outcome it would give."""

    field: str
    value: Value
    recommendation: str | None
    status: Status
    tied: list[str] = []


class Decision(_Model):
    """A scored decision for one workload, with every conclusion its views show."""

    schema_version: Literal[1] = SCHEMA_VERSION
    workload: str
    description: str | None
    declared: str | None
    pack: PackInfo
    status: Status
    recommendation: str | None
    runner_up: str | None
    margin: int | None
    scores: dict[str, int]
    vetoes: dict[str, list[str]]
    options: list[OptionView]
    requirements: dict[str, Value]
    unspecified: list[str]
    fired: list[FiredRule]
    claims: list[ClaimView]
    counterfactuals: list[Counterfactual] = []
    tied: list[str] = []
    ranking: list[RankedOption] = []
    tradeoffs: list[Tradeoff] = []
    veto_triggers: list[VetoTrigger] = []
    dimensions: list[DimensionPoints] = []
    fragile: Fragility | None = None
    decisive: Decisive = Decisive(kind="none", reasons=[])
    fields: dict[str, FieldInfo] = {}

    def option(self, option_id: str) -> OptionView:
        """The option with this id."""
        return next(o for o in self.options if o.id == option_id)

    def rule(self, rule_id: str) -> FiredRule:
        """The fired rule with this id."""
        return next(r for r in self.fired if r.rule == rule_id)


def pack_info(pack: RulePack) -> PackInfo:
    """Which rule pack decided, as results report it."""
    return PackInfo(name=pack.name, version=pack.version, title=pack.title, source=pack.source)


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
    steps = pack.options[where.recommendation].next_steps if where.recommendation else ()
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
                title=o.title,
                summary=o.summary,
                score=scores[o.id],
                vetoed=o.id in vetoes,
                next_steps=for_workload(o.next_steps, workload.name),
            )
            for o in pack.options.values()
        ],
        requirements=stated,
        unspecified=workload.requirements.unspecified(),
        fired=[views.fired[r] for r in fired],
        claims=[c for c in views.claims if c.id in cited],
        tied=list(where.best) if where.status == "tie" else [],
        ranking=_ranking(pack, fired, scores, vetoes),
        tradeoffs=_tradeoffs(pack, fired, where.recommendation, vetoes),
        veto_triggers=[
            VetoTrigger(option=o, rule=r, requirements=scoring.triggers(pack.rule(r), stated))
            for o, rules in vetoes.items()
            for r in rules
        ],
        dimensions=_by_dimension(pack, fired, views.dimension_titles),
        fragile=_fragility(where),
        decisive=_decisive(pack, fired, where, scores, vetoes),
        fields=views.fields,
    )


def _ranking(
    pack: RulePack, fired: list[str], scores: dict[str, int], vetoes: dict[str, list[str]]
) -> list[RankedOption]:
    """Every option, best first: allowed options by score (equal scores share a rank), then the vetoed ones."""
    allowed = sorted((o for o in pack.options if o not in vetoes), key=lambda o: -scores[o])
    ordered = allowed + [o for o in pack.options if o in vetoes]
    return [
        RankedOption(
            option=o,
            title=pack.options[o].title,
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


def decide(workload: Workload, pack: RulePack, *, counterfactuals: bool = True, lang: str = "en") -> Decision:
    """Decide a workload with a pack: which rules fire (through the engine), and what follows.

    With ``counterfactuals``, also find each unstated requirement whose value would change
    the outcome, each verified by asking the engine again.
    """
    from .engine import compiled

    engine = compiled(pack)
    decision = build_decision(workload, pack, engine.fired(workload.requirements), lang)
    if not counterfactuals:
        return decision
    found = []
    stated = workload.requirements.stated()
    outcome = (decision.status, decision.recommendation, tuple(decision.tied))
    for field in decision.unspecified:
        for value in allowed_values(field):
            fired = engine.fired(Requirements.model_validate({**stated, field: value}))
            what = scoring.standing(pack, fired)
            if (what.status, what.recommendation, what.best if what.status == "tie" else ()) != outcome:
                found.append(
                    Counterfactual(
                        field=field,
                        value=value,
                        recommendation=what.recommendation,
                        status=what.status,
                        tied=list(what.best) if what.status == "tie" else [],
                    )
                )
    return decision.model_copy(update={"counterfactuals": found})


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of the decision JSON."""
    schema = Decision.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
