"""Rule packs: options, dimensions, claims and rules read from YAML, as pydantic models.

A pack is validated with its cross-references through a validation context (``_Known``):
a rule's dimension, effects and sources must name what the pack (or the base pack it
extends) declares, and its condition names requirement fields and values of the workload
model. Every problem is reported at once, with its file and line, by the one translator
of validation errors (``validation.problems``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

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

from . import packcache, yamlfile
from .conditions import Condition, condition
from .errors import RulePackError
from .packparts import (
    Claim,
    Dimension,
    Document,
    LocalText,
    Option,
    Text,
    _claim_id,
    _id_of,
    _Known,
    _known,
    _source,
    _sources,
)
from .packtests import Case, Examples
from .packtests import label as _test_label
from .resources import default_pack_path, pack_path
from .validation import Loc, Problem, Wording, fail, problems, raise_all, shown, suggest

# durable-rules hangs with 512 or more rules side by side; the engine splits a pack into
# rulesets of at most 60 rules, and this bounds the whole pack.
MAX_RULES = 500
FACT_TAG = {"_fact": "workload"}

_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")
_OPTION = re.compile(r"^[a-z][a-z0-9_-]*$")
Effect = int | Literal["veto"]


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


class Rule(BaseModel):
    """One rule: when its condition holds, its effects apply to the options."""

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

    def durable_condition(self) -> dict[str, Any]:
        """The guarded durable-rules condition of this rule."""
        return {"$and": [FACT_TAG, self.when.to_durable()]}


def _version(value: Any) -> str:
    if isinstance(value, str) or (type(value) is int and value.bit_length() <= 64):
        return str(value)
    raise fail(f"'version' must be a string (quote it), got {yamlfile.describe(value)}")


class RulePack(BaseModel):
    """A validated rule pack."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    name: Text = Field(alias="pack")
    version: Annotated[str, PlainValidator(_version)] = "0"
    title: LocalText = ""
    source: Annotated[dict[str, str], PlainValidator(_source)] = {}
    documents: dict[Annotated[str, _id_of("document", _OPTION)], Document] = {}
    claims: dict[Annotated[str, PlainValidator(_claim_id)], Claim] = {}
    options: dict[Annotated[str, _id_of("option", _OPTION)], Option] = Field(default={}, validate_default=True)
    dimensions: dict[Annotated[str, _id_of("dimension", _OPTION)], Dimension] = {}
    rules: tuple[Rule, ...]
    cases: tuple[Case, ...] = ()  # situations and what the pack must conclude (advisor rules test)
    _path: str = PrivateAttr("")

    @field_validator("documents", "claims", "options", "dimensions", mode="before")
    @classmethod
    def _declare(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, dict):
            raise fail(f"'{info.field_name}' must be a mapping, got {yamlfile.describe(value)}")
        known = _known(info)
        names = [k for k in value if isinstance(k, str)]
        if info.field_name == "dimensions":
            known.dimensions = list(dict.fromkeys(known.base_dimensions + names))
        else:
            getattr(known, info.field_name).update(names)
        return value

    @field_validator("documents", "claims", "options", "dimensions")
    @classmethod
    def _name(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        for key, item in value.items():
            item._id = key
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
    def _locate(cls, rules: tuple[Rule, ...], info: ValidationInfo) -> tuple[Rule, ...]:
        for i, rule in enumerate(rules):
            rule._line = _known(info).doc.line_of(("rules", i))
        return rules

    @model_validator(mode="after")
    def _defaults(self, info: ValidationInfo) -> RulePack:
        title = self.title or self.name
        source = {"title": self.source.get("title") or str(title), "document": self.source.get("document") or ""}
        declared = _known(info).dimensions
        dimensions = self.dimensions or {d: Dimension(title=d, order=i) for i, d in enumerate(declared, 1)}
        for key, dimension in dimensions.items():
            dimension._id = key
        pack = self.model_copy(update={"title": title, "source": source, "dimensions": _ordered(dimensions)})
        pack._path = _known(info).doc.source
        return pack

    @cached_property
    def digest(self) -> str:
        """A stable fingerprint of the rules, for caches and ruleset names."""
        data = [(r.id, r.when.to_data(), sorted(r.effects.items())) for r in self.rules]
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @property
    def path(self) -> str:
        """The file the pack was read from."""
        return self._path

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        return self._by_id[rule_id]

    def merged(self, other: RulePack) -> RulePack:
        """This pack with another's options, claims, dimensions and rules added."""
        ids = {r.id for r in self.rules}
        clash = [r.id for r in other.rules if r.id in ids]
        if clash:
            raise RulePackError(f"rule id '{clash[0]}' is already defined by {self.path}", path=other.path)
        rules = self.rules + other.rules
        if len(rules) > MAX_RULES:
            raise RulePackError(f"more than {MAX_RULES} rules in all", path=other.path)
        merged = self.model_copy(
            update={
                "documents": {**other.documents, **self.documents},
                "claims": {**other.claims, **self.claims},
                "options": {**other.options, **self.options},
                "dimensions": _ordered({**other.dimensions, **self.dimensions}),
                "rules": rules,
            }
        )
        for name in ("digest", "_by_id"):  # a copy keeps what was worked out from the old rules
            merged.__dict__.pop(name, None)
        return merged


def _ordered(dimensions: dict[str, Dimension]) -> dict[str, Dimension]:
    """Dimensions by their order (those of equal order as given)."""
    return dict(sorted(dimensions.items(), key=lambda item: item[1].order))


def _rule_label(data: Any) -> Callable[[Loc], str | None]:
    """The field part of a pack's problem: the id of the rule it is in (as written), if any."""

    def label(loc: Loc) -> str | None:
        if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int):
            return _test_label(data, loc, None)
        body = data["rules"][loc[1]]
        rid = body.get("id") if isinstance(body, dict) else None
        return _test_label(data, loc, rid if isinstance(rid, str) and _ID.match(rid) else f"rules[{loc[1]}]")

    return label


