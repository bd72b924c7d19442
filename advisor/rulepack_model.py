"""The pydantic model of a rule pack file, which validates it and makes its records
(:mod:`advisor.packrecords`) of it.

A pack is validated with its cross-references through a validation context (``_Known``):
a rule's dimension, effects and sources must name what the pack (or the base pack it
extends) declares, and its condition names requirement fields and values of the workload
model. Every problem is reported at once, with its file and line, by the one translator
of validation errors (``validation.problems``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import packrecords, yamlfile
from .conditions import Condition, condition
from .packparts import (
    ClaimModel,
    DimensionModel,
    DocumentModel,
    LocalText,
    OptionModel,
    Text,
    _claim_id,
    _id_of,
    _Known,
    _known,
    _source,
    _sources,
)
from .packrecords import MAX_OPTIONS, MAX_RULES, Effect, ordered
from .packtests import Case, Examples
from .packtests import label as _test_label
from .validation import Loc, Problem, Wording, fail, problems, raise_all, shown, suggest

_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")
_OPTION = re.compile(r"^[a-z][a-z0-9_-]*$")


def _dimension(value: Any, info: ValidationInfo) -> str:
    known = _known(info).dimensions
    if not isinstance(value, str) or value not in known:
        hint = suggest(value, known) if isinstance(value, str) else ""
        raise fail(f"dimension {shown(value)!r} is not one of {', '.join(known)}{hint}")
    return value


def _rule_id(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise fail(f"rule id {shown(value)!r} must be lower-case words joined by '-', '_' or '.'")
    known = _known(info)
    if value in known.seen:
        raise fail(f"duplicate rule id (first at line {known.rule_lines.get(value)})")
    known.seen.add(value)
    return value


def _effects(value: Any, info: ValidationInfo) -> dict[str, Effect]:
    if not isinstance(value, dict) or not value:
        raise fail("'effects' must map options to points or 'veto'")
    known = _known(info).options
    errors = []
    for option, effect in value.items():
        if option not in known:
            errors.append(((option,), f"unknown option '{shown(option)}'{suggest(option, known)}"))
        elif not (effect == "veto" or (type(effect) is int and -100 <= effect <= 100)):
            errors.append(((option,), "an effect is a whole number from -100 to 100, or 'veto'"))
    raise_all(errors, value)
    return {str(option): effect for option, effect in value.items()}


class RuleModel(BaseModel):
    """One rule as its pack writes it: when its condition holds, its effects apply to the options."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True)

    id: Annotated[str, PlainValidator(_rule_id)]
    dimension: Annotated[str, PlainValidator(_dimension)]
    when: Annotated[Condition, PlainValidator(condition)]
    # Validated even when missing, so that the message says what they must hold.
    effects: Annotated[dict[str, Effect], PlainValidator(_effects)] = Field(default=None, validate_default=True)
    because: LocalText
    sources: Annotated[tuple[str, ...], PlainValidator(_sources)] = Field(default=None, validate_default=True)
    examples: Examples | None = None  # requirement sets it must fire / stay quiet under (advisor rules test)
    _line: int | None = PrivateAttr(None)

    @property
    def line(self) -> int | None:
        """The line of the rule in its pack."""
        return self._line


def _version(value: Any) -> str:
    if isinstance(value, str) or (type(value) is int and value.bit_length() <= 64):
        return str(value)
    raise fail(f"'version' must be a string (quote it), got {yamlfile.describe(value)}")


