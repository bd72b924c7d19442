"""Rule conditions: a test of requirement fields, or all/any of other conditions.

A condition is validated against the workload model's fields and values, compiled to
durable-rules' form, and counted in the ways durable-rules can match it.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from .validation import fail, format_value, raise_all, shown, suggest
from .workload import REQUIREMENT_FIELDS, allowed_values

# durable-rules keeps the matches still to follow for a fact on a stack of 64 (error 303
# beyond). A condition matches in as many ways as its `any` branches and value lists
# multiply out to, and the engine splits a pack so that no ruleset holds more ways.
MAX_WAYS = 64
MAX_DEPTH = 32


class Condition(NamedTuple):
    """A condition over requirement fields: a field test, or all/any of others."""

    op: Literal["is", "all", "any"]
    field: str | None = None
    values: tuple[Any, ...] = ()
    children: tuple[Condition, ...] = ()

    def fields(self) -> set[str]:
        """The requirement fields the condition tests."""
        if self.op == "is":
            return {self.field or ""}
        return set().union(*(child.fields() for child in self.children))

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

    def ways(self) -> int:
        """In how many ways durable-rules can match it: a product over `all`, a sum over
        `any`, one way per value of a field test (at most MAX_WAYS + 1 is counted)."""
        return _ways(self, MAX_WAYS + 1)

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


def _ways(condition: Condition, cap: int) -> int:
    if condition.op == "is":
        return len(condition.values)
    total = 1 if condition.op == "all" else 0
    for child in condition.children:
        ways = _ways(child, cap)
        total = total * ways if condition.op == "all" else total + ways
        total = min(total, cap)
    return total


def condition(value: Any) -> Condition:
    """Validate a rule's ``when`` as a :class:`Condition`; every problem is raised at once,
    each at its place in the condition."""
    errors: list[tuple[tuple[str | int, ...], str]] = []
    condition = _parse(value, (), errors, 0)
    raise_all(errors, value)
    assert condition is not None
    told = MAX_WAYS * 1000  # the largest count said exactly; counting stops one past it
    ways = _ways(condition, told + 1)
    if ways > MAX_WAYS:
        many = f"{ways}" if ways <= told else f"more than {told}"
        raise fail(
            f"the condition can match in {many} ways, more than the {MAX_WAYS} durable-rules can follow"
            " for one fact; split the rule"
        )
    return condition


def _parse(value: Any, loc: tuple, errors: list, depth: int) -> Condition | None:
    if not isinstance(value, dict) or not value:
        errors.append((loc, "a condition must be a non-empty mapping of fields to values"))
        return None
    if depth > MAX_DEPTH:
        errors.append((loc, f"conditions nest more than {MAX_DEPTH} deep"))
        return None
    parts = []
    for key, wanted in value.items():
        where = loc + (key,)
        if key in ("all", "any"):
            if not isinstance(wanted, list) or not wanted:
                errors.append((where, f"'{key}' takes a non-empty list of conditions"))
                continue
            children = [_parse(c, where + (i,), errors, depth + 1) for i, c in enumerate(wanted)]
            if all(children):
                parts.append(Condition(key, children=tuple(children)))  # type: ignore[arg-type]
        elif key not in REQUIREMENT_FIELDS:
            errors.append((where, f"unknown field '{shown(key)}'{suggest(key, REQUIREMENT_FIELDS)}"))
        else:
            values = wanted if isinstance(wanted, list) else [wanted]
            allowed = allowed_values(key)
            bad = [v for v in values if not any(v == a and type(v) is type(a) for a in allowed)]
            if bad or not values:
                choices = ", ".join(format_value(a) for a in allowed)
                never = shown(bad[0]) if bad else "nothing"
                errors.append((where, f"{key} can never be '{never}'; it is one of {choices}"))
                continue
            parts.append(Condition("is", field=key, values=tuple(dict.fromkeys(values))))
    if len(parts) != len(value):
        return None
    return parts[0] if len(parts) == 1 else Condition("all", children=tuple(parts))