def check_pack(path: str | Path, base: RulePack | None = None) -> tuple[RulePack | None, list[Problem]]:
    """Read and validate a pack, returning it (or None) and every problem found.

    With ``base``, the pack may cite the base pack's claims, options and dimensions.
    """
    text, source = yamlfile.read_text(path, RulePackError)
    if base is None and (kept := packcache.stored(text, source, RulePack)) is not None:
        return kept, []
    doc = yamlfile.parse(text, source, RulePackError)
    if not isinstance(doc.data, dict):
        message = f"a rule pack must be a mapping, got {yamlfile.describe(doc.data)}"
        return None, [Problem(doc.source, doc.line_of(()), None, message)]
    try:
        pack = RulePack.model_validate(doc.data, context=_Known(doc, base))
    except ValidationError as exc:
        return None, problems(exc, doc, RulePack, Wording(label=_rule_label(doc.data)))
    if base is None:
        packcache.store(text, source, pack)
    return pack, []


def load_pack(path: str | Path | None = None, base: RulePack | None = None) -> RulePack:
    """Load a valid pack (the default pack when ``path`` is None) or raise :class:`RulePackError`."""
    pack, found = check_pack(path or default_pack_path(), base)
    if found:
        more = f" (and {len(found) - 1} more; run 'advisor rules lint')" if len(found) > 1 else ""
        raise found[0].error(RulePackError, more)
    assert pack is not None
    return pack


def load_rules(path: str | Path | None = None, extra: Sequence[str | Path] = ()) -> RulePack:
    """The pack at ``path`` or shipped under that name (the default pack when None), with ``extra`` packs merged in."""
    pack = load_pack(pack_path(path) if path else None)
    for other in extra:
        pack = pack.merged(load_pack(pack_path(other), base=pack))
    return pack
