"""Rule conditions as the pack writes them: what parses, what is refused and how, the normal form, the ways."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from advisor.conditions import MAX_DEPTH, condition
from advisor.workload import allowed_values


def refusals(value) -> list[tuple[tuple, str]]:
    """Each (place, message) the condition is refused with."""
    with pytest.raises(ValidationError) as info:
        condition(value)
    return [(tuple(e["loc"]), e["msg"]) for e in info.value.errors()]


def nested(depth: int) -> dict:
    cond: dict = {"density": "high"}
    for _ in range(depth):
        cond = {"any": [cond]}
    return cond


def test_all_holds_only_when_every_listed_condition_holds():
    """`all:` needs every listed condition; together with a field test in one mapping, that too."""
    c = condition({"all": [{"density": "high"}, {"performance": "critical"}]})
    assert c.holds({"density": "high", "performance": "critical"})
    assert not c.holds({"density": "high"})
    assert not c.holds({"performance": "critical", "density": "low"})


def test_a_mapping_of_two_fields_needs_both():
    """{a: x, b: y} holds only when both do: a mapping is a conjunction, not its first entry."""
    c = condition({"density": "high", "performance": "critical"})
    assert not c.holds({"density": "high"}) and not c.holds({"performance": "critical"})
    assert c.holds({"density": "high", "performance": "critical"})


def test_the_normal_form_reads_back_as_the_same_condition():
    """to_data gives a single value bare, lists as lists, field tests of an all merged into one mapping,
    and any/all kept; each reads back as an equal condition."""
    cases = [
        ({"density": "high"}, {"density": "high"}),
        ({"density": ["medium", "high"]}, {"density": ["medium", "high"]}),
        ({"all": [{"density": "high"}, {"performance": "critical"}]}, {"density": "high", "performance": "critical"}),
        ({"any": [{"density": "high"}, {"os_testing": True}]}, {"any": [{"density": "high"}, {"os_testing": True}]}),
        ({"all": [{"density": "high"}, {"density": "low"}]}, {"all": [{"density": "high"}, {"density": "low"}]}),
        ({"os_testing": True, "any": [{"full_os": True}, {"guest_os": "different"}]},
         {"all": [{"os_testing": True}, {"any": [{"full_os": True}, {"guest_os": "different"}]}]}),
    ]
    for written, normal in cases:
        c = condition(written)
        assert c.to_data() == normal, written
        assert condition(c.to_data()) == c, written


def test_ways_multiply_over_all_and_add_over_any():
    """{a: [2 values], any: [x, {b: [3 values]}]} matches in 2 * (1 + 3) = 8 ways."""
    c = condition({"architecture": ["monolith", "microservices"],
                   "any": [{"os_testing": True}, {"density": ["low", "medium", "high"]}]})
    assert c.ways() == 8


def test_a_condition_of_exactly_the_limit_counts_all_its_ways_and_past_it_one_more():
    """64 branches count 64 ways (accepted); a condition built past the limit counts MAX_WAYS + 1, no more."""
    from advisor.conditions import MAX_WAYS, Condition

    limit = condition({"any": [{"isolation": "high"}] * MAX_WAYS})
    assert limit.ways() == MAX_WAYS
    past = Condition("any", children=(Condition("is", field="isolation", values=("high",)),) * (MAX_WAYS + 5))
    assert past.ways() == MAX_WAYS + 1


def test_a_rule_of_the_most_ways_shares_no_ruleset_it_would_overflow(tmp_path):
    """A 64-way rule followed by a one-way rule both fire: they are not put in one durable-rules ruleset."""
    from advisor.engine import CompiledPack
    from advisor.rulepack import load_pack
    from advisor.workload import Requirements

    from .test_rulepack import HEADER, rule_with

    wide = "{any: [" + ", ".join(["{isolation: high}"] * 64) + "]}"
    path = tmp_path / "pack.yaml"
    path.write_text(HEADER + rule_with(wide, "wide") + rule_with("{isolation: high}", "one"), encoding="utf-8")
    compiled = CompiledPack(load_pack(path))
    assert compiled.fired(Requirements(isolation="high")) == ("wide", "one")
    compiled.close()


def test_a_condition_of_many_thousand_ways_says_more_than_the_limit_it_counted_to():
    """A product past 64000 ways is reported as 'more than 64000', not as a count that was cut short."""
    fields = ["kernel", "deploy_frequency", "isolation", "startup", "scaling", "density", "resource_budget"]
    huge = {f: list(allowed_values(f)) for f in fields}  # 5 * 4 * 3**5 = 4860 ways, so add more fields
    huge.update({f: list(allowed_values(f)) for f in ("full_os", "custom_kernel", "guest_os", "syscalls")})
    with pytest.raises(PydanticCustomError) as info:
        condition(huge)
    assert str(info.value) == (
        "the condition can match in more than 64000 ways, more than the 64 durable-rules can follow for one fact;"
        " split the rule"
    )


def test_exactly_the_deepest_nesting_allowed_is_accepted():
    """A condition nested MAX_DEPTH levels parses; one level more is refused, at the root."""
    assert condition(nested(MAX_DEPTH)).holds({"density": "high"})
    assert [m for _, m in refusals(nested(MAX_DEPTH + 1))] == [f"conditions nest more than {MAX_DEPTH} deep"]


@pytest.mark.parametrize("value", [{}, [], ["density"], "density: high", None])
def test_a_condition_that_is_not_a_non_empty_mapping_is_refused_with_why(value):
    """An empty mapping, a list, a string or nothing is refused with what a condition must be."""
    assert refusals(value) == [((), "a condition must be a non-empty mapping of fields to values")]


def test_every_problem_of_a_condition_is_reported_at_its_place():
    """Two bad entries, an empty value list and a bad nested branch are each reported, each where it is."""
    found = refusals({"all": 3, "densty": "high", "performance": [], "any": [{"density": "huge"}], "isolation": "x"})
    places = [p for p, _ in found]
    assert places == [("all",), ("densty",), ("performance",), ("any", 0, "density"), ("isolation",)]
    messages = dict(found)
    assert "unknown field 'densty'" in messages[("densty",)] and "density" in messages[("densty",)]
    assert "performance can never be 'nothing'" in messages[("performance",)]
    assert "density can never be 'huge'; it is one of low, medium, high" in messages[("any", 0, "density")]
    assert "'all' takes a non-empty list of conditions" in messages[("all",)]


def test_a_boolean_field_never_matches_an_integer():
    """`os_testing: 1` is refused: 1 is not true, whatever Python's equality says."""
    assert "os_testing can never be '1'" in refusals({"os_testing": 1})[0][1]


