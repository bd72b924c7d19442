"""The decision: which rules fired, how their effects add up, and what is recommended.

Pure: it knows nothing of the engine or of rendering. ``build_decision`` turns the ids
of the rules that fired into a :class:`Decision`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .rulepack import RulePack
from .workload import Workload

SCHEMA_VERSION = 1
Status = Literal["recommended", "tie", "all_vetoed", "no_rules_fired"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FiredRule(_Model):
    """A rule whose condition held, with what it did and why."""

    rule: str
    dimension: str
    condition: str
    effects: dict[str, int | Literal["veto"]]
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


class ClaimView(_Model):
    """A claim of the source document cited by a fired rule."""

    id: str
    section: str
    quote: str
    text: str


class PackInfo(_Model):
    """Which rule pack decided."""

    name: str
    version: str
    title: str
    source: dict[str, str]


class Counterfactual(_Model):
    """An unstated requirement whose value would change the recommendation."""

    field: str
    value: str | bool
    recommendation: str | None
    status: Status


class Decision(_Model):
    """A scored decision for one workload."""

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
    requirements: dict[str, str | bool]
    unspecified: list[str]
    fired: list[FiredRule]
    claims: list[ClaimView]
    counterfactuals: list[Counterfactual] = []
    dimensions: dict[str, str] = {}  # the pack's dimensions: id -> title, in its order

    def option(self, option_id: str) -> OptionView:
        """The option with this id."""
        return next(o for o in self.options if o.id == option_id)


def points(effect: int | str) -> int:
    """How many points an effect gives an option; a veto gives none (it rules the option out)."""
    return effect if isinstance(effect, int) else 0


def pack_info(pack: RulePack) -> PackInfo:
    """Which rule pack decided, as results report it."""
    return PackInfo(name=pack.name, version=pack.version, title=pack.title, source=pack.source)


def add_up(pack: RulePack, fired: list[str] | tuple[str, ...]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """The score of each option and the rules that veto it, from the fired rules."""
    scores = {option: 0 for option in pack.options}
    vetoes: dict[str, list[str]] = {}
    for rule_id in fired:
        for option, effect in pack.rule(rule_id).effects.items():
            if effect == "veto":
                vetoes.setdefault(option, []).append(rule_id)
            else:
                scores[option] += effect
    return scores, {o: vetoes[o] for o in pack.options if o in vetoes}


def rank(scores: dict[str, int], vetoes: dict[str, list[str]]) -> tuple[Status, str | None, str | None, int | None]:
    """Status, recommendation, runner-up and margin from scores and vetoes.

    Vetoed options cannot be recommended. The margin is the lead over the best other
    option still allowed; it is None when no other option is allowed.
    """
    allowed = sorted((o for o in scores if o not in vetoes), key=lambda o: -scores[o])
    if not allowed:
        return "all_vetoed", None, None, None
    best = allowed[0]
    if len(allowed) == 1:
        return "recommended", best, None, None
    second = allowed[1]
    margin = scores[best] - scores[second]
    if margin == 0:
        return "tie", None, second, 0
    return "recommended", best, second, margin


def build_decision(workload: Workload, pack: RulePack, fired: list[str] | tuple[str, ...]) -> Decision:
    """The decision for a workload given the ids of the rules that fired."""
    scores, vetoes = add_up(pack, fired)
    status, recommendation, runner_up, margin = rank(scores, vetoes)
    if not fired:
        status = "no_rules_fired"
    rules = [pack.rule(r) for r in fired]
    cited = {cid for rule in rules for cid in rule.sources}
    cited |= {s for o in pack.options.values() for step in o.next_steps for s in step.get("sources", [])}
    return Decision(
        workload=workload.name,
        description=workload.description,
        declared=workload.declared,
        pack=pack_info(pack),
        status=status,
        recommendation=recommendation,
        runner_up=runner_up,
        margin=margin,
        scores=scores,
        vetoes=vetoes,
        options=[
            OptionView(
                id=o.id,
                title=o.title,
                summary=o.summary,
                score=scores[o.id],
                vetoed=o.id in vetoes,
                next_steps=list(o.next_steps),
            )
            for o in pack.options.values()
        ],
        requirements=workload.requirements.stated(),
        unspecified=workload.requirements.unspecified(),
        fired=[
            FiredRule(
                rule=r.id,
                dimension=r.dimension,
                condition=r.when.describe(),
                effects=r.effects,
                because=r.because,
                sources=list(r.sources),
            )
            for r in rules
        ],
        claims=[
            ClaimView(id=c.id, section=c.section, quote=c.quote, text=c.text)
            for c in pack.claims.values()
            if c.id in cited
        ],
        dimensions={d.id: d.title for d in pack.dimensions.values()},
    )


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of the decision JSON."""
    schema = Decision.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
