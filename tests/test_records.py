"""Records: frozen dataclasses built by keyword, with shared methods, plain data and pydantic's view of them."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import field

import pytest
from pydantic import TypeAdapter, ValidationError

from advisor.records import record, to_data


def point_class() -> type:
    """A record class made while the test runs, so that what ``record`` does is under test."""

    @record
    class Point:
        """A labelled point."""

        x: int
        label: str = "p"
        tags: list[str] = field(default_factory=list)
        area: int = field(init=False, repr=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "area", self.x * self.x)

    return Point


def test_a_record_is_built_by_keyword_with_its_defaults_and_a_fresh_factory_value():
    """Given fields are kept, defaults filled in, each record gets its own list, and __post_init__ runs."""
    Point = point_class()
    a, b = Point(x=3), Point(x=2, label="q", tags=["t"])
    assert (a.x, a.label, a.tags, a.area) == (3, "p", [], 9)
    assert (b.x, b.label, b.tags, b.area) == (2, "q", ["t"], 4)
    assert Point(x=1).tags is not Point(x=1).tags
    with pytest.raises(TypeError):
        Point(3)


def test_a_missing_or_unknown_keyword_is_refused_by_name():
    """Building a record without a required field, or with a field it lacks, says which."""
    Point = point_class()
    with pytest.raises(TypeError, match=r"^Point\(\) missing required keyword argument: 'x'$"):
        Point(label="q")
    with pytest.raises(TypeError, match=r"^Point\(\) got an unexpected keyword argument 'y'$"):
        Point(x=1, y=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'area'"):
        Point(x=1, area=5)  # a field worked out by the record is not given


def test_a_record_is_frozen():
    """Neither assigning nor deleting a field is allowed."""
    point = point_class()(x=1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'label'"):
        del point.label
    assert point.x == 1 and point.label == "p"


def test_records_are_equal_by_type_and_fields_and_hash_alike():
    """Equal fields of the same class are equal and hash alike; another class or value is not equal."""
    Point, Other = point_class(), point_class()
    assert Point(x=1, label="a") == Point(x=1, label="a")
    assert Point(x=1) != Point(x=2) and Point(x=1) != Point(x=1, label="b")
    assert Point(x=1) != Other(x=1) and Point(x=1) != (1, "p", [])
    frozen = record(type("Pair", (), {"__annotations__": {"a": "int", "b": "str"}}))
    assert hash(frozen(a=1, b="x")) == hash(frozen(a=1, b="x"))
    assert len({frozen(a=1, b="x"), frozen(a=1, b="x"), frozen(a=2, b="x")}) == 2


def test_a_record_shows_its_shown_fields_in_order():
    """The repr names the class and every field but those with repr=False."""
    point = point_class()(x=1, tags=["t"])
    assert repr(point) == "point_class.<locals>.Point(x=1, label='p', tags=['t'])"


def test_a_record_is_a_dataclass_for_replace_fields_and_pickle():
    """dataclasses.replace makes a changed copy (worked-out fields again), and a record pickles and loads back equal."""
    Point = point_class()
    moved = dataclasses.replace(Point(x=2, label="a"), x=5)
    assert (moved.x, moved.label, moved.area) == (5, "a", 25)
    from advisor.workload import Requirements, Workload

    workload = Workload(name="w", requirements=Requirements(isolation="high"))
    assert pickle.loads(pickle.dumps(workload)) == workload


def test_plain_data_lists_a_records_fields_in_order_with_tuples_as_lists():
    """to_data maps the fields a record is built from, in order, with nested records and tuples as plain data."""
    Point = point_class()
    data = to_data({"p": Point(x=2, tags=("a", "b")), "q": (Point(x=1),)})
    assert data == {"p": {"x": 2, "label": "p", "tags": ["a", "b"]}, "q": [{"x": 1, "label": "p", "tags": []}]}
    assert list(data["p"]) == ["x", "label", "tags"]


def test_a_field_left_out_of_comparison_is_left_out_of_equality_and_hash():
    """Records that differ only in a field with compare=False are equal and hash alike."""

    @record
    class Tagged:
        """A value with a note that does not count."""

        value: int
        note: str = field(default="", compare=False)

    assert Tagged(value=1, note="a") == Tagged(value=1, note="b")
    assert hash(Tagged(value=1, note="a")) == hash(Tagged(value=1, note="b"))
    assert Tagged(value=1) != Tagged(value=2)


def test_pydantic_validates_into_a_record_and_refuses_other_keys():
    """A record is a type pydantic validates plain data into; a key the record lacks is refused."""
    Point = point_class()
    adapter = TypeAdapter(Point)
    found = adapter.validate_python({"x": 2, "label": "q"})
    assert (type(found), found.x, found.label, found.tags) == (Point, 2, "q", [])
    with pytest.raises(ValidationError, match="Unexpected keyword argument"):
        adapter.validate_python({"x": 2, "more": 1})
    assert adapter.json_schema()["additionalProperties"] is False