def test_the_fields_of_a_condition_are_every_field_it_tests_at_any_depth():
    """fields() names each tested field once, from field tests, all and any alike; a field test its own field."""
    c = condition({"os_testing": True,
                   "any": [{"density": "high"}, {"all": [{"performance": "critical"}, {"density": "low"}]}]})
    assert c.fields() == {"os_testing", "density", "performance"}
    assert condition({"density": ["low", "high"]}).fields() == {"density"}


def test_a_condition_of_exactly_64000_ways_says_so_and_one_more_says_more_than_64000():
    """The count is given exactly up to 64000 ways (not 'more than 64000' at 64000); 64001 ways is 'more than'."""
    def product(*sizes):
        return {"all": [{"any": [{"isolation": "high"}] * n} for n in sizes]}

    said = []
    for value in (product(40, 40, 40), product(7, 41, 223)):  # 64000 and 64001 ways
        with pytest.raises(PydanticCustomError) as info:
            condition(value)
        said.append(str(info.value).split(" ways,")[0])
    assert said == ["the condition can match in 64000", "the condition can match in more than 64000"]


def test_each_error_of_a_refused_condition_carries_the_condition_as_its_input():
    """Like pydantic's own errors, each error of a refused condition gives the value validated as its input."""
    value = {"densty": "high", "isolation": "x"}
    with pytest.raises(ValidationError) as info:
        condition(value)
    assert [e["input"] for e in info.value.errors()] == [value, value]
