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
from collections.abc import Callable
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

from . import yamlfile
from .conditions import Condition, condition
from .errors import RulePackError
from .resources import default_pack_path
from .validation import Loc, Problem, Wording, fail, problems, raise_all, shown, suggest
from .workload import field_specs

# durable-rules hangs with 512 or more rules side by side; the engine splits a pack into
# rulesets of at most 60 rules, and this bounds the whole pack.
MAX_RULES = 500
# A pack that declares no dimensions has those of the requirement fields, titled by id.
DEFAULT_DIMENSIONS: tuple[str, ...] = tuple(dict.fromkeys(spec.dimension for spec in field_specs()))
FACT_TAG = {"_fact": "workload"}

_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")
_OPTION = re.compile(r"^[a-z][a-z0-9_-]*$")
Effect = int | Literal["veto"]


# --- validation -------------------------------------------------------------------------

class _Known:
    """The validation context of a pack: the names it declares (with its base pack's), as
    they are met, so that rules and next steps can cite them."""

    def __init__(self, doc: yamlfile.Document, base: RulePack | None) -> None:
        self.doc = doc
        self.claims: set[str] = set(base.claims) if base else set()
        self.options: set[str] = set(base.options) if base else set()
        self.base_dimensions: list[str] = list(base.dimensions) if base else []
        self.dimensions: list[str] = self.base_dimensions or list(DEFAULT_DIMENSIONS)
        self.rule_lines: dict[str, int | None] = {}
        self.seen: set[str] = set()


def _known(info: ValidationInfo) -> _Known:
    assert isinstance(info.context, _Known), "a pack is validated through check_pack"
    return info.context


def _text(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"'{info.field_name}' must be a non-empty string")
    return value.strip()


def _id_of(kind: str, pattern: re.Pattern[str]) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise fail(f"{kind} id {shown(value)} must be a string (quote it)")
        if not pattern.match(value):
            raise fail(f"{kind} id '{shown(value)}' must be lower-case letters, digits, '-' or '_'")
        return value

    return PlainValidator(check)


def _claim_id(value: Any) -> str:
    if not isinstance(value, str):
        raise fail(f"claim id {shown(value)} must be a string (quote it)")
    return value


def _cite(value: Any, known: set[str], errors: list[tuple[Loc, str]], required: bool = True) -> tuple[str, ...]:
    """The claim ids of a ``sources`` list; what is wrong with it goes to ``errors``."""
    if not isinstance(value, (list, tuple)) or (required and not value):
        errors.append(((), "'sources' must list at least one claim id"))
        return ()
    for i, cid in enumerate(value):
        if not isinstance(cid, str):
            errors.append(((i,), f"a claim id is a string, got {yamlfile.describe(cid)}"))
        elif cid not in known:
            errors.append(((i,), f"unknown claim id '{shown(cid)}'{suggest(cid, known)}"))
    return tuple(value)


