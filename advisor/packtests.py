"""Tests a rule pack carries: a rule's examples and the pack's cases, as pydantic models.

A rule's ``examples`` list requirement sets under which it must fire (``fires``) and
ones under which it must not (``quiet``). A pack's ``cases`` name a situation, its
requirements and what the pack must conclude: the option it ``recommends`` (optionally
by at least ``min_margin`` points) or the options that ``tie``, and, if given, exactly
which options are ``vetoed``. They are validated with the pack, so that an unknown
field, value or option is a ``file:line: path: what`` problem like any other;
:mod:`advisor.packtest_run` runs them through the engine.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationInfo, model_validator

from .packparts import _known
from .validation import Loc, bracketed, fail, shown, suggest
from .workload import Requirements
from .workload_model import RequirementsField


class Examples(BaseModel):
    """Requirement sets under which a rule must fire, and ones under which it must stay quiet."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    fires: tuple[RequirementsField, ...] = ()
    quiet: tuple[RequirementsField, ...] = ()

    @model_validator(mode="after")
    def _some(self) -> Examples:
        if not self.fires and not self.quiet:
            raise fail("'examples' must list requirement sets under 'fires' or 'quiet'")
        return self


def _option(value: Any, info: ValidationInfo) -> str:
    known = _known(info).options
    if not isinstance(value, str) or value not in known:
        raise fail(f"unknown option '{shown(value)}'{suggest(value, known)}")
    return value


def _options(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise fail("expected a list of options")
    found = tuple(_option(v, info) for v in value)
    if len(set(found)) != len(found):
        raise fail("an option is listed twice")
    return found


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail("a case's 'name' must be a non-empty string")
    return value.strip()


def _margin(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= 10_000:
        raise fail("'min_margin' must be a whole number of points, 0 or more")
    return value


class Case(BaseModel):
    """A situation and what the pack must conclude about it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    name: Annotated[str, PlainValidator(_name)]
    requirements: RequirementsField = Field(default_factory=Requirements)
    recommends: Annotated[str | None, PlainValidator(_option)] = None
    tie: Annotated[tuple[str, ...] | None, PlainValidator(_options)] = None
    min_margin: Annotated[int | None, PlainValidator(_margin)] = None
    vetoed: Annotated[tuple[str, ...] | None, PlainValidator(_options)] = None

    @model_validator(mode="after")
    def _expected(self) -> Case:
        if (self.recommends is None) == (self.tie is None):
            raise fail("a case expects either 'recommends: OPTION' or 'tie: [OPTION, OPTION, ...]'")
        if self.tie is not None and len(self.tie) < 2:
            raise fail("'tie' names at least two options")
        if self.min_margin is not None and self.recommends is None:
            raise fail("'min_margin' goes with 'recommends'")
        return self


def label(data: Any, loc: Loc, rule_label: str | None) -> str | None:
    """The field part of a problem in a rule's examples (``rule.examples.fires[0]``) or in a
    case (``cases[2]`` or the case's name)."""
    if rule_label and len(loc) > 2 and loc[2] == "examples":
        return f"{rule_label}.{bracketed(loc[2:5])}"
    if len(loc) >= 2 and loc[0] == "cases" and isinstance(loc[1], int):
        cases = data.get("cases") if isinstance(data, dict) else None
        body = cases[loc[1]] if isinstance(cases, list) and loc[1] < len(cases) else None
        name = body.get("name") if isinstance(body, dict) else None
        return name.strip() if isinstance(name, str) and name.strip() else f"cases[{loc[1]}]"
    return rule_label
