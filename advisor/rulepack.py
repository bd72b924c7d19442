"""Rule packs: options, claims and rules read from YAML, validated, and compiled.

A rule names requirement fields and values of the workload model; anything unknown is
an error at load time, with the file and line. Compiling turns each rule's condition
into a durable-rules condition, guarded by the fact discriminator.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from . import yamlfile
from .errors import RulePackError
from .resources import default_pack_path
from .workload import DIMENSIONS, REQUIREMENT_FIELDS, allowed_values, format_value, suggest

# durable-rules hangs with 512 or more rules side by side; the engine splits a pack into
# rulesets of at most 60 rules, and this bounds the whole pack.
MAX_RULES = 500
FACT_TAG = {"_fact": "workload"}

_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")
_OPTION = re.compile(r"^[a-z][a-z0-9_-]*$")
Effect = int | Literal["veto"]


@dataclass(frozen=True)
class Condition:
    """A condition over requirement fields: a field test, or all/any of others."""

    op: Literal["is", "all", "any"]
    field: str | None = None
    values: tuple[Any, ...] = ()
    children: tuple[Condition, ...] = ()

    def holds(self, stated: dict[str, Any]) -> bool:
        """Whether the condition holds for these stated requirements (an unstated field never matches)."""
        if self.op == "is":
            return self.field in stated and stated[self.field] in self.values
        results = (child.holds(stated) for child in self.children)
        return all(results) if self.op == "all" else any(results)

    def to_durable(self) -> dict[str, Any]:
        """The durable-rules form of this condition (without the fact guard)."""
        if self.op == "is":
            tests = [{self.field: v} for v in self.values]
            return tests[0] if len(tests) == 1 else {"$or": tests}
        key = "$and" if self.op == "all" else "$or"
        return {key: [child.to_durable() for child in self.children]}

    def to_data(self) -> Any:
        """The condition as written in a pack (normalised)."""
        if self.op == "is":
            return {self.field: self.values[0] if len(self.values) == 1 else list(self.values)}
        if self.op == "all" and all(c.op == "is" for c in self.children):
            merged: dict[str, Any] = {}
            for child in self.children:
                merged.update(child.to_data())
            if len(merged) == len(self.children):
                return merged
        return {self.op: [child.to_data() for child in self.children]}

    def describe(self) -> str:
        """The condition in words."""
        if self.op == "is":
            values = [format_value(v) for v in self.values]
            if len(values) == 1:
                return f"{self.field} is {values[0]}"
            return f"{self.field} is {' or '.join(values)}"
        joiner = " and " if self.op == "all" else " or "
        parts = [c.describe() if c.op == "is" else f"({c.describe()})" for c in self.children]
        return joiner.join(parts)


@dataclass(frozen=True)
class Rule:
    """One rule: when its condition holds, its effects apply to the options."""

    id: str
    dimension: str
    when: Condition
    effects: dict[str, Effect]
    because: str
    sources: tuple[str, ...]
    line: int | None = None

    def durable_condition(self) -> dict[str, Any]:
        """The guarded durable-rules condition of this rule."""
        return {"$and": [FACT_TAG, self.when.to_durable()]}


@dataclass(frozen=True)
class Claim:
    """A claim of the source document: its section, the original words, a paraphrase."""

    id: str
    section: str
    quote: str
    text: str


@dataclass(frozen=True)
class Option:
    """A platform a pack can recommend."""

    id: str
    title: str
    summary: str
    next_steps: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class RulePack:
    """A validated rule pack."""

    name: str
    version: str
    title: str
    source: dict[str, str]
    claims: dict[str, Claim]
    options: dict[str, Option]
    rules: tuple[Rule, ...]
    path: str

    @cached_property
    def digest(self) -> str:
        """A stable fingerprint of the rules, for caches and ruleset names."""
        data = [(r.id, r.when.to_data(), sorted(r.effects.items())) for r in self.rules]
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        return self._by_id[rule_id]

    def merged(self, other: RulePack) -> RulePack:
        """This pack with another's options, claims and rules added."""
        ids = {r.id for r in self.rules}
        clash = [r.id for r in other.rules if r.id in ids]
        if clash:
            raise RulePackError(f"rule id '{clash[0]}' is already defined by {self.path}", path=other.path)
        rules = self.rules + other.rules
        if len(rules) > MAX_RULES:
            raise RulePackError(f"more than {MAX_RULES} rules in all", path=other.path)
        return RulePack(
            name=self.name,
            version=self.version,
            title=self.title,
            source=self.source,
            claims={**other.claims, **self.claims},
            options={**other.options, **self.options},
            rules=rules,
            path=self.path,
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack, located as precisely as known."""

    path: str
    line: int | None
    rule: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        rule = f" {self.rule}:" if self.rule else ""
        return f"{where}:{rule} {self.message}"


class _Checker:
    """Collects every problem of a pack document instead of stopping at the first."""

    def __init__(self, doc: yamlfile.Document, known_claims: dict[str, Claim], known_options: Iterable[str]):
        self.doc = doc
        self.problems: list[Problem] = []
        self.known_claims = dict(known_claims)
        self.known_options = set(known_options)

    def problem(self, loc: tuple[Any, ...], message: str, rule: str | None = None) -> None:
        self.problems.append(Problem(self.doc.source, self.doc.line_of(loc), rule, message))

    def text(self, data: dict, loc: tuple, key: str, rule: str | None = None, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(loc, f"'{key}' is missing", rule)
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(loc + (key,), f"'{key}' must be a non-empty string", rule)
            return ""
        return value.strip()

    def mapping(self, value: Any, loc: tuple, what: str, rule: str | None = None) -> dict:
        if not isinstance(value, dict):
            self.problem(loc, f"{what} must be a mapping, got {yamlfile.describe(value)}", rule)
            return {}
        return value

    def unknown_keys(self, data: dict, loc: tuple, known: Iterable[str], rule: str | None = None) -> None:
        known = list(known)
        for key in data:
            if key not in known:
                self.problem(loc + (key,), f"unknown key '{key}'{suggest(key, known)}", rule)

    def check(self) -> RulePack | None:
        data = self.mapping(self.doc.data, (), "a rule pack")
        self.unknown_keys(data, (), ["pack", "version", "title", "source", "claims", "options", "rules"])
        name = self.text(data, (), "pack")
        version = self.version(data.get("version", "0"))
        title = self.text(data, (), "title", required=False) or name
        given = self.mapping(data.get("source", {}), ("source",), "'source'")
        self.unknown_keys(given, ("source",), ["title", "document"])
        source = {"title": str(given.get("title") or title), "document": str(given.get("document") or "")}
        claims = self.claims(data.get("claims", {}))
        options = self.options(data.get("options", {}), claims)
        rules = self.rules(data.get("rules"), claims, options)
        if self.problems:
            return None
        return RulePack(name, version, title, source, claims, options, tuple(rules), self.doc.source)

    def version(self, value: Any) -> str:
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return str(value)
        self.problem(("version",), f"'version' must be a string (quote it), got {yamlfile.describe(value)}")
        return ""

    def claims(self, value: Any) -> dict[str, Claim]:
        claims = dict(self.known_claims)
        for cid, body in self.mapping(value, ("claims",), "'claims'").items():
            loc = ("claims", cid)
            if not isinstance(cid, str):
                self.problem(loc, f"claim id {cid!r} must be a string (quote it)")
            body = self.mapping(body, loc, f"claim '{cid}'")
            self.unknown_keys(body, loc, ["section", "quote", "text"])
            claims[str(cid)] = Claim(
                str(cid), self.text(body, loc, "section"), self.text(body, loc, "quote"), self.text(body, loc, "text")
            )
        return claims

    def options(self, value: Any, claims: dict[str, Claim]) -> dict[str, Option]:
        options = {}
        for oid, body in self.mapping(value, ("options",), "'options'").items():
            loc = ("options", oid)
            if not _OPTION.match(str(oid)):
                self.problem(loc, f"option id '{oid}' must be lower-case letters, digits, '-' or '_'")
            body = self.mapping(body, loc, f"option '{oid}'")
            self.unknown_keys(body, loc, ["title", "summary", "next_steps"])
            steps = self.next_steps(body.get("next_steps", []), loc + ("next_steps",), claims)
            options[str(oid)] = Option(
                str(oid), self.text(body, loc, "title"), self.text(body, loc, "summary"), tuple(steps)
            )
        if not options and not self.known_options:
            self.problem(("options",), "a pack needs at least one option")
        return options

    def next_steps(self, value: Any, loc: tuple, claims: dict[str, Claim]) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            self.problem(loc, "'next_steps' must be a list of steps")
            return []
        steps = []
        for index, step in enumerate(value):
            where = loc + (index,)
            step = self.mapping(step, where, "a next step")
            self.unknown_keys(step, where, ["text", "command", "sources"])
            text = self.text(step, where, "text")
            command = self.text(step, where, "command", required=False)
            sources = self.sources(step.get("sources", []), where + ("sources",), None, claims, required=False)
            steps.append({"text": text, **({"command": command} if command else {}), "sources": list(sources)})
        return steps

    def rules(self, value: Any, claims: dict[str, Claim], options: dict[str, Option]) -> list[Rule]:
        if not isinstance(value, list) or not value:
            self.problem(("rules",), "'rules' must be a non-empty list")
            return []
        if len(value) > MAX_RULES:
            self.problem(("rules",), f"at most {MAX_RULES} rules are allowed, got {len(value)}")
            return []
        known_options = set(options) | self.known_options
        seen: dict[str, int | None] = {}
        rules = []
        for index, body in enumerate(value):
            loc: tuple = ("rules", index)
            if not isinstance(body, dict):
                self.problem(loc, f"a rule must be a mapping, got {yamlfile.describe(body)}")
                continue
            rid = body.get("id")
            if not isinstance(rid, str) or not _ID.match(rid):
                self.problem(loc + ("id",), f"rule id {rid!r} must be lower-case words joined by '-', '_' or '.'")
                rid = f"rules[{index}]"
            elif rid in seen:
                self.problem(loc + ("id",), f"duplicate rule id (first at line {seen[rid]})", rid)
            seen[rid] = self.doc.line_of(loc)
            self.unknown_keys(body, loc, ["id", "dimension", "when", "effects", "because", "sources"], rid)
            dimension = body.get("dimension")
            if dimension is None:
                self.problem(loc, "'dimension' is missing", rid)
            elif not isinstance(dimension, str) or dimension not in DIMENSIONS:
                self.problem(
                    loc + ("dimension",),
                    f"dimension {format_value(dimension)!r} is not one of {', '.join(DIMENSIONS)}",
                    rid,
                )
            if "when" not in body:
                self.problem(loc, "'when' is missing", rid)
                when = None
            else:
                when = self.condition(body["when"], loc + ("when",), rid)
            effects = self.effects(body.get("effects"), loc + ("effects",), rid, known_options)
            because = self.text(body, loc, "because", rid)
            sources = self.sources(body.get("sources"), loc + ("sources",), rid, claims)
            if when is not None:
                rules.append(Rule(rid, str(dimension), when, effects, because, sources, self.doc.line_of(loc)))
        return rules

    def condition(self, value: Any, loc: tuple, rid: str) -> Condition | None:
        if not isinstance(value, dict) or not value:
            self.problem(loc, "a condition must be a non-empty mapping of fields to values", rid)
            return None
        parts = []
        for key, wanted in value.items():
            if key in ("all", "any"):
                if not isinstance(wanted, list) or not wanted:
                    self.problem(loc + (key,), f"'{key}' takes a non-empty list of conditions", rid)
                    continue
                children = [self.condition(c, loc + (key, i), rid) for i, c in enumerate(wanted)]
                if all(children):
                    parts.append(Condition(key, children=tuple(children)))
                continue
            if key not in REQUIREMENT_FIELDS:
                self.problem(loc + (key,), f"unknown field '{key}'{suggest(key, REQUIREMENT_FIELDS)}", rid)
                continue
            values = wanted if isinstance(wanted, list) else [wanted]
            allowed = allowed_values(key)
            bad = [v for v in values if not any(v == a and type(v) is type(a) for a in allowed)]
            if bad or not values:
                shown = format_value(bad[0]) if bad else "nothing"
                choices = ", ".join(format_value(a) for a in allowed)
                self.problem(loc + (key,), f"{key} can never be '{shown}'; it is one of {choices}", rid)
                continue
            parts.append(Condition("is", field=key, values=tuple(dict.fromkeys(values))))
        if len(parts) != len(value):
            return None
        return parts[0] if len(parts) == 1 else Condition("all", children=tuple(parts))

    def effects(self, value: Any, loc: tuple, rid: str, known_options: set[str]) -> dict[str, Effect]:
        if not isinstance(value, dict) or not value:
            self.problem(loc, "'effects' must map options to points or 'veto'", rid)
            return {}
        effects: dict[str, Effect] = {}
        for option, effect in value.items():
            if option not in known_options:
                self.problem(loc + (option,), f"unknown option '{option}'{suggest(option, known_options)}", rid)
            elif effect == "veto" or (
                isinstance(effect, int) and not isinstance(effect, bool) and -100 <= effect <= 100
            ):
                effects[str(option)] = effect
            else:
                self.problem(loc + (option,), "an effect is a whole number from -100 to 100, or 'veto'", rid)
        return effects

    def sources(
        self, value: Any, loc: tuple, rid: str | None, claims: dict[str, Claim], required: bool = True
    ) -> tuple[str, ...]:
        if not isinstance(value, list) or (required and not value):
            self.problem(loc[:-1], "'sources' must list at least one claim id", rid)
            return ()
        for i, cid in enumerate(value):
            if not isinstance(cid, str):
                self.problem(loc + (i,), f"a claim id is a string, got {yamlfile.describe(cid)}", rid)
            elif cid not in claims:
                self.problem(loc + (i,), f"unknown claim id '{cid}'{suggest(cid, claims)}", rid)
        return tuple(str(c) for c in value)


def check_pack(path: str | Path, base: RulePack | None = None) -> tuple[RulePack | None, list[Problem]]:
    """Read and validate a pack, returning it (or None) and every problem found.

    With ``base``, the pack may cite the base pack's claims and options.
    """
    doc = yamlfile.load(path, RulePackError)
    checker = _Checker(doc, base.claims if base else {}, base.options if base else ())
    return checker.check(), checker.problems


def load_pack(path: str | Path | None = None, base: RulePack | None = None) -> RulePack:
    """Load a valid pack (the default pack when ``path`` is None) or raise :class:`RulePackError`."""
    pack, problems = check_pack(path or default_pack_path(), base)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more; run 'advisor rules lint')" if len(problems) > 1 else ""
        field = first.rule
        raise RulePackError(first.message + more, path=first.path, line=first.line, field=field)
    assert pack is not None
    return pack