def _sources(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    errors: list[tuple[Loc, str]] = []
    cited = _cite(value, _known(info).claims, errors)
    raise_all(errors, value)
    return cited


def _texts(value: Any, what: str, keys: tuple[str, ...], errors: list[tuple[Loc, str]]) -> dict[str, str]:
    """The text entries of a small mapping of plain data (a source, a next step); what is
    wrong with it goes to ``errors``. Keys ending in '!' are required."""
    if not isinstance(value, dict):
        raise fail(f"{what} must be a mapping, got {yamlfile.describe(value)}")
    names = [k.rstrip("!") for k in keys]
    errors += [((k,), f"unknown key '{shown(k)}'{suggest(k, names)}") for k in value if k not in names]
    errors += [((), f"'{k[:-1]}' is missing") for k in keys if k.endswith("!") and k[:-1] not in value]
    texts = {}
    for key in names:
        if key in value and key != "sources":
            text = value[key]
            if isinstance(text, str) and text.strip():
                texts[key] = text.strip()
            else:
                errors.append(((key,), f"'{key}' must be a non-empty string"))
    return texts


Text = Annotated[str, PlainValidator(_text)]


_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _step(value: Any, info: ValidationInfo) -> dict[str, Any]:
    errors: list[tuple[Loc, str]] = []
    step: dict[str, Any] = _texts(value, "a next step", ("text!", "command", "sources"), errors)
    cite: list[tuple[Loc, str]] = []
    step["sources"] = list(_cite(value.get("sources", []), _known(info).claims, cite, required=False))
    raise_all(errors + [(("sources", *loc), message) for loc, message in cite], value)
    return step


def _source(value: Any) -> dict[str, str]:
    errors: list[tuple[Loc, str]] = []
    source = _texts(value, "'source'", ("title", "document"), errors)
    raise_all(errors, value)
    return source


class Claim(BaseModel):
    """A claim of the source document: its section, the original words, a paraphrase."""

    model_config = _FROZEN
    section: Text
    quote: Text
    text: Text
    _id: str = PrivateAttr("")

    @property
    def id(self) -> str:
        """The claim's id, its key in the pack."""
        return self._id


class Option(BaseModel):
    """A platform a pack can recommend."""

    model_config = _FROZEN
    title: Text
    summary: Text
    next_steps: tuple[Annotated[dict[str, Any], PlainValidator(_step)], ...] = ()
    _id: str = PrivateAttr("")

    @field_validator("next_steps", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise fail("'next_steps' must be a list of steps")
        return value

    @property
    def id(self) -> str:
        """The option's id, its key in the pack."""
        return self._id


class Dimension(BaseModel):
    """A section of the source document that rules (and requirement fields) belong to."""

    model_config = _FROZEN
    title: Text
    order: int | None = None  # by default, its place in the pack
    _id: str = PrivateAttr("")

    @property
    def id(self) -> str:
        """The dimension's id, its key in the pack."""
        return self._id


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

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    id: Annotated[str, PlainValidator(_rule_id)]
    dimension: Annotated[str, PlainValidator(_dimension)]
    when: Annotated[Condition, PlainValidator(condition)]
    # Validated even when missing, so that the message says what they must hold.
    effects: Annotated[dict[str, Effect], PlainValidator(_effects)] = Field(default=None, validate_default=True)
    because: Text
    sources: Annotated[tuple[str, ...], PlainValidator(_sources)] = Field(default=None, validate_default=True)
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

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: Text = Field(alias="pack")
    version: Annotated[str, PlainValidator(_version)] = "0"
    title: Text = ""
    source: Annotated[dict[str, str], PlainValidator(_source)] = {}
    claims: dict[Annotated[str, PlainValidator(_claim_id)], Claim] = {}
    options: dict[Annotated[str, _id_of("option", _OPTION)], Option] = Field(default={}, validate_default=True)
    dimensions: dict[Annotated[str, _id_of("dimension", _OPTION)], Dimension] = {}
    rules: tuple[Rule, ...]
    _path: str = PrivateAttr("")

    @field_validator("claims", "options", "dimensions", mode="before")
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

    @field_validator("claims", "options", "dimensions")
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
        source = {"title": self.source.get("title") or title, "document": self.source.get("document") or ""}
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
            return None
        body = data["rules"][loc[1]]
        rid = body.get("id") if isinstance(body, dict) else None
        return rid if isinstance(rid, str) and _ID.match(rid) else f"rules[{loc[1]}]"

    return label


def check_pack(path: str | Path, base: RulePack | None = None) -> tuple[RulePack | None, list[Problem]]:
    """Read and validate a pack, returning it (or None) and every problem found.

    With ``base``, the pack may cite the base pack's claims, options and dimensions.
    """
    doc = yamlfile.load(path, RulePackError)
    if not isinstance(doc.data, dict):
        message = f"a rule pack must be a mapping, got {yamlfile.describe(doc.data)}"
        return None, [Problem(doc.source, doc.line_of(()), None, message)]
    try:
        return RulePack.model_validate(doc.data, context=_Known(doc, base)), []
    except ValidationError as exc:
        return None, problems(exc, doc, RulePack, Wording(label=_rule_label(doc.data)))


def load_pack(path: str | Path | None = None, base: RulePack | None = None) -> RulePack:
    """Load a valid pack (the default pack when ``path`` is None) or raise :class:`RulePackError`."""
    pack, found = check_pack(path or default_pack_path(), base)
    if found:
        more = f" (and {len(found) - 1} more; run 'advisor rules lint')" if len(found) > 1 else ""
        raise found[0].error(RulePackError, more)
    assert pack is not None
    return pack
