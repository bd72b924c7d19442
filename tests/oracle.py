"""A plain-Python evaluator of compiled durable-rules conditions: the engine's oracle.

It reads the same condition dictionaries that are registered with durable-rules
(``Rule.durable_condition()``), not the pack's own ``Condition`` objects, so it checks
the compilation as well as the engine.
"""

from __future__ import annotations

from typing import Any


def holds(condition: dict[str, Any], fact: dict[str, Any]) -> bool:
    """Whether a durable-rules condition (the subset advisor compiles to) matches a fact."""
    if len(condition) != 1:
        return all(holds({k: v}, fact) for k, v in condition.items())
    ((key, value),) = condition.items()
    if key == "$and":
        return all(holds(c, fact) for c in value)
    if key == "$or":
        return any(holds(c, fact) for c in value)
    if key.startswith("$"):
        raise ValueError(f"operator {key} is not compiled by advisor")
    # A missing field makes every comparison false; bools must not equal ints.
    return key in fact and fact[key] == value and type(fact[key]) is type(value)


def fired(pack, stated: dict[str, Any]) -> tuple[str, ...]:
    """The ids of the pack's rules whose compiled conditions hold, in pack order."""
    fact = {"_fact": "workload", **stated}
    return tuple(rule.id for rule in pack.rules if holds(rule.durable_condition(), fact))
