"""Oracles of rule conditions written without advisor's compiler.

``written_holds`` evaluates a rule's ``when`` exactly as the pack file spells it (the raw
YAML mapping, read with PyYAML here, never through ``advisor.conditions``): a mapping
holds when every entry does; ``field: value`` when the stated value is that value,
``field: [a, b]`` when it is one of them; ``any: [...]``/``all: [...]`` when some/every
listed condition does. An unstated field never matches, and a boolean never equals an
integer. ``compiled_holds`` evaluates the durable-rules dictionary advisor registers, so
the compiled form can be checked against the written one.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

import yaml


def same(a: Any, b: Any) -> bool:
    """Equal and of one type (``True`` is not ``1``)."""
    return a == b and type(a) is type(b)


def written_holds(when: dict[str, Any], stated: dict[str, Any], seen: set | None = None, at: tuple = ()) -> bool:
    """Whether a condition as written in a pack holds; ``seen`` collects each branch and value that held."""
    ok = True
    for key, wanted in when.items():
        if key in ("any", "all"):
            results = [written_holds(c, stated, seen, (*at, key, i)) for i, c in enumerate(wanted)]
            for i, held in enumerate(results):
                if held and seen is not None:
                    seen.add((*at, key, i))
            ok = ok and (any(results) if key == "any" else all(results))
            continue
        values = wanted if isinstance(wanted, list) else [wanted]
        matched = [v for v in values if key in stated and same(stated[key], v)]
        if matched and seen is not None:
            seen.add((*at, key, repr(matched[0])))
        ok = ok and bool(matched)
    return ok


def targets(when: dict[str, Any], at: tuple = ()) -> set:
    """Every branch of every ``any``/``all`` and every value of every field test, as ``written_holds`` names them."""
    found = set()
    for key, wanted in when.items():
        if key in ("any", "all"):
            for i, child in enumerate(wanted):
                found.add((*at, key, i))
                found |= targets(child, (*at, key, i))
        else:
            for value in wanted if isinstance(wanted, list) else [wanted]:
                found.add((*at, key, repr(value)))
    return found


def witnesses(when: dict[str, Any]) -> list[dict[str, Any]]:
    """Stated requirements that make the condition hold, together through every branch of
    every ``any`` and every value of every field list (combinations that contradict
    themselves, one field with two values, are left out)."""
    per_entry = []
    for key, wanted in when.items():
        if key == "any":
            per_entry.append([w for child in wanted for w in witnesses(child)])
        elif key == "all":
            per_entry.append(_combine([witnesses(child) for child in wanted]))
        else:
            per_entry.append([{key: v} for v in (wanted if isinstance(wanted, list) else [wanted])])
    return _combine(per_entry)


def _combine(options: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each choice of every list merged, without a full product: every option of each list
    appears with the first workable option of the others."""
    found: list[dict[str, Any]] = []
    for i, choices in enumerate(options):
        for choice in choices:
            for rest in itertools.product(*[o for j, o in enumerate(options) if j != i]):
                merged = dict(choice)
                if all(_merge(merged, part) for part in rest):
                    if merged not in found:
                        found.append(merged)
                    break
    return found


def _merge(into: dict[str, Any], part: dict[str, Any]) -> bool:
    for key, value in part.items():
        if key in into and not same(into[key], value):
            return False
        into[key] = value
    return True


@functools.cache
def written_rules(path: str | Path) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(id, when) of each rule of a pack file, as written."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple((rule["id"], rule["when"]) for rule in data["rules"])


def written_fired(rules: tuple[tuple[str, dict[str, Any]], ...], stated: dict[str, Any]) -> tuple[str, ...]:
    """The ids of the rules whose written condition holds, in pack order."""
    return tuple(rule_id for rule_id, when in rules if written_holds(when, stated))


def compiled_holds(condition: dict[str, Any], fact: dict[str, Any]) -> bool:
    """Whether a durable-rules condition (the subset advisor compiles to) matches a fact."""
    if len(condition) != 1:
        return all(compiled_holds({k: v}, fact) for k, v in condition.items())
    ((key, value),) = condition.items()
    if key == "$and":
        return all(compiled_holds(c, fact) for c in value)
    if key == "$or":
        return any(compiled_holds(c, fact) for c in value)
    if key.startswith("$"):
        raise ValueError(f"operator {key} is not compiled by advisor")
    return key in fact and same(fact[key], value)


def fired(pack, stated: dict[str, Any]) -> tuple[str, ...]:
    """The ids of the pack's rules whose written conditions hold, in pack order (read from the pack's file)."""
    return written_fired(written_rules(pack.path), stated)