class PackModel(BaseModel):
    """A rule pack file, validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    name: Text = Field(alias="pack")
    version: Annotated[str, PlainValidator(_version)] = "0"
    title: LocalText = ""
    source: Annotated[dict[str, str], PlainValidator(_source)] = {}
    documents: dict[Annotated[str, _id_of("document", _OPTION)], DocumentModel] = {}
    claims: dict[Annotated[str, PlainValidator(_claim_id)], ClaimModel] = {}
    options: dict[Annotated[str, _id_of("option", _OPTION)], OptionModel] = Field(default={}, validate_default=True)
    dimensions: dict[Annotated[str, _id_of("dimension", _OPTION)], DimensionModel] = {}
    rules: tuple[RuleModel, ...]
    cases: tuple[Case, ...] = ()  # situations and what the pack must conclude (advisor rules test)
    _path: str = PrivateAttr("")

    @field_validator("documents", "claims", "options", "dimensions", mode="before")
    @classmethod
    def _declare(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, dict):
            raise fail(f"'{info.field_name}' must be a mapping, got {yamlfile.describe(value)}")
        if info.field_name == "options" and len(value) > MAX_OPTIONS:
            raise fail(f"at most {MAX_OPTIONS} options are allowed, got {len(value)}")
        known = _known(info)
        names = [k for k in value if isinstance(k, str)]
        if info.field_name == "dimensions":
            known.dimensions = list(dict.fromkeys(known.base_dimensions + names))
        else:
            getattr(known, info.field_name).update(names)
        return value

    @field_validator("documents", "claims", "options", "dimensions")
    @classmethod
    def _complete(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if info.field_name == "options" and not _known(info).options:
            raise fail("a pack needs at least one option")
        if info.field_name == "dimensions":
            value = {
                k: d if d.order is not None else d.model_copy(update={"order": i})
                for i, (k, d) in enumerate(value.items(), 1)
            }
        return value

    @field_validator("rules", mode="before")
    @classmethod
    def _rule_list(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, list) or not value:
            raise fail("'rules' must be a non-empty list")
        if len(value) > MAX_RULES:
            raise fail(f"at most {MAX_RULES} rules are allowed, got {len(value)}")
        known = _known(info)
        for i, body in enumerate(value):
            rid = body.get("id") if isinstance(body, dict) else None
            if isinstance(rid, str):
                known.rule_lines.setdefault(rid, known.doc.line_of(("rules", i)))
        return value

    @field_validator("rules")
    @classmethod
    def _locate(cls, rules: tuple[RuleModel, ...], info: ValidationInfo) -> tuple[RuleModel, ...]:
        for i, rule in enumerate(rules):
            rule._line = _known(info).doc.line_of(("rules", i))
        return rules

    @model_validator(mode="after")
    def _defaults(self, info: ValidationInfo) -> PackModel:
        title = self.title or self.name
        source = {"title": self.source.get("title") or str(title), "document": self.source.get("document") or ""}
        declared = _known(info).dimensions
        dimensions = self.dimensions or {d: DimensionModel(title=d, order=i) for i, d in enumerate(declared, 1)}
        pack = self.model_copy(update={"title": title, "source": source, "dimensions": ordered(dimensions)})
        pack._path = _known(info).doc.source
        return pack

    @property
    def path(self) -> str:
        """The file the pack was read from."""
        return self._path


def _rule_label(data: Any) -> Callable[[Loc], str | None]:
    """The field part of a pack's problem: the id of the rule it is in (as written), if any."""

    def label(loc: Loc) -> str | None:
        if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
            return _test_label(data, loc, None)
        body = data["rules"][loc[1]]
        rid = body.get("id") if isinstance(body, dict) else None
        return _test_label(data, loc, rid if isinstance(rid, str) and _ID.match(rid) else f"rules[{loc[1]}]")

    return label


def validated(doc: yamlfile.Document, base: packrecords.RulePack | None) -> tuple[PackModel | None, list[Problem]]:
    """A parsed pack validated (with ``base``, citing the base pack's names), or None, and every problem found."""
    if not isinstance(doc.data, dict):
        message = f"a rule pack must be a mapping, got {yamlfile.describe(doc.data)}"
        return None, [Problem(doc.source, doc.line_of(()), None, message)]
    try:
        return PackModel.model_validate(doc.data, context=_Known(doc, base)), []
    except ValidationError as exc:
        return None, problems(exc, doc, PackModel, Wording(label=_rule_label(doc.data)))


def pack_record(pack: PackModel) -> packrecords.RulePack:
    """The records of a validated pack."""
    return packrecords.RulePack(
        name=pack.name,
        version=pack.version,
        title=pack.title,
        source=pack.source,
        documents={
            k: packrecords.Document(id=k, title=d.title, publisher=d.publisher, year=d.year, url=d.url, file=d.file)
            for k, d in pack.documents.items()
        },
        claims={
            k: packrecords.Claim(id=k, document=c.document, section=c.section, quote=c.quote, text=c.text)
            for k, c in pack.claims.items()
        },
        options={
            k: packrecords.Option(id=k, title=o.title, summary=o.summary, next_steps=o.next_steps)
            for k, o in pack.options.items()
        },
        dimensions={k: packrecords.Dimension(id=k, title=d.title, order=d.order) for k, d in pack.dimensions.items()},
        rules=tuple(
            packrecords.Rule(
                id=r.id, dimension=r.dimension, when=r.when, effects=r.effects, because=r.because,
                sources=r.sources, line=r.line,
            )
            for r in pack.rules
        ),
        path=pack.path,
    )
