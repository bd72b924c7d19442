"""The plain check of a workload agrees with its pydantic model: it never accepts what the
model refuses, gives what the model gives, and takes every plainly written valid file."""

from __future__ import annotations

from typing import Literal, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from advisor.errors import InputError
from advisor.workload import (
    REQUIREMENT_FIELDS,
    Requirements,
    allowed_values,
    load_workload,
    plainly_valid,
    workload_from_data,
)
from advisor.workload_model import WorkloadModel, requirements_record


class Text(str):
    """A string of a subclass: valid to the model, not plain to the check."""


ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.floats(allow_nan=False, width=16),
    st.text(max_size=3),
    st.builds(Text, st.sampled_from(["high", "x"])),
    st.lists(st.booleans(), max_size=1),
    st.dictionaries(st.text(max_size=2), st.booleans(), max_size=1),
)


def value_of(field: str) -> st.SearchStrategy:
    """Mostly values the field allows, sometimes anything at all."""
    return st.one_of(st.sampled_from(allowed_values(field)), st.sampled_from(allowed_values(field)), st.none(), ODD)


KEYS = st.one_of(st.sampled_from(REQUIREMENT_FIELDS), st.sampled_from(["densty", "Isolation", ""]), st.integers(0, 1))
requirements = st.one_of(
    st.fixed_dictionaries({}, optional={f: value_of(f) for f in REQUIREMENT_FIELDS}),
    st.dictionaries(KEYS, st.one_of(ODD, st.sampled_from(["high", "strict", True, False])), max_size=3),
    ODD,
)
names = st.one_of(
    st.text(min_size=1, max_size=5),
    st.sampled_from(["", "x" * 200, "x" * 201, "é" * 200, "a\ud800b", "é\udcff"]),
    st.builds(Text, st.just("svc")),
    ODD,
)
descriptions = st.one_of(
    st.none(), st.text(max_size=5), st.sampled_from(["d" * 10_000, "d" * 10_001, "é\ud800"]), ODD
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "name": names,
        "description": descriptions,
        "declared": st.one_of(st.none(), st.sampled_from(["docker", "vm", "\udc80"]), ODD),
        "requirements": requirements,
        "owner": st.text(max_size=2),
    },
)


def model_says(data: dict) -> object:
    """The record the pydantic model makes of ``data``, or None when it refuses it."""
    try:
        found = WorkloadModel.model_validate(data)
    except ValidationError:
        return None
    return (found.name, found.description, found.declared, requirements_record(found.requirements))


def plainly_written(data: dict) -> bool:
    """Whether every key is a string and every value an exact str, bool, None or (requirements) dict."""
    values = [*data.values(), *(data["requirements"].values() if isinstance(data.get("requirements"), dict) else ())]
    keys = [*data, *(data["requirements"] if isinstance(data.get("requirements"), dict) else ())]
    return all(type(k) is str for k in keys) and all(type(v) in (str, bool, dict, type(None)) for v in values)


@settings(max_examples=3000, deadline=None)
@given(data=documents)
def test_the_plain_check_agrees_with_the_model(data):
    """Accepted plainly only if the model accepts, as the same record; a plainly written valid file is always taken."""
    expected = model_says(data)
    found = plainly_valid(data)
    if found is not None:
        assert expected == (found.name, found.description, found.declared, found.requirements)
    elif expected is not None:
        assert not plainly_written(data)


def test_a_file_refused_by_the_plain_check_gets_the_models_message():
    """What the plain check passes on is judged by the model, with its located message."""
    with pytest.raises(InputError, match=r"<data>: requirements\.isolation: 'extreme' is not allowed"):
        workload_from_data({"name": "svc", "requirements": {"isolation": "extreme"}})


def test_a_valid_file_of_unusual_types_is_still_read():
    """A value the plain check does not take (a str subclass) is read by the model, as the same record."""
    workload = workload_from_data({"name": Text("svc"), "requirements": {"isolation": Text("high")}})
    assert (workload.name, workload.requirements) == ("svc", Requirements(isolation="high"))


def test_a_record_refuses_a_value_outside_its_fields_choices():
    """Requirements built in code refuse an unknown value and a number for a yes/no field."""
    with pytest.raises(ValueError, match="isolation: 'extreme' is not allowed; choose one of standard, high, strict"):
        Requirements(isolation="extreme")
    with pytest.raises(ValueError, match="full_os: '1' is not allowed"):
        Requirements(full_os=1)


def test_each_fields_choices_are_the_values_its_annotation_allows():
    """A requirement's choices (what the loader and the questionnaire offer) are its annotation's values, in order."""
    hints = get_type_hints(Requirements)
    for name in REQUIREMENT_FIELDS:
        literal = [a for a in get_args(hints[name]) if get_origin(a) is Literal]
        assert allowed_values(name) == (get_args(literal[0]) if literal else (True, False)), name


def test_a_name_with_a_lone_surrogate_is_refused_with_the_models_message(tmp_path):
    """A JSON escape for half a character in the name is not taken plainly: the model refuses it, with the line."""
    path = tmp_path / "w.json"
    path.write_text('{"name": "a\\ud800b",\n "requirements": {"isolation": "high"}}', encoding="utf-8")
    with pytest.raises(InputError, match=r"w\.json:1: name: .*unicode string"):
        load_workload(path)


def test_a_workload_built_in_code_keeps_to_the_files_limits():
    """A name that is empty or too long, a description too long, or requirements that are not a record are refused."""
    from advisor.workload import Workload

    for bad in ({"name": ""}, {"name": "x" * 201}, {"name": 5}, {"name": "w", "description": "d" * 10_001},
                {"name": "w", "declared": 7}, {"name": "w", "requirements": {"isolation": "high"}}):
        with pytest.raises(ValueError):
            Workload(**bad)
    assert Workload(name="x" * 200, description="d" * 10_000).requirements == Requirements()
