"""The result of ``advisor rules analyze``: what a pack concludes over its whole requirement space.

Renderers import these and nothing else of the analysis; :mod:`advisor.analysis` builds them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OutcomeCount(_Model):
    """How many requirement sets lead to one outcome."""

    outcome: str  # an option id, "tie", "all_vetoed" or "no_rules_fired"
    options: list[str]  # the option recommended, or the options tied
    count: int
    share: float  # percent of the whole space


class Region(_Model):
    """The requirement sets leading to one tie, or to one option by one small margin, and the
    least of them: sets with the fewest stated fields, none a superset of another listed."""

    outcome: str  # "tie" or "recommended"
    options: list[str]
    margin: int | None
    count: int
    minimal: list[dict[str, Any]]


class Violation(_Model):
    """Stating one more requirement, which by itself makes the pack recommend ``favours``,
    turns that recommendation into another outcome."""

    requirements: dict[str, Any]
    added: dict[str, Any]
    favours: str
    before_margin: int | None
    after: str  # the outcome once it is stated (an option id, "tie", "all_vetoed")
    after_options: list[str]


class Analysis(_Model):
    """Everything ``advisor rules analyze`` found about one pack."""

    pack: str
    version: str
    path: str
    fields: int  # requirement fields of the workload model
    space: int  # requirement sets: every field unstated or one of its values
    read: list[str]  # the fields some rule reads
    blocks: list[list[str]]  # fields read together, enumerated together
    outcomes: list[OutcomeCount]
    dead: list[str]  # rules that fire for no requirement set
    never_decisive: list[str]  # rules whose removal changes no outcome anywhere
    together: list[list[str]]  # rules that always fire together (each group fires only as a whole)
    ties: list[Region]
    close: list[Region]  # recommendations by a margin of at most close_margin points
    close_margin: int
    violations: int  # (requirement set, added requirement) pairs breaking monotonicity
    violation_examples: list[Violation]
    top: int  # how many minimal sets and examples are listed at most
    partial: bool  # the time allowed ran out: the parts in ``unfinished`` were not worked out
    unfinished: list[str]
