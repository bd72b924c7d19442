"""A rule pack as the engine, the decisions and the views read it: frozen records.

:mod:`advisor.rulepack_model` validates a pack file and makes these of it; the user's
cache keeps them (see :mod:`advisor.packcache`), so an ordinary start reads a pack without
loading any pydantic model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import field
from typing import Any, Literal

from .conditions import Condition
from .errors import RulePackError
from .records import record, replace

# durable-rules hangs with 512 or more rules side by side; the engine splits a pack into
# rulesets of at most 60 rules, and this bounds the whole pack.
MAX_RULES = 500
# A decision compares every option with every other, so its time grows with the square of
# their number; real packs offer a handful.
MAX_OPTIONS = 100
FACT_TAG = {"_fact": "workload"}
Effect = int | Literal["veto"]


class Localized(str):
    """A pack's text: its English, which it is as a string, and its translations.

    Written in a pack as a plain string (English) or as ``{en: ..., ru: ...}``.
    """

    translations: dict[str, str]

    def __new__(cls, en: str, translations: dict[str, str] | None = None) -> Localized:
        text = super().__new__(cls, en)
        text.translations = dict(translations or {})
        return text

    def has(self, lang: str) -> bool:
        """Whether the text is written in ``lang`` (English always is)."""
        return lang == "en" or lang in self.translations

    def in_lang(self, lang: str) -> str:
        """The text in ``lang``, or in English where it has no translation."""
        return self.translations.get(lang, str(self)) if lang != "en" else str(self)


@record
class Document:
    """A source document the claims are drawn from: its title, publisher, year and address.

    ``file`` names a copy shipped beside the pack (relative to the pack's folder).
    """

    id: str
    title: str
    publisher: str | None = None
    year: int | None = None
    url: str | None = None
    file: str | None = None


@record
class Claim:
    """A claim of a source document: the document and its section, the original words, a paraphrase."""

    id: str
    document: str | None
    section: str
    quote: str
    text: str


@record
class Option:
    """A platform a pack can recommend, with the next steps of adopting it."""

    id: str
    title: str
    summary: str
    next_steps: tuple[dict[str, Any], ...] = ()


@record
class Dimension:
    """A section of the source document that rules (and requirement fields) belong to."""

    id: str
    title: str
    order: int


@record
class Rule:
    """One rule: when its condition holds, its effects apply to the options."""

    id: str
    dimension: str
    when: Condition
    effects: dict[str, Effect]
    because: str
    sources: tuple[str, ...]
    line: int | None = None  # in its pack's file

    def durable_condition(self) -> dict[str, Any]:
        """The guarded durable-rules condition of this rule."""
        return {"$and": [FACT_TAG, self.when.to_durable()]}


@record
class RulePack:
    """A validated rule pack: its options, dimensions, documents, claims and rules, and the file it came from."""

    name: str
    version: str
    title: str
    source: dict[str, str]
    documents: dict[str, Document]
    claims: dict[str, Claim]
    options: dict[str, Option]
    dimensions: dict[str, Dimension]
    rules: tuple[Rule, ...]
    path: str = ""
    digest: str = field(init=False, compare=False)  # a stable fingerprint of the rules, for caches and rulesets
    _by_id: dict[str, Rule] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        data = [(r.id, r.when.to_data(), sorted(r.effects.items())) for r in self.rules]
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
        object.__setattr__(self, "digest", digest)
        object.__setattr__(self, "_by_id", {rule.id: rule for rule in self.rules})

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
        if len({**self.options, **other.options}) > MAX_OPTIONS:
            raise RulePackError(f"more than {MAX_OPTIONS} options in all", path=other.path)
        return replace(
            self,
            documents={**other.documents, **self.documents},
            claims={**other.claims, **self.claims},
            options={**other.options, **self.options},
            dimensions=ordered({**other.dimensions, **self.dimensions}),
            rules=rules,
        )


def ordered(dimensions: dict[str, Any]) -> dict[str, Any]:
    """Dimensions by their order (those of equal order as given)."""
    return dict(sorted(dimensions.items(), key=lambda item: item[1].order))
