"""The decision's data: what a view may show, as frozen records.

Renderers import these and nothing else of the decision; :mod:`advisor.decision`
builds them.
"""

from __future__ import annotations

from dataclasses import field
from functools import cache
from typing import Any, Literal

from .records import record
from .scoring import Status

SCHEMA_VERSION = 1

Effect = int | Literal["veto"]
Value = str | bool


@record
class FiredRule:
    """A rule whose condition held, with what it did and why."""

    rule: str
    dimension: str
    condition: str
    effects: dict[str, Effect]
    because: str
    sources: list[str]


@record
class OptionView:
    """An option of the pack as the decision reports it."""

    id: str
    title: str
    summary: str
    score: int
    vetoed: bool
    next_steps: list[dict[str, Any]]


@record
class RankedOption:
    """An option's place: its rank among the allowed options (None when vetoed), and the rules for and against it."""

    option: str
    title: str
    score: int
    rank: int | None
    vetoed_by: list[str]
    pros: list[str]
    cons: list[str]


@record
class Pull:
    """What one rule gives an option: its points, and whether that option is ruled out anyway."""

    option: str
    points: int
    vetoed: bool


@record
class Tradeoff:
    """A reason the recommendation gives up: a rule that favours other options over it.

    Each pull names an option the rule gives more than it gives the recommendation, with
    that option's own points from the rule; a rule that takes points from the
    recommendation itself pulls it with negative points.
    """

    rule: str
    pulls: list[Pull]


@record
class VetoTrigger:
    """A veto and the stated requirements that made its rule apply."""

    option: str
    rule: str
    requirements: dict[str, Value]


@record
class DimensionPoints:
    """The rules that fired in one dimension of the source, and the points each option got there."""

    id: str
    title: str
    rules: list[str]
    points: dict[str, int]
    vetoes: list[str]


@record
class FieldInfo:
    """A requirement field as the views name it: title, help, dimension, and what each value means."""

    title: str
    help: str
    dimension: str
    dimension_title: str
    choices: dict[str, str]


@record
class Fragility:
    """Why the recommendation is fragile: it leads by at most ``FRAGILE_MARGIN`` points."""

    reason: Literal["close_margin"]
    margin: int


@record
class Reason:
    """A decisive rule and what it is worth: points it gives the recommendation over the runner-up (0 for a veto)."""

    rule: str
    points: int


@record
class Decisive:
    """Why the outcome is what it is, in the fewest rules.

    ``veto``: vetoes removed options that would otherwise have scored at least as much as
    the recommendation (or every option); ``points``: the rules that add most to the
    recommendation's lead over the runner-up (at most three); ``none``: a tie, or no rule fired.
    """

    kind: Literal["veto", "points", "none"]
    reasons: list[Reason]


@record
class DocumentView:
    """A source document as a report cites it."""

    id: str
    title: str
    publisher: str | None = None
    year: int | None = None
    url: str | None = None


@record
class ClaimView:
    """A claim of a source document cited by a fired rule or a next step of the recommendation."""

    id: str
    section: str
    quote: str
    text: str
    document: DocumentView | None = None


@record
class PackInfo:
    """Which rule pack decided."""

    name: str
    version: str
    title: str
    source: dict[str, str]


@record
class Counterfactual:
    """An unstated requirement whose value would change the outcome, and the outcome it would give."""

    field: str
    value: Value
    recommendation: str | None
    status: Status
    tied: list[str] = field(default_factory=list)


@record
class Change:
    """One requirement changed: the field, its new value (None: left unstated) and the value it had (None: unstated)."""

    field: str
    value: Value | None
    was: Value | None


@record
class WhatIf:
    """A smallest set of requirement changes (one field, or two when no one field does) that
    changes the outcome, with the outcome the engine gives for it."""

    changes: list[Change]
    status: Status
    recommendation: str | None
    tied: list[str] = field(default_factory=list)


WeightChange = Literal["+1", "-1", "+25%", "-25%"]


@record
class WeightFlip:
    """A change to the weight of one fired rule that would change the recommendation, and to what."""

    rule: str
    change: WeightChange
    status: Status
    recommendation: str | None
    tied: list[str] = field(default_factory=list)


@record
class Stability:
    """Whether the recommendation survives any one fired rule's points changed by ±1 or ±25%
    (see :mod:`advisor.stability`); ``flips`` lists the changes that would reverse it."""

    stable: bool
    flips: list[WeightFlip]


@record
class Decision:
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
    counterfactuals: list[Counterfactual] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)
    ranking: list[RankedOption] = field(default_factory=list)
    tradeoffs: list[Tradeoff] = field(default_factory=list)
    veto_triggers: list[VetoTrigger] = field(default_factory=list)
    dimensions: list[DimensionPoints] = field(default_factory=list)
    fragile: Fragility | None = None
    decisive: Decisive
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    what_ifs: list[WhatIf] = field(default_factory=list)
    stability: Stability | None = None

    def option(self, option_id: str) -> OptionView:
        """The option with this id."""
        return next(o for o in self.options if o.id == option_id)

    def rule(self, rule_id: str) -> FiredRule:
        """The fired rule with this id."""
        return next(r for r in self.fired if r.rule == rule_id)


@record
class ScoreChange:
    """An option's score before and after a what-if."""

    option: str
    before: int
    after: int


@record
class Comparison:
    """A decision next to the decision with some requirements changed (``advisor decide --what-if``).

    ``vetoes_added`` and ``vetoes_removed`` map an option to the rules that veto it only
    after, or only before; ``rules_fired`` and ``rules_stopped`` are the rules that fire
    only after, or only before, in pack order.
    """

    changes: list[Change]
    before: Decision
    after: Decision
    outcome_changed: bool
    scores: list[ScoreChange]
    vetoes_added: dict[str, list[str]]
    vetoes_removed: dict[str, list[str]]
    rules_fired: list[str]
    rules_stopped: list[str]


@cache
def _adapter() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(Decision)


def decision_from_json(text: str | bytes) -> Decision:
    """A decision read back from its JSON, validated against the model."""
    return _adapter().validate_json(text)


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of the decision JSON (a list or mapping that defaults to empty says so)."""
    from pydantic.json_schema import GenerateJsonSchema

    class WithEmptyDefaults(GenerateJsonSchema):
        def get_default_value(self, schema: Any) -> Any:
            factory = schema.get("default_factory")
            return factory() if factory in (list, dict) else super().get_default_value(schema)

    schema = _adapter().json_schema(schema_generator=WithEmptyDefaults)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
